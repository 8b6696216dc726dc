import { readdirSync } from "node:fs";
import { readInputFile } from "../store/files.js";
import { join } from "node:path";
import { decodePem } from "../pki/pem.js";
import { readCertificate } from "../pki/x509-fast.js";
import { labelOf, type CertificateItem, type Item, type KeyItem } from "./types.js";

const CERT_FILE = /\.(?:crt|pem|cer|cert)$/;

/** The certificates in the files of one folder, by SPKI; unreadable files are simply not candidates. */
function certificatesIn(dir: string): { label: string; spki: Buffer }[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const found: { label: string; spki: Buffer }[] = [];
  for (const name of names.filter((n) => CERT_FILE.test(n))) {
    try {
      const path = join(dir, name);
      const text = readInputFile(path).toString("latin1");
      for (const b of decodePem(text, path)) {
        if (b.label === "CERTIFICATE") {
          const f = readCertificate(b.der, path);
          found.push({ label: `${path} (CN=${f.subject.commonName ?? ""})`, spki: f.spki });
        }
      }
    } catch {
      // not a certificate file after all
    }
  }
  return found;
}

/**
 * Fills each key's `matches`: the certificates with its public key among the
 * inputs, and in the key file's folder when no input matched (a lone
 * `apiserver.key` finds `apiserver.crt` beside it).
 */
export function matchKeys(items: Item[]): void {
  const certs = items.filter((i): i is CertificateItem => i.type === "certificate");
  const folders = new Map<string, { label: string; spki: Buffer }[]>();
  const keys = items.filter((i): i is KeyItem => i.type === "key");
  for (const key of keys) {
    if (!key.spki) continue;
    key.matches = certs.filter((c) => c.facts.spki.equals(key.spki!)).map((c) => `${labelOf(c.source)} (CN=${c.facts.subject.commonName ?? ""})`);
    // The other half of a bare key pair (sa.key and sa.pub) counts too.
    for (const other of keys) if (other !== key && other.form !== key.form && other.spki?.equals(key.spki)) key.matches.push(`${labelOf(other.source)} (${other.form} key)`);
    if (key.matches.length === 0 && key.besideDir && key.form === "private") {
      if (!folders.has(key.besideDir)) folders.set(key.besideDir, certificatesIn(key.besideDir));
      key.matches = folders.get(key.besideDir)!.filter((c) => c.spki.equals(key.spki!)).map((c) => c.label);
    }
  }
}
