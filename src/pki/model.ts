import { X509Certificate, createPublicKey, type KeyObject } from "node:crypto";
import type { KeyDescription } from "./keys.js";
import { readCertificate } from "./x509-fast.js";

/** A certificate as plain data: what every command compares, prints and serialises. */
export interface CertificateModel {
  der: Buffer;
  subject: DistinguishedName;
  issuer: DistinguishedName;
  /** Upper-case hex, no leading zeros, as openssl prints it with -serial. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** undefined when the certificate has no basicConstraints extension. */
  isCA?: boolean;
  pathLen?: number;
  keyUsage: string[];
  /** Names such as serverAuth/clientAuth; dotted OIDs for others. */
  extKeyUsage: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
  publicKey: KeyObject;
  key: KeyDescription;
  signatureAlgorithm: string;
  fingerprintSHA256: string;
}

export interface DistinguishedName {
  commonName?: string;
  organization: string[];
  /** RFC 4514-like one-line form in certificate order, e.g. "O=system:nodes, CN=system:node:a". */
  text: string;
}

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

/** True when `cert` carries a valid signature by `issuer`'s key (not just a matching name). */
export function isSignedBy(cert: CertificateModel, issuer: CertificateModel | KeyObject): boolean {
  const key = "der" in issuer ? issuer.publicKey : issuer;
  try {
    return new X509Certificate(cert.der).verify(key);
  } catch {
    return false;
  }
}
