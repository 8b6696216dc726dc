import { createPublicKey, sign, type KeyObject } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import * as csrAsn from "@peculiar/asn1-csr";
import * as asn from "@peculiar/asn1-x509";
import { inputError } from "../errors.js";
import { encodeName, signingParams, type Subject } from "./certificate.js";
import { describeKey, type KeyDescription } from "./keys.js";
import type { DistinguishedName } from "./model.js";
import { readName } from "./name.js";
import { decodePem, encodePem } from "./pem.js";
import { SIGNATURE_SCHEMES, verifySignature } from "./signature.js";

/** PKCS#9 extensionRequest: where a CSR carries the extensions it asks for (SANs, usages, CA). */
const OID_EXTENSION_REQUEST = "1.2.840.113549.1.9.14";

/** A PKCS#10 request as plain data: what review prints and the signer copies. */
export interface CSRModel {
  der: Buffer;
  subject: DistinguishedName;
  /** The subject as encoded, for the signer to re-encode the way Go does. */
  subjectName: asn.Name;
  publicKey: KeyObject;
  key: KeyDescription;
  signatureAlgorithm: string;
  /** Proof of possession: the request is signed by the private key of the public key it carries. */
  signatureValid: boolean;
  /** Why the signature is not accepted, when it is not. */
  signatureProblem?: string;
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** basicConstraints CA:TRUE in the requested extensions. */
  requestsCA: boolean;
  /** Key usages and EKUs the request asks for (the Kubernetes signers ignore them and use spec.usages). */
  requestedKeyUsage: string[];
  requestedExtKeyUsage: string[];
}

const EKU_NAMES: Record<string, string> = {
  [asn.id_kp_serverAuth]: "serverAuth", [asn.id_kp_clientAuth]: "clientAuth", [asn.id_kp_codeSigning]: "codeSigning",
  [asn.id_kp_emailProtection]: "emailProtection", [asn.id_kp_timeStamping]: "timeStamping", [asn.id_kp_OCSPSigning]: "OCSPSigning",
  [asn.anyExtendedKeyUsage]: "any",
};

function checkSignature(req: csrAsn.CertificationRequest, publicKey: KeyObject): { name: string; valid: boolean; problem?: string } {
  const oid = req.signatureAlgorithm.algorithm;
  const scheme = SIGNATURE_SCHEMES[oid];
  if (!scheme) return { name: oid, valid: false, problem: `signature algorithm ${oid} is not supported` };
  if (scheme.keyType !== publicKey.asymmetricKeyType) {
    return { name: scheme.name, valid: false, problem: `signature algorithm ${scheme.name} does not fit its ${publicKey.asymmetricKeyType} key` };
  }
  if (scheme.insecure) return { name: scheme.name, valid: false, problem: `${scheme.name} is an insecure signature algorithm; kube-apiserver (Go's x509) refuses it` };
  // The bytes as they came, not re-encoded: a signature covers exactly what was signed.
  const signed = Buffer.from(req.certificationRequestInfoRaw ?? AsnConvert.serialize(req.certificationRequestInfo));
  const valid = verifySignature(oid, signed, Buffer.from(req.signature), publicKey) === true;
  return { name: scheme.name, valid, problem: valid ? undefined : "the signature does not verify: the request was altered after signing, or was not signed by the key it carries" };
}

function requestedExtensions(info: csrAsn.CertificationRequestInfo): asn.Extension[] {
  const attr = info.attributes.find((a) => a.type === OID_EXTENSION_REQUEST);
  if (!attr) return [];
  return attr.values.flatMap((v) => Array.from(AsnConvert.parse(v, asn.Extensions)));
}

/** Parses one DER PKCS#10 request and verifies its signature. `what` names the source in errors. */
export function parseCSR(der: Buffer, what: string): CSRModel {
  let req: csrAsn.CertificationRequest;
  let publicKey: KeyObject;
  let extensions: asn.Extension[];
  try {
    req = AsnConvert.parse(der, csrAsn.CertificationRequest);
    extensions = requestedExtensions(req.certificationRequestInfo);
  } catch {
    throw inputError(`${what}: not a valid PKCS#10 certificate request`);
  }
  const info = req.certificationRequestInfo;
  try {
    publicKey = createPublicKey({ key: Buffer.from(AsnConvert.serialize(info.subjectPKInfo)), format: "der", type: "spki" });
  } catch {
    throw inputError(`${what}: the request's public key (${info.subjectPKInfo.algorithm.algorithm}) cannot be read`);
  }
  const ext = <T>(oid: string, type: new () => T): T | undefined => {
    const e = extensions.find((x) => x.extnID === oid);
    if (!e) return undefined;
    try {
      return AsnConvert.parse(e.extnValue.buffer, type);
    } catch {
      throw inputError(`${what}: the requested extension ${oid} is malformed`);
    }
  };
  const san = ext(asn.id_ce_subjectAltName, asn.SubjectAlternativeName);
  const names = san ? Array.from(san) : [];
  const bc = ext(asn.id_ce_basicConstraints, asn.BasicConstraints);
  const ku = ext(asn.id_ce_keyUsage, asn.KeyUsage);
  const eku = ext(asn.id_ce_extKeyUsage, asn.ExtendedKeyUsage);
  const signature = checkSignature(req, publicKey);
  return {
    der,
    subject: readName(info.subject),
    subjectName: info.subject,
    publicKey,
    key: describeKey(publicKey),
    signatureAlgorithm: signature.name,
    signatureValid: signature.valid,
    signatureProblem: signature.problem,
    dnsNames: names.flatMap((n) => (n.dNSName !== undefined ? [n.dNSName] : [])),
    ipAddresses: names.flatMap((n) => (n.iPAddress !== undefined ? [n.iPAddress] : [])),
    emailAddresses: names.flatMap((n) => (n.rfc822Name !== undefined ? [n.rfc822Name] : [])),
    uris: names.flatMap((n) => (n.uniformResourceIdentifier !== undefined ? [n.uniformResourceIdentifier] : [])),
    requestsCA: bc?.cA === true,
    requestedKeyUsage: ku ? ku.toJSON() : [],
    requestedExtKeyUsage: eku ? Array.from(eku).map((oid) => EKU_NAMES[oid] ?? oid) : [],
  };
}

/** The one CERTIFICATE REQUEST in a PEM text (a NEW CERTIFICATE REQUEST from old tools too). */
export function decodeCSRPem(text: string, what: string): Buffer {
  const blocks = decodePem(text, what).filter((b) => b.label === "CERTIFICATE REQUEST" || b.label === "NEW CERTIFICATE REQUEST");
  if (blocks.length === 0) throw inputError(`${what}: no PEM CERTIFICATE REQUEST block found`);
  if (blocks.length > 1) throw inputError(`${what}: ${blocks.length} certificate requests in one file; give one at a time`);
  return blocks[0].der;
}

export interface CSRTemplate {
  subject: Subject;
  dnsNames?: string[];
  ipAddresses?: string[];
}

/**
 * Builds and signs a PKCS#10 request with `key`, as Go's CreateCertificateRequest
 * (and `kubeadm certs generate-csr`) do: subject and SANs only, no usages —
 * with the Kubernetes CSR API the usages belong in spec.usages.
 */
export function createCSR(template: CSRTemplate, key: KeyObject): Buffer {
  const publicKey = createPublicKey(key);
  const attributes = new csrAsn.Attributes();
  const names = [
    ...(template.dnsNames ?? []).map((dNSName) => new asn.GeneralName({ dNSName })),
    ...(template.ipAddresses ?? []).map((iPAddress) => new asn.GeneralName({ iPAddress })),
  ];
  if (names.length) {
    const san = new asn.Extension({ extnID: asn.id_ce_subjectAltName, critical: false, extnValue: new OctetString(AsnConvert.serialize(new asn.SubjectAlternativeName(names))) });
    attributes.push(new asn.Attribute({ type: OID_EXTENSION_REQUEST, values: [AsnConvert.serialize(new asn.Extensions([san]))] }));
  }
  const info = new csrAsn.CertificationRequestInfo({
    version: 0,
    subject: encodeName(template.subject),
    subjectPKInfo: AsnConvert.parse(publicKey.export({ type: "spki", format: "der" }), asn.SubjectPublicKeyInfo),
    attributes,
  });
  const { hash, algorithm } = signingParams(key);
  const infoDER = Buffer.from(AsnConvert.serialize(info));
  const signature = sign(hash, infoDER, key);
  const req = new csrAsn.CertificationRequest({ certificationRequestInfo: info, signatureAlgorithm: algorithm, signature: toArrayBuffer(signature) });
  return Buffer.from(AsnConvert.serialize(req));
}

export function csrToPEM(der: Buffer): string {
  return encodePem("CERTIFICATE REQUEST", der);
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
