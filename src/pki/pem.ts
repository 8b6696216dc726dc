import { inputError } from "../errors.js";

export interface PemBlock {
  label: string;
  der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/**
 * Splits text into its PEM blocks (RFC 7468), ignoring text between blocks as
 * OpenSSL and Go do. A BEGIN without a matching END, or bad base64 inside a
 * block, is an error naming `what`.
 */
export function decodePem(text: string, what: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let consumed = 0;
  for (const m of text.matchAll(BLOCK)) {
    const body = m[2].replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw inputError(`${what}: the ${m[1]} PEM block has invalid base64`);
    }
    blocks.push({ label: m[1], der: Buffer.from(body, "base64") });
    consumed = (m.index ?? 0) + m[0].length;
  }
  if (text.indexOf("-----BEGIN ", consumed) !== -1) throw inputError(`${what}: truncated PEM (a BEGIN line has no matching END line)`);
  return blocks;
}

export function encodePem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The certificates in a PEM file, in order; an error if there is none. */
export function decodeCertificates(text: string, what: string): Buffer[] {
  const certs = decodePem(text, what).filter((b) => b.label === "CERTIFICATE").map((b) => b.der);
  if (certs.length === 0) throw inputError(`${what}: no PEM CERTIFICATE block found`);
  return certs;
}
