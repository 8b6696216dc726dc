import { inputError } from "../errors.js";
import type { CertificateModel } from "./model.js";

/**
 * A CA outside its validity signs only dead certificates: every verifier
 * rejects a chain whose CA has expired (or is not valid yet), whatever the
 * leaf says. Every command that signs with a local CA refuses first, before
 * anything is written, and says the CA must be rotated.
 *
 * `what` names what was about to be signed ("apiserver"); `caName` the CA ("ca").
 */
export function assertCAUsable(ca: CertificateModel, now: Date, what: string, caName = "the CA"): void {
  const at = now.toISOString();
  if (ca.notAfter.getTime() <= now.getTime()) {
    throw inputError(
      `${what}: its CA ${caName} expired on ${ca.notAfter.toISOString()} (now ${at}); a certificate it signs would be rejected, so nothing was written`,
      "the CA must be rotated first (a new CA, then every certificate it signs); see the Kubernetes docs on manual CA rotation",
    );
  }
  if (ca.notBefore.getTime() > now.getTime()) {
    throw inputError(
      `${what}: its CA ${caName} is not valid until ${ca.notBefore.toISOString()} (now ${at}); a certificate it signs would be rejected until then, so nothing was written`,
      "check this machine's clock (or --now); otherwise the CA must be rotated first",
    );
  }
}
