// Certificates for the inspect tests, made by openssl and cfssl (never by
// kubepki), so that a parsing bug cannot hide behind the same bug in issuing.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openssl, sh } from "./helpers.ts";

function must(args: string[], input?: string): string {
  const r = openssl(args, input);
  if (r.code !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

export interface OpensslCert {
  crt: string;
  key: string;
}

/** A self-signed CA (openssl req -x509). */
export function opensslCA(dir: string, name: string, cn: string, options: { days?: number; key?: string } = {}): OpensslCert {
  mkdirSync(dir, { recursive: true });
  const crt = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  must(["req", "-x509", "-newkey", options.key ?? "rsa:2048", "-nodes", "-keyout", key, "-out", crt, "-subj", `/CN=${cn}`, "-days", String(options.days ?? 3650),
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign"]);
  return { crt, key };
}

export interface LeafOptions {
  subj: string;
  ext: string[];
  days?: number;
  newkey?: string;
  digest?: string;
}

/** A leaf signed by `ca` (openssl req + x509 -req), with extensions given as openssl config lines. */
export function opensslLeaf(dir: string, name: string, ca: OpensslCert, o: LeafOptions): OpensslCert {
  const crt = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, ["[ext]", ...o.ext, ""].join("\n"));
  must(["req", "-new", "-newkey", o.newkey ?? "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", o.subj]);
  must(["x509", "-req", "-in", csr, "-CA", ca.crt, "-CAkey", ca.key, "-CAcreateserial", "-out", crt, "-days", String(o.days ?? 365), `-${o.digest ?? "sha256"}`, "-extfile", ext, "-extensions", "ext"]);
  return { crt, key };
}

/** A CA and a server+client leaf made by cfssl, as cfssl users make them. */
export function cfsslPair(dir: string): { ca: string; leaf: string; leafKey: string } {
  mkdirSync(dir, { recursive: true });
  const run = (args: string[], input?: string) => {
    const r = sh("cfssl", args, { input, cwd: dir });
    if (r.code !== 0) throw new Error(`cfssl ${args.join(" ")}: ${r.stderr}`);
    return JSON.parse(r.stdout) as { cert: string; key: string };
  };
  const ca = run(["gencert", "-initca", "-"], JSON.stringify({ CN: "cfssl-etcd-ca", key: { algo: "ecdsa", size: 256 } }));
  writeFileSync(join(dir, "ca.pem"), ca.cert);
  writeFileSync(join(dir, "ca-key.pem"), ca.key);
  writeFileSync(join(dir, "config.json"), JSON.stringify({ signing: { default: { expiry: "8760h", usages: ["signing", "key encipherment", "server auth", "client auth"] } } }));
  const leaf = run(["gencert", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "-config", "config.json", "-hostname", "etcd1.example.test,127.0.0.1,localhost", "-"],
    JSON.stringify({ CN: "etcd1", key: { algo: "rsa", size: 2048 } }));
  writeFileSync(join(dir, "etcd1.pem"), leaf.cert);
  writeFileSync(join(dir, "etcd1-key.pem"), leaf.key);
  return { ca: join(dir, "ca.pem"), leaf: join(dir, "etcd1.pem"), leafKey: join(dir, "etcd1-key.pem") };
}

/** openssl's SHA-256 fingerprint, "AB:CD:…". */
export const opensslFingerprint = (file: string) => must(["x509", "-in", file, "-noout", "-fingerprint", "-sha256"]).trim().replace(/^.*=/, "");

/** openssl's key usage / EKU words → kubepki's names. */
export const KU_WORDS: Record<string, string> = {
  "Digital Signature": "digitalSignature", "Non Repudiation": "contentCommitment", "Key Encipherment": "keyEncipherment",
  "Data Encipherment": "dataEncipherment", "Key Agreement": "keyAgreement", "Certificate Sign": "keyCertSign", "CRL Sign": "cRLSign",
};
export const EKU_WORDS: Record<string, string> = { "TLS Web Server Authentication": "serverAuth", "TLS Web Client Authentication": "clientAuth" };

/** An EC parameters file for `-newkey ec:FILE` (prime256v1, secp384r1). */
export function ecParams(dir: string, curve: "prime256v1" | "secp384r1"): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${curve}.params`);
  must(["ecparam", "-name", curve, "-out", file]);
  return `ec:${file}`;
}
