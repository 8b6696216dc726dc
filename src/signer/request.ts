import { inputError } from "../errors.js";
import type { CSRInput } from "../kube/csr.js";
import { parseCSR } from "../pki/csr.js";
import type { SignRequest } from "./sign.js";
import { findSigner, KUBE_APISERVER_CLIENT, LEGACY_UNKNOWN, LOCAL, LOCAL_USAGES, SIGNER_NAMES } from "./signers.js";

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
export function requestFrom(input: CSRInput, what: string, flags: { signer?: string; usages?: string[]; extraNames?: SignRequest["extraNames"] }): SignRequest {
  const csr = parseCSR(input.der, `${what}: ${input.name}`);
  const extra = flags.extraNames && flags.extraNames.dnsNames.length + flags.extraNames.ipAddresses.length ? flags.extraNames : undefined;
  if (extra && flags.signer !== LOCAL) throw inputError(`${what}: --san needs --signer local`, "the Kubernetes signers copy the request's names and add none");
  if (input.source === "object") {
    // certificates.k8s.io/v1beta1 defaulted a missing signerName to legacy-unknown.
    const signerName = input.signerName ?? LEGACY_UNKNOWN;
    if (signerName === LOCAL) throw inputError(`${what}: CertificateSigningRequest ${input.name}: signerName "local" is kubepki's, not a Kubernetes signer`, "sign the PEM request (spec.request) with --signer local");
    if (flags.signer && flags.signer !== signerName) {
      throw inputError(`${what}: CertificateSigningRequest ${input.name} asks for ${signerName}, not --signer ${flags.signer}`, "a CSR object names its signer; drop --signer");
    }
    return { csr, signerName, usages: input.usages ?? [], expirationSeconds: input.expirationSeconds };
  }
  const signerName = flags.signer ?? KUBE_APISERVER_CLIENT;
  if (signerName === LOCAL && !flags.usages?.length) {
    throw inputError(`${what}: --signer local needs --usages`, `say what the certificate is for, from ${LOCAL_USAGES.map((u) => `"${u}"`).join(", ")} — e.g. --usages "digital signature,key encipherment,server auth"`);
  }
  return { csr, signerName, usages: flags.usages ?? findSigner(signerName)!.defaultUsages(csr.key), extraNames: extra };
}
