// The hard way is first class in renew: every kubeconfig init writes,
// <node>.kubeconfig included and renewed together with the certificate it
// embeds, per-node files chosen with --node-name, systemd units restarted.
// Proven with openssl and kubectl reading what renew wrote.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { load } from "js-yaml";
import { kubepki, openssl, opensslFields, sh, snapshot, tempDir } from "./helpers.ts";

const embedded = (conf: string) => Buffer.from((load(readFileSync(conf, "utf8")) as any).users[0].user["client-certificate-data"], "base64").toString();

test("renew all renews every kubeconfig init wrote, <node>.kubeconfig included, each embedding its renewed certificate", (t) => {
  const root = tempDir(t);
  const k8s = join(root, "etc/kubernetes");
  assert.equal(kubepki(["init", "--profile", "hard-way", "--out", k8s, "--node-name", "n1", "--apiserver-advertise-address", "10.0.0.5", "--encryption-algorithm", "ECDSA-P256"]).code, 0);
  const before = snapshot(k8s);
  const run = kubepki(["renew", "all", "--root", root, "-o", "json"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const names = report.items.filter((i: { action: string }) => i.action === "renew").map((i: { name: string }) => i.name);
  for (const n of ["admin.kubeconfig", "kube-controller-manager.kubeconfig", "kube-scheduler.kubeconfig", "kube-proxy.kubeconfig", "n1.kubeconfig", "kubelet", "kubelet-client"]) assert.ok(names.includes(n), `${n} in ${names}`);
  const after = snapshot(k8s);
  // Every kubeconfig changed, and holds exactly the renewed PEM it embeds (the same key too: kubectl can use it).
  for (const [conf, pem] of [["n1.kubeconfig", "kubelet-client"], ["admin.kubeconfig", "admin"], ["kube-proxy.kubeconfig", "kube-proxy"], ["kube-scheduler.kubeconfig", "scheduler"]]) {
    assert.notEqual(after[conf], before[conf], conf);
    assert.equal(embedded(join(k8s, conf)), readFileSync(join(k8s, "pki", `${pem}.crt`), "utf8"), `${conf} embeds the renewed ${pem}.crt`);
    const key = Buffer.from((load(readFileSync(join(k8s, conf), "utf8")) as any).users[0].user["client-key-data"], "base64").toString();
    assert.equal(key, readFileSync(join(k8s, "pki", `${pem}.key`), "utf8"), `${conf} embeds ${pem}.key`);
    assert.equal(openssl(["verify", "-CAfile", join(k8s, "pki/ca.crt"), join(k8s, "pki", `${pem}.crt`)]).code, 0);
  }
  assert.equal(opensslFields(join(k8s, "pki/kubelet-client.crt")).subject, "CN=system:node:n1,O=system:nodes");
  const view = sh("kubectl", ["--kubeconfig", join(k8s, "n1.kubeconfig"), "config", "view", "--raw", "-o", "jsonpath={.users[0].name}"]);
  assert.equal(view.code, 0, view.stderr);
  const restarts = Object.fromEntries(report.restarts.map((r: { component: string; commands: string[] }) => [r.component, r.commands]));
  for (const unit of ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd", "kubelet", "kube-proxy"]) assert.deepEqual(restarts[unit], [`systemctl restart ${unit}`], unit);
  // --add-san on the hard way's serving certificates: same CA, the new name, no kubeadm config to update.
  const san = kubepki(["renew", "apiserver", "etcdserver.crt", "--add-san", "10.0.0.99,api.example.test", "--root", root]);
  assert.equal(san.code, 0, san.stderr);
  for (const f of ["apiserver", "etcdserver"]) {
    assert.match(opensslFields(join(k8s, "pki", `${f}.crt`)).san ?? "", /DNS:api\.example\.test.*IP Address:10\.0\.0\.99$/, f);
    assert.equal(openssl(["verify", "-CAfile", join(k8s, "pki/ca.crt"), join(k8s, "pki", `${f}.crt`)]).code, 0);
  }
  assert.doesNotMatch(san.stdout, /kubeadm-config/);
  assert.match(san.stdout, /kube-apiserver \(apiserver\)\n {4}systemctl restart kube-apiserver\n  etcd \(etcd-server\)\n {4}systemctl restart etcd/);
  writeFileSync(join(root, "kubeadm.yaml"), "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n");
  const config = kubepki(["renew", "apiserver", "--add-san", "10.0.0.98", "--config", join(root, "kubeadm.yaml"), "--root", root]);
  assert.equal(config.code, 2);
  assert.match(config.stderr, /^error: --config: this node is hard-way, not kubeadm; there is no kubeadm config to update\n/);
});

test("renew <node>.kubeconfig is a known name; with several nodes' files, --node-name picks this node's and all without it is refused", (t) => {
  const root = tempDir(t);
  const k8s = join(root, "etc/kubernetes");
  const config = join(root, "cluster.yaml");
  writeFileSync(config, `apiVersion: kubepki.io/v1alpha1
kind: ClusterPKI
profile: hard-way
controlPlane:
- {name: n1, address: 10.0.0.5}
- {name: n2, address: 10.0.0.6}
workers:
- {name: w1, address: 10.0.0.21}
`);
  const init = kubepki(["init", "--config", config, "--out", k8s, "--encryption-algorithm", "ECDSA-P256"]);
  assert.equal(init.code, 0, init.stderr);
  const before = snapshot(k8s);
  assert.ok(before["w1.kubeconfig"] && before["pki/kubelet-client-w1.crt"], Object.keys(before).join(" "));

  for (const name of ["all", "kubelet", "etcd-server"]) {
    const refused = kubepki(["renew", name, "--root", root]);
    assert.equal(refused.code, 2, name);
    assert.match(refused.stderr, /^error: renew: .* holds the kubeconfigs of several nodes \(n1, n2, w1\), and nothing says which is this one\nhint: pass --node-name NAME\n$/);
  }
  assert.deepEqual(snapshot(k8s), before);

  // Naming the kubeconfig says which node: it and the certificate it embeds are renewed, nothing of n1's.
  const one = kubepki(["renew", "w1.kubeconfig", "--root", root, "-o", "json"]);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(JSON.parse(one.stdout).items.map((i: { name: string; file: string }) => `${i.name} ${i.file.slice(k8s.length + 1)}`), ["kubelet-client pki/kubelet-client-w1.crt", "w1.kubeconfig w1.kubeconfig"]);
  let now = snapshot(k8s);
  assert.equal(embedded(join(k8s, "w1.kubeconfig")), readFileSync(join(k8s, "pki/kubelet-client-w1.crt"), "utf8"));
  assert.equal(opensslFields(join(k8s, "pki/kubelet-client-w1.crt")).subject, "CN=system:node:w1,O=system:nodes");
  for (const f of ["n1.kubeconfig", "pki/kubelet-client-n1.crt", "pki/kubelet-n1.crt", "pki/kubelet-w1.crt"]) assert.equal(now[f], before[f], `${f} untouched`);

  const serving = kubepki(["renew", "kubelet", "--node-name", "n1", "--root", root]);
  assert.equal(serving.code, 0, serving.stderr);
  now = snapshot(k8s);
  assert.notEqual(now["pki/kubelet-n1.crt"], before["pki/kubelet-n1.crt"]);
  assert.equal(now["pki/kubelet-w1.crt"], before["pki/kubelet-w1.crt"]);
  assert.equal(opensslFields(join(k8s, "pki/kubelet-n1.crt")).subject, "CN=n1");

  // etcd members are numbered: the one whose SANs name n2 is n2's.
  const etcd = kubepki(["renew", "etcd-server", "--node-name", "n2", "--root", root, "-o", "json"]);
  assert.equal(etcd.code, 0, etcd.stderr);
  assert.equal(JSON.parse(etcd.stdout).items[0].file, join(k8s, "pki/etcdserver2.crt"));
  now = snapshot(k8s);
  assert.notEqual(now["pki/etcdserver2.crt"], before["pki/etcdserver2.crt"]);
  assert.equal(now["pki/etcdserver1.crt"], before["pki/etcdserver1.crt"]);
  assert.match(opensslFields(join(k8s, "pki/etcdserver2.crt")).san ?? "", /DNS:n2\b.*IP Address:10\.0\.0\.6/);
});
