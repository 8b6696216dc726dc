import { verify, type KeyObject } from "node:crypto";

/** A signature algorithm as crypto.verify takes it. */
export interface SignatureScheme {
  name: string;
  /** Hash for crypto.verify; null for Ed25519. */
  hash: string | null;
  keyType: string;
  /** Go's x509 refuses these (since Go 1.18 for SHA-1), so Kubernetes does too. */
  insecure?: boolean;
}

export const SIGNATURE_SCHEMES: Record<string, SignatureScheme> = {
  "1.2.840.113549.1.1.4": { name: "md5WithRSAEncryption", hash: "md5", keyType: "rsa", insecure: true },
  "1.2.840.113549.1.1.5": { name: "sha1WithRSAEncryption", hash: "sha1", keyType: "rsa", insecure: true },
  "1.2.840.113549.1.1.11": { name: "sha256WithRSAEncryption", hash: "sha256", keyType: "rsa" },
  "1.2.840.113549.1.1.12": { name: "sha384WithRSAEncryption", hash: "sha384", keyType: "rsa" },
  "1.2.840.113549.1.1.13": { name: "sha512WithRSAEncryption", hash: "sha512", keyType: "rsa" },
  "1.2.840.10045.4.1": { name: "ecdsa-with-SHA1", hash: "sha1", keyType: "ec", insecure: true },
  "1.2.840.10045.4.3.2": { name: "ecdsa-with-SHA256", hash: "sha256", keyType: "ec" },
  "1.2.840.10045.4.3.3": { name: "ecdsa-with-SHA384", hash: "sha384", keyType: "ec" },
  "1.2.840.10045.4.3.4": { name: "ecdsa-with-SHA512", hash: "sha512", keyType: "ec" },
  "1.3.101.112": { name: "ED25519", hash: null, keyType: "ed25519" },
};

/**
 * True when `signature` over `signed` verifies with `key` under the algorithm
 * `oid`; undefined when the algorithm is not in the table (RSA-PSS, whose
 * parameters crypto.verify does not take from an OID).
 */
export function verifySignature(oid: string, signed: Buffer, signature: Buffer, key: KeyObject): boolean | undefined {
  const scheme = SIGNATURE_SCHEMES[oid];
  if (!scheme) return undefined;
  if (scheme.keyType !== key.asymmetricKeyType) return false;
  try {
    return verify(scheme.hash, signed, key, signature);
  } catch {
    return false;
  }
}
