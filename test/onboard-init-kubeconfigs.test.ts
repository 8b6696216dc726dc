// init's kubeconfigs, read back with kubectl and openssl (not with kubepki):
// kubeadm's exact identities, servers and contexts, the hard way's set, the
// multi control-plane layout, and the keep/conflict/--force rules.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { kubepki, openssl, opensslFields, sh, tempDir } from "./helpers.ts";

const BASE = ["--node-name", "cp1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", "ECDSA-P256"];

/** kubectl's own reading of a kubeconfig (raw, so the embedded data is there). */
function kubectlView(file: string) {
  const r = sh("kubectl", ["config", "view", "--kubeconfig", file, "--raw", "-o", "json"]);
  assert.equal(r.code, 0, `kubectl config view ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as {
    clusters: { name: string; cluster: { server: string; "certificate-authority-data": string } }[];
    users: { name: string; user: { "client-certificate-data": string; "client-key-data": string } }[];
    contexts: { name: string; context: { cluster: string; user: string } }[];
    "current-context": string;
  };
}

/** Writes the embedded client certificate, key and CA of a kubeconfig to files openssl can read. */
function extract(file: string, dir: string, stem: string) {
  const view = kubectlView(file);
  const ctx = view.contexts.find((c) => c.name === view["current-context"])!;
  const user = view.users.find((u) => u.name === ctx.context.user)!;
  const cluster = view.clusters.find((c) => c.name === ctx.context.cluster)!;
  const paths = { crt: join(dir, `${stem}.crt`), key: join(dir, `${stem}.key`), ca: join(dir, `${stem}-ca.crt`) };
  writeFileSync(paths.crt, Buffer.from(user.user["client-certificate-data"], "base64"));
  writeFileSync(paths.key, Buffer.from(user.user["client-key-data"], "base64"));
  writeFileSync(paths.ca, Buffer.from(cluster.cluster["certificate-authority-data"], "base64"));
  return { view, ctx, user, cluster, paths };
}

/** The public key of a cert and of a key, as openssl prints them: equal when the key belongs to the cert. */
function keyMatchesCert(crt: string, key: string): boolean {
  const a = openssl(["x509", "-in", crt, "-noout", "-pubkey"]).stdout;
  const b = openssl(["pkey", "-in", key, "-pubout"]).stdout;
  return a.length > 0 && a === b;
}

test("kubeadm profile: admin, super-admin, controller-manager, scheduler and kubelet kubeconfigs with kubeadm's identities", (t) => {
  const dir = tempDir(t);
  const out = join(dir, "k");
  const run = kubepki(["init", "--out", out, ...BASE, "--control-plane-endpoint", "lb.example.com:6443", "--cluster-name", "prod"]);
  assert.equal(run.code, 0, run.stderr);
  const expected: Record<string, { subject: string; server: string }> = {
    "admin.conf": { subject: "CN=kubernetes-admin,O=kubeadm:cluster-admins", server: "https://lb.example.com:6443" },
    "super-admin.conf": { subject: "CN=kubernetes-super-admin,O=system:masters", server: "https://lb.example.com:6443" },
    "controller-manager.conf": { subject: "CN=system:kube-controller-manager", server: "https://10.0.0.10:6443" },
    "scheduler.conf": { subject: "CN=system:kube-scheduler", server: "https://10.0.0.10:6443" },
    "kubelet.conf": { subject: "CN=system:node:cp1,O=system:nodes", server: "https://lb.example.com:6443" },
  };
  for (const [file, want] of Object.entries(expected)) {
    const path = join(out, file);
    assert.equal(statSync(path).mode & 0o777, 0o600, `${file} is 0600`);
    const { view, ctx, cluster, user, paths } = extract(path, dir, file);
    const cn = want.subject.split(",")[0].slice(3);
    assert.equal(view["current-context"], `${cn}@prod`, `${file} context <user>@<cluster>`);
    assert.equal(ctx.context.cluster, "prod");
    assert.equal(cluster.name, "prod");
    assert.equal(user.name, cn, `${file} user name is the CN`);
    assert.equal(cluster.cluster.server, want.server, `${file} server`);
    const f = opensslFields(paths.crt);
    assert.equal(f.subject, want.subject, `${file} subject`);
    assert.equal(f.extKeyUsage, "TLS Web Client Authentication", `${file} EKU`);
    assert.equal(f.keyUsage, "Digital Signature, Key Encipherment");
    assert.equal(f.basicConstraints, "CA:FALSE");
    assert.equal(readFileSync(paths.ca, "latin1"), readFileSync(join(out, "pki", "ca.crt"), "latin1"), `${file} embeds pki/ca.crt`);
    assert.equal(openssl(["verify", "-CAfile", join(out, "pki", "ca.crt"), paths.crt]).code, 0, `${file} client cert signed by ca`);
    assert.ok(keyMatchesCert(paths.crt, paths.key), `${file} key belongs to its cert`);
    assert.match(readFileSync(paths.key, "latin1"), /BEGIN EC PRIVATE KEY/, "SEC1 like kubeadm");
  }
  // JSON output lists them with their identity, and never key material.
  const json = kubepki(["init", "--out", out, ...BASE, "--control-plane-endpoint", "lb.example.com:6443", "--cluster-name", "prod", "-o", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const data = JSON.parse(json.stdout);
  assert.deepEqual(data.kubeconfigs.map((k: { name: string; action: string }) => `${k.name}:${k.action}`).sort(), Object.keys(expected).map((f) => `${f}:keep`).sort());
  assert.doesNotMatch(json.stdout, /PRIVATE KEY|client-key-data/);
});

test("several control-plane nodes: kubeconfigs in each node's tree, super-admin.conf only on the first, local servers per node", (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "c.yaml"), `apiVersion: kubepki.io/v1alpha1
kind: ClusterPKI
controlPlaneEndpoint: k8s.example.com
encryptionAlgorithm: ECDSA-P256
controlPlane:
  - {name: cp1, address: 10.0.0.11}
  - {name: cp2, address: 10.0.0.12}
`);
  const out = join(dir, "k");
  const run = kubepki(["init", "--config", join(dir, "c.yaml"), "--out", out]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(existsSync(join(out, "cp1", "super-admin.conf")));
  assert.ok(!existsSync(join(out, "cp2", "super-admin.conf")), "join --control-plane writes no super-admin.conf");
  for (const [node, ip] of [["cp1", "10.0.0.11"], ["cp2", "10.0.0.12"]]) {
    for (const f of ["admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf"]) assert.ok(existsSync(join(out, node, f)), `${node}/${f}`);
    assert.equal(kubectlView(join(out, node, "scheduler.conf")).clusters[0].cluster.server, `https://${ip}:6443`);
    assert.equal(kubectlView(join(out, node, "admin.conf")).clusters[0].cluster.server, "https://k8s.example.com:6443");
    const { paths } = extract(join(out, node, "kubelet.conf"), dir, `${node}-kubelet`);
    assert.equal(opensslFields(paths.crt).subject, `CN=system:node:${node},O=system:nodes`);
  }
  assert.ok(!existsSync(join(out, "admin.conf")), "no kubeconfig outside the node trees");
});

test("hard-way profile: admin, controller-manager, scheduler, kube-proxy and per-node kubeconfigs embed the catalog certificates", (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "c.yaml"), `apiVersion: kubepki.io/v1alpha1
kind: ClusterPKI
encryptionAlgorithm: ECDSA-P256
controlPlane:
  - {name: server, address: 10.0.0.5}
workers:
  - {name: node-0, address: 10.0.0.20}
  - {name: node-1, address: 10.0.0.21}
`);
  const out = join(dir, "hw");
  const run = kubepki(["init", "--profile", "hard-way", "--config", join(dir, "c.yaml"), "--out", out]);
  assert.equal(run.code, 0, run.stderr);
  const expected: Record<string, { cert: string; server: string }> = {
    "admin.kubeconfig": { cert: "admin", server: "https://127.0.0.1:6443" },
    "kube-controller-manager.kubeconfig": { cert: "controller-manager", server: "https://10.0.0.5:6443" },
    "kube-scheduler.kubeconfig": { cert: "scheduler", server: "https://10.0.0.5:6443" },
    "kube-proxy.kubeconfig": { cert: "kube-proxy", server: "https://10.0.0.5:6443" },
    "node-0.kubeconfig": { cert: "kubelet-client-node-0", server: "https://10.0.0.5:6443" },
    "node-1.kubeconfig": { cert: "kubelet-client-node-1", server: "https://10.0.0.5:6443" },
    "server.kubeconfig": { cert: "kubelet-client-server", server: "https://10.0.0.5:6443" },
  };
  for (const [file, want] of Object.entries(expected)) {
    const path = join(out, file);
    assert.equal(statSync(path).mode & 0o777, 0o600, file);
    const { view, cluster, paths } = extract(path, dir, file);
    assert.equal(view["current-context"], "default", "KTHW's context name");
    assert.equal(cluster.cluster.server, want.server, `${file} server`);
    // The same certificate and key as the pki files, byte for byte (kubectl config set-credentials --embed-certs).
    assert.equal(readFileSync(paths.crt, "latin1"), readFileSync(join(out, "pki", `${want.cert}.crt`), "latin1"), `${file} embeds ${want.cert}.crt`);
    assert.ok(keyMatchesCert(join(out, "pki", `${want.cert}.crt`), paths.key), `${file} key is ${want.cert}.key`);
  }
});

test("a second init keeps the kubeconfigs; one made for another CA is a conflict, replaced only with --force after a backup", (t) => {
  const dir = tempDir(t);
  const out = join(dir, "k");
  assert.equal(kubepki(["init", "--out", out, ...BASE]).code, 0);
  const before = readFileSync(join(out, "admin.conf"));
  const again = kubepki(["init", "--out", out, ...BASE, "-o", "json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(JSON.parse(again.stdout).kubeconfigs.every((k: { action: string }) => k.action === "keep"));
  assert.deepEqual(readFileSync(join(out, "admin.conf")), before);

  // Another cluster's admin.conf dropped in: same names, different CA.
  const other = join(dir, "other");
  assert.equal(kubepki(["init", "--out", other, ...BASE]).code, 0);
  const foreign = readFileSync(join(other, "admin.conf"));
  writeFileSync(join(out, "admin.conf"), foreign, { mode: 0o600 });
  const run = kubepki(["init", "--out", out, ...BASE]);
  assert.equal(run.code, 1, "a conflict exits 1");
  assert.match(run.stdout, /CONFLICT\s+admin\.conf/);
  assert.match(run.stdout, /admin\.conf trusts a different CA than ca/);
  assert.deepEqual(readFileSync(join(out, "admin.conf")), foreign, "left alone without --force");

  const forced = kubepki(["init", "--out", out, ...BASE, "--force"]);
  assert.equal(forced.code, 0, forced.stderr);
  const [stamp] = readdirSync(join(out, "kubepki-backup"));
  assert.deepEqual(readFileSync(join(out, "kubepki-backup", stamp, "admin.conf")), foreign, "backed up byte for byte");
  assert.equal(statSync(join(out, "kubepki-backup", stamp, "admin.conf")).mode & 0o777, 0o600);
  const { paths } = extract(join(out, "admin.conf"), dir, "new-admin");
  assert.equal(openssl(["verify", "-CAfile", join(out, "pki", "ca.crt"), paths.crt]).code, 0, "the new admin.conf is this cluster's");

  // A broken kubeconfig is a conflict too, never a crash.
  writeFileSync(join(out, "scheduler.conf"), "clusters: [oops");
  const broken = kubepki(["init", "--out", out, ...BASE]);
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /CONFLICT\s+scheduler\.conf/);
});

test("--dry-run lists the kubeconfigs and writes nothing", (t) => {
  const dir = tempDir(t);
  const run = kubepki(["init", "--out", join(dir, "k"), ...BASE, "--dry-run"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /admin\.conf: would create[\s\S]*server\s+https:\/\/10\.0\.0\.10:6443\s+context kubernetes-admin@kubernetes/);
  assert.ok(!existsSync(join(dir, "k")));
});
