import { X509Certificate, createHash, type KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as asn from "@peculiar/asn1-x509";
import { inputError } from "../errors.js";
import { describeKey, type KeyDescription } from "./keys.js";

/** A certificate as plain data: what later commands compare, print and serialise. */
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

const ATTRIBUTE_NAMES: Record<string, string> = {
  "2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.6": "C", "2.5.4.8": "ST",
  "2.5.4.7": "L", "2.5.4.5": "serialNumber", "1.2.840.113549.1.9.1": "emailAddress",
};

const EKU_NAMES: Record<string, string> = {
  [asn.id_kp_serverAuth]: "serverAuth", [asn.id_kp_clientAuth]: "clientAuth",
  [asn.id_kp_codeSigning]: "codeSigning", [asn.id_kp_emailProtection]: "emailProtection",
  [asn.id_kp_timeStamping]: "timeStamping", [asn.id_kp_OCSPSigning]: "OCSPSigning",
  [asn.anyExtendedKeyUsage]: "any",
};

const SIGNATURE_NAMES: Record<string, string> = {
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption", "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.12": "sha384WithRSAEncryption", "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
  "1.2.840.113549.1.1.4": "md5WithRSAEncryption", "1.2.840.113549.1.1.10": "rsassaPss",
  "1.2.840.10045.4.1": "ecdsa-with-SHA1", "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
  "1.2.840.10045.4.3.3": "ecdsa-with-SHA384", "1.2.840.10045.4.3.4": "ecdsa-with-SHA512", "1.3.101.112": "ED25519",
};

export function readName(name: asn.Name): DistinguishedName {
  const parts: string[] = [];
  const organization: string[] = [];
  let commonName: string | undefined;
  for (const rdn of name) {
    const values = rdn.map((atv) => {
      const value = atv.value.toString();
      if (atv.type === "2.5.4.3") commonName = value;
      if (atv.type === "2.5.4.10") organization.push(value);
      return `${ATTRIBUTE_NAMES[atv.type] ?? atv.type}=${value}`;
    });
    parts.push(values.join(" + "));
  }
  return { commonName, organization, text: parts.join(", ") };
}

function extensionValue<T>(cert: asn.Certificate, oid: string, type: new () => T): T | undefined {
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === oid);
  return ext ? AsnConvert.parse(ext.extnValue.buffer, type) : undefined;
}

const hex = (b: ArrayBuffer | Buffer) => Buffer.from(b as ArrayBuffer).toString("hex").toUpperCase();

/** Parses one DER certificate. `what` names the source in the error. */
export function parseCertificate(der: Buffer, what: string): CertificateModel {
  let cert: asn.Certificate;
  let native: X509Certificate;
  try {
    cert = AsnConvert.parse(der, asn.Certificate);
    native = new X509Certificate(der);
  } catch {
    throw inputError(`${what}: not a valid X.509 certificate`);
  }
  const tbs = cert.tbsCertificate;
  const bc = extensionValue(cert, asn.id_ce_basicConstraints, asn.BasicConstraints);
  const ku = extensionValue(cert, asn.id_ce_keyUsage, asn.KeyUsage);
  const eku = extensionValue(cert, asn.id_ce_extKeyUsage, asn.ExtendedKeyUsage);
  const san = extensionValue(cert, asn.id_ce_subjectAltName, asn.SubjectAlternativeName);
  const skid = extensionValue(cert, asn.id_ce_subjectKeyIdentifier, asn.SubjectKeyIdentifier);
  const akid = extensionValue(cert, asn.id_ce_authorityKeyIdentifier, asn.AuthorityKeyIdentifier);
  const names = san ? Array.from(san) : [];
  return {
    der,
    subject: readName(tbs.subject),
    issuer: readName(tbs.issuer),
    serial: native.serialNumber.replace(/^0+(?=.)/, "").toUpperCase(),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    isCA: bc ? bc.cA : undefined,
    pathLen: bc?.pathLenConstraint,
    keyUsage: ku ? ku.toJSON() : [],
    extKeyUsage: eku ? Array.from(eku).map((oid) => EKU_NAMES[oid] ?? oid) : [],
    dnsNames: names.flatMap((n) => (n.dNSName !== undefined ? [n.dNSName] : [])),
    ipAddresses: names.flatMap((n) => (n.iPAddress !== undefined ? [n.iPAddress] : [])),
    emailAddresses: names.flatMap((n) => (n.rfc822Name !== undefined ? [n.rfc822Name] : [])),
    uris: names.flatMap((n) => (n.uniformResourceIdentifier !== undefined ? [n.uniformResourceIdentifier] : [])),
    subjectKeyId: skid ? hex(skid.buffer) : undefined,
    authorityKeyId: akid?.keyIdentifier ? hex(akid.keyIdentifier.buffer) : undefined,
    publicKey: native.publicKey,
    key: describeKey(native.publicKey),
    signatureAlgorithm: SIGNATURE_NAMES[cert.signatureAlgorithm.algorithm] ?? cert.signatureAlgorithm.algorithm,
    fingerprintSHA256: createHash("sha256").update(der).digest("hex").toUpperCase().replace(/(..)(?!$)/g, "$1:"),
  };
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
