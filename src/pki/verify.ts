import { isIP } from "node:net";
import { canonicalIP } from "../cluster/net.js";
import { isSignedBy, type CertificateModel } from "./model.js";

/**
 * Chain verification as Go's crypto/x509 Verify does it (verify.go), since
 * every Kubernetes component is Go: the leaf's own checks and its name first,
 * then chains built by signature through the intermediates to a root, each
 * candidate checked as it is appended (issuer name, time, nested EKU,
 * CA:TRUE for intermediates, path length). A CA is only taken as a parent
 * when CheckSignatureFrom would: CA:TRUE (or a v1/v2 certificate) and, when it
 * has a key usage, keyCertSign. Key usage bits of the leaf are ignored, as Go
 * ignores them. Name constraints are not evaluated: a CA that carries them is
 * said to, not judged.
 */

export type Purpose = "server" | "client" | "any";

export interface VerifyOptions {
  roots: CertificateModel[];
  intermediates?: CertificateModel[];
  now: Date;
  /** The EKU asked for; Go's default is server. */
  purpose?: Purpose;
  /** A DNS name or IP the leaf must be valid for. */
  name?: string;
  /** Also fail when the leaf expires within this many ms of `now` (openssl x509 -checkend). */
  expiresWithinMs?: number;
}

/** Go's CertificateInvalidError reasons, and the two other errors Verify returns. */
export type VerifyReason =
  | "Expired" | "NotYetValid" | "NotAuthorizedToSign" | "TooManyIntermediates" | "IncompatibleUsage" | "NameMismatch"
  | "UnhandledCriticalExtension" | "HostnameError" | "UnknownAuthority" | "ExpiresSoon";

export interface VerifyProblem {
  reason: VerifyReason;
  /** The certificate at fault, by subject. */
  subject: string;
  message: string;
}

export interface VerifyResult {
  valid: boolean;
  /** The first chain found, leaf first and root last (empty when none). */
  chain: CertificateModel[];
  /** Why it is not valid: the first error, as Go returns it. */
  problem?: VerifyProblem;
  /** Things said without judging them (name constraints). */
  notes: string[];
}

const EKU_FOR: Record<Purpose, string[]> = { server: ["serverAuth"], client: ["clientAuth"], any: ["any"] };

// Extensions Go's parser understands; any other critical one makes a certificate unusable.
const HANDLED = new Set(["2.5.29.15", "2.5.29.19", "2.5.29.17", "2.5.29.30", "2.5.29.37", "2.5.29.32", "2.5.29.35", "2.5.29.14", "2.5.29.31", "2.5.29.54", "1.3.6.1.5.5.7.1.1"]);
const NAME_CONSTRAINTS = "2.5.29.30";

type Kind = "leaf" | "intermediate" | "root";

class Invalid extends Error {
  constructor(readonly problem: VerifyProblem) {
    super(problem.message);
  }
}

const who = (c: CertificateModel) => c.subject.text || "(empty subject)";
const fail = (c: CertificateModel, reason: VerifyReason, message: string) => new Invalid({ reason, subject: who(c), message });

/** Go's isValid: the checks on a certificate about to join `chain`. */
function checkCandidate(c: CertificateModel, kind: Kind, chain: CertificateModel[], opts: Required<Pick<VerifyOptions, "now" | "purpose">>): void {
  const critical = c.extensions.find((e) => e.critical && !HANDLED.has(e.oid));
  if (critical) throw fail(c, "UnhandledCriticalExtension", `${who(c)}: unhandled critical extension ${critical.oid}`);
  const child = chain[chain.length - 1];
  if (child && child.issuer.text !== c.subject.text) throw fail(c, "NameMismatch", `${who(c)}: its subject is not the issuer of ${who(child)}`);
  if (opts.now < c.notBefore) throw fail(c, "NotYetValid", `${who(c)}: not valid before ${c.notBefore.toISOString()} (now ${opts.now.toISOString()})`);
  if (opts.now > c.notAfter) throw fail(c, "Expired", `${who(c)}: expired on ${c.notAfter.toISOString()} (now ${opts.now.toISOString()})`);
  const wanted = EKU_FOR[opts.purpose];
  if (c.extKeyUsage.length > 0 && !wanted.includes("any") && !c.extKeyUsage.some((u) => u === "any" || wanted.includes(u))) {
    const role = kind === "leaf" ? "" : ` (a ${kind} limits what it signs to its own extended key usages)`;
    throw fail(c, "IncompatibleUsage", `${who(c)}: extended key usage ${c.extKeyUsage.join(", ")} does not allow ${wanted.join(", ")}${role}`);
  }
  if (kind === "intermediate" && c.isCA !== true) throw fail(c, "NotAuthorizedToSign", `${who(c)}: not a CA (no basicConstraints CA:TRUE), so it cannot sign other certificates`);
  if (c.isCA !== undefined && c.pathLen !== undefined && chain.length - 1 > c.pathLen) {
    throw fail(c, "TooManyIntermediates", `${who(c)}: pathlen ${c.pathLen} allows ${c.pathLen} intermediate(s) below it, the chain has ${chain.length - 1}`);
  }
}

/** Go's CheckSignatureFrom: only a CA (by basicConstraints, or a v1/v2 certificate) with certSign when it has key usages. */
function canSign(child: CertificateModel, parent: CertificateModel): boolean {
  if (parent.version === 3 && parent.isCA !== true) return false;
  if (parent.isCA === false) return false;
  if (parent.keyUsage.length > 0 && !parent.keyUsage.includes("keyCertSign")) return false;
  return isSignedBy(child, parent);
}

const sameCert = (a: CertificateModel, b: CertificateModel) => a.der.equals(b.der);
// alreadyInChain: the same subject and key (and SANs) — a cross-signed loop is not followed twice.
const inChain = (c: CertificateModel, chain: CertificateModel[]) =>
  chain.some((x) => x.subject.text === c.subject.text && x.keyId === c.keyId && x.dnsNames.join() === c.dnsNames.join() && x.ipAddresses.join() === c.ipAddresses.join());

const MAX_SIGNATURE_CHECKS = 100;

/** Go's VerifyHostname: IP SANs for an IP, DNS SANs (left-most wildcard) for a name; the CN is never used. */
export function matchesName(c: CertificateModel, name: string): boolean {
  const host = name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name;
  if (isIP(host)) return c.ipAddresses.some((ip) => canonicalIP(ip) === canonicalIP(host));
  const want = host.toLowerCase().replace(/\.$/, "").split(".");
  return c.dnsNames.some((pattern) => {
    const parts = pattern.toLowerCase().split(".");
    return parts.length === want.length && parts.every((p, i) => (i === 0 && p === "*") || p === want[i]);
  });
}

/** Verifies `leaf` as Go's Certificate.Verify would, plus an optional -checkend. */
export function verifyCertificate(leaf: CertificateModel, options: VerifyOptions): VerifyResult {
  const opts = { now: options.now, purpose: options.purpose ?? "server" };
  const intermediates = options.intermediates ?? [];
  const notes = [...options.roots, ...intermediates]
    .filter((c) => c.extensions.some((e) => e.oid === NAME_CONSTRAINTS))
    .map((c) => `${who(c)} carries name constraints; kubepki does not evaluate them`);
  try {
    checkCandidate(leaf, "leaf", [], opts);
    if (options.name !== undefined && !matchesName(leaf, options.name)) {
      const valid = [...leaf.dnsNames, ...leaf.ipAddresses];
      throw fail(leaf, "HostnameError", `${who(leaf)}: valid for ${valid.length ? valid.join(", ") : "no DNS or IP names"}, not ${options.name}`);
    }
    let chain: CertificateModel[] | undefined = options.roots.some((r) => sameCert(r, leaf)) ? [leaf] : undefined;
    if (!chain) {
      const found = buildChains([leaf], { count: 0 }, options.roots, intermediates, opts);
      if (found.chains.length === 0) throw found.error;
      chain = found.chains[0];
    }
    if (options.expiresWithinMs !== undefined && leaf.notAfter.getTime() <= opts.now.getTime() + options.expiresWithinMs) {
      return { valid: false, chain, notes, problem: { reason: "ExpiresSoon", subject: who(leaf), message: `${who(leaf)}: expires on ${leaf.notAfter.toISOString()}, within the time asked` } };
    }
    return { valid: true, chain, notes };
  } catch (err) {
    if (err instanceof Invalid) return { valid: false, chain: [], problem: err.problem, notes };
    throw err;
  }
}

/** Go's buildChains: depth first, roots before intermediates; the first error found is kept as the hint. */
function buildChains(
  chain: CertificateModel[], checks: { count: number }, roots: CertificateModel[], intermediates: CertificateModel[], opts: Required<Pick<VerifyOptions, "now" | "purpose">>,
): { chains: CertificateModel[][]; error: Invalid } {
  const c = chain[chain.length - 1];
  const chains: CertificateModel[][] = [];
  let error: Invalid | undefined;
  let hint: Invalid | undefined;
  // findPotentialParents: by name; a matching key id only orders them, and a wrong name fails isValid anyway.
  const parents = (pool: CertificateModel[]) => pool.filter((p) => p.subject.text === c.issuer.text);
  const consider = (kind: Kind, candidate: CertificateModel) => {
    if (inChain(candidate, chain)) return;
    if (++checks.count > MAX_SIGNATURE_CHECKS) {
      error = fail(c, "UnknownAuthority", "signature check attempts limit reached while verifying the chain");
      return;
    }
    if (!canSign(c, candidate)) {
      hint ??= fail(c, "UnknownAuthority", `${who(c)}: signed by an unknown authority (${who(candidate)} has the issuer's name but did not sign it, or may not sign certificates)`);
      return;
    }
    try {
      checkCandidate(candidate, kind, chain, opts);
    } catch (err) {
      if (err instanceof Invalid) error = err;
      else throw err;
      return;
    }
    if (kind === "root") chains.push([...chain, candidate]);
    else {
      const below = buildChains([...chain, candidate], checks, roots, intermediates, opts);
      chains.push(...below.chains);
      if (below.chains.length === 0) error = below.error;
    }
  };
  for (const r of parents(roots)) consider("root", r);
  for (const i of parents(intermediates)) consider("intermediate", i);
  return {
    chains,
    error: error ?? hint ?? fail(c, "UnknownAuthority", `${who(c)}: signed by an unknown authority (no certificate named ${c.issuer.text || "(empty)"} among the trusted ones)`),
  };
}
