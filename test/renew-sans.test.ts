// renew --add-san/--remove-san (issue 17): on a node made with the openssl CLI,
// the API server certificate gains a load balancer's IP and name, keeps
// everything else, is accepted by kubectl under the new name against
// openssl s_server, the kubeadm config follows, and --restore undoes it all.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test, type TestContext } from "node:test";
import { load } from "js-yaml";
import { buildNode, copyNode, NODE } from "./fixtures-openssl.ts";
import { background, BIN, freePort, kubepki, openssl, opensslFields, sh, snapshot, tempDir, waitFor } from "./helpers.ts";

let template: string;
before(() => {
  template = mkdtempSync(join(tmpdir(), "kubepki-renew-sans-"));
  buildNode(template);
});
after(() => rmSync(template, { recursive: true, force: true }));

const node = (t: TestContext) => copyNode(template, join(tempDir(t), "node"));

const CONFIG = `# kubeadm config kept by the admin
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
nodeRegistration:
  name: ${NODE.name} # this node
localAPIEndpoint:
  advertiseAddress: ${NODE.address}
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
controlPlaneEndpoint: ${NODE.endpoint}:6443
apiServer:
  certSANs:
  - ${NODE.endpoint} # the DNS name
networking:
  serviceSubnet: ${NODE.serviceCIDR}
etcd:
  local:
    dataDir: /var/lib/etcd
`;

/** kubectl with admin.conf's client certificate against s_server, dialled at 127.0.0.1 but verifying `name`. */
async function kubectlAs(t: TestContext, k8s: string, name: string) {
  const pki = join(k8s, "pki");
  const port = await freePort();
  const server = background(t, "openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", join(pki, "apiserver.crt"), "-key", join(pki, "apiserver.key"), "-CAfile", join(pki, "ca.crt"), "-Verify", "1", "-verify_return_error", "-www"]);
  await waitFor(() => /ACCEPT/.test(server.output()), 10_000, "s_server");
  return sh("kubectl", ["--kubeconfig", join(k8s, "admin.conf"), "--server", `https://127.0.0.1:${port}`, "--tls-server-name", name, "--request-timeout", "5s", "get", "--raw", "/"]);
}

test("renew apiserver --add-san 10.0.0.50,lb.example.com: kubectl connects as lb.example.com, old SANs kept, config updated, --restore byte-identical", async (t) => {
  const root = node(t);
  const k8s = join(root, "etc/kubernetes");
  const config = join(root, "kubeadm-config.yaml");
  writeFileSync(config, CONFIG);
  const before = { tree: snapshot(k8s), config: readFileSync(config) };
  const old = opensslFields(join(k8s, "pki/apiserver.crt"));

  const refused = await kubectlAs(t, k8s, "lb.example.com");
  assert.notEqual(refused.code, 0, "the old certificate does not name the load balancer");
  assert.match(refused.stderr, /not lb\.example\.com/);

  const r = kubepki(["renew", "apiserver", "--root", root, "--add-san", "10.0.0.50,lb.example.com", "--config", config]);
  assert.equal(r.code, 0, r.stderr);
  const now = opensslFields(join(k8s, "pki/apiserver.crt"));
  // Every old SAN, in its order, then the new ones; everything else as it was.
  assert.equal(now.san, old.san!.replace(/(DNS:[^,]+)(, IP)/, "$1, DNS:lb.example.com$2") + ", IP Address:10.0.0.50");
  for (const f of ["subject", "issuer", "extKeyUsage", "keyUsage", "basicConstraints"] as const) assert.equal(now[f], old[f], f);
  assert.equal(openssl(["verify", "-CAfile", join(k8s, "pki/ca.crt"), join(k8s, "pki/apiserver.crt")]).code, 0);

  const ok = await kubectlAs(t, k8s, "lb.example.com");
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /s_server/);

  // The kubeadm config keeps the names for the next kubeadm upgrade; the rest of the file is as it was.
  const text = readFileSync(config, "utf8");
  assert.match(text, /^# kubeadm config kept by the admin$/m);
  assert.match(text, /^  name: cp1 # this node$/m);
  assert.match(text, /^  certSANs:\n  - k8s\.example\.test # the DNS name\n  - 10\.0\.0\.50\n  - lb\.example\.com\n/m);
  const docs = (s: string) => s.split(/^---$/m).map((d) => load(d) as Record<string, any>);
  const [oldInit, oldCluster] = docs(CONFIG);
  const [newInit, newCluster] = docs(text);
  assert.deepEqual(newInit, oldInit);
  assert.deepEqual(newCluster.apiServer.certSANs, ["k8s.example.test", "10.0.0.50", "lb.example.com"]);
  delete oldCluster.apiServer;
  delete newCluster.apiServer;
  assert.deepEqual(newCluster, oldCluster);
  // The cluster's own copy, the restart, and where the backup is.
  assert.match(r.stdout, /kubectl -n kube-system edit cm kubeadm-config\n\s+#   add 10\.0\.0\.50, lb\.example\.com to ClusterConfiguration apiServer\.certSANs/);
  assert.match(r.stdout, /kube-apiserver \(apiserver\)\n\s+mv \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml \/etc\/kubernetes\/kube-apiserver\.yaml/);

  const backups = readdirSync(join(k8s, "kubepki-backup"));
  assert.equal(backups.length, 1);
  const restore = kubepki(["renew", "--restore", join(k8s, "kubepki-backup", backups[0]), "--root", root]);
  assert.equal(restore.code, 0, restore.stderr);
  assert.match(restore.stdout, /kube-apiserver \(apiserver\)\n\s+mv /);
  const after = snapshot(k8s);
  for (const [f, sum] of Object.entries(before.tree)) assert.equal(after[f], sum, `${f} restored`);
  // The config lies outside the tree: its backup is beside it, and the printed undo puts it back.
  const undo = /\(undo: (kubepki renew --restore \S+kubepki-backup\/\S+)\)\.$/m.exec(r.stdout.split("\n").filter((l) => l.includes("kubeadm-config.yaml is in")).join("\n"));
  assert.ok(undo, r.stdout);
  assert.equal(sh("sh", ["-c", undo[1].replace(/^kubepki /, `${process.execPath} ${BIN} `)]).code, 0);
  assert.ok(readFileSync(config).equals(before.config), "the config file restored byte-identically");
});

test("--remove-san drops only that name from etcd-peer; mistakes are refused before anything is written", (t) => {
  const root = node(t);
  const k8s = join(root, "etc/kubernetes");
  const old = opensslFields(join(k8s, "pki/etcd/peer.crt"));
  const r = kubepki(["renew", "etcd-peer", "--root", root, "--remove-san", "::1", "--add-san", "cp1.example.internal"]);
  assert.equal(r.code, 0, r.stderr);
  const now = opensslFields(join(k8s, "pki/etcd/peer.crt"));
  assert.equal(now.san, old.san!.replace(", IP Address:0:0:0:0:0:0:0:1", "").replace("DNS:localhost", "DNS:localhost, DNS:cp1.example.internal"));
  assert.equal(now.extKeyUsage, "TLS Web Server Authentication, TLS Web Client Authentication");
  assert.match(r.stdout, /etcd \(etcd-peer\)\n\s+mv /);

  const before = snapshot(k8s);
  const refusals: [string[], RegExp][] = [
    [["etcd-peer", "--remove-san", "10.9.9.9"], /^error: --remove-san: etcd-peer has no SAN 10\.9\.9\.9\nhint: its SANs: /],
    [["apiserver", "--remove-san", "kubernetes.default"], /^error: --remove-san: apiserver needs kubernetes\.default: .*\nhint: removing it would break those clients; nothing was changed/],
    [["etcd-server", "--remove-san", "127.0.0.1"], /^error: --remove-san: etcd-server needs 127\.0\.0\.1: loopback/],
    [["admin.conf", "--add-san", "10.0.0.5"], /^error: --add-san\/--remove-san: admin\.conf is a client certificate; SANs name a server/],
    [["all", "--add-san", "10.0.0.5"], /^error: --add-san\/--remove-san: name the serving certificates to change/],
    [["apiserver", "--add-san", "not a name!"], /^error: --add-san: "not a name!" is neither an IP address nor a valid DNS name/],
    [["apiserver", "--add-san", "10.0.0.5", "--remove-san", "10.0.0.5"], /^error: --add-san and --remove-san both name 10\.0\.0\.5/],
    [["apiserver", "--add-san", "10.0.0.5", "--config", join(root, "missing.yaml")], /^error: .*missing\.yaml/],
    [["apiserver", "--config", join(root, "missing.yaml")], /^error: renew: --config is read to update its SAN lists/],
  ];
  for (const [args, message] of refusals) {
    const x = kubepki(["renew", ...args, "--root", root]);
    assert.equal(x.code, 2, `${args.join(" ")}: ${x.stdout}`);
    assert.match(x.stderr, message);
  }
  assert.deepEqual(snapshot(k8s), before);
});
