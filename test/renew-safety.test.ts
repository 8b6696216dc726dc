// kubepki renew never writes a dead certificate, keeps every EKU, takes file
// names and paths, and its printed commands run as printed on a node made by
// the openssl CLI in a folder whose path has spaces.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test, type TestContext } from "node:test";
import { buildNode, copyNode, opensslSigner, pkiOf, type EKU } from "./fixtures-openssl.ts";
import { BIN, kubepki, openssl, opensslFields, sh, snapshot, tempDir } from "./helpers.ts";
import { shellQuote } from "../src/text.ts";

const DAY = 86_400_000;
let template: string;
before(() => {
  template = mkdtempSync(join(tmpdir(), "kubepki-renew-safety-"));
  buildNode(template);
  // An apiserver certificate with more EKUs than kubeadm's two: renew must keep them all.
  opensslSigner().leaf(join(pkiOf(template), "apiserver-extra"), {
    cn: "kube-apiserver", ca: join(pkiOf(template), "ca"), eku: ["serverAuth", "clientAuth", "OCSPSigning", "1.2.3.4.5"] as unknown as EKU[], dns: ["kubernetes"], ips: ["10.96.0.1"],
  });
});
after(() => rmSync(template, { recursive: true, force: true }));

const node = (t: TestContext, dirName = "node") => copyNode(template, join(tempDir(t), dirName));
const caNotAfter = (root: string) => opensslFields(join(pkiOf(root), "ca.crt")).notAfter;

test("an expired CA: renew refuses in one line, exit 2, every file byte-identical (also --dry-run and all)", (t) => {
  const root = node(t);
  const now = new Date(caNotAfter(root).getTime() + DAY).toISOString();
  const before = snapshot(join(root, "etc/kubernetes"));
  for (const args of [["apiserver"], ["all"], ["admin.conf", "--dry-run"], ["apiserver", "--add-san", "10.0.0.5"]]) {
    const r = kubepki(["renew", ...args, "--root", root, "--now", now]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /^error: \S+: its CA (ca|etcd-ca|front-proxy-ca) \(CN=[^)]+\) expired on \S+ \(now \S+\): a certificate it signs would be rejected; nothing was changed\nhint: the CA must be rotated first/);
    assert.equal(r.stdout, "");
  }
  assert.deepEqual(snapshot(join(root, "etc/kubernetes")), before);
});

test("a CA not valid yet (a clock behind): refused the same way", (t) => {
  const root = node(t);
  const notBefore = opensslFields(join(pkiOf(root), "ca.crt")).notBefore;
  const before = snapshot(join(root, "etc/kubernetes"));
  const r = kubepki(["renew", "apiserver", "--root", root, "--now", new Date(notBefore.getTime() - DAY).toISOString()]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: apiserver: its CA ca \(CN=kubernetes\) is not valid until .*nothing was changed\nhint: check this machine's clock/);
  assert.deepEqual(snapshot(join(root, "etc/kubernetes")), before);
});

test("a CA expiring before the requested validity: cut to the CA's expiry with a warning; --dry-run shows the real dates", (t) => {
  const root = node(t);
  const caEnd = caNotAfter(root);
  const now = new Date(caEnd.getTime() - 100 * DAY).toISOString();
  const dry = kubepki(["renew", "apiserver", "admin.conf", "--root", root, "--now", now, "--dry-run", "-o", "json"]);
  assert.equal(dry.code, 0, dry.stderr);
  const report = JSON.parse(dry.stdout);
  for (const item of report.items) {
    assert.equal(item.validity.notAfter, caEnd.toISOString(), `${item.name} dry run shows the CA's expiry`);
    assert.equal(item.validity.cutToCA, true);
  }
  assert.equal(report.warnings.length, 2);
  const run = kubepki(["renew", "apiserver", "--root", root, "--now", now]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /warning: apiserver: valid only until \S+, when its CA ca expires; rotate that CA before then/);
  assert.match(run.stdout, /\(CA's expiry\)/);
  // openssl reads what was written: the dates the dry run announced.
  const renewed = opensslFields(join(pkiOf(root), "apiserver.crt"));
  assert.equal(renewed.notAfter.toISOString(), caEnd.toISOString());
  assert.equal(openssl(["verify", "-attime", String(Math.floor(Date.parse(now) / 1000)), "-CAfile", join(pkiOf(root), "ca.crt"), join(pkiOf(root), "apiserver.crt")]).code, 0);
});

test("every EKU of the old certificate is kept, as kubeadm's certToConfig copies them, not only server/client auth", (t) => {
  const root = node(t);
  const pki = pkiOf(root);
  // Put the many-EKU certificate where the API server's is.
  sh("cp", [join(pki, "apiserver-extra.crt"), join(pki, "apiserver.crt")], { check: true });
  sh("cp", [join(pki, "apiserver-extra.key"), join(pki, "apiserver.key")], { check: true });
  const old = opensslFields(join(pki, "apiserver.crt"));
  assert.match(old.extKeyUsage ?? "", /OCSP Signing, 1\.2\.3\.4\.5/);
  const r = kubepki(["renew", "apiserver", "--root", root]);
  assert.equal(r.code, 0, r.stderr);
  const now = opensslFields(join(pki, "apiserver.crt"));
  assert.equal(now.extKeyUsage, old.extKeyUsage);
  assert.equal(now.subject, old.subject);
  assert.equal(now.san, old.san);
});

test("names: kubeadm's, with .crt, a path below the pki folder or anywhere; ambiguous and CA names refused", (t) => {
  const root = node(t);
  const pki = pkiOf(root);
  const names = (args: string[]) => {
    const r = kubepki(["renew", ...args, "--root", root, "--dry-run", "-o", "json"]);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return JSON.parse(r.stdout).items.map((i: { name: string }) => i.name);
  };
  assert.deepEqual(names(["apiserver.crt"]), ["apiserver"]);
  assert.deepEqual(names(["etcd/server.crt", "etcd/peer"]), ["etcd-server", "etcd-peer"]);
  assert.deepEqual(names([join(pki, "front-proxy-client.crt"), join(pki, "apiserver-etcd-client.key")]), ["front-proxy-client", "apiserver-etcd-client"]);
  assert.deepEqual(names([join(root, "etc/kubernetes/admin.conf")]), ["admin.conf"]);
  assert.deepEqual(names(["server.crt"]), ["etcd-server"], "a bare file name one certificate has");
  for (const ca of ["ca.crt", "front-proxy-ca.crt", "etcd/ca.key"]) {
    const r = kubepki(["renew", ca, "--root", root]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: renew: (etcd-|front-proxy-)?ca is a CA; CAs are not renewed here\n/);
  }
  assert.match(kubepki(["renew", "apiserverr.crt", "--root", root]).stderr, /^error: renew: unknown certificate "apiserverr\.crt"/);
});

test("check's fixes run as printed: --cert-dir/--kubeconfig-dir/--manifests-dir with spaces, then the printed restart and undo commands", (t) => {
  const root = node(t, "node with 'quotes' and spaces");
  const k8s = join(root, "etc/kubernetes");
  const before = snapshot(k8s);
  const kubepkiWord = `${shellQuote(process.execPath)} ${shellQuote(BIN)}`;
  const where = `--cert-dir ${shellQuote(join(k8s, "pki"))} --kubeconfig-dir ${shellQuote(k8s)} --manifests-dir ${shellQuote(join(k8s, "manifests"))}`;
  const run = (line: string) => sh("sh", ["-c", line], { env: { ...process.env, NO_COLOR: "1" } });

  const r = run(`${kubepkiWord} renew apiserver ${where} --add-san 10.0.0.5`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(opensslFields(join(k8s, "pki/apiserver.crt")).san ?? "", /IP Address:10\.0\.0\.10, IP Address:10\.0\.0\.5$/);
  const admin = run(`${kubepkiWord} renew admin.conf ${where}`);
  assert.equal(admin.code, 0, admin.stderr);

  // The restart plan names the manifest where it is, quoted: moving it out and back works as printed.
  const lines = r.stdout.split("\n").map((l) => l.trim());
  const [mvOut, mvBack] = lines.filter((l) => l.startsWith("mv "));
  assert.ok(mvOut && mvBack, r.stdout);
  assert.equal(run(mvOut).code, 0);
  assert.ok(!existsSync(join(k8s, "manifests/kube-apiserver.yaml")) && existsSync(join(k8s, "kube-apiserver.yaml")));
  assert.equal(run(mvBack).code, 0);
  assert.ok(existsSync(join(k8s, "manifests/kube-apiserver.yaml")));

  // A --dry-run that would restore for real is refused, not ignored.
  const renewed = snapshot(k8s);
  const dryRestore = run(`${kubepkiWord} ${/\(undo: kubepki (renew --restore .*)\)\.$/m.exec(r.stdout)![1]} --dry-run`);
  assert.equal(dryRestore.code, 2);
  assert.match(dryRestore.stderr, /^error: renew: --restore does not take --dry-run\n/);
  assert.deepEqual(snapshot(k8s), renewed);

  // Undo both, newest first, with the printed commands.
  for (const out of [admin.stdout, r.stdout]) {
    const undo = /\(undo: kubepki (renew --restore .*)\)\.$/m.exec(out)![1];
    const restored = run(`${kubepkiWord} ${undo}`);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /You must restart these components so that they use the restored files:/);
  }
  const after = snapshot(k8s);
  for (const [f, sum] of Object.entries(before)) assert.equal(after[f], sum, `${f} restored byte-identically`);
  // Every backup is in the one place, each with its manifest.
  for (const b of readdirSync(join(k8s, "kubepki-backup"))) assert.ok(existsSync(join(k8s, "kubepki-backup", b, "kubepki-backup.json")));
});
