import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import type { CertificateModel } from "../pki/model.js";
import { readCertificate } from "../pki/x509-fast.js";

/**
 * Certificates for the check, read with the fast DER reader (x509-fast.ts)
 * into the shared CertificateModel. A check is mostly start-up: this path
 * never loads @peculiar/asn1-*, and parses each distinct certificate once
 * (every kubeconfig embeds ca.crt again).
 */
const parsed = new Map<string, CertificateModel>();

export function readCert(der: Buffer, what: string): CertificateModel {
  const id = der.toString("base64");
  const hit = parsed.get(id);
  if (hit) return hit;
  const f = readCertificate(der, what);
  const model: CertificateModel = {
    der, subject: f.subject, issuer: f.issuer, serial: f.serial, notBefore: f.notBefore, notAfter: f.notAfter,
    isCA: f.isCA, pathLen: f.pathLen, keyUsage: f.keyUsage, extKeyUsage: f.extKeyUsage, dnsNames: f.dnsNames,
    ipAddresses: f.ipAddresses, emailAddresses: f.emailAddresses, uris: f.uris, subjectKeyId: f.subjectKeyId,
    authorityKeyId: f.authorityKeyId, publicKey: createPublicKey({ key: f.spki, format: "der", type: "spki" }), key: f.key,
    signatureAlgorithm: f.signatureAlgorithm, fingerprintSHA256: f.fingerprintSHA256,
  };
  parsed.set(id, model);
  return model;
}

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
