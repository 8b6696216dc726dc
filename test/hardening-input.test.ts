// Hostile input (issue 11, items 3 and 4): devices, FIFOs, huge files, YAML alias bombs,
// megabytes of BEGIN lines, deep DER, and control characters in names. Each is answered by
// the real CLI, under a 256 MB heap, within seconds, with one line and exit 2 — or, for
// names, with escaped text and the true value in -o json. Inputs are made with openssl.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { terminalSafe, terminalSafeDeep, terminalSafeLines, terminalSafeStyled } from "../src/text.ts";
import { BIN, openssl, sh, tempDir, type Run } from "./helpers.ts";

/** The CLI under a 256 MB heap, with a wall-clock limit; returns what it did and how long it took. */
function bounded(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number } = {}): Run & { ms: number } {
  const start = performance.now();
  const r = spawnSync(process.execPath, ["--max-old-space-size=256", BIN, ...args], {
    encoding: "utf8", timeout: options.timeoutMs ?? 20_000, input: options.input, maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  const ms = performance.now() - start;
  assert.equal(r.error, undefined, `kubepki ${args.join(" ")} did not finish: ${r.error}`);
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), ms };
}

/** One `error: …` line (and at most a hint), exit 2, nothing on stdout. */
function refused(r: Run & { ms: number }, what: RegExp, maxMs = 10_000): void {
  assert.equal(r.code, 2, `exit 2 expected, got ${r.code}: ${r.stderr}${r.stdout.slice(0, 500)}`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.match(lines[0], /^error: /, r.stderr);
  assert.ok(lines.length === 1 || (lines.length === 2 && lines[1].startsWith("hint: ")), `one line: ${r.stderr}`);
  assert.match(r.stderr, what);
  assert.ok(r.ms < maxMs, `took ${r.ms} ms`);
}

function ecCertificate(dir: string, subject: string, name = "c"): { crt: string; key: string } {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  const r = openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt, "-subj", subject, "-days", "30", "-utf8"]);
  assert.equal(r.code, 0, r.stderr);
  return { crt, key };
}

function kubeconfig(path: string, ca: string, cert: string, key: string): void {
  writeFileSync(path, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443", certificate-authority: "${ca}"}}]
users: [{name: u, user: {client-certificate: "${cert}", client-key: "${key}"}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
}

test("a kubeconfig naming /dev/zero, /dev/urandom or a FIFO: refused by type, at once, one line", (t) => {
  const dir = tempDir(t);
  const { crt, key } = ecCertificate(dir, "/CN=ok");
  const fifo = join(dir, "fifo");
  sh("mkfifo", [fifo], { check: true });
  for (const [bad, kind] of [["/dev/zero", /character device/], ["/dev/urandom", /character device/], [fifo, /FIFO/]] as const) {
    const asCA = join(dir, "ca.conf");
    kubeconfig(asCA, bad, crt, key);
    refused(bounded(["inspect", "--kubeconfig", asCA]), kind);
    refused(bounded(["inspect", asCA]), kind);
    const asCert = join(dir, "cert.conf");
    kubeconfig(asCert, crt, bad, key);
    refused(bounded(["inspect", "--kubeconfig", asCert]), kind);
    // The node checker reads the same files: it reports the file, it does not hang on it.
    const root = join(dir, `root-${kind.source.replace(/\W/g, "")}`);
    mkdirSync(join(root, "etc", "kubernetes", "pki"), { recursive: true });
    kubeconfig(join(root, "etc", "kubernetes", "admin.conf"), bad, bad, bad);
    const check = bounded(["check", "--root", root, "-o", "json"]);
    assert.ok(check.ms < 15_000 && (check.code === 1 || check.code === 2), `check: ${check.code} ${check.stderr}`);
  }
  // Named directly, and as the file to merge into.
  refused(bounded(["inspect", "/dev/zero"]), /\/dev\/zero: a character device, not a regular file/);
  refused(bounded(["inspect", fifo]), /FIFO/);
  refused(bounded(["csr", "review", "/dev/urandom"]), /character device/);
  refused(bounded(["csr", "review", fifo]), /FIFO/);
});

test("a node whose kubeconfigs name /dev/zero and a FIFO: check and renew --dry-run finish, they do not hang", (t) => {
  const dir = tempDir(t);
  const tree = join(dir, "k");
  const init = bounded(["init", "--out", tree, "--encryption-algorithm", "ECDSA-P256"], { timeoutMs: 60_000 });
  assert.equal(init.code, 0, init.stderr);
  const fifo = join(dir, "fifo");
  sh("mkfifo", [fifo], { check: true });
  kubeconfig(join(tree, "scheduler.conf"), "/dev/zero", fifo, "/dev/urandom");
  const flags = ["--cert-dir", join(tree, "pki"), "--kubeconfig-dir", tree];
  const check = bounded(["check", ...flags]);
  assert.equal(check.code, 1, check.stderr);
  assert.match(check.stdout, /scheduler\.conf/);
  const renew = bounded(["renew", "all", ...flags, "--dry-run"]);
  assert.ok(renew.code === 0 || renew.code === 1 || renew.code === 2, renew.stderr);
  assert.ok(!/Maximum call stack|heap/.test(renew.stderr), renew.stderr);
});

test("the process's own pipes stay readable: csr review - and /dev/stdin, inspect -", (t) => {
  const dir = tempDir(t);
  const { crt } = ecCertificate(dir, "/CN=piped");
  const pem = sh("cat", [crt], { check: true }).stdout;
  const r = bounded(["inspect", "/dev/stdin"], { input: pem });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /CN=piped/);
  const dash = bounded(["inspect", "-"], { input: pem });
  assert.equal(dash.code, 0, dash.stderr);
  // "-" is standard input wherever a file is read (DESIGN.md), as the refusal's hint says.
  const key = join(dir, "r.key");
  const csr = join(dir, "r.csr");
  assert.equal(openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=piped"]).code, 0);
  const request = sh("cat", [csr], { check: true }).stdout;
  for (const path of ["-", "/dev/stdin"]) {
    const review = bounded(["csr", "review", path], { input: request });
    assert.match(review.stdout, /user \(CN\)\s+piped/, review.stderr);
  }
});

test("size limits: 16 MiB by default with a clear error, KUBEPKI_MAX_INPUT_BYTES raises or lowers them, stdin too", (t) => {
  const dir = tempDir(t);
  const big = join(dir, "big.pem");
  writeFileSync(big, Buffer.alloc((16 << 20) + 1, 0x41));
  refused(bounded(["inspect", big]), /big\.pem: larger than the 16 MiB limit for one input/);
  refused(bounded(["csr", "review", big]), /larger than the 16 MiB limit/);
  const { crt } = ecCertificate(dir, "/CN=small");
  refused(bounded(["inspect", crt], { env: { KUBEPKI_MAX_INPUT_BYTES: "100" } }), /larger than the 100-byte limit/);
  assert.equal(bounded(["inspect", crt], { env: { KUBEPKI_MAX_INPUT_BYTES: "1Mi" } }).code, 0);
  refused(bounded(["inspect", crt], { env: { KUBEPKI_MAX_INPUT_BYTES: "lots" } }), /KUBEPKI_MAX_INPUT_BYTES=lots: not a size/);
  refused(bounded(["inspect", "-"], { input: Buffer.alloc(4096, 0x41), env: { KUBEPKI_MAX_INPUT_BYTES: "1Ki" } }), /\(stdin\): larger than the 1 KiB limit/);
  refused(bounded(["explain", "--log", "-"], { input: "x".repeat(4096), env: { KUBEPKI_MAX_INPUT_BYTES: "1Ki" } }), /larger than the 1 KiB limit/);
});

/** Nine anchors of nine aliases each: 9^9 nodes once expanded. */
function aliasBomb(indent: string): string {
  const names = "abcdefghi";
  const lines = [`${indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < 9; i++) lines.push(`${indent}${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(",")}]`);
  return lines.join("\n");
}

test("YAML alias bombs (9x9) in a CSR object, a manifest and a kubeconfig merge: one line, exit 2, fast", (t) => {
  const dir = tempDir(t);
  const csr = join(dir, "csr.yaml");
  writeFileSync(csr, `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: jane
spec:
${aliasBomb("  ")}
  request: AAAA
  signerName: kubernetes.io/kube-apiserver-client
  usages: *i
`);
  refused(bounded(["csr", "review", csr]), /alias/, 3000);
  // A CA for sign and for the merge, made by openssl.
  const pki = join(dir, "pki");
  mkdirSync(pki);
  ecCertificate(pki, "/CN=kubernetes", "ca");
  refused(bounded(["sign", csr, "--cert-dir", pki]), /alias/, 3000);

  const manifest = join(dir, "kube-apiserver.yaml");
  writeFileSync(manifest, `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
${aliasBomb("  ")}
spec:
  containers: [{name: kube-apiserver, command: *i}]
`);
  const m = bounded(["inspect", manifest]);
  refused(m, /alias/, 3000);

  const config = join(dir, "config");
  writeFileSync(config, `apiVersion: v1
kind: Config
${aliasBomb("")}
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443", extensions: *i}}]
users: []
contexts: []
`);
  const merge = bounded(["kubeconfig", "--client-name", "jane", "--kubeconfig", config, "--server", "https://127.0.0.1:6443", "--cert-dir", pki, "--algorithm", "ECDSA-P256"]);
  refused(merge, /alias/, 3000);
  // …and the kubeconfig to merge into may not be a FIFO either.
  const fifo = join(dir, "fifo.conf");
  sh("mkfifo", [fifo], { check: true });
  refused(bounded(["kubeconfig", "--client-name", "jane", "--kubeconfig", fifo, "--server", "https://127.0.0.1:6443", "--cert-dir", pki, "--algorithm", "ECDSA-P256"]), /FIFO/, 3000);
  // A self-referring alias is refused too.
  const loop = join(dir, "loop.yaml");
  writeFileSync(loop, "apiVersion: v1\nkind: Config\nclusters: &x [*x]\n");
  assert.match(bounded(["inspect", "-o", "json", loop]).stdout, /alias refers to the node that contains it/);
});

test("PEM: 1 MB of BEGIN lines in well under a second; a 100 MB bundle is a clean refusal, not a stack overflow", (t) => {
  const dir = tempDir(t);
  const begins = join(dir, "begins.pem");
  writeFileSync(begins, "-----BEGIN CERTIFICATE-----\n".repeat((1 << 20) / 28));
  refused(bounded(["inspect", begins]), /truncated PEM/, 3000);
  // Blocks that each start and never end, and BEGINs inside a block's body.
  const nested = join(dir, "nested.pem");
  writeFileSync(nested, `${"-----BEGIN CERTIFICATE-----\nAAAA\n".repeat(30000)}-----END CERTIFICATE-----\n`);
  refused(bounded(["inspect", nested]), /invalid base64|truncated/, 3000);

  const { crt } = ecCertificate(dir, "/CN=bundle");
  const one = sh("cat", [crt], { check: true }).stdout;
  const huge = join(dir, "huge.pem");
  writeFileSync(huge, one.repeat(Math.ceil((100 << 20) / one.length)));
  refused(bounded(["inspect", huge]), /larger than the 16 MiB limit/, 5000);
});

test("DER nested a million levels deep: refused before a recursive parser sees it", (t) => {
  const dir = tempDir(t);
  // SEQUENCE { SEQUENCE { … } } with 4-byte lengths, 200000 levels.
  const depth = 200_000;
  const der = Buffer.alloc(depth * 6);
  for (let i = 0; i < depth; i++) {
    der[i * 6] = 0x30;
    der[i * 6 + 1] = 0x84;
    der.writeUInt32BE((depth - i - 1) * 6, i * 6 + 2);
  }
  writeFileSync(join(dir, "deep.der"), der);
  refused(bounded(["inspect", join(dir, "deep.der")]), /DER nested deeper than 32 levels/, 3000);
  const b64 = der.toString("base64").replace(/.{64}/g, "$&\n");
  writeFileSync(join(dir, "deep.csr"), `-----BEGIN CERTIFICATE REQUEST-----\n${b64}\n-----END CERTIFICATE REQUEST-----\n`);
  refused(bounded(["inspect", join(dir, "deep.csr")]), /DER nested deeper/, 3000);
  refused(bounded(["csr", "review", join(dir, "deep.csr")]), /not a valid PKCS#10/, 3000);
});

test("control characters in a CN and SANs are shown as \\x1b in text, kept in -o json; csr review still shows PRIVILEGED", (t) => {
  const dir = tempDir(t);
  const esc = "\x1b";
  // openssl writes the escape into the certificate; openssl itself reads it back.
  const { crt } = ecCertificate(dir, `/CN=jane${esc}[8m/O=system:masters`);
  assert.match(openssl(["x509", "-in", crt, "-noout", "-subject"]).stdout, /jane\\1B\[8m/);

  const text = bounded(["inspect", crt]);
  assert.equal(text.code, 0, text.stderr);
  assert.ok(!text.stdout.includes(esc), "no raw escape in text");
  assert.match(text.stdout, /jane\\x1b\[8m/);
  for (const flag of ["--text", "--short"]) {
    const r = bounded(["inspect", flag, crt]);
    assert.ok(!r.stdout.includes(esc), `no raw escape with ${flag}`);
  }
  const json = JSON.parse(bounded(["inspect", "-o", "json", crt]).stdout);
  assert.equal(json.certificates[0].subject.commonName, `jane${esc}[8m`);

  const key = join(dir, "req.key");
  const csr = join(dir, "req.csr");
  assert.equal(openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj", `/CN=jane${esc}[8m/O=system:masters`]).code, 0);
  const review = bounded(["csr", "review", csr]);
  assert.ok(!review.stdout.includes(esc));
  assert.match(review.stdout, /jane\\x1b\[8m/);
  assert.match(review.stdout, /! PRIVILEGED/);
  assert.match(review.stdout, /Do not approve/);
  assert.equal(JSON.parse(bounded(["csr", "review", "-o", "json", csr]).stdout).items[0].user, `jane${esc}[8m`);
  // A file name with an escape, in an error line.
  const odd = join(dir, `bad${esc}]52;c;aGk=${"\x07"}.pem`);
  writeFileSync(odd, "not pem");
  const err = bounded(["csr", "review", odd]);
  assert.equal(err.code, 2);
  assert.ok(!err.stderr.includes(esc) && !err.stderr.includes("\x07"), err.stderr);
  assert.match(err.stderr, /bad\\x1b\]52;c;aGk=\\x07\.pem/);
});

test("explain shows an OSC 52 clipboard write and a cursor move as text; -o json keeps the line", () => {
  const line = "x509: certificate signed by unknown authority \x1b]52;c;cm0gLXJmIH4=\x07 \x1b[2K\x1b[1A";
  const r = bounded(["explain", line]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(r.stdout), JSON.stringify(r.stdout));
  assert.match(r.stdout, /\\x1b\]52;c;cm0gLXJmIH4=\\x07/);
  const data = JSON.parse(bounded(["explain", "-o", "json", line]).stdout);
  assert.ok(data.entries[0].sample.includes("\x1b]52;c;"));
});

test("terminalSafeDeep escapes every string and keeps Buffers, Dates and sharing; table cells keep only kubepki's colours", () => {
  const shared = { name: "a\x1b[8mb" };
  const when = new Date(0);
  const buf = Buffer.from("\x1b");
  const out = terminalSafeDeep({ list: [shared, shared], when, buf, n: 1 });
  assert.equal(out.list[0].name, "a\\x1b[8mb");
  assert.equal(out.list[0], out.list[1]);
  assert.equal(out.when, when);
  assert.equal(out.buf, buf);
  assert.equal(shared.name, "a\x1b[8mb", "the input is not changed");
  const loop: { self?: unknown; s: string } = { s: "\r" };
  loop.self = loop;
  const l = terminalSafeDeep(loop);
  assert.equal(l.s, "\\x0d");
  assert.equal(l.self, l);
  assert.equal(terminalSafeStyled("\x1b[31mERROR\x1b[39m jane\x1b[8m"), "\x1b[31mERROR\x1b[39m jane\\x1b[8m");
  assert.equal(terminalSafe("ok"), "ok");
  assert.equal(terminalSafeLines("a\n\x1b[1mb\x1b[22m\x1b]52;c;x\x07"), "a\n\x1b[1mb\x1b[22m\\x1b]52;c;x\\x07");
  assert.equal(terminalSafeLines("plain\ntext"), "plain\ntext");
});
