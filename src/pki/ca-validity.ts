import { inputError } from "../errors.js";
import { terminalSafe } from "../text.js";

/** What the check needs of a CA certificate (a CertificateModel fits). */
export interface CAValidity {
  notBefore: Date;
  notAfter: Date;
  subject: { text: string };
}

/**
 * Refuses to sign with a CA that is not valid at `now`: everything it would
 * sign is dead on arrival (a verifier rejects the chain), and replacing a
 * working certificate with one would break the component that uses it. The
 * way out is a CA rotation, never a quiet re-sign. `what` names the CA for the
 * user (a path, or "ca" and its file). Throws inputError (exit 2): the caller
 * has written nothing yet.
 */
export function assertCAUsable(ca: CAValidity, now: Date, what: string): void {
  const name = `${what} (${terminalSafe(ca.subject.text)})`;
  if (ca.notAfter.getTime() <= now.getTime()) {
    throw inputError(
      `${name} expired on ${ca.notAfter.toISOString()}: a certificate it signs would not verify; nothing was changed`,
      "the CA must be rotated first (a new CA, then every certificate and kubeconfig that trusts it); see https://kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates/",
    );
  }
  if (ca.notBefore.getTime() > now.getTime()) {
    throw inputError(
      `${name} is not valid until ${ca.notBefore.toISOString()}: a certificate it signs would not verify yet; nothing was changed`,
      "check this machine's clock (or --now); if the CA really starts in the future, wait for it or rotate the CA",
    );
  }
}
