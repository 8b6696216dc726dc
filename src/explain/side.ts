/**
 * Which side is at fault. A TLS error names the certificate of one end, and
 * the line may come from either end: "x509: …" is logged by the side that
 * refused, "remote error: tls: …" by the side that was refused (the reason is
 * then in the other side's log). This turns the pattern's fault kind, the
 * logger's role and the link into plain words.
 */
import type { Link } from "./link.js";
import type { FaultKind } from "./patterns.js";
import type { Unwrapped } from "./unwrap.js";

export interface Fault {
  kind: FaultKind;
  /** Whose certificate failed verification: the server's serving certificate or the client's. */
  certificate: "server" | "client" | null;
  /** The side that refused it. */
  refusedBy: "client" | "server" | null;
  /** Whether this line was logged by the side that refused (the reason is here) or the side refused. */
  loggedBy: "refusing side" | "refused side" | null;
  summary: string;
}

const other = (s: "client" | "server") => (s === "client" ? "server" : "client");

/** Errors where the refusing side's trust store may be what is wrong rather than the certificate. */
const TRUST_PROBLEM = /signed by unknown authority|unable to get (?:local )?issuer|verify the first certificate|self[- ]signed|unknown certificate authority|alert unknown ca|bad certificate/;

export function faultOf(kind: FaultKind, u: Unwrapped, link: Link | undefined): Fault {
  const trustProblem = TRUST_PROBLEM.test(u.text);
  const client = link?.client ?? "the client";
  const server = link?.server ?? "the server";
  const name = (s: "client" | "server") => (s === "client" ? client : server);
  const certName = (s: "client" | "server") => (s === "client" ? `the client certificate of ${client}` : `the serving certificate of ${server}`);
  const refusal = (certificate: "client" | "server", loggedBy: Fault["loggedBy"]): Fault => {
    const refusedBy = other(certificate);
    const trust = !trustProblem ? "" : certificate === "server" ? ` (or ${client} trusts the wrong CA)` : ` (or ${server} trusts the wrong client CA)`;
    const where = loggedBy === "refusing side" ? "this line comes from the side that refused, so the reason is on it"
      : loggedBy === "refused side" ? `this line comes from the refused side: the reason is in ${name(refusedBy)}'s log`
      : "";
    return { kind, certificate, refusedBy, loggedBy, summary: `${name(refusedBy)} refused ${certName(certificate)}${trust}${where ? `; ${where}` : ""}` };
  };
  switch (kind) {
    case "peer-certificate": {
      // Go's x509 errors are logged by the verifier; most verifiers in these logs are clients.
      const refusedBy = u.role ?? "client";
      return refusal(other(refusedBy), "refusing side");
    }
    case "own-certificate": {
      if (!u.role) return { kind, certificate: null, refusedBy: null, loggedBy: "refused side", summary: "the other end refused this end's certificate; the reason is in the other end's log" };
      return refusal(u.role, "refused side");
    }
    case "client-certificate":
      return refusal("client", u.role === "server" ? "refusing side" : u.role === "client" ? "refused side" : null);
    case "credentials":
      return { ...refusal("client", "refused side"), summary: `${server} did not accept the credentials of ${client} (401): the client certificate is expired, from another CA or lacks clientAuth, or a token is invalid; ${server}'s log says which` };
    case "authorization":
      return { kind, certificate: "client", refusedBy: "server", loggedBy: null, summary: "not a TLS failure: the certificate was accepted, and the identity in it (CN = user, O = groups) is not allowed to do this" };
    case "local-files":
      return { kind, certificate: null, refusedBy: null, loggedBy: null, summary: "this side's own files are wrong (certificate, key or kubeconfig); no connection was made" };
    case "token":
      return { kind, certificate: null, refusedBy: null, loggedBy: null, summary: "a service-account token, not a certificate: the API server's service-account keys (sa.key/sa.pub) or the token itself" };
    case "none":
      return { kind, certificate: null, refusedBy: null, loggedBy: null, summary: link ? `on the link ${link.label}; the message alone does not say which side's certificate` : "the message alone does not say which side's certificate" };
  }
}
