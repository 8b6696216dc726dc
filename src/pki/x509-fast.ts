import { createHash } from "node:crypto";
import { inputError } from "../errors.js";
import { children, content, decodeOid, decodeString, decodeTime, DerError, expectTag, readTlv, type Tlv } from "./der.js";
import type { KeyDescription } from "./keys.js";
import { readSpki, type PublicKeyFacts } from "./public-key.js";

export interface DistinguishedName {
  commonName?: string;
  organization: string[];
  /** RFC 4514-like one-line form in certificate order, e.g. "O=system:nodes, CN=system:node:a". */
  text: string;
}

/**
 * A certificate's fields as plain data, read straight from DER in microseconds
 * (see der.ts for why). It carries the same facts as model.ts's
 * CertificateModel minus the KeyObject (create one from `spki` when a key must
 * be compared), plus what `inspect --text` prints. Tests cross-check it with
 * @peculiar/asn1-x509 and with `openssl x509 -text`.
 */
export interface CertificateFacts {
  der: Buffer;
  version: number;
  subject: DistinguishedName;
  issuer: DistinguishedName;
  /** Attribute-by-attribute, in certificate order, for openssl-style layouts. */
  subjectRDNs: RDN[];
  issuerRDNs: RDN[];
  /** Upper-case hex, no leading zeros, as openssl prints it with -serial. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  isCA?: boolean;
  pathLen?: number;
  keyUsage: string[];
  extKeyUsage: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** DER SubjectPublicKeyInfo: `createPublicKey({key: spki, format: "der", type: "spki"})`. */
  spki: Buffer;
  key: KeyDescription;
  signatureAlgorithm: string;
  signatureAlgorithmOid: string;
  signature: Buffer;
  /** The signed part (TBSCertificate), byte for byte as it came. */
  tbs: Buffer;
  /** Identifies the public key (public-key.ts): equal for the private key that goes with it. */
  keyId: string;
  extensions: { oid: string; critical: boolean; value: Buffer }[];
  fingerprintSHA256: string;
}

export type RDN = { type: string; value: string }[];

export const ATTRIBUTE_NAMES: Record<string, string> = {
  "2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.6": "C", "2.5.4.8": "ST",
  "2.5.4.7": "L", "2.5.4.5": "serialNumber", "2.5.4.9": "street", "2.5.4.17": "postalCode",
  "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID", "1.2.840.113549.1.9.1": "emailAddress",
};

export const EKU_NAMES: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "serverAuth", "1.3.6.1.5.5.7.3.2": "clientAuth", "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection", "1.3.6.1.5.5.7.3.8": "timeStamping", "1.3.6.1.5.5.7.3.9": "OCSPSigning",
  "2.5.29.37.0": "any",
};

export const SIGNATURE_NAMES: Record<string, string> = {
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption", "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.12": "sha384WithRSAEncryption", "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
  "1.2.840.113549.1.1.14": "sha224WithRSAEncryption", "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
  "1.2.840.113549.1.1.10": "rsassaPss", "1.2.840.10045.4.1": "ecdsa-with-SHA1", "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
  "1.2.840.10045.4.3.3": "ecdsa-with-SHA384", "1.2.840.10045.4.3.4": "ecdsa-with-SHA512", "1.3.101.112": "ED25519",
  "1.2.840.10040.4.3": "dsa-with-SHA1",
};

/** Key usage bits in BIT STRING order (RFC 5280 §4.2.1.3), with the names kubepki uses elsewhere. */
export const KEY_USAGE_BITS = [
  "digitalSignature", "contentCommitment", "keyEncipherment", "dataEncipherment", "keyAgreement",
  "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly",
];

const OID_EXT = {
  basicConstraints: "2.5.29.19", keyUsage: "2.5.29.15", extKeyUsage: "2.5.29.37", subjectAltName: "2.5.29.17",
  subjectKeyId: "2.5.29.14", authorityKeyId: "2.5.29.35",
};

const SEQUENCE = 0x30;
const SET = 0x31;
const hexUpper = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();

function readName(buf: Buffer, name: Tlv): { dn: DistinguishedName; rdns: RDN[] } {
  expectTag(name, SEQUENCE, "Name");
  const rdns: RDN[] = [];
  const organization: string[] = [];
  let commonName: string | undefined;
  for (const set of children(buf, name)) {
    expectTag(set, SET, "RelativeDistinguishedName");
    const rdn: RDN = [];
    for (const atv of children(buf, set)) {
      const [type, value] = children(buf, expectTag(atv, SEQUENCE, "AttributeTypeAndValue"));
      const oid = decodeOid(buf, expectTag(type, 0x06, "attribute type"));
      if (!value) throw new DerError("attribute without a value");
      const text = decodeString(buf, value);
      if (oid === "2.5.4.3") commonName = text;
      if (oid === "2.5.4.10") organization.push(text);
      rdn.push({ type: ATTRIBUTE_NAMES[oid] ?? oid, value: text });
    }
    rdns.push(rdn);
  }
  const text = rdns.map((r) => r.map((a) => `${a.type}=${a.value}`).join(" + ")).join(", ");
  return { dn: { commonName, organization, text }, rdns };
}

/** Go's net.IP.String(): dotted IPv4 (also for IPv4-mapped IPv6), RFC 5952 compressed IPv6. */
export function formatIP(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join(".");
  if (b.length !== 16) return `<${hexUpper(b)}>`;
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return Array.from(b.subarray(12)).join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
  // The WHATWG URL parser applies exactly RFC 5952's compression rules.
  return new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1);
}

function readExtensions(facts: CertificateFacts): void {
  for (const { oid, value } of facts.extensions) {
    const v = readTlv(value, 0);
    switch (oid) {
      case OID_EXT.basicConstraints: {
        facts.isCA = false;
        for (const c of children(value, v)) {
          if (c.tag === 0x01) facts.isCA = value[c.contentStart] !== 0;
          else if (c.tag === 0x02) facts.pathLen = content(value, c).readUIntBE(0, Math.min(6, c.end - c.contentStart));
        }
        break;
      }
      case OID_EXT.keyUsage: {
        const bytes = content(value, expectTag(v, 0x03, "KeyUsage"));
        facts.keyUsage = KEY_USAGE_BITS.filter((_, bit) => (bytes[1 + (bit >> 3)] ?? 0) & (0x80 >> (bit & 7)));
        break;
      }
      case OID_EXT.extKeyUsage:
        facts.extKeyUsage = children(value, v).map((o) => {
          const dotted = decodeOid(value, o);
          return EKU_NAMES[dotted] ?? dotted;
        });
        break;
      case OID_EXT.subjectAltName:
        for (const n of children(value, v)) {
          const raw = content(value, n);
          if (n.tag === 0x82) facts.dnsNames.push(raw.toString("latin1"));
          else if (n.tag === 0x87) facts.ipAddresses.push(formatIP(raw));
          else if (n.tag === 0x81) facts.emailAddresses.push(raw.toString("latin1"));
          else if (n.tag === 0x86) facts.uris.push(raw.toString("latin1"));
        }
        break;
      case OID_EXT.subjectKeyId:
        facts.subjectKeyId = hexUpper(content(value, expectTag(v, 0x04, "SubjectKeyIdentifier")));
        break;
      case OID_EXT.authorityKeyId: {
        const id = children(value, v).find((c) => c.tag === 0x80);
        if (id) facts.authorityKeyId = hexUpper(content(value, id));
        break;
      }
    }
  }
}

/**
 * Reads one DER certificate. `what` names the source in the error, which is an
 * input error (exit 2) for anything that is not a well-formed certificate.
 */
export function readCertificate(der: Buffer, what: string): CertificateFacts {
  try {
    return read(der);
  } catch (err) {
    if (err instanceof DerError || err instanceof RangeError || err instanceof TypeError) {
      throw inputError(`${what}: not a valid X.509 certificate (${err.message})`);
    }
    throw err;
  }
}

interface ExtensionRange {
  oid: string;
  critical: boolean;
  start: number;
  end: number;
}

/** The parts of a certificate read as views on demand. */
class Lazy {
  constructor(
    readonly der: Buffer,
    private readonly spkiRange: [number, number],
    private readonly signatureRange: [number, number],
    private readonly tbsRange: [number, number],
    private readonly extensionRanges: ExtensionRange[],
    private readonly publicKeyFacts: PublicKeyFacts,
  ) {}
  get keyId(): string {
    return this.publicKeyFacts.id;
  }
  get tbs(): Buffer {
    return this.der.subarray(...this.tbsRange);
  }
  private fingerprint?: string;
  /** Hashed when first asked for: `check` compares certificates without it. */
  get fingerprintSHA256(): string {
    return (this.fingerprint ??= createHash("sha256").update(this.der).digest("hex").toUpperCase().replace(/(..)(?!$)/g, "$1:"));
  }
  get spki(): Buffer {
    return this.der.subarray(...this.spkiRange);
  }
  get signature(): Buffer {
    return this.der.subarray(...this.signatureRange);
  }
  get extensions(): { oid: string; critical: boolean; value: Buffer }[] {
    return this.extensionRanges.map((e) => ({ oid: e.oid, critical: e.critical, value: this.der.subarray(e.start, e.end) }));
  }
}

function read(der: Buffer): CertificateFacts {
  const outer = expectTag(readTlv(der, 0), SEQUENCE, "Certificate");
  if (outer.end !== der.length) throw new DerError("trailing data after the certificate");
  const [tbs, sigAlg, sigValue] = children(der, outer);
  expectTag(tbs, SEQUENCE, "TBSCertificate");
  const fields = children(der, tbs);
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    const v = expectTag(readTlv(der, fields[0].contentStart, fields[0].end), 0x02, "version");
    version = der[v.end - 1] + 1;
    i = 1;
  }
  const serialTlv = expectTag(fields[i++], 0x02, "serialNumber");
  const [, issuerTlv, validityTlv, subjectTlv, spkiTlv] = fields.slice(i, i + 5);
  expectTag(fields[i], SEQUENCE, "signature");
  const issuer = readName(der, issuerTlv);
  const [nb, na] = children(der, expectTag(validityTlv, SEQUENCE, "Validity"));
  if (!nb || !na) throw new DerError("incomplete Validity");
  const subject = readName(der, subjectTlv);
  const publicKeyFacts = readSpki(der, spkiTlv);
  const [algOid] = children(der, expectTag(sigAlg, SEQUENCE, "signatureAlgorithm"));
  const sigOid = decodeOid(der, expectTag(algOid, 0x06, "signature algorithm"));
  const sigBits = expectTag(sigValue, 0x03, "signatureValue");
  // Buffer views are costly to keep by the thousand (a directory walk holds every certificate):
  // the facts keep offsets into `der`, and views are made when asked for.
  const extensions: ExtensionRange[] = [];
  const extWrapper = fields.slice(i + 5).find((f) => f.tag === 0xa3);
  if (extWrapper) {
    const list = expectTag(readTlv(der, extWrapper.contentStart, extWrapper.end), SEQUENCE, "Extensions");
    for (const ext of children(der, list)) {
      const parts = children(der, expectTag(ext, SEQUENCE, "Extension"));
      const oid = decodeOid(der, expectTag(parts[0], 0x06, "extension id"));
      const critical = parts.length === 3 && parts[1].tag === 0x01 && der[parts[1].contentStart] !== 0;
      const value = expectTag(parts[parts.length - 1], 0x04, "extension value");
      extensions.push({ oid, critical, start: value.contentStart, end: value.end });
    }
  }
  const facts = Object.assign(new Lazy(der, [spkiTlv.start, spkiTlv.end], [sigBits.contentStart + 1, sigBits.end], [tbs.start, tbs.end], extensions, publicKeyFacts), {
    der, version,
    subject: subject.dn, issuer: issuer.dn, subjectRDNs: subject.rdns, issuerRDNs: issuer.rdns,
    serial: hexUpper(content(der, serialTlv)).replace(/^0+(?=.)/, ""),
    notBefore: decodeTime(der, nb), notAfter: decodeTime(der, na),
    keyUsage: [] as string[], extKeyUsage: [] as string[], dnsNames: [] as string[], ipAddresses: [] as string[], emailAddresses: [] as string[], uris: [] as string[],
    isCA: undefined as boolean | undefined, pathLen: undefined as number | undefined,
    subjectKeyId: undefined as string | undefined, authorityKeyId: undefined as string | undefined,
    key: publicKeyFacts.description,
    signatureAlgorithmOid: sigOid, signatureAlgorithm: SIGNATURE_NAMES[sigOid] ?? sigOid,
  });
  readExtensions(facts);
  return facts;
}
