import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { inputError } from "../errors.js";
import { checkDerDepth } from "../pki/der.js";
import { describeKey } from "../pki/keys.js";
import { decodePem, type PemBlock } from "../pki/pem.js";
import { readCertificate } from "../pki/x509-fast.js";
import type { Collector, KeyItem, Source } from "./types.js";

/** Refuses DER nested past what any certificate or key needs, before a recursive parser sees it. */
function shallow(der: Buffer, what: string): void {
  try {
    checkDerDepth(der);
  } catch (err) {
    throw inputError(`${what}: ${(err as Error).message}`);
  }
}

/** PEM labels of private keys node:crypto opens, with the DER encoding each one holds. */
const PRIVATE_KEY_TYPES: Record<string, "pkcs8" | "pkcs1" | "sec1"> = {
  "PRIVATE KEY": "pkcs8", "RSA PRIVATE KEY": "pkcs1", "EC PRIVATE KEY": "sec1",
};
const CERTIFICATE_LABELS = new Set(["CERTIFICATE", "X509 CERTIFICATE"]);
const REQUEST_LABELS = new Set(["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]);

export const looksLikePem = (bytes: Buffer) => bytes.includes("-----BEGIN ");

function keyItem(source: Source, besideDir: string | undefined, form: KeyItem["form"], key?: KeyObject): KeyItem {
  const pub = key && (key.type === "private" ? createPublicKey(key) : key);
  return {
    type: "key", source, form, besideDir, matches: [],
    key: key ? describeKey(key) : undefined,
    spki: pub ? (pub.export({ type: "spki", format: "der" }) as Buffer) : undefined,
  };
}

/** A private or public key block as a KeyItem (type and size only; the key itself goes nowhere). */
function readKeyBlock(block: PemBlock, source: Source, besideDir: string | undefined, what: string): KeyItem | undefined {
  if (block.label === "ENCRYPTED PRIVATE KEY") return keyItem(source, besideDir, "encrypted");
  const privateType = PRIVATE_KEY_TYPES[block.label];
  try {
    if (privateType) return keyItem(source, besideDir, "private", createPrivateKey({ key: block.der, format: "der", type: privateType }));
    if (block.label === "PUBLIC KEY") return keyItem(source, besideDir, "public", createPublicKey({ key: block.der, format: "der", type: "spki" }));
    if (block.label === "RSA PUBLIC KEY") return keyItem(source, besideDir, "public", createPublicKey({ key: block.der, format: "der", type: "pkcs1" }));
  } catch {
    throw inputError(`${what}: the ${block.label} block is not a readable key`);
  }
  return undefined;
}

/**
 * Every certificate, request and key in a PEM text, in order. Returns false
 * when no block is one kubepki reads (a CRL, DH parameters…). A key's
 * certificate is also looked for in `besideDir`.
 */
export async function readPem(bytes: Buffer, source: Source, besideDir: string | undefined, out: Collector): Promise<boolean> {
  const what = labelFor(source);
  const blocks = decodePem(bytes.toString("latin1"), what);
  for (const b of blocks) shallow(b.der, what);
  const certs = blocks.filter((b) => CERTIFICATE_LABELS.has(b.label));
  const requests = blocks.filter((b) => REQUEST_LABELS.has(b.label));
  let found = false;
  certs.forEach((b, i) => {
    const src = certs.length > 1 ? { ...source, index: i } : source;
    out.items.push({ type: "certificate", source: src, facts: readCertificate(b.der, certs.length > 1 ? `${what} (certificate ${i + 1})` : what) });
    found = true;
  });
  if (requests.length > 0) {
    const { readRequest } = await import("./request.js");
    requests.forEach((b, i) => out.items.push(readRequest(b.der, requests.length > 1 ? { ...source, index: i } : source, what)));
    found = true;
  }
  for (const b of blocks) {
    const k = readKeyBlock(b, source, besideDir, what);
    if (k) {
      out.items.push(k);
      found = true;
    }
  }
  return found;
}

/** A DER file: a certificate, a request, a private key or a public key. Returns false if it is none. */
export async function readDer(bytes: Buffer, source: Source, besideDir: string | undefined, out: Collector): Promise<boolean> {
  const what = labelFor(source);
  shallow(bytes, what);
  try {
    out.items.push({ type: "certificate", source, facts: readCertificate(bytes, what) });
    return true;
  } catch {
    // not a certificate; try the other DER kinds
  }
  try {
    const { readRequest } = await import("./request.js");
    out.items.push(readRequest(bytes, source, what));
    return true;
  } catch {
    // not a request either
  }
  for (const type of ["pkcs8", "pkcs1", "sec1"] as const) {
    try {
      out.items.push(keyItem(source, besideDir, "private", createPrivateKey({ key: bytes, format: "der", type })));
      return true;
    } catch {
      // next encoding
    }
  }
  try {
    out.items.push(keyItem(source, besideDir, "public", createPublicKey({ key: bytes, format: "der", type: "spki" })));
    return true;
  } catch {
    return false;
  }
}

/** Plain PEM text given inside a Kubernetes object or kubeconfig: certificates and keys. */
export function labelFor(source: Source): string {
  return [source.file ?? source.input, source.where].filter(Boolean).join(": ");
}
