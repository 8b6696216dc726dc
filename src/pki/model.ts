import { X509Certificate, createPublicKey, type KeyObject } from "node:crypto";
import { verifySignature } from "./signature.js";
import { readCertificate, type CertificateFacts } from "./x509-fast.js";

/**
 * A certificate as plain data: what every command compares, prints and
 * serialises — the fast reader's fields plus the public key as a KeyObject.
 */
export type CertificateModel = CertificateFacts & { readonly publicKey: KeyObject };

// Declared beside the reader that makes it (x509-fast.ts), which model.ts imports.
export type { DistinguishedName } from "./x509-fast.js";

// A node's files repeat certificates (every kubeconfig embeds ca.crt again): each distinct one is read once.
const parsed = new Map<string, CertificateModel>();

/**
 * Parses one DER certificate with the fast reader (x509-fast.ts: microseconds,
 * and no ASN.1 schema library to load). `what` names the source in the error.
 */
export function parseCertificate(der: Buffer, what: string): CertificateModel {
  const id = der.toString("base64");
  const hit = parsed.get(id);
  if (hit) return hit;
  const facts = readCertificate(der, what);
  // The KeyObject is made on first use: OpenSSL's key import is the slow part of reading a certificate.
  let publicKey: KeyObject | undefined;
  const model = Object.defineProperty(facts, "publicKey", {
    enumerable: true,
    get: () => (publicKey ??= createPublicKey({ key: facts.spki, format: "der", type: "spki" })),
  }) as CertificateModel;
  parsed.set(id, model);
  return model;
}

/** True when `cert` carries a valid signature by `issuer`'s key (not just a matching name). */
export function isSignedBy(cert: CertificateModel, issuer: CertificateModel | KeyObject): boolean {
  const key = "der" in issuer ? issuer.publicKey : issuer;
  // crypto.verify over the signed bytes spares OpenSSL parsing the whole certificate again.
  const verdict = verifySignature(cert.signatureAlgorithmOid, cert.tbs, cert.signature, key);
  if (verdict !== undefined) return verdict;
  try {
    return new X509Certificate(cert.der).verify(key);
  } catch {
    return false;
  }
}
