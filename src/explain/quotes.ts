import { MAX_LINE_LENGTH } from "./unwrap.js";
/**
 * What a message quotes about the certificate concerned: the facts `--root`
 * matches against local files. Read from the unwrapped text whatever pattern
 * matched, because the same fact (a serial, a time) can sit in many layers.
 */

export interface Quoted {
  /** Serial as uppercase hex without leading zeros (openssl -serial, CertificateModel.serial); A2 prints it in decimal. */
  serial?: string;
  serialDecimal?: string;
  /** Uppercase hex without colons. */
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** "valid for X, not Y": the names listed (the certificate's SANs of the kind dialed, or its CN). */
  validFor?: string[];
  /** The host the client dialed (N1, N2, N4, non-Go hostname errors). */
  host?: string;
  /** "current time X is after/before Y". */
  currentTime?: string;
  notAfter?: string;
  notBefore?: string;
  /** The CA name in "while trying to verify candidate authority certificate "X"". */
  candidateAuthority?: string;
  /** A certificate subject CN: W4 cn=X, A4 User "X", A5 node "X" (as system:node:X). */
  commonName?: string;
  /** A file a tool named (openssl verify: "error FILE: verification failed"). */
  file?: string;
}

/** Go prints SKID/AKID as colon-separated uppercase hex; models keep them without colons. */
const bareHex = (s: string) => s.replace(/:/g, "").toUpperCase();

export function quotedFacts(line: string): Quoted {
  // Also called on the raw line after an error (openssl names its file there): cut like every line (unwrap.ts).
  const text = line.length > MAX_LINE_LENGTH ? line.slice(0, MAX_LINE_LENGTH) : line;
  const q: Quoted = {};
  let m = /SN=(\d+), SKID=([0-9A-F:]*), AKID=([0-9A-F:]*)/.exec(text);
  if (m) {
    q.serialDecimal = m[1];
    q.serial = BigInt(m[1]).toString(16).toUpperCase();
    if (m[2]) q.subjectKeyId = bareHex(m[2]);
    if (m[3]) q.authorityKeyId = bareHex(m[3]);
  }
  // Only the first "valid for" is tried (patterns.ts, LINEAR): a line of them would otherwise retry from each.
  m = /^(?:(?!x509: certificate is valid for ).)*x509: certificate is valid for (.+), not (\S+)/.exec(text);
  if (m) {
    q.validFor = m[1].split(", ").map((s) => s.trim()).filter(Boolean);
    q.host = trimHost(m[2]);
  }
  m = /cannot validate certificate for (\S+) because it doesn't contain any IP SANs|wanted to match (\S+)/.exec(text);
  if (m) q.host = trimHost(m[1] ?? m[2]);
  m = /(?:Host|IP): (\S+?)\.? is not in the cert's (?:altnames|list)|target host name '([^']+)'/.exec(text);
  if (m) q.host = trimHost(m[1] ?? m[2]);
  m = /current time (\S+) is (after|before) (\S+)/.exec(text);
  if (m) {
    q.currentTime = m[1];
    if (m[2] === "after") q.notAfter = m[3].replace(/[")\],]+$/, "");
    else q.notBefore = m[3].replace(/[")\],]+$/, "");
  }
  m = /candidate authority certificate "([^"]*)"/.exec(text);
  if (m) q.candidateAuthority = m[1];
  m = /subject with cn=(\S*) is not in the allowed list|forbidden: User "([^"]+)"|node "([^"]+)" (?:is not allowed to modify|cannot modify)/.exec(text);
  if (m) q.commonName = m[1] ?? m[2] ?? (m[3] !== undefined ? `system:node:${m[3]}` : undefined);
  m = /^error (\S+): verification failed/m.exec(text);
  if (m) q.file = m[1];
  return q;
}

const trimHost = (h: string) => h.replace(/[")\],]+$/, "").replace(/^\[(.*)\]$/, "$1");

/** True when nothing was quoted (then --root can only go by the link). */
export function isEmpty(q: Quoted): boolean {
  return Object.keys(q).length === 0;
}
