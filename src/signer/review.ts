import type { CSRInput } from "../kube/csr.js";
import { assessRequest, DEFAULT_SIGNING_DURATION_MS, mapUsages, requestedTTL, type SignRequest } from "./sign.js";
import type { PrivilegeWarning } from "./guard.js";

/** What approving a request would grant, and what stands in the way: `kubepki csr review`'s data (docs/csr.md). */
export interface ReviewItem {
  name: string;
  source: "pem" | "object";
  user: string;
  groups: string[];
  subject: string;
  signerName: string;
  usages: string[];
  /** What the certificate would really carry (none when the signer would refuse it). */
  grants: { keyUsage: string[]; extKeyUsage: string[] } | null;
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  key: { type: string; bits?: number; curve?: string };
  signature: { algorithm: string; valid: boolean; problem?: string };
  requestsCA: boolean;
  expirationSeconds: number | null;
  /** What the signer would give, with the signing duration used. */
  lifetimeSeconds: number;
  requestedBy: { username: string; groups: string[] } | null;
  status: "pending" | "approved" | "denied" | "failed" | "issued";
  violations: string[];
  warnings: PrivilegeWarning[];
  /** ok: the signer would sign and nothing is privileged or wrong. */
  verdict: "ok" | "refused" | "privileged" | "problem";
}

function statusOf(input: CSRInput): ReviewItem["status"] {
  if (input.certificate) return "issued";
  const has = (t: string) => input.conditions.some((c) => c.type === t && c.status === "True");
  return has("Denied") ? "denied" : has("Failed") ? "failed" : has("Approved") ? "approved" : "pending";
}

export function reviewRequest(input: CSRInput, req: SignRequest, options: { signingDurationMs?: number } = {}): ReviewItem {
  const { csr } = req;
  const { violations, warnings } = assessRequest(req);
  return {
    name: input.name, source: input.source,
    user: csr.subject.commonName ?? "", groups: csr.subject.organization, subject: csr.subject.text,
    signerName: req.signerName, usages: req.usages,
    grants: violations.length ? null : mapUsages(req.usages),
    dnsNames: csr.dnsNames, ipAddresses: csr.ipAddresses, emailAddresses: csr.emailAddresses, uris: csr.uris,
    key: csr.key, signature: { algorithm: csr.signatureAlgorithm, valid: csr.signatureValid, problem: csr.signatureProblem },
    requestsCA: csr.requestsCA,
    expirationSeconds: req.expirationSeconds ?? null,
    lifetimeSeconds: Math.round(requestedTTL(options.signingDurationMs ?? DEFAULT_SIGNING_DURATION_MS, req.expirationSeconds) / 1000),
    requestedBy: input.username ? { username: input.username, groups: input.groups ?? [] } : null,
    status: statusOf(input),
    violations, warnings,
    verdict: violations.length ? "refused" : warnings.some((w) => w.level === "privileged") ? "privileged" : warnings.some((w) => w.level === "problem") ? "problem" : "ok",
  };
}
