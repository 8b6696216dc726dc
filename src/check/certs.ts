// Memoised signature checks and key comparisons: the check rules ask the same questions often.
import type { KeyObject } from "node:crypto";
import { keysMatch } from "../pki/keys.js";
import { isSignedBy, type CertificateModel } from "../pki/model.js";
import { publicKeyOfSpki, type PrivateKeyInfo } from "../pki/public-key.js";

// By object: parseCertificate returns one object per distinct certificate.
const verdicts = new WeakMap<CertificateModel, Map<CertificateModel, boolean>>();

/** True when `cert` carries a valid signature by `issuer`'s key (model.ts's isSignedBy, memoised). */
export function signedBy(cert: CertificateModel, issuer: CertificateModel): boolean {
  let byIssuer = verdicts.get(cert);
  if (!byIssuer) verdicts.set(cert, (byIssuer = new Map()));
  let verdict = byIssuer.get(issuer);
  if (verdict === undefined) byIssuer.set(issuer, (verdict = isSignedBy(cert, issuer)));
  return verdict;
}

type PublicSide = CertificateModel | KeyObject;
const ids = new WeakMap<KeyObject, string>();

/** Identifies the public key of a certificate, public key or private key (public-key.ts): equal for a pair. */
export function keyIdOf(key: PublicSide | PrivateKeyInfo): string {
  if ("keyId" in key) return key.keyId;
  if ("keyObject" in key) return key.publicKey.id;
  let id = ids.get(key);
  if (id === undefined) ids.set(key, (id = publicKeyOfSpki(key.export({ type: "spki", format: "der" })).id));
  return id;
}

/** True when the private key is the one behind the certificate or public key. */
export function sameKey(priv: PrivateKeyInfo, pub: PublicSide): boolean {
  if (keyIdOf(priv) === keyIdOf(pub)) return true;
  // Two encodings of one key (a compressed EC point) differ above: OpenSSL settles a mismatch.
  try {
    return keysMatch(priv.keyObject, "spki" in pub ? pub.publicKey : pub);
  } catch {
    return false;
  }
}
