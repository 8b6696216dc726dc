// PKCS#10 requests, read with @peculiar/asn1-csr. Loaded only when an input holds
// a request: the ASN.1 schema libraries cost tens of milliseconds to load.
import { createPublicKey, verify } from "node:crypto";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as asn from "@peculiar/asn1-x509";
import { canonicalIP } from "../cluster/net.js";
import { inputError } from "../errors.js";
import { children, readTlv } from "../pki/der.js";
import { describeKey } from "../pki/keys.js";
import { readName } from "../pki/name.js";
import { EKU_NAMES, KEY_USAGE_BITS, SIGNATURE_NAMES } from "../pki/x509-fast.js";
import type { RequestItem, Source } from "./types.js";

const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const HASHES: Record<string, string | null> = {
  "1.2.840.113549.1.1.5": "sha1", "1.2.840.113549.1.1.11": "sha256", "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512", "1.2.840.10045.4.3.2": "sha256", "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512", "1.3.101.112": null,
};


/** Parses a DER request; `what` names it in the error. */
export function readRequest(der: Buffer, source: Source, what: string): RequestItem {
  let csr: CertificationRequest;
  try {
    csr = AsnConvert.parse(der, CertificationRequest);
  } catch {
    throw inputError(`${what}: not a valid certificate signing request (PKCS#10)`);
  }
  const info = csr.certificationRequestInfo;
  const spki = Buffer.from(AsnConvert.serialize(info.subjectPKInfo));
  let publicKey;
  try {
    publicKey = createPublicKey({ key: spki, format: "der", type: "spki" });
  } catch {
    throw inputError(`${what}: the request's public key is unreadable`);
  }
  const item: RequestItem = {
    type: "request", source, subject: readName(info.subject), key: describeKey(publicKey), spki,
    dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], keyUsage: [], extKeyUsage: [],
    signatureAlgorithm: SIGNATURE_NAMES[csr.signatureAlgorithm.algorithm] ?? csr.signatureAlgorithm.algorithm,
    signatureValid: false,
  };
  for (const attr of info.attributes ?? []) {
    if (attr.type !== EXTENSION_REQUEST) continue;
    for (const value of attr.values) {
      for (const ext of AsnConvert.parse(value, asn.Extensions)) {
        const v = ext.extnValue.buffer;
        if (ext.extnID === asn.id_ce_subjectAltName) {
          for (const n of AsnConvert.parse(v, asn.SubjectAlternativeName)) {
            if (n.dNSName !== undefined) item.dnsNames.push(n.dNSName);
            if (n.iPAddress !== undefined) item.ipAddresses.push(canonicalIP(n.iPAddress));
            if (n.rfc822Name !== undefined) item.emailAddresses.push(n.rfc822Name);
            if (n.uniformResourceIdentifier !== undefined) item.uris.push(n.uniformResourceIdentifier);
          }
        } else if (ext.extnID === asn.id_ce_keyUsage) {
          const bits = new Uint8Array(AsnConvert.parse(v, asn.KeyUsage).value);
          item.keyUsage = KEY_USAGE_BITS.filter((_, bit) => (bits[bit >> 3] ?? 0) & (0x80 >> (bit & 7)));
        } else if (ext.extnID === asn.id_ce_extKeyUsage) {
          item.extKeyUsage = Array.from(AsnConvert.parse(v, asn.ExtendedKeyUsage)).map((oid) => EKU_NAMES[oid] ?? oid);
        }
      }
    }
  }
  // Verify over the request's own encoded bytes, not a re-encoding of them.
  try {
    const outer = readTlv(der, 0);
    const [infoTlv] = children(der, outer);
    const hash = HASHES[csr.signatureAlgorithm.algorithm];
    if (hash !== undefined) {
      item.signatureValid = verify(hash, der.subarray(infoTlv.start, infoTlv.end), publicKey, Buffer.from(csr.signature));
    }
  } catch {
    item.signatureValid = false;
  }
  return item;
}
