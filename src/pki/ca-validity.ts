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
 * sign is dead on arrival (every verifier rejects the chain), and replacing a
 * working certificate with one would break the component that uses it. The
 * way out is a CA rotation, never a quiet re-sign. Every command that signs
 * with a local CA (init, kubeconfig, renew, sign, rotate-ca) asks here before
 * anything is written; the error exits 2.
 *
 * `ca` names the CA for the user ("ca", a path); `signing`, when given, what
 * was about to be signed ("apiserver").
 */
export function assertCAUsable(cert: CAValidity, now: Date, ca: string, signing?: string): void {
  const name = [signing && `${signing}: its CA`, ca, `(${terminalSafe(cert.subject.text)})`].filter(Boolean).join(" ");
  if (cert.notAfter.getTime() <= now.getTime()) {
    throw inputError(
      `${name} expired on ${cert.notAfter.toISOString()} (now ${now.toISOString()}): a certificate it signs would be rejected; nothing was changed`,
      "the CA must be rotated first (kubepki rotate-ca: a new CA, then every certificate and kubeconfig that trusts it)",
    );
  }
  if (cert.notBefore.getTime() > now.getTime()) {
    throw inputError(
      `${name} is not valid until ${cert.notBefore.toISOString()} (now ${now.toISOString()}): a certificate it signs would be rejected until then; nothing was changed`,
      "check this machine's clock (or --now); if the CA really starts in the future, wait for it or rotate the CA",
    );
  }
}
