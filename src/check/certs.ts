// Memoised signature checks and key comparisons: the check rules ask the same questions often.
import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import type { CertificateModel } from "../pki/model.js";

const natives = new WeakMap<CertificateModel, X509Certificate>();
const verdicts = new Map<string, boolean>();

/** True when `cert` carries a valid signature by `issuer`'s key (model.ts's isSignedBy, memoised: the rules ask often). */
export function signedBy(cert: CertificateModel, issuer: CertificateModel): boolean {
  const memo = `${cert.fingerprintSHA256}>${issuer.fingerprintSHA256}`;
  let verdict = verdicts.get(memo);
  if (verdict === undefined) {
    let native = natives.get(cert);
    if (!native) natives.set(cert, (native = new X509Certificate(cert.der)));
    try {
      verdict = native.verify(issuer.publicKey);
    } catch {
      verdict = false;
    }
    verdicts.set(memo, verdict);
  }
  return verdict;
}

const spkis = new WeakMap<KeyObject, string>();

/** The SubjectPublicKeyInfo of a public or private key, as a comparable string (cached per key). */
export function spkiOf(key: KeyObject): string {
  let s = spkis.get(key);
  if (s === undefined) {
    s = (key.type === "private" ? createPublicKey(key) : key).export({ type: "spki", format: "der" }).toString("base64");
    spkis.set(key, s);
  }
  return s;
}

/** True when the private key is the one behind the public key. */
export const sameKey = (priv: KeyObject, pub: KeyObject) => spkiOf(priv) === spkiOf(pub);
