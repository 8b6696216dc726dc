import { inputError } from "../errors.js";

export interface PemBlock {
  label: string;
  der: Buffer;
}

const BEGIN = "-----BEGIN ";
const LABEL = /^[A-Z0-9 ]+$/;

/**
 * Splits text into its PEM blocks (RFC 7468), ignoring text between blocks as
 * OpenSSL and Go do. A BEGIN without a matching END, or bad base64 inside a
 * block, is an error naming `what`.
 *
 * A scan with indexOf, not a regular expression: each character is looked at a
 * bounded number of times, so a megabyte of BEGIN lines with no END is refused
 * in milliseconds (a lazy `[\s\S]*?` pattern retried the rest of the text from
 * every BEGIN, quadratic, and overflowed the stack on a 100 MB bundle).
 */
export function decodePem(text: string, what: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const truncated = () => inputError(`${what}: truncated PEM (a BEGIN line has no matching END line)`);
  for (let at = text.indexOf(BEGIN); at !== -1; ) {
    const labelStart = at + BEGIN.length;
    const labelEnd = text.indexOf("-----", labelStart);
    const eol = text.indexOf("\n", labelStart);
    if (labelEnd === -1 || eol === -1 || labelEnd > eol) throw truncated();
    const label = text.slice(labelStart, labelEnd);
    const afterHeader = labelEnd + 5;
    if (!LABEL.test(label) || (eol !== afterHeader && !(eol === afterHeader + 1 && text[afterHeader] === "\r"))) throw truncated();
    const endLine = `-----END ${label}-----`;
    const end = text.indexOf(endLine, eol + 1);
    if (end === -1) throw truncated();
    const body = text.slice(eol + 1, end).replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw inputError(`${what}: the ${label} PEM block has invalid base64`);
    }
    blocks.push({ label, der: Buffer.from(body, "base64") });
    at = text.indexOf(BEGIN, end + endLine.length);
  }
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
