// Fuzzing inspect's input detection (random, truncated and bit-flipped data of
// every input kind), and cross-checking the fast DER reader with @peculiar/asn1-x509.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { inspect } from "../src/inspect/index.ts";
import { decodeCertificates } from "../src/pki/pem.ts";
import { parseCertificate } from "../src/pki/model.ts";
import { readCertificate } from "../src/pki/x509-fast.ts";
import { kubepki, openssl, tempDir } from "./helpers.ts";
import { cfsslPair, ecParams, opensslCA, opensslLeaf } from "./inspect-fixtures.ts";

/** A deterministic PRNG, so that a failing case can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function seeds(dir: string): Buffer[] {
  const ca = opensslCA(dir, "ca", "kubernetes");
  const leaf = opensslLeaf(dir, "leaf", ca, { subj: "/O=system:nodes/CN=system:node:a", ext: ["extendedKeyUsage=serverAuth,clientAuth", "subjectAltName=DNS:a,IP:10.0.0.1,IP:::1"] });
  const csr = join(dir, "r.csr");
  openssl(["req", "-new", "-key", leaf.key, "-subj", "/CN=r", "-addext", "subjectAltName=DNS:r", "-out", csr]);
  const pem = readFileSync(leaf.crt);
  const derFile = join(dir, "leaf.der");
  openssl(["x509", "-in", leaf.crt, "-outform", "DER", "-out", derFile]);
  const b64 = (b: Buffer) => b.toString("base64");
  const kubeconfig = `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://x:6443", certificate-authority-data: ${b64(readFileSync(ca.crt))}}\nusers:\n- name: u\n  user: {client-certificate-data: ${b64(pem)}, client-key-data: ${b64(readFileSync(leaf.key))}}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`;
  const secret = JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { "tls.crt": b64(pem), "tls.key": b64(readFileSync(leaf.key)) } });
  const csrObject = `apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: r}\nspec:\n  request: ${b64(readFileSync(csr))}\n  signerName: kubernetes.io/kube-apiserver-client\n  usages: [client auth]\nstatus:\n  certificate: ${b64(pem)}\n`;
  const manifest = `apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --tls-cert-file=${leaf.crt}, --client-ca-file=${ca.crt}]\n`;
  return [pem, readFileSync(derFile), readFileSync(csr), readFileSync(leaf.key), Buffer.from(kubeconfig), Buffer.from(secret), Buffer.from(csrObject), Buffer.from(manifest)];
}

function mutate(seed: Buffer, rand: () => number): Buffer {
  const pick = Math.floor(rand() * 4);
  if (pick === 0) return seed.subarray(0, Math.floor(rand() * seed.length)); // truncated
  if (pick === 1) return randomBytesFrom(rand, Math.floor(rand() * 3000)); // random
  const out = Buffer.from(seed);
  const flips = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < flips; i++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256); // corrupted
  if (pick === 3) return Buffer.concat([out.subarray(0, Math.floor(rand() * out.length)), randomBytesFrom(rand, 40)]);
  return out;
}

const randomBytesFrom = (rand: () => number, n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));

test("fuzzed input of every kind: never a crash, at most one error naming the input", async (t) => {
  const dir = tempDir(t);
  const kinds = seeds(dir);
  const rand = prng(20240601);
  let failures = 0;
  for (let i = 0; i < 2500; i++) {
    const bytes = mutate(kinds[i % kinds.length], rand);
    const result = await inspect(["-"], { timeoutMs: 1000, stdin: async () => bytes });
    for (const f of result.failures) {
      // Every message is one of ours: it names the input (a crash would say "Cannot read properties…").
      assert.ok(f.message.startsWith("(stdin)") || f.message.startsWith("/"), `case ${i}: ${f.message}`);
      assert.ok(!f.message.includes("\n"), `case ${i}: one line`);
      failures++;
    }
    assert.ok(result.failures.length <= 3, `case ${i}: ${JSON.stringify(result.failures)}`);
  }
  assert.ok(failures > 1000, "most mutations are rejected");
});

test("fuzzed files through the CLI: exit 2, one line per bad file, no stack trace", (t) => {
  const dir = tempDir(t);
  const kinds = seeds(join(dir, "seeds"));
  const rand = prng(7);
  const files: string[] = [];
  for (let i = 0; i < 60; i++) {
    const file = join(dir, `case-${i}`);
    // Truncation and random bytes are never a valid input.
    const seed = kinds[i % kinds.length];
    writeFileSync(file, i % 2 ? seed.subarray(0, Math.max(1, Math.floor(rand() * (seed.length - 30)))) : randomBytesFrom(rand, 1 + Math.floor(rand() * 500)));
    files.push(file);
  }
  const r = kubepki(["inspect", "--short", ...files]);
  assert.equal(r.code, 2);
  assert.ok(!/\n\s+at /.test(r.stderr) && !r.stderr.includes("--debug"), r.stderr);
  for (const line of r.stderr.trimEnd().split("\n")) assert.match(line, /^error: /);
  const named = new Set(r.stderr.trimEnd().split("\n").map((l) => /case-\d+/.exec(l)?.[0]));
  assert.ok(named.size >= 55, `nearly every bad file is named (${named.size})`);
});

test("the fast DER reader agrees with @peculiar/asn1-x509 on certificates from openssl, cfssl and kubepki", (t) => {
  const dir = tempDir(t);
  const ca = opensslCA(dir, "ca", "kubernetes");
  opensslLeaf(dir, "a", ca, { subj: "/C=US/O=x/O=system:masters/CN=a", newkey: ecParams(dir, "secp384r1"), ext: ["basicConstraints=critical,CA:TRUE,pathlen:2", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature", "extendedKeyUsage=serverAuth,clientAuth,codeSigning", "subjectAltName=DNS:a,IP:10.0.0.1,IP:fe80::1:2,email:a@b,URI:https://x", "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"] });
  cfsslPair(join(dir, "cfssl"));
  const init = kubepki(["init", "--out", join(dir, "kubeadm"), "--node-name", "cp1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", "ECDSA-P256"]);
  assert.equal(init.code, 0, init.stderr);
  const files: string[] = [];
  const walk = (d: string) => readdirSync(d).forEach((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : /\.(crt|pem)$/.test(n) && !/key/.test(n) && files.push(join(d, n))));
  walk(dir);
  assert.ok(files.length >= 12);
  for (const file of files) {
    for (const der of decodeCertificates(readFileSync(file, "utf8"), file)) {
      const full = parseCertificate(der, file);
      const fast = readCertificate(der, file);
      for (const k of ["subject", "issuer", "serial", "notBefore", "notAfter", "isCA", "pathLen", "extKeyUsage", "dnsNames", "ipAddresses", "emailAddresses", "uris", "subjectKeyId", "authorityKeyId", "key", "signatureAlgorithm", "fingerprintSHA256"] as const) {
        assert.deepEqual(fast[k], full[k], `${file}: ${k}`);
      }
      assert.deepEqual([...fast.keyUsage].sort(), full.keyUsage.map((u) => (u === "crlSign" ? "cRLSign" : u)).sort(), `${file}: keyUsage`);
    }
  }
  // And rejects what is not a certificate, as the library does.
  for (let i = 0; i < 200; i++) {
    const junk = randomBytes(1 + (i % 300));
    junk[0] = 0x30;
    assert.throws(() => readCertificate(junk, "junk"), /junk: not a valid X\.509 certificate/);
  }
});
