import { inputError } from "../errors.js";
import type { CSRInput } from "../kube/csr.js";
import { parseCSR } from "../pki/csr.js";
import type { SignRequest } from "./sign.js";
import { findSigner, KUBE_APISERVER_CLIENT, LEGACY_UNKNOWN, SIGNER_NAMES } from "./signers.js";

/** A --signer value: a built-in signer's full or short name. Anything else is bad input. */
export function parseSignerFlag(text: string): string {
  const signer = findSigner(text);
  if (!signer) throw inputError(`--signer: unknown signer "${text}"`, `choose one of ${SIGNER_NAMES.filter((n) => n !== LEGACY_UNKNOWN).join(", ")}`);
  return signer.name;
}

/**
 * The request a signer would see. An object brings its own signerName, usages
 * and expirationSeconds; a bare PEM request gets the chosen signer (default
 * kube-apiserver-client) and the usages a well-behaved client of that signer
 * sends.
 */
export function requestFrom(input: CSRInput, what: string, flags: { signer?: string; usages?: string[] }): SignRequest {
  const csr = parseCSR(input.der, `${what}: ${input.name}`);
  if (input.source === "object") {
    // certificates.k8s.io/v1beta1 defaulted a missing signerName to legacy-unknown.
    const signerName = input.signerName ?? LEGACY_UNKNOWN;
    if (flags.signer && flags.signer !== signerName) {
      throw inputError(`${what}: CertificateSigningRequest ${input.name} asks for ${signerName}, not --signer ${flags.signer}`, "a CSR object names its signer; drop --signer");
    }
    return { csr, signerName, usages: input.usages ?? [], expirationSeconds: input.expirationSeconds };
  }
  const signerName = flags.signer ?? KUBE_APISERVER_CLIENT;
  return { csr, signerName, usages: flags.usages ?? findSigner(signerName)!.defaultUsages(csr.key) };
}
