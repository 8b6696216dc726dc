// The public-key reader (src/pki/public-key.ts) against OpenSSL: for every private
// key encoding openssl writes, the public key it reads is the one `openssl pkey
// -pubout` prints, its size is the one `openssl pkey -text` reports, and keys it
// does not know are left to OpenSSL.
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { keyIdOf, sameKey } from "../src/check/certs.ts";
import { keysMatch } from "../src/pki/keys.ts";
import { parseCertificate } from "../src/pki/model.ts";
import { decodeCertificates, decodePem } from "../src/pki/pem.ts";
import { publicKeyOfSpki, readPrivateKey } from "../src/pki/public-key.ts";
import { sh, tempDir } from "./helpers.ts";

const must = (args: string[]) => sh("openssl", args, { check: true }).stdout;

function readKey(file: string) {
  const block = decodePem(readFileSync(file, "utf8"), file).find((b) => b.label.endsWith("PRIVATE KEY"))!;
  return { label: block.label, info: readPrivateKey(block, file) };
}

test("every private key encoding openssl writes: the public key and size OpenSSL reports", (t) => {
  const dir = tempDir(t);
  const f = (name: string) => join(dir, name);
  must(["genrsa", "-traditional", "-out", f("rsa1.pem"), "1024"]);
  must(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", f("rsa8.pem")]);
  must(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("ec1.pem")]);
  must(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", f("ec8.pem")]);
  must(["ec", "-in", f("ec1.pem"), "-no_public", "-out", f("ec-nopub.pem")]);
  must(["ec", "-in", f("ec1.pem"), "-param_enc", "explicit", "-out", f("ec-explicit.pem")]);
  must(["genpkey", "-algorithm", "ED25519", "-out", f("ed.pem")]);
  const expected: Record<string, { label: string; bits: number }> = {
    "rsa1.pem": { label: "RSA PRIVATE KEY", bits: 1024 },
    "rsa8.pem": { label: "PRIVATE KEY", bits: 2048 },
    "ec1.pem": { label: "EC PRIVATE KEY", bits: 256 },
    "ec8.pem": { label: "PRIVATE KEY", bits: 384 },
    "ec-nopub.pem": { label: "EC PRIVATE KEY", bits: 256 }, // no public point: OpenSSL derives it
    "ec-explicit.pem": { label: "EC PRIVATE KEY", bits: 256 }, // explicit curve parameters: OpenSSL reads them
    "ed.pem": { label: "PRIVATE KEY", bits: 256 }, // PKCS#8 v1 holds no public key: OpenSSL derives it
  };
  for (const [name, want] of Object.entries(expected)) {
    const { label, info } = readKey(f(name));
    assert.equal(label, want.label, name);
    const pubout = join(dir, `${name}.pub.der`);
    must(["pkey", "-in", f(name), "-pubout", "-outform", "DER", "-out", pubout]);
    // With explicit curve parameters openssl -pubout repeats them; the key is the same point.
    if (name !== "ec-explicit.pem") assert.equal(info.publicKey.id, publicKeyOfSpki(readFileSync(pubout)).id, `${name}: the public key openssl pkey -pubout prints`);
    const text = must(["pkey", "-in", f(name), "-text", "-noout"]);
    const bits = Number(/\((\d+) bit/.exec(text)?.[1] ?? (name === "ed.pem" ? 256 : NaN));
    assert.equal(info.publicKey.description.bits, want.bits, name);
    assert.equal(bits, want.bits, `${name}: openssl agrees on the size`);
    assert.equal(info.keyObject.asymmetricKeyType !== undefined, true, `${name}: OpenSSL parses it when a signature needs it`);
  }
});

test("keys and certificates pair up as OpenSSL pairs them, whatever the point encoding", (t) => {
  const dir = tempDir(t);
  const f = (name: string) => join(dir, name);
  must(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("a.key")]);
  must(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("b.key")]);
  must(["ec", "-in", f("a.key"), "-conv_form", "compressed", "-out", f("a-compressed.key")]);
  must(["req", "-x509", "-new", "-key", f("a.key"), "-subj", "/CN=a", "-days", "1", "-out", f("a.crt")]);
  const cert = parseCertificate(decodeCertificates(readFileSync(f("a.crt"), "utf8"), "a.crt")[0], "a.crt");
  assert.equal(sameKey(readKey(f("a.key")).info, cert), true, "the key the certificate was made from");
  assert.equal(sameKey(readKey(f("a-compressed.key")).info, cert), true, "the same key with its public point compressed");
  assert.equal(sameKey(readKey(f("b.key")).info, cert), false, "another key");
  assert.equal(keyIdOf(readKey(f("a.key")).info), keyIdOf(cert));
});

test("corrupted and truncated private keys: the reader never crashes, OpenSSL's verdict is the error", (t) => {
  const dir = tempDir(t);
  const files = ["rsa.pem", "ec.pem", "p8.pem"].map((n) => join(dir, n));
  must(["genrsa", "-traditional", "-out", files[0], "1024"]);
  must(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", files[1]]);
  must(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", files[2]]);
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (const file of files) {
    const block = decodePem(readFileSync(file, "utf8"), file)[0];
    for (let i = 0; i < 300; i++) {
      const der = Buffer.from(block.der);
      if (i % 3 === 0) der[rand(der.length)] = rand(256);
      const mutated = { label: block.label, der: i % 3 === 1 ? der.subarray(0, rand(der.length)) : der };
      try {
        const info = readPrivateKey(mutated, "k.pem");
        assert.match(info.publicKey.id, /^(rsa|ec):/);
      } catch (err) {
        assert.equal((err as Error).name, "KubepkiError", `${file} #${i}: ${(err as Error).stack}`);
        assert.equal((err as Error).message, "k.pem: not a readable private key");
      }
    }
  }
});

test("init's and the signer's key check agree: a compressed EC point is the same key", (t) => {
  const dir = tempDir(t);
  const f = (name: string) => join(dir, name);
  must(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("a.key")]);
  must(["ec", "-in", f("a.key"), "-conv_form", "compressed", "-out", f("a-compressed.key")]);
  must(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("b.key")]);
  must(["req", "-x509", "-new", "-key", f("a.key"), "-subj", "/CN=a", "-days", "1", "-out", f("a.crt")]);
  const cert = parseCertificate(decodeCertificates(readFileSync(f("a.crt"), "utf8"), "a.crt")[0], "a.crt");
  assert.equal(keysMatch(createPrivateKey(readFileSync(f("a-compressed.key"))), cert.publicKey), true);
  assert.equal(keysMatch(createPrivateKey(readFileSync(f("b.key"))), cert.publicKey), false);
});
