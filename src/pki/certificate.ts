import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import * as asn from "@peculiar/asn1-x509";
import { encodePem } from "./pem.js";
import { inputError } from "../errors.js";

/** Extended key usages Kubernetes certificates use, by their usual names. */
export type ExtKeyUsage = "serverAuth" | "clientAuth";
export const EKU_OID: Record<ExtKeyUsage, string> = {
  serverAuth: asn.id_kp_serverAuth,
  clientAuth: asn.id_kp_clientAuth,
};

export type KeyUsageName = "digitalSignature" | "keyEncipherment" | "keyCertSign" | "cRLSign";

export interface Subject {
  commonName: string;
  organization?: string[];
}

/** What a new certificate says; the issuer comes from the signing CA. */
export interface CertificateTemplate {
  subject: Subject;
  serial: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** The subject's public key, or the private key it belongs to. */
  publicKey: KeyObject;
  isCA: boolean;
  keyUsage: KeyUsageName[];
  extKeyUsage: ExtKeyUsage[];
  /** Dotted EKU OIDs, in order; wins over `extKeyUsage` (renew copies every EKU of the old certificate, as kubeadm does). */
  extKeyUsageOids?: string[];
  dnsNames: string[];
  ipAddresses: string[];
  /** Email and URI SANs: the CSR signer copies them from a request. */
  emailAddresses?: string[];
  uris?: string[];
  /** A subject encoded elsewhere (the CSR signer re-encodes a request's subject as Go does); wins over `subject`. */
  subjectName?: asn.Name;
  /** A CA's subject key id: SHA-1 (Go up to 1.24, the default here) or truncated SHA-256 (Go 1.25's x509sha256skid). */
  subjectKeyIdHash?: "sha1" | "sha256";
}

/** The signer: the CA's key and certificate (DER), or nothing for a self-signed CA. */
export interface Issuer {
  key: KeyObject;
  certificateDER?: Buffer;
}

/** kubeadm's CertificateBackdate: clocks drift, so a new certificate is valid from 5 minutes ago. */
export const BACKDATE_MS = 5 * 60_000;

/**
 * kubeadm's validity for a new certificate: from 5 minutes before `now` for
 * `validityMs` after `now` (the end is not backdated), cut to the CA's own
 * expiry when it comes first, as the kube-controller-manager signer cuts too.
 */
export function kubeadmValidity(now: Date, validityMs: number, caNotAfter?: Date): { notBefore: Date; notAfter: Date; cappedByCA: boolean } {
  const notAfter = new Date(now.getTime() + validityMs);
  const cappedByCA = caNotAfter !== undefined && caNotAfter < notAfter;
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: cappedByCA ? caNotAfter : notAfter, cappedByCA };
}

/**
 * A random positive serial in [1, 2^63 - 1], as kubeadm draws them
 * (crypto/rand.Int(MaxInt64-1) + 1).
 */
export function randomSerial63(): Buffer {
  const bytes = randomBytes(8);
  bytes[0] &= 0x7f;
  return minimalPositiveInteger(bytes);
}

/** A random 128-bit serial, as the kube-controller-manager signer draws them. */
export function randomSerial128(): Buffer {
  return minimalPositiveInteger(Buffer.concat([Buffer.from([0]), randomBytes(16)]));
}

/** DER INTEGER content for an unsigned big-endian number: no extra leading zeros, never negative, never zero. */
function minimalPositiveInteger(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0 && bytes[i + 1] < 0x80) i++;
  const out = Buffer.from(bytes.subarray(i));
  if (out.length === 1 && out[0] === 0) out[0] = 1;
  return out;
}

const SIGNATURE_OID = {
  sha256WithRSA: "1.2.840.113549.1.1.11",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  ecdsaWithSHA384: "1.2.840.10045.4.3.3",
  ecdsaWithSHA512: "1.2.840.10045.4.3.4",
};

/** Go's choice of signature algorithm for a CA key (x509.signingParamsForKey): SHA-256, SHA-384 for P-384, pure Ed25519 (no hash). */
export function signingParams(key: KeyObject): { hash: string | null; algorithm: asn.AlgorithmIdentifier } {
  if (key.asymmetricKeyType === "ed25519") return { hash: null, algorithm: new asn.AlgorithmIdentifier({ algorithm: "1.3.101.112" }) };
  if (key.asymmetricKeyType === "rsa") {
    return { hash: "sha256", algorithm: new asn.AlgorithmIdentifier({ algorithm: SIGNATURE_OID.sha256WithRSA, parameters: null }) };
  }
  if (key.asymmetricKeyType === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const [hash, oid] =
      curve === "secp384r1" ? ["sha384", SIGNATURE_OID.ecdsaWithSHA384] : curve === "secp521r1" ? ["sha512", SIGNATURE_OID.ecdsaWithSHA512] : ["sha256", SIGNATURE_OID.ecdsaWithSHA256];
    return { hash, algorithm: new asn.AlgorithmIdentifier({ algorithm: oid }) };
  }
  throw inputError(`cannot sign with a ${key.asymmetricKeyType} key: kubepki signs with RSA, ECDSA and Ed25519 keys`);
}

// PrintableString's alphabet; anything else is written as UTF8String, as Go does.
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function attribute(type: string, value: string): asn.AttributeTypeAndValue {
  const v = PRINTABLE.test(value) ? new asn.AttributeValue({ printableString: value }) : new asn.AttributeValue({ utf8String: value });
  return new asn.AttributeTypeAndValue({ type, value: v });
}

const OID_CN = "2.5.4.3";
const OID_O = "2.5.4.10";

/**
 * A multi-valued RDN is a SET OF: DER (and Go's encoding/asn1 since 1.15)
 * orders its members by their encodings, so O=[ops, dev] is written dev, ops.
 */
export function derSortedRDN(values: asn.AttributeTypeAndValue[]): asn.RelativeDistinguishedName {
  const encoded = values.map((v) => ({ v, der: Buffer.from(AsnConvert.serialize(v)) }));
  encoded.sort((a, b) => Buffer.compare(a.der, b.der));
  return new asn.RelativeDistinguishedName(encoded.map((e) => e.v));
}

/** Go's encoding of a subject: O before CN, all O values in one RDN. */
export function encodeName(subject: Subject): asn.Name {
  const rdns: asn.RelativeDistinguishedName[] = [];
  if (subject.organization?.length) rdns.push(derSortedRDN(subject.organization.map((o) => attribute(OID_O, o))));
  if (subject.commonName) rdns.push(new asn.RelativeDistinguishedName([attribute(OID_CN, subject.commonName)]));
  return new asn.Name(rdns);
}

function extension(oid: string, critical: boolean, value: unknown): asn.Extension {
  return new asn.Extension({ extnID: oid, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

const KEY_USAGE_FLAG: Record<KeyUsageName, number> = {
  digitalSignature: asn.KeyUsageFlags.digitalSignature,
  keyEncipherment: asn.KeyUsageFlags.keyEncipherment,
  keyCertSign: asn.KeyUsageFlags.keyCertSign,
  cRLSign: asn.KeyUsageFlags.cRLSign,
};

/**
 * The SKID Go's CreateCertificate gives a CA whose template has none: SHA-1 of
 * the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1), or from Go 1.25 with
 * GODEBUG x509sha256skid=1 the leftmost 160 bits of their SHA-256 (RFC 7093 §2 method 1).
 */
export function subjectKeyId(spki: asn.SubjectPublicKeyInfo, hash: "sha1" | "sha256" = "sha1"): Buffer {
  const digest = createHash(hash).update(Buffer.from(spki.subjectPublicKey)).digest();
  return digest.subarray(0, 20);
}

/**
 * Builds and signs an X.509 v3 certificate with the extensions and their order
 * as Go's crypto/x509 writes them for kubeadm: key usage (critical), extended
 * key usage, basic constraints (critical), subject key id (CAs), authority key
 * id (when the issuer has one), SANs. Returns DER.
 */
export function createCertificate(template: CertificateTemplate, issuer: Issuer): Buffer {
  const publicKey = template.publicKey.type === "private" ? createPublicKey(template.publicKey) : template.publicKey;
  const spki = AsnConvert.parse(publicKey.export({ type: "spki", format: "der" }), asn.SubjectPublicKeyInfo);
  const subject = template.subjectName ?? encodeName(template.subject);
  const signer = issuer.certificateDER ? issuerFacts(issuer.certificateDER) : undefined;
  const issuerName = signer ? signer.name : subject;
  const { hash, algorithm } = signingParams(issuer.key);

  const extensions: asn.Extension[] = [];
  const usageBits = template.keyUsage.reduce((bits, u) => bits | KEY_USAGE_FLAG[u], 0);
  if (usageBits) extensions.push(extension(asn.id_ce_keyUsage, true, new asn.KeyUsage(usageBits)));
  const ekus = template.extKeyUsageOids ?? template.extKeyUsage.map((u) => EKU_OID[u]);
  if (ekus.length) extensions.push(extension(asn.id_ce_extKeyUsage, false, new asn.ExtendedKeyUsage(ekus)));
  extensions.push(extension(asn.id_ce_basicConstraints, true, new asn.BasicConstraints({ cA: template.isCA })));
  if (template.isCA) {
    extensions.push(extension(asn.id_ce_subjectKeyIdentifier, false, new asn.SubjectKeyIdentifier(subjectKeyId(spki, template.subjectKeyIdHash))));
  }
  if (signer?.skid) {
    extensions.push(extension(asn.id_ce_authorityKeyIdentifier, false, new asn.AuthorityKeyIdentifier({ keyIdentifier: new asn.KeyIdentifier(signer.skid) })));
  }
  // Go's marshalSANs order: DNS, email, IP, URI.
  const names = [
    ...template.dnsNames.map((dNSName) => new asn.GeneralName({ dNSName })),
    ...(template.emailAddresses ?? []).map((rfc822Name) => new asn.GeneralName({ rfc822Name })),
    ...template.ipAddresses.map((iPAddress) => new asn.GeneralName({ iPAddress })),
    ...(template.uris ?? []).map((uniformResourceIdentifier) => new asn.GeneralName({ uniformResourceIdentifier })),
  ];
  if (names.length) extensions.push(extension(asn.id_ce_subjectAltName, false, new asn.SubjectAlternativeName(names)));

  const tbs = new asn.TBSCertificate({
    version: asn.Version.v3,
    serialNumber: toArrayBuffer(template.serial),
    signature: algorithm,
    issuer: issuerName,
    validity: new asn.Validity({ notBefore: template.notBefore, notAfter: template.notAfter }),
    subject,
    subjectPublicKeyInfo: spki,
    extensions: new asn.Extensions(extensions),
  });
  const tbsDER = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign(hash, tbsDER, issuer.key);
  const cert = new asn.Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: toArrayBuffer(signature) });
  return Buffer.from(AsnConvert.serialize(cert));
}

// A CA signs many leaves in one run: its subject and key id are parsed once.
const issuers = new WeakMap<Buffer, { name: asn.Name; skid?: ArrayBuffer }>();

function issuerFacts(der: Buffer): { name: asn.Name; skid?: ArrayBuffer } {
  let facts = issuers.get(der);
  if (!facts) {
    const cert = AsnConvert.parse(der, asn.Certificate);
    const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === asn.id_ce_subjectKeyIdentifier);
    facts = { name: cert.tbsCertificate.subject, skid: ext ? AsnConvert.parse(ext.extnValue.buffer, asn.SubjectKeyIdentifier).buffer : undefined };
    issuers.set(der, facts);
  }
  return facts;
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

export function certificateToPEM(der: Buffer): string {
  return encodePem("CERTIFICATE", der);
}

/** The public key inside a certificate (DER). */
export function certificatePublicKey(der: Buffer): KeyObject {
  const cert = AsnConvert.parse(der, asn.Certificate);
  return createPublicKey({ key: Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subjectPublicKeyInfo)), format: "der", type: "spki" });
}
