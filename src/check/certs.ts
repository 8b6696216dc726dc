// Memoised signature checks and key comparisons: the check rules ask the same questions often.
import { createPublicKey, type KeyObject } from "node:crypto";
import { isSignedBy, type CertificateModel } from "../pki/model.js";

const verdicts = new Map<string, boolean>();

/** True when `cert` carries a valid signature by `issuer`'s key (model.ts's isSignedBy, memoised). */
export function signedBy(cert: CertificateModel, issuer: CertificateModel): boolean {
  const memo = `${cert.fingerprintSHA256}>${issuer.fingerprintSHA256}`;
  let verdict = verdicts.get(memo);
  if (verdict === undefined) verdicts.set(memo, (verdict = isSignedBy(cert, issuer)));
  return verdict;
}

const spkis = new WeakMap<KeyObject, string>();

/**
 * The SubjectPublicKeyInfo of a key or certificate, as a comparable string. A
 * certificate's is taken as it is encoded there, which is how Go and OpenSSL
 * encode a key's (sameKey re-encodes when they differ anyway).
 */
export function spkiOf(key: KeyObject | CertificateModel): string {
  if ("spki" in key) return key.spki.toString("base64");
  let s = spkis.get(key);
  if (s === undefined) {
    s = (key.type === "private" ? createPublicKey(key) : key).export({ type: "spki", format: "der" }).toString("base64");
    spkis.set(key, s);
  }
  return s;
}

/** True when the private key is the one behind the public key or certificate. */
export function sameKey(priv: KeyObject, pub: KeyObject | CertificateModel): boolean {
  if (spkiOf(priv) === spkiOf(pub)) return true;
  return "spki" in pub && spkiOf(priv) === spkiOf(pub.publicKey);
}
