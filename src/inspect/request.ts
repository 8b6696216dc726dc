// PKCS#10 requests for inspect: pki/csr.ts reads them (with @peculiar/asn1-csr,
// loaded only when an input holds a request); this maps one onto inspect's item.
import { canonicalIP } from "../cluster/net.js";
import { parseCSR } from "../pki/csr.js";
import type { RequestItem, Source } from "./types.js";

/** Parses a DER request; `what` names it in the error. */
export function readRequest(der: Buffer, source: Source, what: string): RequestItem {
  const csr = parseCSR(der, what);
  return {
    type: "request", source, subject: csr.subject, key: csr.key,
    spki: csr.publicKey.export({ type: "spki", format: "der" }),
    dnsNames: csr.dnsNames, ipAddresses: csr.ipAddresses.map(canonicalIP), emailAddresses: csr.emailAddresses, uris: csr.uris,
    keyUsage: csr.requestedKeyUsage, extKeyUsage: csr.requestedExtKeyUsage,
    signatureAlgorithm: csr.signatureAlgorithm,
    signatureValid: csr.signatureValid,
  };
}
