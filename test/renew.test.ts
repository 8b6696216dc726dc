// kubepki renew: identity kept and proven with openssl, kubeconfigs renewed in
// place, backups byte-identical, all-or-nothing under a kill, and the renewed
// certificates accepted by real etcd and kubectl.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test, type TestContext } from "node:test";
import { tmpdir } from "node:os";
import { parse } from "yaml";
import { background, BIN, freePort, kubepki, openssl, opensslFields, sh, tempDir, waitFor, snapshot } from "./helpers.ts";

const LEAVES = ["apiserver", "apiserver-kubelet-client", "front-proxy-client", "etcd/server", "etcd/peer", "etcd/healthcheck-client", "apiserver-etcd-client"];
const KUBECONFIGS = ["admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf"];

/** A kubeadm node at ROOT/etc/kubernetes, issued once and copied per test. */
let template: string;
before(() => {
  template = mkdtempSync(join(tmpdir(), "kubepki-renew-template-"));
  const r = kubepki(["init", "--out", join(template, "etc", "kubernetes"), "--node-name", "cp1", "--apiserver-advertise-address", "127.0.0.1", "--encryption-algorithm", "ECDSA-P256"]);
  assert.equal(r.code, 0, r.stderr);
});
after(() => rmSync(template, { recursive: true, force: true }));

function node(t: TestContext): string {
  const root = tempDir(t);
  cpSync(template, root, { recursive: true });
  return root;
}

const pubkey = (file: string) => openssl(["x509", "-in", file, "-noout", "-pubkey"]).stdout;
const userCert = (conf: string) => {
  const doc = parse(readFileSync(conf, "utf8"));
  return Buffer.from(doc.users[0].user["client-certificate-data"], "base64").toString();
};

test("renew all: same subject, SANs and usages, new serial, key and validity, signed by the same CA; backups byte-identical", (t) => {
  const root = node(t);
  const k8s = join(root, "etc", "kubernetes");
  const before = snapshot(k8s);
  const old = Object.fromEntries(LEAVES.map((b) => [b, opensslFields(join(k8s, "pki", `${b}.crt`))]));
  const run = kubepki(["renew", "all", "--root", root]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /You must restart these components/);
  // init writes no manifests: kubepki says it cannot know how the API server runs instead of guessing a path.
  assert.match(run.stdout, /kube-apiserver \(apiserver, apiserver-kubelet-client, front-proxy-client, apiserver-etcd-client\)\n {4}no static pod manifest for kube-apiserver was found in \/etc\/kubernetes\/manifests: restart it however it runs on this node/);
  assert.match(run.stdout, /kubelet \(kubelet\.conf\)\n {4}systemctl restart kubelet/);
  for (const base of LEAVES) {
    const file = join(k8s, "pki", `${base}.crt`);
    const now = opensslFields(file);
    for (const field of ["subject", "issuer", "san", "extKeyUsage", "keyUsage", "basicConstraints"] as const) assert.equal(now[field], old[base][field], `${base} ${field}`);
    assert.notEqual(now.serial, old[base].serial, `${base} serial`);
    assert.ok(now.notAfter >= old[base].notAfter, `${base} fresh validity`);
    const ca = base.startsWith("etcd/") || base === "apiserver-etcd-client" ? "etcd/ca" : base === "front-proxy-client" ? "front-proxy-ca" : "ca";
    assert.equal(openssl(["verify", "-CAfile", join(k8s, "pki", `${ca}.crt`), file]).code, 0, `${base} verifies`);
    // The new key belongs to the new certificate.
    assert.equal(openssl(["pkey", "-in", join(k8s, "pki", `${base}.key`), "-pubout"]).stdout, pubkey(file), `${base} key pair`);
    assert.equal(statSync(join(k8s, "pki", `${base}.key`)).mode & 0o777, 0o600);
  }
  // CAs and the sa key are untouched.
  const after = snapshot(k8s);
  for (const f of ["pki/ca.crt", "pki/ca.key", "pki/etcd/ca.crt", "pki/front-proxy-ca.key", "pki/sa.key", "pki/sa.pub"]) assert.equal(after[f], before[f], f);
  // Every replaced file is in the backup, byte-identical and with its mode.
  const backups = readdirSync(join(k8s, "kubepki-backup"));
  assert.equal(backups.length, 1);
  const saved = snapshot(join(k8s, "kubepki-backup", backups[0], "etc", "kubernetes"));
  for (const f of [...LEAVES.flatMap((b) => [`pki/${b}.crt`, `pki/${b}.key`]), ...KUBECONFIGS]) assert.equal(saved[f], before[f], `${f} backed up`);
});

test("kubeconfigs are renewed in place: only the user's certificate and key change; kubectl reads them", (t) => {
  const root = node(t);
  const k8s = join(root, "etc", "kubernetes");
  const old = parse(readFileSync(join(k8s, "admin.conf"), "utf8"));
  const oldCert = userCert(join(k8s, "admin.conf"));
  assert.equal(kubepki(["renew", "admin.conf", "scheduler.conf", "--root", root]).code, 0);
  const now = parse(readFileSync(join(k8s, "admin.conf"), "utf8"));
  assert.notEqual(now.users[0].user["client-certificate-data"], old.users[0].user["client-certificate-data"]);
  assert.notEqual(now.users[0].user["client-key-data"], old.users[0].user["client-key-data"]);
  for (const doc of [old, now]) {
    delete doc.users[0].user["client-certificate-data"];
    delete doc.users[0].user["client-key-data"];
  }
  assert.deepEqual(now, old, "everything else is as it was");
  const cert = join(root, "admin.crt");
  writeFileSync(cert, userCert(join(k8s, "admin.conf")));
  writeFileSync(join(root, "old.crt"), oldCert);
  assert.equal(opensslFields(cert).subject, opensslFields(join(root, "old.crt")).subject);
  const view = sh("kubectl", ["--kubeconfig", join(k8s, "admin.conf"), "config", "view", "-o", "jsonpath={.users[0].name}"]);
  assert.equal(view.stdout, "kubernetes-admin", view.stderr);
  assert.equal(statSync(join(k8s, "admin.conf")).mode & 0o777, 0o600);
  // Not named: untouched.
  assert.ok(readFileSync(join(k8s, "controller-manager.conf")).equals(readFileSync(join(template, "etc", "kubernetes", "controller-manager.conf"))));
});

test("--reuse-key keeps the key; --expiring-within renews only what is due; --dry-run changes nothing", (t) => {
  const root = node(t);
  const k8s = join(root, "etc", "kubernetes");
  const key = readFileSync(join(k8s, "pki", "apiserver.key"));
  assert.equal(kubepki(["renew", "apiserver", "--root", root, "--reuse-key"]).code, 0);
  assert.ok(readFileSync(join(k8s, "pki", "apiserver.key")).equals(key), "same key");
  assert.equal(openssl(["pkey", "-in", join(k8s, "pki", "apiserver.key"), "-pubout"]).stdout, pubkey(join(k8s, "pki", "apiserver.crt")));

  const before = snapshot(k8s);
  const dry = kubepki(["renew", "all", "--root", root, "--dry-run", "--expiring-within", "30d", "--now", new Date(Date.now() + 340 * 86_400_000).toISOString(), "-o", "json"]);
  assert.equal(dry.code, 0, dry.stderr);
  const actions = JSON.parse(dry.stdout).items.map((i: { name: string; action: string }) => `${i.name}:${i.action}`);
  assert.ok(actions.includes("etcd-server:renew") && actions.includes("admin.conf:renew"), actions.join(" "));
  assert.deepEqual(snapshot(k8s), before, "dry run wrote nothing");
  const notDue = kubepki(["renew", "all", "--root", root, "--expiring-within", "30d", "-o", "json"]);
  assert.equal(notDue.code, 0, notDue.stderr);
  assert.ok(JSON.parse(notDue.stdout).items.every((i: { action: string; reason: string }) => i.action === "skip" && /^not due/.test(i.reason)));
  assert.deepEqual(snapshot(k8s), before, "nothing due, nothing written");
});

test("an external CA (no ca.key) is refused, naming it, and nothing changes; CAs and unknown names are refused", (t) => {
  const root = node(t);
  const k8s = join(root, "etc", "kubernetes");
  rmSync(join(k8s, "pki", "ca.key"));
  const before = snapshot(k8s);
  const run = kubepki(["renew", "all", "--root", root]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^error: apiserver: detected external CA ca \(.*ca\.crt has no key\), so apiserver can't be renewed here\n/);
  assert.deepEqual(snapshot(k8s), before);
  assert.match(kubepki(["renew", "ca", "--root", root]).stderr, /ca is a CA; CAs are not renewed here/);
  assert.match(kubepki(["renew", "apiserverr", "--root", root]).stderr, /unknown certificate "apiserverr"/);
  assert.match(kubepki(["renew", "--root", root]).stderr, /name the certificates to renew, or all/);
  assert.equal(kubepki(["renew", "all", "--root", root, "--expiring-within", "5x"]).code, 2);
});

test("a kill in the middle of writing leaves the previous set after the next run; --restore puts a backup back", (t) => {
  const root = node(t);
  const k8s = join(root, "etc", "kubernetes");
  const before = snapshot(k8s);
  // Killed after 5 of 24 files: apiserver's pair, apiserver-kubelet-client's pair and one more key are new.
  const killed = spawnSync(process.execPath, [BIN, "renew", "all", "--root", root], { env: { ...process.env, KUBEPKI_TEST_CRASH_AFTER_WRITES: "5" } });
  assert.equal(killed.signal, "SIGKILL");
  assert.notEqual(snapshot(k8s)["pki/apiserver.crt"], before["pki/apiserver.crt"], "the kill landed mid-way");
  const next = kubepki(["renew", "all", "--root", root, "--expiring-within", "1s"]);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stdout, /An interrupted renewal was rolled back first/);
  const after = snapshot(k8s);
  for (const [f, sum] of Object.entries(before)) assert.equal(after[f], sum, `${f} is the previous file again`);

  assert.equal(kubepki(["renew", "apiserver", "etcd-server", "--root", root]).code, 0);
  const renewed = snapshot(k8s);
  assert.notEqual(renewed["pki/apiserver.crt"], before["pki/apiserver.crt"]);
  const backupRoot = join(k8s, "kubepki-backup");
  const latest = readdirSync(backupRoot).sort().at(-1)!;
  const restore = kubepki(["renew", "--restore", join(backupRoot, latest), "--root", root]);
  assert.equal(restore.code, 0, restore.stderr);
  const back = snapshot(k8s);
  for (const f of ["pki/apiserver.crt", "pki/apiserver.key", "pki/etcd/server.crt", "pki/etcd/server.key"]) assert.equal(back[f], before[f], `${f} restored`);
});

test("renewed certificates pass the real peers again: etcd with mutual TLS, kubectl against openssl s_server", async (t) => {
  const root = node(t);
  const k8s = join(root, "etc", "kubernetes");
  const pki = (f: string) => join(k8s, "pki", f);
  assert.equal(kubepki(["renew", "all", "--root", root]).code, 0);

  const [client, peer, metrics] = [await freePort(), await freePort(), await freePort()];
  const etcd = background(t, "etcd", [
    "--name", "cp1", "--data-dir", join(root, "etcd-data"),
    "--listen-client-urls", `https://127.0.0.1:${client}`, "--advertise-client-urls", `https://127.0.0.1:${client}`,
    "--listen-peer-urls", `https://127.0.0.1:${peer}`, "--initial-advertise-peer-urls", `https://127.0.0.1:${peer}`,
    "--initial-cluster", `cp1=https://127.0.0.1:${peer}`, "--listen-metrics-urls", `http://127.0.0.1:${metrics}`,
    "--client-cert-auth", "--trusted-ca-file", pki("etcd/ca.crt"), "--cert-file", pki("etcd/server.crt"), "--key-file", pki("etcd/server.key"),
    "--peer-client-cert-auth", "--peer-trusted-ca-file", pki("etcd/ca.crt"), "--peer-cert-file", pki("etcd/peer.crt"), "--peer-key-file", pki("etcd/peer.key"),
  ]);
  const etcdctl = (cert: string, ...args: string[]) =>
    sh("etcdctl", ["--endpoints", `https://127.0.0.1:${client}`, "--cacert", pki("etcd/ca.crt"), "--cert", pki(`${cert}.crt`), "--key", pki(`${cert}.key`), "--dial-timeout", "3s", ...args], { env: { ...process.env, ETCDCTL_API: "3" } });
  await waitFor(() => etcdctl("etcd/healthcheck-client", "endpoint", "health").code === 0, 30_000, `etcd to be healthy: ${etcd.output().slice(-800)}`);
  assert.equal(etcdctl("apiserver-etcd-client", "put", "renewed", "yes").code, 0);
  assert.equal(etcdctl("apiserver-etcd-client", "get", "renewed", "--print-value-only").stdout.trim(), "yes");

  const port = await freePort();
  const server = background(t, "openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", pki("apiserver.crt"), "-key", pki("apiserver.key"), "-CAfile", pki("ca.crt"), "-Verify", "1", "-verify_return_error", "-www"]);
  await waitFor(() => /ACCEPT/.test(server.output()), 10_000, "s_server");
  const r = sh("kubectl", ["--kubeconfig", join(k8s, "admin.conf"), "--server", `https://127.0.0.1:${port}`, "--request-timeout", "5s", "get", "--raw", "/"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /s_server/);
  assert.ok(existsSync(join(k8s, "kubepki-backup")));
});

test("the hard way: renew finds its files and says to restart the systemd units", (t) => {
  const root = tempDir(t);
  assert.equal(kubepki(["init", "--profile", "hard-way", "--out", join(root, "etc", "kubernetes"), "--node-name", "n1", "--apiserver-advertise-address", "10.0.0.5", "--encryption-algorithm", "ECDSA-P256"]).code, 0);
  const before = opensslFields(join(root, "etc", "kubernetes", "pki", "admin.crt"));
  const run = kubepki(["renew", "admin", "apiserver", "--root", root, "-o", "json"]);
  assert.equal(run.code, 0, run.stderr);
  const restarts = JSON.parse(run.stdout).restarts as { component: string; commands: string[] }[];
  assert.deepEqual(restarts.find((r) => r.component === "kube-apiserver")?.commands, ["systemctl restart kube-apiserver"]);
  const after = opensslFields(join(root, "etc", "kubernetes", "pki", "admin.crt"));
  assert.equal(after.subject, before.subject);
  assert.notEqual(after.serial, before.serial);
});
