// check knows the node before judging it: a kubeadm worker, an etcd-only
// member, a hard-way worker, a PKI with a non-default service CIDR and domain
// and no manifests (with and without the cluster record), and an empty root.
// Every node is made with openssl here, never with kubepki.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { kubepki, openssl } from "./helpers.ts";
import { buildNode, buildPKI, copyNode, NODE, opensslSigner, pkiOf, writeKubeconfig } from "./fixtures-openssl.ts";

const S = opensslSigner();
let work: string;
let healthy: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), "kubepki-kinds-"));
  healthy = join(work, "healthy");
  buildNode(healthy);
});
after(() => rmSync(work, { recursive: true, force: true }));

interface Report {
  node: { kind: string; setup: string; evidence: string[]; serviceSubnet: string | null; dnsDomain: string | null; factSources: Record<string, string> };
  findings: { id: string; severity: string; file: string; message: string; commands: string[] }[];
  certificates: { id: string; status: string; file: string }[];
}
const check = (args: string[]) => {
  const run = kubepki(["check", "-o", "json", ...args]);
  return { ...run, data: (run.stdout ? JSON.parse(run.stdout) : undefined) as Report };
};
const serious = (r: Report) => r.findings.filter((f) => f.severity !== "info").map((f) => `${f.severity} ${f.id} ${f.file}: ${f.message}`);
const ids = (r: Report) => r.certificates.map((c) => c.id).sort();

/** Removes everything in `dir` but `keep`. */
function keepOnly(dir: string, keep: string[]): void {
  for (const name of readdirSync(dir)) if (!keep.includes(name)) rmSync(join(dir, name), { recursive: true, force: true });
}

describe("the kind of node", () => {
  test("a kubeadm worker (kubelet.conf, pki/ca.crt only, empty manifests/): worker, OK, exit 0, the self-signed serving certificate expected", () => {
    const root = copyNode(healthy, join(work, "worker"));
    keepOnly(join(root, "etc/kubernetes"), ["kubelet.conf", "pki", "manifests"]);
    keepOnly(pkiOf(root), ["ca.crt"]);
    keepOnly(join(root, "etc/kubernetes/manifests"), []);
    const { code, data, stderr } = check(["--root", root]);
    assert.equal(code, 0, stderr + serious(data).join("\n"));
    assert.deepEqual(serious(data), []);
    assert.equal(data.node.kind, "worker");
    assert.equal(data.node.setup, "kubeadm");
    assert.match(data.node.evidence.join(" "), /kubelet\.conf is there/);
    assert.deepEqual(ids(data), ["ca", "kubelet-serving", "kubelet.conf"]);
    const text = kubepki(["check", "--root", root]);
    assert.match(text.stdout, /^kubepki check: kubeadm worker node/m);
    assert.match(text.stdout, /^why worker: /m);
  });

  test("an etcd-only member (etcd.yaml, pki/etcd, apiserver-etcd-client): etcd, exit 0, no control-plane file asked for", () => {
    const root = copyNode(healthy, join(work, "etcd"));
    keepOnly(join(root, "etc/kubernetes"), ["pki", "manifests"]);
    keepOnly(pkiOf(root), ["etcd", "apiserver-etcd-client.crt", "apiserver-etcd-client.key"]);
    keepOnly(join(root, "etc/kubernetes/manifests"), ["etcd.yaml"]);
    rmSync(join(root, "var/lib/kubelet"), { recursive: true });
    const { code, data, stderr } = check(["--root", root]);
    assert.equal(code, 0, stderr + serious(data).join("\n"));
    assert.deepEqual(serious(data), []);
    assert.equal(data.node.kind, "etcd");
    assert.deepEqual(ids(data), ["apiserver-etcd-client", "etcd-ca", "etcd-healthcheck-client", "etcd-peer", "etcd-server"]);
  });

  test("a hard-way worker (systemd kubelet unit, /var/lib/kubelet/{ca.crt,kubelet.crt,kubeconfig}): worker, hard-way, exit 0", () => {
    const root = join(work, "hw-worker");
    const ca = join(work, "hw-ca/ca");
    S.ca(ca, "CA");
    const kubelet = join(root, "var/lib/kubelet");
    mkdirSync(kubelet, { recursive: true });
    openssl(["x509", "-in", `${ca}.crt`, "-out", join(kubelet, "ca.crt")]);
    // Kubernetes the Hard Way's node-0 certificate: client and server, the kubelet's both.
    S.leaf(join(kubelet, "kubelet"), { cn: "system:node:node-0", o: ["system:nodes"], ca, eku: ["clientAuth", "serverAuth"], dns: ["node-0"], ips: ["127.0.0.1"] });
    writeKubeconfig(join(kubelet, "kubeconfig"), { server: "https://server.kubernetes.local:6443", ca: join(kubelet, "ca.crt"), user: "system:node:node-0", cert: join(kubelet, "kubelet.crt"), key: join(kubelet, "kubelet.key") });
    writeFileSync(join(kubelet, "kubelet-config.yaml"), `kind: KubeletConfiguration
apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  x509:
    clientCAFile: /var/lib/kubelet/ca.crt
tlsCertFile: /var/lib/kubelet/kubelet.crt
tlsPrivateKeyFile: /var/lib/kubelet/kubelet.key
`);
    mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
    writeFileSync(join(root, "etc/systemd/system/kubelet.service"), `[Unit]
Description=Kubernetes Kubelet

[Service]
ExecStart=/usr/local/bin/kubelet \\
  --config=/var/lib/kubelet/kubelet-config.yaml \\
  --kubeconfig=/var/lib/kubelet/kubeconfig \\
  --v=2
Restart=on-failure
`);
    const { code, data, stderr } = check(["--root", root]);
    assert.equal(code, 0, stderr + serious(data).join("\n"));
    assert.deepEqual(serious(data), []);
    assert.equal(data.node.kind, "worker");
    assert.equal(data.node.setup, "hard-way");
    assert.match(data.node.evidence.join(" "), /kubelet unit's --kubeconfig/);
    assert.deepEqual(ids(data), ["ca", "kubeconfig", "kubelet-serving"]);
    assert.ok(data.certificates.every((c) => c.status === "OK"));
  });

  describe("a PKI issued for service CIDR 10.32.0.0/16 and domain corp.local, no manifests", () => {
    let root: string;
    before(() => {
      root = join(work, "corp");
      buildPKI(root, S);
      const pki = pkiOf(root);
      S.leaf(join(pki, "apiserver"), {
        cn: "kube-apiserver", ca: join(pki, "ca"), eku: ["serverAuth"],
        dns: [NODE.name, "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.corp.local"], ips: ["10.32.0.1", NODE.address],
      });
    });

    test("without a record: no default is assumed, the facts are said to be unknown, exit 0", () => {
      const { code, data, stderr } = check(["--root", root]);
      assert.equal(code, 0, stderr + serious(data).join("\n"));
      assert.deepEqual(serious(data), []);
      assert.equal(data.node.kind, "control-plane");
      assert.equal(data.node.serviceSubnet, null);
      const unknown = data.findings.find((f) => f.id === "cluster-facts-unknown");
      assert.ok(unknown && /service CIDR/.test(unknown.message) && /DNS domain/.test(unknown.message), JSON.stringify(data.findings));
      assert.doesNotMatch(JSON.stringify(data.findings), /10\.96\.0\.1|cluster\.local/);
    });

    test("with the cluster record: its facts are used and named as its, and a missing 10.32.0.1 is the one SAN reported", () => {
      const record = join(root, "etc/kubernetes/kubepki-cluster.yaml");
      writeFileSync(record, `apiVersion: kubepki.io/v1alpha1
kind: ClusterPKI
serviceSubnet: 10.32.0.0/16
dnsDomain: corp.local
controlPlane:
- name: ${NODE.name}
  address: ${NODE.address}
`);
      const ok = check(["--root", root]);
      assert.equal(ok.code, 0, ok.stderr + serious(ok.data).join("\n"));
      assert.equal(ok.data.node.serviceSubnet, "10.32.0.0/16");
      assert.equal(ok.data.node.factSources.serviceSubnet, `the cluster record ${record}`);
      assert.ok(!ok.data.findings.some((f) => f.id === "cluster-facts-unknown" && /service CIDR/.test(f.message)));

      const broken = copyNode(root, join(work, "corp-broken"));
      const pki = pkiOf(broken);
      S.leaf(join(pki, "apiserver"), { cn: "kube-apiserver", ca: join(pki, "ca"), eku: ["serverAuth"], dns: ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.corp.local"], ips: [NODE.address] });
      const bad = check(["--root", broken]);
      assert.equal(bad.code, 1);
      const san = bad.data.findings.filter((f) => f.id === "san-missing" && f.severity === "error");
      assert.equal(san.length, 1, JSON.stringify(san));
      assert.match(san[0].message, /IP:10\.32\.0\.1 \(the service IP/);
      assert.match(san[0].commands[0], /--add-san 10\.32\.0\.1$/);
    });
  });

  test("an empty root: one line saying it is not a Kubernetes node, exit 2", () => {
    const root = join(work, "empty");
    mkdirSync(root);
    const r = kubepki(["check", "--root", root]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^error: .* is not a Kubernetes node/);
    assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1);
  });
});

describe("the cluster record kubepki init leaves", () => {
  test("kubepki-cluster.yaml (0644, no secret) beside pki/: check reads its service CIDR and domain and says so", (t) => {
    const out = join(work, "init-corp");
    const init = kubepki(["init", "--out", out, "--node-name", "cp1", "--apiserver-advertise-address", "10.0.0.10", "--service-cidr", "10.32.0.0/16",
      "--service-dns-domain", "corp.local", "--encryption-algorithm", "ECDSA-P256"]);
    assert.equal(init.code, 0, init.stderr);
    const record = join(out, "kubepki-cluster.yaml");
    assert.equal(statSync(record).mode & 0o777, 0o644);
    const text = readFileSync(record, "utf8");
    assert.match(text, /^kind: ClusterPKI$/m);
    assert.match(text, /^serviceSubnet: 10\.32\.0\.0\/16$/m);
    assert.doesNotMatch(text, /PRIVATE|BEGIN/);
    const { code, data, stderr } = check(["--root", out]);
    assert.equal(code, 0, stderr + serious(data).join("\n"));
    assert.deepEqual(serious(data), []);
    assert.equal(data.node.dnsDomain, "corp.local");
    assert.equal(data.node.factSources.serviceSubnet, `the cluster record ${record}`);
    // openssl agrees the apiserver certificate carries the record's service IP.
    const sans = openssl(["x509", "-noout", "-ext", "subjectAltName", "-in", join(out, "pki/apiserver.crt")]).stdout;
    assert.match(sans, /IP Address:10\.32\.0\.1/);
    // The same found from --pki-dir alone: the record sits beside pki/.
    const alone = check(["--pki-dir", join(out, "pki"), "--kubeconfig-dir", join(work, "no-kubeconfigs")]);
    assert.equal(alone.data.node.serviceSubnet, "10.32.0.0/16", alone.stderr);
    t.diagnostic(`facts: ${JSON.stringify(data.node.factSources)}`);
  });
});

describe("an expired CA", () => {
  test("is an error that says what it breaks now, with no command (a rotation a person plans)", () => {
    const later = new Date(Date.now() + 3700 * 86_400_000).toISOString();
    const { code, data } = check(["--root", healthy, "--now", later]);
    assert.equal(code, 1);
    const ca = data.findings.find((f) => f.id === "expired" && f.file === join(pkiOf(healthy), "ca.crt"));
    assert.ok(ca, JSON.stringify(data.findings.map((f) => f.id)));
    assert.equal(ca.severity, "error");
    assert.match(ca.message, /every certificate it signed fails verification now/);
    assert.match(ca.message, /apiserver/);
    assert.deepEqual(ca.commands, []);
    assert.doesNotMatch(JSON.stringify(ca), /before it expires/);
  });
});

describe("the hard way's control plane", () => {
  test("systemd units name the files in /var/lib/kubernetes: control-plane, hard-way, no false error, exit 0", () => {
    const root = join(work, "hw-server");
    const dir = join(root, "var/lib/kubernetes");
    const ca = join(dir, "ca");
    S.ca(ca, "CA");
    // Kubernetes the Hard Way's kube-api-server certificate: serving and kubelet client in one (reference §6).
    S.leaf(join(dir, "kube-api-server"), {
      cn: "kubernetes", ca, eku: ["clientAuth", "serverAuth"],
      dns: ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster", "kubernetes.svc.cluster.local", "server.kubernetes.local", "api-server.kubernetes.local"],
      ips: ["127.0.0.1", "10.32.0.1"],
    });
    S.leaf(join(dir, "service-accounts"), { cn: "service-accounts", ca, eku: ["clientAuth"] });
    for (const [file, cn, o] of [["kube-controller-manager", "system:kube-controller-manager", "system:kube-controller-manager"], ["kube-scheduler", "system:kube-scheduler", "system:system:kube-scheduler"]]) {
      const stem = join(work, "hw-client", file);
      S.leaf(stem, { cn, o: [o], ca, eku: ["clientAuth", "serverAuth"] });
      writeKubeconfig(join(dir, `${file}.kubeconfig`), { server: "https://server.kubernetes.local:6443", ca: `${ca}.crt`, user: cn, cert: `${stem}.crt`, key: `${stem}.key` });
    }
    const units = join(root, "etc/systemd/system");
    mkdirSync(units, { recursive: true });
    const unit = (bin: string, flags: string[]) => `[Service]\nExecStart=/usr/local/bin/${bin} \\\n${flags.map((f) => `  ${f}`).join(" \\\n")}\nRestart=on-failure\n`;
    const K = "/var/lib/kubernetes";
    writeFileSync(join(units, "kube-apiserver.service"), unit("kube-apiserver", [
      "--allow-privileged=true", "--authorization-mode=Node,RBAC", `--client-ca-file=${K}/ca.crt`, "--etcd-servers=http://127.0.0.1:2379",
      `--kubelet-certificate-authority=${K}/ca.crt`, `--kubelet-client-certificate=${K}/kube-api-server.crt`, `--kubelet-client-key=${K}/kube-api-server.key`,
      "--runtime-config='api/all=true'", `--service-account-key-file=${K}/service-accounts.crt`, `--service-account-signing-key-file=${K}/service-accounts.key`,
      "--service-account-issuer=https://server.kubernetes.local:6443", "--service-cluster-ip-range=10.32.0.0/24",
      `--tls-cert-file=${K}/kube-api-server.crt`, `--tls-private-key-file=${K}/kube-api-server.key`, "--v=2",
    ]));
    writeFileSync(join(units, "kube-controller-manager.service"), unit("kube-controller-manager", [
      `--cluster-signing-cert-file=${K}/ca.crt`, `--cluster-signing-key-file=${K}/ca.key`, `--kubeconfig=${K}/kube-controller-manager.kubeconfig`,
      `--root-ca-file=${K}/ca.crt`, `--service-account-private-key-file=${K}/service-accounts.key`, "--service-cluster-ip-range=10.32.0.0/24",
    ]));
    writeFileSync(join(units, "kube-scheduler.service"), unit("kube-scheduler", [`--config=/etc/kubernetes/config/kube-scheduler.yaml`, `--kubeconfig=${K}/kube-scheduler.kubeconfig`]));
    writeFileSync(join(units, "etcd.service"), unit("etcd", ["--name controller", "--listen-client-urls http://127.0.0.1:2379", "--data-dir=/var/lib/etcd"]));

    const { code, data, stderr } = check(["--root", root]);
    assert.equal(code, 0, stderr + serious(data).join("\n"));
    assert.deepEqual(serious(data), []);
    assert.deepEqual([data.node.kind, data.node.setup], ["control-plane", "hard-way"]);
    assert.match(data.node.evidence[0], /kube-apiserver\.service runs kube-apiserver/);
    assert.equal(data.node.serviceSubnet, "10.32.0.0/24");
    const rows = ids(data);
    for (const id of ["ca", "apiserver", "kube-controller-manager.kubeconfig", "kube-scheduler.kubeconfig"]) assert.ok(rows.includes(id), `${id} in ${rows}`);
    assert.ok(!rows.includes("etcd-server"), "etcd serves plain HTTP here: no certificate is asked for");

    // A broken leaf's fix is renew with the hard-way profile and the node's paths.
    chmodSync(join(dir, "kube-api-server.key"), 0o640);
    const warned = check(["--root", root]);
    const perm = warned.data.findings.find((f) => f.id === "key-permissions");
    assert.deepEqual(perm?.commands, [`chmod 600 ${join(dir, "kube-api-server.key")}`]);
  });
});
