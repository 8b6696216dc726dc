// `inspect --text`: the layout of `openssl x509 -text -noout` (OpenSSL 3), for
// people who read certificates that way. Tests diff it against openssl itself.
import { children, content, decodeOid, readTlv } from "../pki/der.js";
import type { CertificateFacts, RDN } from "../pki/x509-fast.js";
import { terminalSafe } from "../text.js";

const OPENSSL_ATTRIBUTE: Record<string, string> = { serialNumber: "serialNumber", street: "street", postalCode: "postalCode" };
const EKU_TEXT: Record<string, string> = {
  serverAuth: "TLS Web Server Authentication", clientAuth: "TLS Web Client Authentication", codeSigning: "Code Signing",
  emailProtection: "E-mail Protection", timeStamping: "Time Stamping", OCSPSigning: "OCSP Signing", any: "Any Extended Key Usage",
};
const KU_TEXT: Record<string, string> = {
  digitalSignature: "Digital Signature", contentCommitment: "Non Repudiation", keyEncipherment: "Key Encipherment",
  dataEncipherment: "Data Encipherment", keyAgreement: "Key Agreement", keyCertSign: "Certificate Sign", cRLSign: "CRL Sign",
  encipherOnly: "Encipher Only", decipherOnly: "Decipher Only",
};
const NS_CERT_TYPE = ["SSL Client", "SSL Server", "S/MIME", "Object Signing", "Unused", "SSL CA", "S/MIME CA", "Object Signing CA"];
const CURVE_OID: Record<string, string> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const colonHex = (b: Uint8Array, upper = false) => {
  const h = Buffer.from(b).toString("hex");
  return (upper ? h.toUpperCase() : h).replace(/(..)(?!$)/g, "$1:");
};

/** Hex bytes in rows of `perRow`, each row ending in ":" except the last, as openssl wraps them. */
function hexRows(b: Uint8Array, perRow: number, indent: string): string[] {
  const bytes = Buffer.from(b).toString("hex").match(/../g) ?? [];
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += perRow) rows.push(indent + bytes.slice(i, i + perRow).join(":") + (i + perRow < bytes.length ? ":" : ""));
  return rows;
}

const nameLine = (rdns: RDN[]) => rdns.map((r) => r.map((a) => `${OPENSSL_ATTRIBUTE[a.type] ?? a.type} = ${a.value}`).join(" + ")).join(", ");

function opensslDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

/** openssl prints serials that fit a signed 64-bit long in decimal, bigger ones as hex bytes. */
function serialLines(serialHex: string): string[] {
  const hex = serialHex.length % 2 ? `0${serialHex}` : serialHex;
  const value = BigInt(`0x${serialHex}`);
  if (hex.length <= 16 && value < 1n << 63n) return [`        Serial Number: ${value} (0x${value.toString(16)})`];
  return ["        Serial Number:", `            ${hex.toLowerCase().replace(/(..)(?!$)/g, "$1:")}`];
}

function publicKeyLines(f: CertificateFacts): string[] {
  const spki = f.spki;
  const [alg, bits] = children(spki, readTlv(spki, 0));
  const keyBytes = content(spki, bits).subarray(1);
  const i = "                ";
  if (f.key.type === "RSA") {
    const [n, e] = children(keyBytes, readTlv(keyBytes, 0));
    const exponent = BigInt(`0x${content(keyBytes, e).toString("hex")}`);
    return [
      "            Public Key Algorithm: rsaEncryption", `${i}Public-Key: (${f.key.bits} bit)`, `${i}Modulus:`,
      ...hexRows(content(keyBytes, n), 15, `${i}    `), `${i}Exponent: ${exponent} (0x${exponent.toString(16)})`,
    ];
  }
  if (f.key.type === "ECDSA") {
    const curve = f.key.curve ?? "";
    return [
      "            Public Key Algorithm: id-ecPublicKey", `${i}Public-Key: (${f.key.bits} bit)`, `${i}pub:`,
      ...hexRows(keyBytes, 15, `${i}    `), `${i}ASN1 OID: ${CURVE_OID[curve] ?? curve}`, ...(CURVE_OID[curve] ? [`${i}NIST CURVE: ${curve}`] : []),
    ];
  }
  if (f.key.type === "Ed25519") return ["            Public Key Algorithm: ED25519", `${i}ED25519 Public-Key:`, `${i}pub:`, ...hexRows(keyBytes, 15, `${i}    `)];
  return [`            Public Key Algorithm: ${decodeOid(spki, children(spki, alg)[0])}`, ...hexRows(keyBytes, 15, `${i}    `)];
}

/** openssl's IPv6: eight upper-case hex groups, never compressed. */
function opensslIPv6(raw: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) groups.push(((raw[i] << 8) | raw[i + 1]).toString(16).toUpperCase());
  return groups.join(":");
}

function extensionLines(f: CertificateFacts): string[] {
  const lines = ["        X509v3 extensions:"];
  const head = (name: string, critical: boolean) => lines.push(`            ${name}: ${critical ? "critical" : ""}`);
  const body = (text: string) => lines.push(`                ${text}`);
  for (const ext of f.extensions) {
    switch (ext.oid) {
      case "2.5.29.14":
        head("X509v3 Subject Key Identifier", ext.critical);
        body(colonHex(Buffer.from(f.subjectKeyId ?? "", "hex"), true));
        break;
      case "2.5.29.35":
        head("X509v3 Authority Key Identifier", ext.critical);
        body(f.authorityKeyId ? colonHex(Buffer.from(f.authorityKeyId, "hex"), true) : "");
        break;
      case "2.5.29.19":
        head("X509v3 Basic Constraints", ext.critical);
        body(`CA:${f.isCA ? "TRUE" : "FALSE"}${f.pathLen !== undefined ? `, pathlen:${f.pathLen}` : ""}`);
        break;
      case "2.5.29.15":
        head("X509v3 Key Usage", ext.critical);
        body(f.keyUsage.map((k) => KU_TEXT[k] ?? k).join(", "));
        break;
      case "2.5.29.37":
        head("X509v3 Extended Key Usage", ext.critical);
        body(f.extKeyUsage.map((k) => EKU_TEXT[k] ?? k).join(", "));
        break;
      case "2.5.29.17": {
        head("X509v3 Subject Alternative Name", ext.critical);
        // In certificate order, which may mix kinds: read the GeneralNames again.
        const v = ext.value;
        const names = children(v, readTlv(v, 0)).map((n) => {
          const raw = content(v, n);
          if (n.tag === 0x82) return `DNS:${raw.toString("latin1")}`;
          if (n.tag === 0x81) return `email:${raw.toString("latin1")}`;
          if (n.tag === 0x86) return `URI:${raw.toString("latin1")}`;
          if (n.tag === 0x87) return `IP Address:${raw.length === 4 ? Array.from(raw).join(".") : opensslIPv6(raw)}`;
          return "othername:<unsupported>";
        });
        body(names.join(", "));
        break;
      }
      case "2.16.840.1.113730.1.1": {
        head("Netscape Cert Type", ext.critical);
        const bits = content(ext.value, readTlv(ext.value, 0));
        body(NS_CERT_TYPE.filter((_, i) => (bits[1] ?? 0) & (0x80 >> i)).join(", "));
        break;
      }
      case "2.16.840.1.113730.1.13":
        head("Netscape Comment", ext.critical);
        body(content(ext.value, readTlv(ext.value, 0)).toString("utf8"));
        break;
      default:
        head(ext.oid, ext.critical);
        lines.push(...hexRows(ext.value, 16, "                "));
    }
  }
  return lines;
}

export function renderOpensslText(f: CertificateFacts): string {
  const lines = [
    "Certificate:",
    "    Data:",
    `        Version: ${f.version} (0x${(f.version - 1).toString(16)})`,
    ...serialLines(f.serial),
    `        Signature Algorithm: ${f.signatureAlgorithm}`,
    `        Issuer: ${nameLine(f.issuerRDNs)}`,
    "        Validity",
    `            Not Before: ${opensslDate(f.notBefore)}`,
    `            Not After : ${opensslDate(f.notAfter)}`,
    `        Subject: ${nameLine(f.subjectRDNs)}`,
    "        Subject Public Key Info:",
    ...publicKeyLines(f),
    ...(f.extensions.length ? extensionLines(f) : []),
    `    Signature Algorithm: ${f.signatureAlgorithm}`,
    "    Signature Value:",
    ...hexRows(f.signature, 18, "        "),
  ];
  // Each line escaped on its own (kubepki's lines hold no control character): a name or SAN
  // with an escape or a newline in it shows as text and cannot start a line of its own.
  return lines.map(terminalSafe).join("\n") + "\n";
}
