// kubepki certs: kubeadm's certs commands. Nodes are made with openssl (never
// kubepki), outputs compared with kubeadm's format, certificates read back with
// openssl and kubeconfigs edited and read with kubectl.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildNode, leafWithDates, NODE, opensslSigner, pkiOf } from "./fixtures-openssl.ts";
import { kubepki, openssl, opensslFields, sh, snapshot, tempDir } from "./helpers.ts";

// kubeadm's headers, from its certTextPrinter (cmd/kubeadm/app/cmd/certs.go), laid out by
// tabwriter.NewWriter(out, 10, 4, 3, ' ', 0) as the kubeadm docs show them (kubeadm-certs.md).
const CERT_HEADER = "CERTIFICATE                EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED";
const CA_HEADER = "CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED";
const CERT_ROWS = ["admin.conf", "apiserver", "apiserver-etcd-client", "apiserver-kubelet-client", "controller-manager.conf", "etcd-healthcheck-client", "etcd-peer", "etcd-server", "front-proxy-client", "scheduler.conf", "super-admin.conf"];
const CA_ROWS = ["ca", "etcd-ca", "front-proxy-ca"];
const CA_OF: Record<string, string> = {
  "admin.conf": "ca", apiserver: "ca", "apiserver-etcd-client": "etcd-ca", "apiserver-kubelet-client": "ca", "controller-manager.conf": "ca",
  "etcd-healthcheck-client": "etcd-ca", "etcd-peer": "etcd-ca", "etcd-server": "etcd-ca", "front-proxy-client": "front-proxy-ca", "scheduler.conf": "ca", "super-admin.conf": "ca",
};
const FILE_OF: Record<string, string> = {
  apiserver: "apiserver", "apiserver-etcd-client": "apiserver-etcd-client", "apiserver-kubelet-client": "apiserver-kubelet-client",
  "etcd-healthcheck-client": "etcd/healthcheck-client", "etcd-peer": "etcd/peer", "etcd-server": "etcd/server", "front-proxy-client": "front-proxy-client",
  ca: "ca", "etcd-ca": "etcd/ca", "front-proxy-ca": "front-proxy-ca",
};

/** Go's "Jan 02, 2006 15:04 MST" in UTC, built from toUTCString ("Wed, 01 Dec 2027 13:48:00 GMT"). */
function goDate(d: Date): string {
  const [, day, month, year, time] = d.toUTCString().split(" ");
  return `${month} ${day}, ${year} ${time.slice(0, 5)} UTC`;
}

/** The column start offsets of a header line, where each title begins. */
const offsets = (header: string, titles: string[]) => titles.map((t) => header.indexOf(t));

/** A kubeconfig's client certificate (or CA) as openssl sees it, read out through kubectl. */
function kubeconfigPEM(file: string, path: string): string {
  const r = sh("kubectl", ["config", "view", "--raw", "--kubeconfig", file, "-o", `jsonpath={${path}}`], { check: true });
  return Buffer.from(r.stdout, "base64").toString("utf8");
}
const notAfterOf = (pem: string) => new Date(openssl(["x509", "-noout", "-enddate"], pem).stdout.trim().replace(/^notAfter=/, ""));

function node(t: import("node:test").TestContext): { root: string; k: string; pki: string } {
  const root = tempDir(t);
  buildNode(root, opensslSigner());
  return { root, k: join(root, "etc/kubernetes"), pki: pkiOf(root) };
}

test("certs check-expiration: kubeadm's two tables, line shape by line shape, on a node made with openssl", (t) => {
  const { root, k, pki } = node(t);
  // Intact, the tables are laid out exactly as kubeadm's docs show them.
  const intact = kubepki(["certs", "check-expiration", "--cert-dir", pki, "--kubeconfig-dir", k]).stdout.split("\n");
  assert.equal(intact[0], CERT_HEADER);
  assert.equal(intact[2 + CERT_ROWS.length], CA_HEADER);
  // A missing kubeconfig, an externally managed CA (its key elsewhere), an expired certificate.
  rmSync(join(k, "super-admin.conf"));
  rmSync(join(pki, "front-proxy-ca.key"));
  leafWithDates(join(pki, "etcd/healthcheck-client"), { cn: "kube-etcd-healthcheck-client", ca: join(pki, "etcd/ca"), eku: ["clientAuth"] }, "20200101000000Z", "20210101000000Z");
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const run = kubepki(["certs", "check-expiration", "--cert-dir", pki, "--kubeconfig-dir", k, "--now", now.toISOString()]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n");
  // The !MISSING! row's first cell is the widest now: tabwriter widens that column to it plus 3.
  const header = "CERTIFICATE".padEnd("!MISSING! super-admin.conf".length + 3) + CERT_HEADER.slice(CERT_HEADER.indexOf("EXPIRES"));
  assert.equal(lines[0], header);
  const certCols = offsets(header, ["CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "EXTERNALLY MANAGED"]);
  const rows = lines.slice(1, 1 + CERT_ROWS.length);
  assert.equal(lines[1 + CERT_ROWS.length], "", "an empty line between the tables");
  assert.equal(lines[2 + CERT_ROWS.length], CA_HEADER);
  const caRows = lines.slice(3 + CERT_ROWS.length, 3 + CERT_ROWS.length + CA_ROWS.length);
  assert.equal(lines.length, 3 + CERT_ROWS.length + CA_ROWS.length + 1, "nothing after the CA table but the final newline");
  assert.equal(lines.at(-1), "");

  const notAfter = (name: string): Date => {
    if (name.endsWith(".conf")) return notAfterOf(kubeconfigPEM(join(k, name), ".users[0].user.client-certificate-data"));
    return opensslFields(join(pki, `${FILE_OF[name]}.crt`)).notAfter;
  };
  const residual = (d: Date) => {
    const s = Math.trunc((d.getTime() - now.getTime()) / 1000);
    if (s < -1) return "<invalid>";
    const days = Math.trunc(s / 86400);
    return days >= 365 ? `${Math.trunc(days / 365)}y` : `${days}d`;
  };
  CERT_ROWS.forEach((name, i) => {
    const line = rows[i];
    if (name === "super-admin.conf") {
      // fmt "!MISSING! %s\t\t\t\t": the name, then every empty cell padded to its column.
      assert.equal(line, `!MISSING! ${name}`.padEnd(certCols[4]), "the !MISSING! row");
      return;
    }
    const cells = certCols.map((start, c) => line.slice(start, certCols[c + 1]));
    const external = name === "front-proxy-client";
    const d = notAfter(name);
    assert.deepEqual(cells.map((c) => c.trimEnd()), [name, goDate(d), residual(d), CA_OF[name], external ? "yes" : "no"], name);
    // "%-8v": the last cell is padded to 8, and nothing else follows.
    assert.equal(cells[4], (external ? "yes" : "no").padEnd(8), `${name}: EXTERNALLY MANAGED is %-8v`);
  });
  assert.match(rows[CERT_ROWS.indexOf("etcd-healthcheck-client")], / <invalid> /, "an expired certificate's residual time");
  const caCols = offsets(CA_HEADER, ["CERTIFICATE AUTHORITY", "EXPIRES", "RESIDUAL TIME", "EXTERNALLY MANAGED"]);
  CA_ROWS.forEach((name, i) => {
    const cells = caCols.map((start, c) => caRows[i].slice(start, caCols[c + 1]));
    const d = notAfter(name);
    assert.deepEqual(cells, [name.padEnd(caCols[1]), goDate(d).padEnd(caCols[2] - caCols[1]), residual(d).padEnd(caCols[3] - caCols[2]), (name === "front-proxy-ca" ? "yes" : "no").padEnd(8)], name);
  });
  assert.match(caRows[0], /^ca {22}\w{3} \d{2}, \d{4} \d{2}:\d{2} UTC {3}9y {14}no {6}$/, "a fresh 10-year CA reads 9y, as kubeadm shows it");

  // -o json: output.kubeadm.k8s.io/v1alpha3 CertificateExpirationInfo.
  const json = kubepki(["certs", "check-expiration", "--cert-dir", pki, "--kubeconfig-dir", k, "--now", now.toISOString(), "-o", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const info = JSON.parse(json.stdout);
  assert.equal(info.kind, "CertificateExpirationInfo");
  assert.equal(info.apiVersion, "output.kubeadm.k8s.io/v1alpha3");
  assert.deepEqual(info.certificates.map((c: { name: string }) => c.name), CERT_ROWS);
  assert.deepEqual(info.certificateAuthorities.map((c: { name: string }) => c.name), CA_ROWS);
  const apiserver = info.certificates.find((c: { name: string }) => c.name === "apiserver");
  assert.deepEqual(Object.keys(apiserver), ["name", "expirationDate", "residualTime", "externallyManaged", "caName", "missing"]);
  assert.equal(new Date(apiserver.expirationDate).getTime(), notAfter("apiserver").getTime());
  assert.match(apiserver.expirationDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, "metav1.Time: RFC 3339, whole seconds, UTC");
  assert.equal(apiserver.residualTime, Math.trunc((notAfter("apiserver").getTime() - now.getTime()) / 1000));
  assert.deepEqual(info.certificates.find((c: { name: string }) => c.name === "super-admin.conf"), { name: "super-admin.conf", expirationDate: null, residualTime: 0, externallyManaged: false, missing: true });
  assert.equal(info.certificateAuthorities[0].caName, undefined, "a CA has no caName (omitempty)");
  const yaml = kubepki(["certs", "check-expiration", "--cert-dir", pki, "--kubeconfig-dir", k, "-o", "yaml"]);
  assert.match(yaml.stdout, /^kind: CertificateExpirationInfo\napiVersion: output\.kubeadm\.k8s\.io\/v1alpha3\n/);
  assert.ok(root);
});

test("certs generate-csr → an external CA signs every CSR with openssl x509 -req -copy_extensions copy → openssl verify OK; renew refuses, naming the route", (t) => {
  const root = tempDir(t);
  const k = join(root, "etc/kubernetes");
  const pki = join(k, "pki");
  const config = join(root, "kubeadm.yaml");
  writeFileSync(config, [
    "apiVersion: kubeadm.k8s.io/v1beta4", "kind: InitConfiguration", `nodeRegistration: {name: ${NODE.name}}`, `localAPIEndpoint: {advertiseAddress: ${NODE.address}}`, "---",
    // v1.33.11: the last v1.33 whose apiserver-kubelet-client has O.
    "apiVersion: kubeadm.k8s.io/v1beta4", "kind: ClusterConfiguration", "kubernetesVersion: v1.33.11", "encryptionAlgorithm: ECDSA-P256", `controlPlaneEndpoint: ${NODE.endpoint}:6443`, "",
  ].join("\n"));
  const gen = kubepki(["certs", "generate-csr", "--cert-dir", pki, "--kubeconfig-dir", k, "--config", config]);
  assert.equal(gen.code, 0, gen.stderr);
  assert.deepEqual(gen.stdout.split("\n").filter((l) => l.startsWith("generating")), [`generating keys and CSRs in ${pki}`, `generating keys and CSRs in ${k}`]);
  // Kubeconfigs: the key only, no certificate and no CA (kubeadm's CreateWithCerts with both empty).
  const admin = sh("kubectl", ["config", "view", "--raw", "--kubeconfig", join(k, "admin.conf"), "-o", "json"], { check: true });
  const doc = JSON.parse(admin.stdout);
  assert.deepEqual(Object.keys(doc.users[0].user), ["client-key-data"]);
  assert.equal(doc.users[0].name, "kubernetes-admin");
  assert.equal(doc.clusters[0].cluster.server, `https://${NODE.endpoint}:6443`);
  assert.equal(doc.clusters[0].cluster["certificate-authority-data"], undefined);
  // A second run would clobber: refused, nothing written.
  const before = snapshot(root);
  const again = kubepki(["certs", "generate-csr", "--cert-dir", pki, "--kubeconfig-dir", k, "--config", config]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /^error: certs generate-csr: .* already exists/);
  assert.deepEqual(snapshot(root), before);

  // The external CA, kept outside the node's tree; only its certificates go to the node.
  const ext = join(root, "external-ca");
  const signer = opensslSigner();
  for (const [stem, cn] of [["ca", "kubernetes"], ["front-proxy-ca", "front-proxy-ca"], ["etcd/ca", "etcd-ca"]]) {
    signer.ca(join(ext, stem), cn);
    mkdirSync(join(pki, stem, ".."), { recursive: true });
    cpSync(join(ext, `${stem}.crt`), join(pki, `${stem}.crt`));
  }
  const usages: Record<string, [string, string]> = {
    apiserver: ["ca", "serverAuth"], "apiserver-kubelet-client": ["ca", "clientAuth"], "front-proxy-client": ["front-proxy-ca", "clientAuth"],
    "etcd/server": ["etcd/ca", "serverAuth,clientAuth"], "etcd/peer": ["etcd/ca", "serverAuth,clientAuth"], "etcd/healthcheck-client": ["etcd/ca", "clientAuth"],
    "apiserver-etcd-client": ["etcd/ca", "clientAuth"],
  };
  // The usages are the CA's to add (the CSRs carry only subject and SANs, as kubeadm's do); the SANs are copied.
  const sign = (csr: string, out: string, ca: string, eku: string) => {
    const cnf = join(root, "ext.cnf");
    writeFileSync(cnf, `[ext]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = ${eku}\nauthorityKeyIdentifier = keyid\n`);
    sh("openssl", ["x509", "-req", "-in", csr, "-CA", join(ext, `${ca}.crt`), "-CAkey", join(ext, `${ca}.key`), "-copy_extensions", "copy",
      "-extfile", cnf, "-extensions", "ext", "-days", "365", "-sha256", "-set_serial", `0x${randomBytes(8).toString("hex")}`, "-out", out], { check: true });
  };
  for (const [stem, [ca, eku]] of Object.entries(usages)) {
    sign(join(pki, `${stem}.csr`), join(pki, `${stem}.crt`), ca, eku);
    const purpose = eku.startsWith("serverAuth") ? "sslserver" : "sslclient";
    const verify = openssl(["verify", "-purpose", purpose, "-CAfile", join(pki, `${ca}.crt`), join(pki, `${stem}.crt`)]);
    assert.equal(verify.code, 0, `${stem}: ${verify.stderr}`);
  }
  const san = opensslFields(join(pki, "apiserver.crt")).san ?? "";
  for (const name of [`DNS:${NODE.name}`, `DNS:${NODE.endpoint}`, "DNS:kubernetes.default.svc.cluster.local", "IP Address:10.96.0.1", `IP Address:${NODE.address}`]) {
    assert.ok(san.split(", ").includes(name), `the SANs came from the CSR: ${name} in ${san}`);
  }
  for (const conf of ["admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf"]) {
    const file = join(k, conf);
    const crt = join(root, `${conf}.crt`);
    sign(`${file}.csr`, crt, "ca", "clientAuth");
    const user = sh("kubectl", ["config", "view", "--kubeconfig", file, "-o", "jsonpath={.users[0].name}"], { check: true }).stdout;
    sh("kubectl", ["config", "set-credentials", user, "--client-certificate", crt, "--embed-certs", "--kubeconfig", file], { check: true });
    sh("kubectl", ["config", "set-cluster", "kubernetes", "--certificate-authority", join(pki, "ca.crt"), "--embed-certs", "--kubeconfig", file], { check: true });
    const embedded = kubeconfigPEM(file, ".users[0].user.client-certificate-data");
    writeFileSync(crt, embedded);
    assert.equal(openssl(["verify", "-purpose", "sslclient", "-CAfile", join(pki, "ca.crt"), crt]).code, 0, conf);
  }
  // certs check-expiration now sees every certificate, each externally managed.
  const exp = JSON.parse(kubepki(["certs", "check-expiration", "--cert-dir", pki, "--kubeconfig-dir", k, "-o", "json"]).stdout);
  assert.ok(exp.certificates.every((c: { missing: boolean; externallyManaged: boolean }) => !c.missing && c.externallyManaged));

  // The service-account key pair needs no CA: 'kubeadm init' (phase certs sa) makes it on the node; here openssl does.
  sh("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", join(pki, "sa.key")], { check: true });
  sh("chmod", ["600", join(pki, "sa.key")], { check: true });
  sh("openssl", ["pkey", "-in", join(pki, "sa.key"), "-pubout", "-out", join(pki, "sa.pub")], { check: true });
  // kubepki check: the node is healthy without its CA keys (external CA mode).
  const check = kubepki(["check", "--root", root, "--node-name", NODE.name, "--apiserver-advertise-address", NODE.address]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /^OK: /m);

  // No CA key on the node: renew refuses, changes nothing and names the generate-csr route.
  const tree = snapshot(k);
  const renew = kubepki(["renew", "all", "--cert-dir", pki, "--kubeconfig-dir", k, "--manifests-dir", join(k, "manifests")]);
  assert.equal(renew.code, 2, renew.stdout + renew.stderr);
  assert.match(renew.stderr, /^error: .*external CA/);
  assert.match(renew.stderr, /kubepki certs generate-csr/);
  // kubeadm's certs renew: reports each one and renews nothing.
  const certsRenew = kubepki(["certs", "renew", "all", "--cert-dir", pki, "--kubeconfig-dir", k, "--config", config]);
  assert.equal(certsRenew.code, 0, certsRenew.stderr);
  assert.match(certsRenew.stdout, /^Detected external ca, certificate for serving the Kubernetes API can't be renewed$/m);
  assert.match(certsRenew.stdout, /^Detected external etcd\/ca, .* can't be renewed$/m);
  assert.match(certsRenew.stdout, /kubepki certs generate-csr/);
  assert.deepEqual(snapshot(k), tree, "nothing changed");
});

test("certs renew all: kubeadm's rules on an openssl node whose kubeconfigs carry an outdated CA", (t) => {
  const { root, k, pki } = node(t);
  // An old CA in admin.conf and scheduler.conf, as after a CA change by hand.
  const old = join(root, "old-ca");
  opensslSigner().ca(old, "kubernetes");
  for (const conf of ["admin.conf", "scheduler.conf"]) {
    sh("kubectl", ["config", "set-cluster", "kubernetes", "--certificate-authority", `${old}.crt`, "--embed-certs", "--kubeconfig", join(k, conf)], { check: true });
    assert.equal(kubeconfigPEM(join(k, conf), ".clusters[0].cluster.certificate-authority-data"), readFileSync(`${old}.crt`, "utf8"));
  }
  const kubeletConf = readFileSync(join(k, "kubelet.conf"));
  const config = join(root, "kubeadm.yaml");
  writeFileSync(config, "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: ECDSA-P256\ncertificateValidityPeriod: 48h\n");
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const run = kubepki(["certs", "renew", "all", "--cert-dir", pki, "--kubeconfig-dir", k, "--config", config, "--now", now.toISOString()]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trimEnd().split("\n");
  assert.equal(lines.filter((l) => / renewed$/.test(l)).length, CERT_ROWS.length, run.stdout);
  assert.equal(lines.at(-1), "Done renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.");

  const ca = readFileSync(join(pki, "ca.crt"), "utf8");
  for (const conf of ["admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf"]) {
    const file = join(k, conf);
    assert.equal(kubeconfigPEM(file, ".clusters[0].cluster.certificate-authority-data"), ca, `${conf}: CA data is ca.crt`);
    const cert = kubeconfigPEM(file, ".users[0].user.client-certificate-data");
    const crt = join(root, `${conf}.pem`);
    writeFileSync(crt, cert);
    assert.equal(openssl(["verify", "-purpose", "sslclient", "-CAfile", join(pki, "ca.crt"), crt]).code, 0, conf);
    const f = opensslFields(crt);
    assert.equal(f.curve, "P-256", `${conf}: the key type comes from --config`);
    assert.equal(f.notAfter.getTime(), now.getTime() + 48 * 3600_000, `${conf}: certificateValidityPeriod from --config`);
  }
  assert.deepEqual(readFileSync(join(k, "kubelet.conf")), kubeletConf, "kubelet.conf untouched");
  const apiserver = opensslFields(join(pki, "apiserver.crt"));
  assert.equal(apiserver.curve, "P-256");
  assert.equal(apiserver.notAfter.getTime(), now.getTime() + 48 * 3600_000);
  assert.equal(openssl(["verify", "-purpose", "sslserver", "-CAfile", join(pki, "ca.crt"), join(pki, "apiserver.crt")]).code, 0);

  // kubelet.conf is not kubeadm's to renew; an unknown name is bad input.
  const kubelet = kubepki(["certs", "renew", "kubelet.conf", "--cert-dir", pki, "--kubeconfig-dir", k, "--config", config]);
  assert.equal(kubelet.code, 2);
  assert.match(kubelet.stderr, /^error: certs renew: unknown certificate "kubelet\.conf"\nhint: kubeadm never renews kubelet\.conf/);
});

test("certs certificate-key: 32 random bytes in hex; unknown subcommands are refused", () => {
  const a = kubepki(["certs", "certificate-key"]);
  const b = kubepki(["certs", "certificate-key"]);
  assert.match(a.stdout, /^[0-9a-f]{64}\n$/);
  assert.notEqual(a.stdout, b.stdout);
  const bad = kubepki(["certs", "frobnicate"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: certs: unknown subcommand "frobnicate"/);
  const help = kubepki(["certs", "--help"]);
  for (const sub of ["check-expiration", "renew", "generate-csr", "certificate-key"]) assert.match(help.stdout, new RegExp(`^  ${sub}`, "m"));
});

test("check accepts the O-less apiserver-kubelet-client that kubeadm v1.37 (the default release) writes", (t) => {
  const out = tempDir(t);
  assert.equal(kubepki(["init", "--out", join(out, "etc/kubernetes"), "--encryption-algorithm", "ECDSA-P256", "--node-name", NODE.name, "--apiserver-advertise-address", NODE.address]).code, 0);
  const check = kubepki(["check", "--root", out, "--node-name", NODE.name, "--apiserver-advertise-address", NODE.address]);
  assert.equal(check.code, 0, check.stdout);
});

test("kubeconfig user: kubeadm's kubeconfig user to standard output, server and key type from --config, signed by an openssl CA", (t) => {
  const dir = tempDir(t);
  const pki = join(dir, "pki");
  opensslSigner().ca(join(pki, "ca"), "kubernetes");
  const config = join(dir, "kubeadm.yaml");
  writeFileSync(config, "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nclusterName: prod\ncontrolPlaneEndpoint: lb.example.com:443\nencryptionAlgorithm: ECDSA-P256\n");
  const run = kubepki(["kubeconfig", "user", "--client-name", "alice", "--org", "dev,ops", "--config", config, "--cert-dir", pki, "--validity-period", "24h"]);
  assert.equal(run.code, 0, run.stderr);
  const file = join(dir, "alice.conf");
  writeFileSync(file, run.stdout);
  const doc = JSON.parse(sh("kubectl", ["config", "view", "--raw", "--kubeconfig", file, "-o", "json"], { check: true }).stdout);
  assert.equal(doc["current-context"], "alice@prod");
  assert.equal(doc.clusters[0].cluster.server, "https://lb.example.com:443");
  assert.equal(kubeconfigPEM(file, ".clusters[0].cluster.certificate-authority-data"), readFileSync(join(pki, "ca.crt"), "utf8"));
  const crt = join(dir, "alice.crt");
  writeFileSync(crt, kubeconfigPEM(file, ".users[0].user.client-certificate-data"));
  assert.equal(openssl(["verify", "-purpose", "sslclient", "-CAfile", join(pki, "ca.crt"), crt]).code, 0);
  const f = opensslFields(crt);
  assert.match(f.subject ?? "", /^CN=alice,O=(dev\+O=ops|ops\+O=dev)$/, "CN=alice in O=dev and O=ops (one multi-valued RDN)");
  assert.equal(f.curve, "P-256");
  assert.ok(Math.abs(f.notAfter.getTime() - Date.now() - 24 * 3600_000) < 120_000, "--validity-period");
  // --token: the token, no key.
  const token = kubepki(["kubeconfig", "user", "--client-name", "bot", "--token", "abcdef.0123456789abcdef", "--config", config, "--cert-dir", pki]);
  assert.equal(token.code, 0, token.stderr);
  assert.match(token.stdout, /^    token: abcdef\.0123456789abcdef$/m);
  assert.doesNotMatch(token.stdout, /client-key-data/);
});
