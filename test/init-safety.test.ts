// init is safe to run twice, never clobbers what it did not make, and refuses
// bad input before writing anything.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { BIN, kubepki, openssl, opensslFields, tempDir, snapshot } from "./helpers.ts";

const BASE = ["--node-name", "node1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", "ECDSA-P256"];

test("a second init changes nothing and says every file was kept", (t) => {
  const out = tempDir(t);
  assert.equal(kubepki(["init", "--out", out, ...BASE]).code, 0);
  const before = snapshot(out);
  const again = kubepki(["init", "--out", out, ...BASE, "-o", "json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(snapshot(out), before);
  const actions = JSON.parse(again.stdout).items.map((i: { action: string }) => i.action);
  assert.ok(actions.every((a: string) => a === "keep"), actions.join(","));
  const asYaml = kubepki(["init", "--out", out, ...BASE, "-o", "yaml"]);
  assert.equal(asYaml.code, 0, asYaml.stderr);
  assert.deepEqual(parse(asYaml.stdout), JSON.parse(again.stdout), "-o yaml says what -o json says");
});

test("a certificate that does not match is reported and left alone; --force backs it up and replaces it", (t) => {
  const out = tempDir(t);
  assert.equal(kubepki(["init", "--out", out, ...BASE]).code, 0);
  const pki = join(out, "pki");
  // Someone's own apiserver certificate, made with openssl and signed by the cluster CA, lacking the kubernetes.default names.
  openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(pki, "apiserver.key"), "-subj", "/CN=kube-apiserver", "-out", join(out, "a.csr")]);
  const signed = openssl(["x509", "-req", "-in", join(out, "a.csr"), "-CA", join(pki, "ca.crt"), "-CAkey", join(pki, "ca.key"), "-days", "30", "-out", join(pki, "apiserver.crt")]);
  assert.equal(signed.code, 0, signed.stderr);
  const mine = snapshot(out);

  const run = kubepki(["init", "--out", out, ...BASE]);
  assert.equal(run.code, 1, "a conflict exits 1");
  assert.match(run.stdout, /CONFLICT\s+pki\/apiserver\.crt/);
  assert.match(run.stdout, /SANs lack DNS:kubernetes/);
  assert.deepEqual(snapshot(out), mine, "nothing changed without --force");

  const forced = kubepki(["init", "--out", out, ...BASE, "--force"]);
  assert.equal(forced.code, 0, forced.stderr);
  const backups = readdirSync(join(out, "kubepki-backup"));
  assert.equal(backups.length, 1);
  const backup = join(out, "kubepki-backup", backups[0]);
  for (const f of ["pki/apiserver.crt", "pki/apiserver.key"]) {
    assert.equal(snapshot(backup)[f], mine[f], `${f} backed up byte-identical with its mode`);
  }
  assert.match(opensslFields(join(pki, "apiserver.crt")).san ?? "", /DNS:kubernetes\.default\.svc\.cluster\.local/);
  assert.equal(statSync(join(pki, "apiserver.key")).mode & 0o777, 0o600);
});

test("an external CA (ca.crt without ca.key) is used as is; leaves it cannot sign are reported", (t) => {
  const out = tempDir(t);
  const pki = join(out, "pki");
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(out, "ext-ca.key"), "-subj", "/CN=corp-ca", "-days", "30", "-addext", "keyUsage=critical,keyCertSign,digitalSignature", "-out", join(out, "ca.crt")]);
  // Place only the certificate, as an organisation's CA would hand it over.
  mkdirSync(pki, { recursive: true });
  copyFileSync(join(out, "ca.crt"), join(pki, "ca.crt"));
  const run = kubepki(["init", "--out", out, ...BASE]);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /external\s+pki\/ca\.crt/);
  assert.match(run.stdout, /BLOCKED\s+pki\/apiserver\.crt/);
  assert.match(run.stdout, /no private key \(external CA\)/);
  assert.ok(!existsSync(join(pki, "ca.key")), "no CA key invented");
  assert.ok(!existsSync(join(pki, "apiserver.crt")));
  // The other CAs are still issued.
  assert.ok(existsSync(join(pki, "etcd", "server.crt")));
});

test("--dry-run prints the plan with subjects, SANs, issuers and files, and writes nothing", (t) => {
  const out = join(tempDir(t), "new");
  const run = kubepki(["init", "--out", out, ...BASE, "--dry-run"]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!existsSync(out), "nothing written");
  assert.match(run.stdout, /apiserver: would create\n {2}subject {3}CN=kube-apiserver\n {2}issuer {4}ca\n {2}SANs {6}DNS:kubernetes, .*IP:10\.96\.0\.1, IP:10\.0\.0\.10/);
  assert.match(run.stdout, /files {5}pki\/etcd\/server\.crt pki\/etcd\/server\.key/);
});

const BAD: [string[], RegExp][] = [
  [["--service-cidr", "10.96.0.0/33"], /--service-cidr: "10\.96\.0\.0\/33" is not a CIDR/],
  [["--service-cidr", "banana"], /--service-cidr/],
  [["--apiserver-advertise-address", "10.0.0.300"], /--apiserver-advertise-address: "10\.0\.0\.300" is not an IP address/],
  [["--apiserver-cert-extra-sans", "ok.example.com,bad_name!"], /--apiserver-cert-extra-sans: "bad_name!"/],
  [["--cert-validity", "5x"], /--cert-validity: invalid duration "5x"/],
  [["--ca-validity=-1h"], /--ca-validity: invalid duration "-1h"/],
  [["--ca-validity", "0h"], /--ca-validity: duration must be positive/],
  [["--encryption-algorithm", "RSA-1024"], /--encryption-algorithm: unknown algorithm "RSA-1024"/],
  [["--profile", "k3s"], /--profile: unknown profile "k3s"/],
  [["--apiserver-bind-port", "70000"], /--apiserver-bind-port/],
  [["--control-plane-endpoint", "lb.example.com:http"], /--control-plane-endpoint: invalid port/],
  [["--node-name", "Node_1"], /--node-name/],
  [["--no-such-flag"], /unknown option '--no-such-flag'/i],
  [["--config", "/nonexistent/kubeadm.yaml"], /--config: cannot read \/nonexistent\/kubeadm\.yaml: no such file or directory/],
];

for (const [args, message] of BAD) {
  test(`bad input ${args.join(" ")}: one error line, exit 2, nothing written`, (t) => {
    const out = join(tempDir(t), "out");
    const run = kubepki(["init", "--out", out, ...args]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.match(run.stderr, /^error: [^\n]+\n(hint: [^\n]+\n)?$/, "one error line, an optional hint, no stack trace");
    assert.equal(run.stdout, "");
    assert.ok(!existsSync(out), "nothing written");
  });
}

const CONFIGS: [string, string, RegExp][] = [
  ["wrong apiVersion", "apiVersion: kubeadm.k8s.io/v1beta2\nkind: ClusterConfiguration\n", /apiVersion: "kubeadm\.k8s\.io\/v1beta2" is not supported/],
  ["bad subnet", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking:\n  serviceSubnet: 10.96.0.0/40\n", /networking\.serviceSubnet: "10\.96\.0\.0\/40" is not a CIDR/],
  ["bad SAN", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\napiServer:\n  certSANs: [\"under_score\"]\n", /apiServer\.certSANs: "under_score"/],
  ["bad type", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\napiServer:\n  certSANs: lb.example.com\n", /apiServer\.certSANs: /],
  ["typo in kubepki file", "apiVersion: kubepki.io/v1alpha1\nkind: ClusterPKI\ncontrolPlanes: []\n", /unknown field "controlPlanes"/],
  ["not YAML", "{{{{", /invalid YAML/],
  ["nothing known", "apiVersion: v1\nkind: ConfigMap\n", /no InitConfiguration, ClusterConfiguration or ClusterPKI/],
];

for (const [name, text, message] of CONFIGS) {
  test(`--config with ${name}: one error line naming the field, exit 2, nothing written`, (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, "c.yaml"), text);
    const run = kubepki(["init", "--out", join(dir, "out"), "--config", join(dir, "c.yaml")]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.equal(run.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1);
    assert.ok(!existsSync(join(dir, "out")));
  });
}

test("killing init at any moment leaves only whole files: every certificate and key parses", async (t) => {
  const out = tempDir(t);
  for (const delay of [40, 120, 200, 260, 330, 420]) {
    const child = spawn(process.execPath, [BIN, "init", "--out", out, "--force", ...BASE.slice(0, 4), "--encryption-algorithm", "RSA-2048"]);
    await new Promise((r) => setTimeout(r, delay));
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
  }
  for (const [file] of Object.entries(snapshot(out))) {
    const p = join(out, file);
    assert.doesNotMatch(file, /kubepki-tmp$/, "no temporary file left behind");
    if (file.endsWith(".crt")) assert.equal(openssl(["x509", "-in", p, "-noout"]).code, 0, `${file} parses`);
    if (file.endsWith(".key")) assert.equal(openssl(["pkey", "-in", p, "-noout"]).code, 0, `${file} parses`);
  }
  // And a normal run afterwards completes the set.
  const finish = kubepki(["init", "--out", out, "--force", ...BASE.slice(0, 4), "--encryption-algorithm", "RSA-2048"]);
  assert.equal(finish.code, 0, finish.stdout + finish.stderr);
  assert.ok(existsSync(join(out, "pki", "apiserver.crt")));
});

