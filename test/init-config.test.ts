// Cluster descriptions from kubeadm's own config and from kubepki's file
// (several nodes), and the hard-way profile, read back with openssl.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { kubepki, openssl, opensslFields, tempDir } from "./helpers.ts";

const KUBEADM_V1BETA4 = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
nodeRegistration:
  name: cp-a
localAPIEndpoint:
  advertiseAddress: 192.168.10.5
  bindPort: 8443
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
clusterName: lab
controlPlaneEndpoint: 192.168.10.100
networking:
  serviceSubnet: 10.112.0.0/16,fd00:10:112::/112
  dnsDomain: lab.internal
apiServer:
  certSANs: ["api.lab.example", "192.168.10.101"]
etcd:
  local:
    serverCertSANs: ["etcd.lab.example"]
    peerCertSANs: ["192.168.10.6"]
certificateValidityPeriod: 48h
caCertificateValidityPeriod: 8760h
encryptionAlgorithm: ECDSA-P256
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
`;

test("kubeadm v1beta4 InitConfiguration + ClusterConfiguration drive every field kubeadm uses", (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "kubeadm.yaml"), KUBEADM_V1BETA4);
  const run = kubepki(["init", "--config", join(dir, "kubeadm.yaml"), "--out", join(dir, "k")]);
  assert.equal(run.code, 0, run.stderr);
  const pki = join(dir, "k", "pki");
  const api = opensslFields(join(pki, "apiserver.crt"));
  assert.equal(api.san, "DNS:api.lab.example, DNS:cp-a, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.lab.internal, " +
    "IP Address:10.112.0.1, IP Address:192.168.10.5, IP Address:192.168.10.100, IP Address:192.168.10.101");
  assert.equal(api.publicKey, "id-ecPublicKey");
  assert.equal(api.notAfter.getTime() - api.notBefore.getTime(), 48 * 3600_000 + 300_000);
  const ca = opensslFields(join(pki, "ca.crt"));
  assert.equal(ca.notAfter.getTime() - ca.notBefore.getTime(), 8760 * 3600_000 + 300_000);
  assert.equal(opensslFields(join(pki, "etcd", "server.crt")).san, "DNS:cp-a, DNS:etcd.lab.example, DNS:localhost, IP Address:192.168.10.5, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
  assert.equal(opensslFields(join(pki, "etcd", "peer.crt")).san, "DNS:cp-a, DNS:localhost, IP Address:192.168.10.5, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.168.10.6");
  const json = JSON.parse(kubepki(["init", "--config", join(dir, "kubeadm.yaml"), "--out", join(dir, "k"), "-o", "json"]).stdout);
  assert.equal(json.cluster.name, "lab");
  // The control-plane endpoint has no port: kubeadm uses the bind port.
  assert.equal(json.cluster.controlPlaneURL, "https://192.168.10.100:8443");
});

test("kubeadm v1beta3 with external etcd: no etcd certificates, flags override the file", (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "kubeadm.yaml"), `apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
etcd:
  external:
    endpoints: ["https://10.0.0.50:2379"]
    caFile: /etc/etcd/ca.crt
`);
  const run = kubepki(["init", "--config", join(dir, "kubeadm.yaml"), "--out", join(dir, "k"), "--node-name", "n1", "--apiserver-advertise-address", "10.0.0.1", "--encryption-algorithm", "ECDSA-P256"]);
  assert.equal(run.code, 0, run.stderr);
  const pki = join(dir, "k", "pki");
  for (const f of ["ca", "apiserver", "apiserver-kubelet-client", "front-proxy-ca", "front-proxy-client"]) assert.ok(existsSync(join(pki, `${f}.crt`)), f);
  assert.ok(!existsSync(join(pki, "etcd")), "no etcd folder");
  assert.ok(!existsSync(join(pki, "apiserver-etcd-client.crt")));
  assert.match(opensslFields(join(pki, "apiserver.crt")).san ?? "", /DNS:n1.*IP Address:10\.0\.0\.1$/);
});

const MULTI = `apiVersion: kubepki.io/v1alpha1
kind: ClusterPKI
clusterName: prod
controlPlaneEndpoint: k8s.example.com:6443
encryptionAlgorithm: ECDSA-P256
controlPlane:
  - {name: cp1, address: 10.0.0.11}
  - {name: cp2, address: 10.0.0.12}
  - {name: cp3, address: 10.0.0.13}
workers:
  - {name: w1, address: 10.0.0.21}
  - {name: w2, address: 10.0.0.22}
`;

test("several control-plane nodes: one tree each, sharing the CAs and sa key, as kubeadm join --control-plane leaves them", (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "cluster.yaml"), MULTI);
  const run = kubepki(["init", "--config", join(dir, "cluster.yaml"), "--out", join(dir, "k")]);
  assert.equal(run.code, 0, run.stderr);
  const tree = (node: string, f: string) => join(dir, "k", node, "pki", f);
  for (const shared of ["ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key", "sa.key", "sa.pub"]) {
    const first = readFileSync(tree("cp1", shared));
    for (const node of ["cp2", "cp3"]) assert.ok(first.equals(readFileSync(tree(node, shared))), `${node} has the same ${shared}`);
  }
  for (const [i, node] of ["cp1", "cp2", "cp3"].entries()) {
    const api = opensslFields(tree(node, "apiserver.crt"));
    assert.match(api.san ?? "", new RegExp(`DNS:${node}, .*IP Address:10\\.96\\.0\\.1, IP Address:10\\.0\\.0\\.1${i + 1}$`));
    assert.match(api.san ?? "", /DNS:k8s\.example\.com/);
    assert.equal(opensslFields(tree(node, "etcd/server.crt")).subject, `CN=${node}`);
    // Every node's leaves chain to the shared CA (cp1's copy).
    assert.equal(openssl(["verify", "-CAfile", tree("cp1", "etcd/ca.crt"), tree(node, "etcd/peer.crt")]).code, 0);
    assert.equal(openssl(["verify", "-CAfile", tree("cp1", "ca.crt"), tree(node, "apiserver.crt")]).code, 0);
  }
  // A new node added later gets its tree; the others are kept as they are.
  writeFileSync(join(dir, "cluster.yaml"), MULTI.replace("workers:", "  - {name: cp4, address: 10.0.0.14}\nworkers:"));
  const grow = kubepki(["init", "--config", join(dir, "cluster.yaml"), "--out", join(dir, "k"), "-o", "json"]);
  assert.equal(grow.code, 0, grow.stderr);
  const items = JSON.parse(grow.stdout).items as { id: string; action: string }[];
  assert.equal(items.find((i) => i.id === "ca")!.action, "copy");
  assert.equal(items.find((i) => i.id === "apiserver@cp4")!.action, "create");
  assert.equal(items.find((i) => i.id === "apiserver@cp1")!.action, "keep");
  assert.ok(readFileSync(tree("cp1", "ca.crt")).equals(readFileSync(tree("cp4", "ca.crt"))));
});

test("hard-way profile: the study guide's set, one CA, per-node kubelet and etcd certificates", (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "cluster.yaml"), MULTI.replace("  - {name: cp2, address: 10.0.0.12}\n  - {name: cp3, address: 10.0.0.13}\n", ""));
  const run = kubepki(["init", "--profile", "hard-way", "--config", join(dir, "cluster.yaml"), "--out", join(dir, "hw")]);
  assert.equal(run.code, 0, run.stderr);
  const pki = join(dir, "hw", "pki");
  const CLIENT = "TLS Web Client Authentication";
  const expected: Record<string, { subject: string; eku?: string; san?: string }> = {
    ca: { subject: "CN=KUBERNETES-CA" },
    apiserver: {
      subject: "CN=kube-apiserver", eku: "TLS Web Server Authentication",
      san: "DNS:k8s.example.com, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP Address:10.96.0.1, IP Address:10.0.0.11, IP Address:127.0.0.1",
    },
    etcdserver: { subject: "CN=etcd-server", eku: "TLS Web Server Authentication, TLS Web Client Authentication", san: "DNS:cp1, DNS:localhost, IP Address:10.0.0.11, IP Address:127.0.0.1" },
    "kubelet-cp1": { subject: "CN=cp1", eku: "TLS Web Server Authentication", san: "DNS:cp1, IP Address:10.0.0.11" },
    "kubelet-w2": { subject: "CN=w2", eku: "TLS Web Server Authentication", san: "DNS:w2, IP Address:10.0.0.22" },
    "kubelet-client-w1": { subject: "CN=system:node:w1,O=system:nodes", eku: CLIENT },
    admin: { subject: "CN=kube-admin,O=system:masters", eku: CLIENT },
    scheduler: { subject: "CN=system:kube-scheduler", eku: CLIENT },
    "controller-manager": { subject: "CN=system:kube-controller-manager", eku: CLIENT },
    "kube-proxy": { subject: "CN=system:kube-proxy", eku: CLIENT },
    "apiserver-etcd-client": { subject: "CN=kube-apiserver-etcd-client", eku: CLIENT },
    "apiserver-kubelet-client": { subject: "CN=kube-apiserver-kubelet-client,O=system:masters", eku: CLIENT },
  };
  for (const [base, want] of Object.entries(expected)) {
    const f = opensslFields(join(pki, `${base}.crt`));
    assert.equal(f.subject, want.subject, base);
    assert.equal(f.issuer, "CN=KUBERNETES-CA", base);
    assert.equal(f.extKeyUsage, want.eku, `${base} EKU`);
    if (base !== "ca") assert.equal(f.san, want.san, `${base} SANs`);
    assert.equal(openssl(["verify", "-CAfile", join(pki, "ca.crt"), join(pki, `${base}.crt`)]).code, 0, base);
  }
  assert.ok(existsSync(join(pki, "sa.key")) && existsSync(join(pki, "sa.pub")));
  // Three etcd members are numbered, as the guide says.
  writeFileSync(join(dir, "c3.yaml"), MULTI);
  const plan = JSON.parse(kubepki(["init", "--profile", "hard-way", "--config", join(dir, "c3.yaml"), "--out", join(dir, "hw3"), "--dry-run", "-o", "json"]).stdout);
  const files = plan.items.flatMap((i: { files: string[] }) => i.files);
  for (const f of ["pki/etcdserver1.crt", "pki/etcdserver2.crt", "pki/etcdserver3.crt", "pki/kubelet-client-cp2.crt"]) assert.ok(files.includes(f), f);
  assert.ok(!existsSync(join(dir, "hw3")));
});
