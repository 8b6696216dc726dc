// The pieces of renew --add-san that read user input: the SAN lists and the
// kubeadm config editor (comments, layout and every other field kept; bad
// files refused before anything is written).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { load, loadAll } from "js-yaml";
import { editKubeadmConfigSANs } from "../src/renew/kubeadm-config.ts";
import { applySANChange, parseSANChange } from "../src/renew/sans.ts";
import { isKubepkiError } from "../src/errors.ts";
import { tempDir } from "./helpers.ts";

test("SAN changes: canonical IPs, names as kubeadm takes them, old order kept, new ones appended", () => {
  const change = parseSANChange(["10.0.0.50", "lb.example.com", "::ffff:10.0.0.9", "lb.example.com"], ["kubernetes"]);
  assert.deepEqual(change, { add: ["10.0.0.50", "lb.example.com", "10.0.0.9"], remove: ["kubernetes"] });
  // A certificate made elsewhere may spell a name in capitals: it is the same name.
  const out = applySANChange({ dnsNames: ["Kubernetes", "cp1"], ipAddresses: ["10.96.0.1", "10.0.0.9"] }, change, "apiserver");
  assert.deepEqual(out.dnsNames, ["cp1", "lb.example.com"]);
  assert.deepEqual(out.ipAddresses, ["10.96.0.1", "10.0.0.9", "10.0.0.50"]);
  assert.deepEqual(out.added, ["10.0.0.50", "lb.example.com"], "10.0.0.9 was there already");
  assert.throws(() => applySANChange({ dnsNames: [], ipAddresses: [] }, parseSANChange([], ["x.example"]), "apiserver"), (e) => isKubepkiError(e) && /has no SAN x\.example/.test(e.message));
  assert.throws(() => parseSANChange(["LB.example.com"], []), (e) => isKubepkiError(e) && /LB\.example\.com" is neither/.test(e.message), "kubeadm refuses capitals too");
  assert.throws(() => parseSANChange(["bad_name"], []), (e) => isKubepkiError(e) && /neither an IP address nor a valid DNS name/.test(e.message));
});

test("kubeadm config: flow lists, removals, a second run changes nothing, other documents untouched", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "kubeadm.yaml");
  const text = `apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
apiServer:
  certSANs: [old.example, 10.0.0.9]  # flow style
  extraArgs:
    audit-log-path: /var/log/audit.log
etcd:
  local:
    peerCertSANs:
    - 10.0.0.9
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
`;
  writeFileSync(file, text);
  const edit = await editKubeadmConfigSANs(file, [
    { certificate: "apiserver", change: { add: ["lb.example.com"], remove: ["10.0.0.9"] } },
    { certificate: "etcd-peer", change: { add: ["10.0.0.10"], remove: [] } },
  ]);
  assert.ok(edit.changed);
  assert.match(edit.text, /certSANs: \[ old\.example, lb\.example\.com \] # flow style|certSANs: \[old\.example, lb\.example\.com\] # flow style/);
  assert.match(edit.text, /peerCertSANs:\n    - 10\.0\.0\.9\n    - 10\.0\.0\.10\n/);
  const [before, after] = [loadAll(text), loadAll(edit.text)] as Record<string, any>[][];
  assert.deepEqual(after[1], before[1], "the KubeletConfiguration is as it was");
  assert.deepEqual(after[0].apiServer.extraArgs, before[0].apiServer.extraArgs);
  writeFileSync(file, edit.text);
  const again = await editKubeadmConfigSANs(file, [{ certificate: "apiserver", change: { add: ["lb.example.com"], remove: [] } }]);
  assert.equal(again.changed, false);
  assert.equal(again.text, edit.text);
  assert.deepEqual((load(again.text.split("---")[0]) as any).apiServer.certSANs, ["old.example", "lb.example.com"]);
});

test("kubeadm config: refused without a ClusterConfiguration, with a non-list field, with external etcd, or when not YAML", async (t) => {
  const dir = tempDir(t);
  const cases: [string, string, string, RegExp][] = [
    ["no-cluster.yaml", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n", "apiserver", /has no kubeadm ClusterConfiguration document/],
    ["scalar.yaml", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\napiServer:\n  certSANs: lb.example.com\n", "apiserver", /apiServer\.certSANs is not a list/],
    ["external.yaml", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\netcd:\n  external:\n    endpoints: [https://10.0.0.1:2379]\n", "etcd-server", /external etcd/],
    ["broken.yaml", "apiVersion: [\n", "apiserver", /invalid YAML/],
  ];
  for (const [name, body, certificate, message] of cases) {
    writeFileSync(join(dir, name), body);
    await assert.rejects(editKubeadmConfigSANs(join(dir, name), [{ certificate, change: { add: ["10.0.0.5"], remove: [] } }]), (e) => isKubepkiError(e) && message.test(e.message), name);
  }
});
