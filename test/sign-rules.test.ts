// sign and csr review on what the issues found: weak RSA, Failed/Denied objects,
// a CA outside its validity, the local signer's limits, Ed25519 and encrypted
// keys — every input made with openssl, every result checked with openssl.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { kubepki, openssl, opensslFields, snapshot, tempDir } from "./helpers.ts";

const CA_CNF = "[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n";

function ca(dir: string, name: string, keyArgs: string[], days = 365): { crt: string; key: string } {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  writeFileSync(join(dir, "ca.cnf"), CA_CNF);
  assert.equal(openssl(["genpkey", ...keyArgs, "-out", key]).code, 0);
  const r = openssl(["req", "-x509", "-new", "-key", key, "-subj", `/CN=${name}`, "-days", String(days), "-config", join(dir, "ca.cnf"), "-extensions", "v3", "-out", crt]);
  assert.equal(r.code, 0, r.stderr);
  return { crt, key };
}
const EC = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];

function request(dir: string, name: string, subj: string, keyArgs = EC, extra: string[] = []): string {
  const key = join(dir, `${name}.key`);
  assert.equal(openssl(["genpkey", ...keyArgs, "-out", key]).code, 0);
  const csr = join(dir, `${name}.csr`);
  const r = openssl(["req", "-new", "-key", key, "-subj", subj, "-out", csr, ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return csr;
}

test("weak RSA: review warns (exit 1), sign refuses unless --allow-weak", (t) => {
  const dir = tempDir(t);
  const c = ca(dir, "ca", EC);
  const csr = request(dir, "weak", "/CN=weak", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]);
  const review = kubepki(["csr", "review", csr]);
  assert.equal(review.code, 1, review.stdout);
  assert.match(review.stdout, /! WARNING: RSA 1024-bit key/);
  assert.match(review.stdout, /Do not approve as it is/);
  assert.equal(JSON.parse(kubepki(["csr", "review", csr, "-o", "json"]).stdout).items[0].verdict, "problem");
  const out = join(dir, "weak.crt");
  const refused = kubepki(["sign", csr, "--ca", c.crt, "--ca-key", c.key, "--out", out]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /refused: RSA 1024-bit key.*\nhint: .*--allow-weak/);
  assert.ok(!existsSync(out));
  const allowed = kubepki(["sign", csr, "--ca", c.crt, "--ca-key", c.key, "--allow-weak", "--out", out]);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(openssl(["verify", "-CAfile", c.crt, out]).code, 0);
});

test("Failed and Denied CertificateSigningRequests are not signed; an expired or not-yet-valid CA signs nothing", (t) => {
  const dir = tempDir(t);
  const c = ca(dir, "ca", EC, 30);
  const csr = request(dir, "jane", "/CN=jane");
  const req64 = readFileSync(csr).toString("base64");
  for (const type of ["Failed", "Denied"]) {
    const file = join(dir, `${type}.yaml`);
    writeFileSync(file, `apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: jane}\nspec:\n  request: ${req64}\n  signerName: kubernetes.io/kube-apiserver-client\n  usages: [client auth]\nstatus:\n  conditions:\n  - {type: ${type}, status: "True", reason: SignerValidationFailure, message: nope}\n`);
    const before = snapshot(dir);
    const r = kubepki(["sign", file, "--ca", c.crt, "--ca-key", c.key, "--out", join(dir, `${type}-signed.yaml`)]);
    assert.equal(r.code, 2, type);
    assert.match(r.stderr, new RegExp(`CertificateSigningRequest jane: (was denied|has failed): nope; kube-controller-manager never signs a ${type} request`));
    assert.deepEqual(snapshot(dir), before);
  }
  const notAfter = opensslFields(c.crt).notAfter;
  const notBefore = opensslFields(c.crt).notBefore;
  for (const [now, words] of [[new Date(notAfter.getTime() + 1000), /sign: its CA \(CN=[^)]*\) expired on/], [new Date(notBefore.getTime() - 86_400_000), /sign: its CA \(CN=[^)]*\) is not valid until/]] as const) {
    const before = snapshot(dir);
    const r = kubepki(["sign", csr, "--ca", c.crt, "--ca-key", c.key, "--now", now.toISOString(), "--out", join(dir, "x.crt")]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, words);
    assert.deepEqual(snapshot(dir), before);
  }
});

test("the local signer: --usages required and never a CA, --san needs it, privileged identities still refused; review shows what it grants", (t) => {
  const dir = tempDir(t);
  const c = ca(dir, "ca", EC);
  const server = request(dir, "web", "/CN=web", EC, ["-addext", "subjectAltName=DNS:web.example.com"]);
  const signca = ["--ca", c.crt, "--ca-key", c.key];
  const cases: [string[], RegExp][] = [
    [["sign", server, ...signca, "--signer", "local"], /--signer local needs --usages/],
    [["sign", server, ...signca, "--signer", "local", "--usages", "server auth,cert sign"], /usage "cert sign" is not issued by the local signer/],
    [["sign", server, ...signca, "--signer", "local", "--usages", "digital signature"], /usages must include "server auth" or "client auth"/],
    [["sign", server, ...signca, "--san", "extra.example.com"], /--san needs --signer local/],
    [["sign", server, ...signca, "--signer", "local", "--usages", "server auth", "--san", "not a name!"], /--san: "not a name!" is neither an IP address nor a DNS name/],
    [["sign", request(dir, "admin", "/CN=admin/O=system:masters"), ...signca, "--signer", "local", "--usages", "client auth"], /refused: group system:masters/],
  ];
  for (const [args, message] of cases) {
    const r = kubepki(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  // Review: SANs through the default client-only signer are a warning, exit 1; the local signer grants what it says.
  const asClient = kubepki(["csr", "review", server]);
  assert.equal(asClient.code, 1);
  assert.match(asClient.stdout, /! WARNING: the request asks for subject alternative names \(DNS:web\.example\.com\), but kubernetes\.io\/kube-apiserver-client issues client certificates only/);
  const asServer = kubepki(["csr", "review", server, "--signer", "local", "--usages", "digital signature,server auth", "-o", "json"]);
  assert.equal(asServer.code, 0, asServer.stdout);
  assert.deepEqual(JSON.parse(asServer.stdout).items[0].grants, { keyUsage: ["digitalSignature"], extKeyUsage: ["serverAuth"] });
  const out = join(dir, "web.crt");
  assert.equal(kubepki(["sign", server, ...signca, "--signer", "local", "--usages", "digital signature,server auth", "--out", out]).code, 0);
  const f = opensslFields(out);
  assert.equal(f.keyUsage, "Digital Signature");
  assert.equal(f.extKeyUsage, "TLS Web Server Authentication");
  assert.equal(f.basicConstraints, "CA:FALSE");
});

test("Ed25519: a CA and a request made by openssl are read, signed, verified and inspected", (t) => {
  const dir = tempDir(t);
  const c = ca(dir, "edca", ["-algorithm", "ED25519"]);
  const csr = request(dir, "edleaf", "/CN=edleaf", ["-algorithm", "ED25519"], ["-addext", "subjectAltName=DNS:ed.example.com"]);
  const out = join(dir, "edleaf.crt");
  const r = kubepki(["sign", csr, "--ca", c.crt, "--ca-key", c.key, "--signer", "local", "--usages", "digital signature,server auth", "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(openssl(["verify", "-CAfile", c.crt, "-purpose", "sslserver", out]).code, 0);
  assert.equal(opensslFields(out).signatureAlgorithm, "ED25519");
  assert.equal(kubepki(["verify", out, "--ca", c.crt, "--purpose", "server", "--name", "ed.example.com"]).code, 0);
  const inspect = JSON.parse(kubepki(["inspect", out, "-o", "json"]).stdout);
  assert.match(JSON.stringify(inspect), /Ed25519/);
  const pub = kubepki(["key", "public", join(dir, "edleaf.key")]);
  assert.equal(pub.stdout, openssl(["pkey", "-in", join(dir, "edleaf.key"), "-pubout"]).stdout);
  assert.equal(kubepki(["csr", "review", csr, "--signer", "local", "--usages", "server auth"]).code, 0);
});

test("encrypted keys are named as encrypted; --passphrase-file opens them (PKCS#8 and OpenSSL's legacy PEM)", (t) => {
  const dir = tempDir(t);
  const c = ca(dir, "ca", EC);
  writeFileSync(join(dir, "pass"), "correct horse\n");
  writeFileSync(join(dir, "wrong"), "battery staple\n");
  const pkcs8 = join(dir, "ca-pkcs8.key");
  const legacy = join(dir, "ca-legacy.key");
  assert.equal(openssl(["pkey", "-in", c.key, "-aes256", "-passout", "pass:correct horse", "-out", pkcs8]).code, 0);
  assert.equal(openssl(["ec", "-in", c.key, "-aes256", "-passout", "pass:correct horse", "-out", legacy]).code, 0);
  assert.match(readFileSync(pkcs8, "utf8"), /ENCRYPTED PRIVATE KEY/);
  assert.match(readFileSync(legacy, "utf8"), /Proc-Type: 4,ENCRYPTED/);
  const csr = request(dir, "jane", "/CN=jane");
  for (const key of [pkcs8, legacy]) {
    const none = kubepki(["sign", csr, "--ca", c.crt, "--ca-key", key]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /ca-(pkcs8|legacy)\.key is encrypted: pass --passphrase-file FILE/);
    const wrong = kubepki(["sign", csr, "--ca", c.crt, "--ca-key", key, "--passphrase-file", join(dir, "wrong")]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /cannot decrypt it with the passphrase given/);
    assert.doesNotMatch(wrong.stderr + none.stderr, /horse|staple/, "a passphrase is never printed");
    const out = join(dir, "jane.crt");
    const ok = kubepki(["sign", csr, "--ca", c.crt, "--ca-key", key, "--passphrase-file", join(dir, "pass"), "--out", out]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(openssl(["verify", "-CAfile", c.crt, out]).code, 0);
  }
  const pub = kubepki(["key", "public", pkcs8, "--passphrase-file", join(dir, "pass")]);
  assert.equal(pub.stdout, openssl(["pkey", "-in", c.key, "-pubout"]).stdout);
  // A kubeconfig cannot hold an encrypted key: kubectl has no way to ask for the passphrase.
  const conf = kubepki(["user", "kubeconfig", "ca", "--key", pkcs8, "--cert", c.crt, "--ca", c.crt, "--server", "https://127.0.0.1:6443", "--out", join(dir, "x.conf")]);
  assert.equal(conf.code, 2);
  assert.match(conf.stderr, /is encrypted: kubectl cannot use an encrypted key/);
});
