/**
 * From message to file (`explain --root`): match what each entry quotes — a
 * serial, SKID/AKID, the SANs of "valid for X, not Y", the notAfter of
 * "current time … is after …", the CA name of "candidate authority" — to the
 * node's certificates as `check` discovers them, then attach check's findings
 * for each file found. When the message quotes nothing, the link's own
 * certificates are named instead, marked as such.
 */
import { checkNode, type CheckOptions } from "../check/index.js";
import { discoverNode } from "../check/discover.js";
import { loadNode } from "../check/load.js";
import { isSignedBy, type CertificateModel } from "../pki/model.js";
import type { Entry, FileMatch } from "./index.js";
import type { Quoted } from "./quotes.js";

interface Candidate {
  id: string;
  file: string;
  cert: CertificateModel;
  /** A certificate the node presents, or a CA it trusts (kubeconfig CA data, a trust bundle). */
  kind: "presented" | "trusted";
  isCARow: boolean;
}

interface Scored {
  c: Candidate;
  as: FileMatch["as"];
  reasons: string[];
  weight: number;
}

/** Seconds are all Go prints; models keep milliseconds. */
const sameSecond = (a: Date, text: string) => {
  const b = new Date(text);
  return !Number.isNaN(b.getTime()) && Math.floor(a.getTime() / 1000) === Math.floor(b.getTime() / 1000);
};

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The names Go lists in "certificate is valid for …": IP SANs for an IP host, DNS SANs otherwise, the CN without SANs. */
function goValidFor(cert: CertificateModel, host: string): string[] {
  const isIP = /^[\d.]+$|:/.test(host);
  if (isIP) return cert.ipAddresses;
  if (cert.dnsNames.length) return cert.dnsNames;
  return cert.subject.commonName ? [cert.subject.commonName] : [];
}

/** The facts of `q` that can be matched to a file, in words, for the "nothing matches" note. */
function quotedSummary(q: Quoted): string[] {
  const out: string[] = [];
  if (q.serial) out.push(`serial ${q.serial}${q.serialDecimal ? ` (SN=${q.serialDecimal})` : ""}`);
  if (q.subjectKeyId) out.push(`SKID ${q.subjectKeyId}`);
  if (q.authorityKeyId) out.push(`AKID ${q.authorityKeyId}`);
  if (q.validFor) out.push(`SANs ${q.validFor.join(", ")}`);
  if (q.notAfter) out.push(`notAfter ${q.notAfter}`);
  if (q.notBefore) out.push(`notBefore ${q.notBefore}`);
  if (q.candidateAuthority !== undefined) out.push(`a CA named "${q.candidateAuthority}"`);
  if (q.commonName) out.push(`CN ${q.commonName}`);
  return out;
}

/** Whether a certificate can play the refused side's part (a serving or a client certificate). */
function playsSide(cert: CertificateModel, side: "server" | "client" | null): boolean {
  if (!side) return true;
  const eku = cert.extKeyUsage;
  return eku.length === 0 || eku.includes("any") || eku.includes(side === "server" ? "serverAuth" : "clientAuth");
}

function score(c: Candidate, q: Quoted, all: Candidate[], side: "server" | "client" | null): Scored[] {
  const out: Scored[] = [];
  const add = (as: FileMatch["as"], weight: number, reason: string) => {
    const s = out.find((o) => o.as === as);
    if (s) {
      s.weight += weight;
      s.reasons.push(reason);
    } else out.push({ c, as, reasons: [reason], weight });
  };
  const cert = c.cert;
  const presented = c.kind === "presented";
  if (q.serial && presented && cert.serial === q.serial) add("certificate", 10, `serial ${cert.serial} is the quoted SN=${q.serialDecimal ?? q.serial}`);
  if (q.subjectKeyId && presented && cert.subjectKeyId === q.subjectKeyId) add("certificate", 10, `subject key id ${q.subjectKeyId} is the quoted SKID`);
  if (q.authorityKeyId && cert.isCA && cert.subjectKeyId === q.authorityKeyId) add("issuer", 6, `this CA's subject key id is the quoted AKID: it issued the certificate in question`);
  if (q.validFor && q.host && presented && !cert.isCA) {
    const listed = goValidFor(cert, q.host);
    if (listed.length && sameSet(listed, q.validFor)) add("certificate", 8, `its names (${listed.join(", ")}) are exactly those in the message, and ${q.host} is not among them`);
  }
  if (!q.validFor && q.host && presented && !cert.isCA) {
    const ip = /^[\d.]+$|:/.test(q.host);
    if (ip && cert.ipAddresses.length === 0 && cert.extKeyUsage.includes("serverAuth")) add("certificate", 3, `a serving certificate without any IP SAN (the message dialed ${q.host})`);
    if (!ip && cert.dnsNames.length === 0 && cert.ipAddresses.length === 0 && cert.extKeyUsage.includes("serverAuth")) add("certificate", 3, `a serving certificate without any SAN (the message wanted ${q.host})`);
  }
  if (q.notAfter && presented && sameSecond(cert.notAfter, q.notAfter)) add("certificate", 6, `notAfter ${cert.notAfter.toISOString()} is the time in the message`);
  if (q.notBefore && presented && sameSecond(cert.notBefore, q.notBefore)) add("certificate", 6, `notBefore ${cert.notBefore.toISOString()} is the time in the message`);
  if (q.candidateAuthority !== undefined && cert.isCA && cert.subject.commonName === q.candidateAuthority) {
    // Same name, different key: which copy is the odd one out is decided against the node's own CA row.
    const own = all.find((o) => o.isCARow && o.cert.subject.commonName === q.candidateAuthority);
    if (c.isCARow) add("issuer", 4, `the node's CA named "${q.candidateAuthority}"; the verifier trusts another CA with this name`);
    else if (own && own.cert.fingerprintSHA256 !== cert.fingerprintSHA256) add("trust", 8, `trusts a CA named "${q.candidateAuthority}" that is not ${own.file} (another key): a stale copy`);
  }
  if (q.candidateAuthority !== undefined && presented && !cert.isCA && playsSide(cert, side) && cert.issuer.commonName === q.candidateAuthority) {
    const signers = all.filter((o) => o.isCARow && o.cert.subject.commonName === q.candidateAuthority);
    if (signers.length && !signers.some((o) => isSignedBy(cert, o.cert))) add("certificate", 8, `issued by a CA named "${q.candidateAuthority}", but not by this node's one: signed by an older CA`);
  }
  if (q.commonName && presented && cert.subject.commonName === q.commonName) add("certificate", 8, `its CN is ${q.commonName}, as in the message`);
  if (q.file && presented && (c.file === q.file || c.file.endsWith(`/${q.file.replace(/^\.?\//, "")}`))) add("certificate", 5, "the file the tool named");
  return out;
}

function candidatesOf(model: ReturnType<typeof loadNode>): Candidate[] {
  const out: Candidate[] = [];
  for (const c of model.certs) {
    const isCARow = c.item.role === "CA";
    if (c.cert) out.push({ id: c.item.id, file: c.certFile, cert: c.cert, kind: "presented", isCARow });
    for (const e of c.extra) out.push({ id: c.item.id, file: c.certFile, cert: e, kind: "presented", isCARow: false });
    for (const ca of c.kubeconfig?.caCerts ?? []) out.push({ id: c.item.id, file: c.item.file, cert: ca, kind: "trusted", isCARow: false });
  }
  for (const b of model.bundles.values()) {
    if (model.certs.some((c) => c.item.file === b.file)) continue;
    for (const cert of b.certs) out.push({ id: "bundle", file: b.file, cert, kind: "trusted", isCARow: false });
  }
  return out;
}

/**
 * Adds `files` (and `unmatched`) to each entry, from the node at `options.root`.
 * Runs the check rules once and gives each file its own findings.
 */
export async function locateFiles(entries: Entry[], options: CheckOptions): Promise<void> {
  const inventory = await discoverNode(options);
  const model = loadNode(inventory);
  const check = await checkNode(options);
  const candidates = candidatesOf(model);
  const findingsFor = (id: string, file: string) =>
    check.findings
      .filter((f) => (id !== "bundle" && f.certificate === id) || f.file === file)
      .map((f) => ({ id: f.id, severity: f.severity, message: f.message, fix: f.fix }));
  const toMatch = (s: Scored, byLinkOnly: boolean): FileMatch => ({
    id: s.c.id, file: s.c.file, as: s.as, subject: s.c.cert.subject.text, serial: s.c.cert.serial,
    notAfter: s.c.cert.notAfter.toISOString(), reasons: s.reasons, byLinkOnly, findings: findingsFor(s.c.id, s.c.file),
  });

  for (const entry of entries) {
    const link = entry.link;
    const side = entry.fault.certificate;
    const onLink = (id: string) =>
      link ? (side !== "client" && link.serverCerts.includes(id)) || (side !== "server" && link.clientCerts.includes(id)) : false;
    const scored = candidates.flatMap((c) => score(c, entry.quoted, candidates, side));
    for (const s of scored) {
      if (onLink(s.c.id)) {
        s.weight += 3;
        s.reasons.push(`on the link ${link!.label}`);
      }
    }
    scored.sort((a, b) => b.weight - a.weight);
    // Many leaves share a notAfter when issued together; the link says which of them this is.
    const best = scored.length ? scored[0].weight : 0;
    // The CA that issued it and the trust data that refused it are context: always named.
    const top = scored.filter((s) => s.weight >= Math.min(best, 9) || s.weight === best || s.as !== "certificate");
    // One file once: a kubeconfig can match as the certificate and as its CA data; the stronger reading leads.
    const matches: Scored[] = [];
    for (const s of top) {
      const same = matches.find((m) => m.c.id === s.c.id && m.c.file === s.c.file);
      if (!same) matches.push({ ...s, reasons: [...s.reasons] });
      else for (const r of s.reasons) if (!same.reasons.includes(r)) same.reasons.push(r);
    }
    if (matches.length) {
      entry.files = matches.map((s) => toMatch(s, false));
      continue;
    }
    const quoted = quotedSummary(entry.quoted);
    if (quoted.length) {
      entry.unmatched = `no certificate under ${inventory.root} has ${quoted.join(", ")}: the one in question is elsewhere (another node, a copied kubeconfig), or a process still runs with an old certificate and needs a restart`;
    }
    // Nothing quoted matched: name the link's certificates, marked as a guess by link.
    const byLink = candidates.filter((c) => c.kind === "presented" && onLink(c.id));
    entry.files = byLink
      .filter((c, i) => byLink.findIndex((o) => o.id === c.id && o.file === c.file) === i)
      .map((c) => toMatch({ c, as: "certificate", reasons: [`on the link ${link!.label}`], weight: 0 }, true));
  }
}
