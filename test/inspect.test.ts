// `kubepki inspect` against certificates, requests, kubeconfigs and objects made
// by openssl, cfssl and kubectl; every field compared with what openssl reports.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse as parseYaml } from "yaml";
import { kubepki, openssl, opensslFields, sh, tempDir } from "./helpers.ts";
import { cfsslPair, ecParams, EKU_WORDS, KU_WORDS, opensslCA, opensslFingerprint, opensslLeaf } from "./inspect-fixtures.ts";

type Json = Record<string, any>;

function inspectJson(args: string[], options: { input?: string } = {}): { code: number; report: Json; stderr: string } {
  const r = kubepki(["inspect", "-o", "json", ...args], { input: options.input });
  return { code: r.code, report: JSON.parse(r.stdout), stderr: r.stderr };
}

/** openssl's view of a certificate, in kubepki's vocabulary. */
function opensslView(file: string) {
  const f = opensslFields(file);
  const sans = (f.san ?? "").split(", ").filter(Boolean);
  return {
    ...f,
    dns: sans.filter((s) => s.startsWith("DNS:")).map((s) => s.slice(4)),
    ips: sans.filter((s) => s.startsWith("IP Address:")).map((s) => s.slice(11)),
    ku: (f.keyUsage ?? "").split(", ").filter(Boolean).map((w) => KU_WORDS[w] ?? w),
    eku: (f.extKeyUsage ?? "").split(", ").filter(Boolean).map((w) => EKU_WORDS[w] ?? w),
    fingerprint: opensslFingerprint(file),
    cn: /(?:^|,)CN=([^,]*)/.exec(f.subject ?? "")?.[1],
    o: [...(f.subject ?? "").matchAll(/(?:^|,)O=([^,]*)/g)].map((m) => m[1]).sort(),
    issuerCN: /(?:^|,)CN=([^,]*)/.exec(f.issuer ?? "")?.[1],
  };
}

function assertSameAsOpenssl(file: string, c: Json) {
  const o = opensslView(file);
  assert.equal(c.subject.commonName, o.cn, `${file}: CN`);
  assert.deepEqual([...c.subject.organization].sort(), o.o, `${file}: O`);
  assert.equal(c.issuer.commonName, o.issuerCN, `${file}: issuer CN`);
  assert.equal(c.serial, o.serial.replace(/^0+(?=.)/, ""), `${file}: serial`);
  assert.equal(c.notBefore, o.notBefore.toISOString(), `${file}: notBefore`);
  assert.equal(c.notAfter, o.notAfter.toISOString(), `${file}: notAfter`);
  assert.deepEqual(c.sans.dns, o.dns, `${file}: DNS SANs`);
  // openssl prints IPv6 uncompressed; compare through Node's canonical form.
  const canon = (ip: string) => (ip.includes(":") ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip);
  assert.deepEqual(c.sans.ip, o.ips.map(canon), `${file}: IP SANs`);
  assert.deepEqual([...c.keyUsage].sort(), [...o.ku].sort(), `${file}: key usage`);
  assert.deepEqual(c.extKeyUsage, o.eku, `${file}: extended key usage`);
  assert.equal(c.fingerprintSHA256, o.fingerprint, `${file}: fingerprint`);
  assert.equal(c.signatureAlgorithm, o.signatureAlgorithm, `${file}: signature algorithm`);
  assert.equal(c.key.bits, o.keyBits, `${file}: key bits`);
  if (o.skid) assert.equal(c.subjectKeyId.replace(/(..)(?!$)/g, "$1:"), o.skid, `${file}: SKID`);
  if (o.akid) assert.equal(c.authorityKeyId.replace(/(..)(?!$)/g, "$1:"), o.akid, `${file}: AKID`);
  assert.equal(c.isCA, o.basicConstraints === undefined ? null : o.basicConstraints.startsWith("CA:TRUE"), `${file}: CA`);
}

test("openssl-made CA, server, client and odd certificates: every field as openssl reports it", (t) => {
  const dir = tempDir(t);
  const ca = opensslCA(dir, "ca", "test-ca");
  const server = opensslLeaf(dir, "server", ca, {
    subj: "/CN=kube-apiserver",
    ext: ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment", "extendedKeyUsage=serverAuth",
      "subjectAltName=DNS:kubernetes,DNS:kubernetes.default,IP:10.96.0.1,IP:fd00::1,IP:192.168.0.10", "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"],
  });
  const client = opensslLeaf(dir, "client", ca, {
    subj: "/O=system:masters/O=team-a/CN=alice", newkey: ecParams(dir, "prime256v1"),
    ext: ["keyUsage=critical,digitalSignature", "extendedKeyUsage=clientAuth"],
  });
  void client;
  const ec = opensslLeaf(dir, "ec384", ca, { subj: "/C=US/ST=Washington/L=Seattle/O=system:nodes/CN=system:node:n1", newkey: ecParams(dir, "secp384r1"), ext: ["extendedKeyUsage=clientAuth,serverAuth", "subjectAltName=DNS:n1"] });
  void ec;
  const files = [ca.crt, server.crt, join(dir, "client.crt"), join(dir, "ec384.crt")];
  const { code, report } = inspectJson(files);
  assert.equal(code, 0);
  assert.equal(report.certificates.length, 4);
  files.forEach((f, i) => assertSameAsOpenssl(f, report.certificates[i]));
  const [caJ, serverJ, clientJ, nodeJ] = report.certificates;
  assert.equal(caJ.kind, "CA");
  assert.equal(caJ.selfSigned, true);
  assert.equal(serverJ.kind, "server");
  assert.deepEqual(serverJ.kubernetes.missingNames, ["kubernetes.default.svc", "kubernetes.default.svc.cluster.local"]);
  assert.equal(clientJ.kind, "client");
  assert.equal(clientJ.kubernetes.user, "alice");
  assert.deepEqual(clientJ.kubernetes.groups, ["system:masters", "team-a"]);
  assert.match(clientJ.kubernetes.notes.join("\n"), /system:masters.*bypasses RBAC/);
  assert.equal(clientJ.key.type, "ECDSA");
  assert.equal(nodeJ.kind, "server+client");
  assert.equal(nodeJ.key.curve, "P-384");
  assert.match(nodeJ.kubernetes.notes.join("\n"), /Node authorizer/);
  assert.ok(nodeJ.warnings.some((w: Json) => w.code === "no-ip-sans"), "kubelet-like serving cert without IP SANs is flagged");
});

test("--text prints exactly what openssl x509 -text -noout prints", (t) => {
  const dir = tempDir(t);
  const ca = opensslCA(dir, "ca", "text-ca");
  const leaf = opensslLeaf(dir, "leaf", ca, {
    subj: "/C=DE/O=a/OU=b/CN=leaf.example",
    ext: ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment", "extendedKeyUsage=serverAuth,clientAuth",
      "subjectAltName=DNS:leaf.example,IP:127.0.0.1,IP:::1,email:a@b.c,URI:spiffe://cluster.local/ns/x", "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid",
      "nsCertType=client,server", "nsComment=Admin Client Certificate"],
  });
  const ecCA = opensslCA(dir, "ecca", "ec-ca", { key: ecParams(dir, "prime256v1") });
  const cf = cfsslPair(join(dir, "cfssl"));
  for (const file of [ca.crt, leaf.crt, ecCA.crt, cf.ca, cf.leaf]) {
    const ours = kubepki(["inspect", "--text", file]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, openssl(["x509", "-in", file, "-noout", "-text"]).stdout, `--text of ${file}`);
  }
});

test("cfssl-made certificates and the CA bundle they chain to", (t) => {
  const dir = tempDir(t);
  const cf = cfsslPair(dir);
  const bundle = join(dir, "bundle.pem");
  writeFileSync(bundle, readFileSync(cf.leaf, "utf8") + readFileSync(cf.ca, "utf8"));
  const { code, report } = inspectJson([bundle, cf.leafKey]);
  assert.equal(code, 0);
  const yaml = kubepki(["inspect", "-o", "yaml", "--now", report.now, bundle, cf.leafKey]);
  assert.equal(yaml.code, 0, yaml.stderr);
  assert.deepEqual({ ...parseYaml(yaml.stdout), certificates: parseYaml(yaml.stdout).certificates.map((c: Json) => ({ ...c, secondsLeft: 0 })) },
    { ...report, certificates: report.certificates.map((c: Json) => ({ ...c, secondsLeft: 0 })) }, "-o yaml is the same document as -o json");
  assert.equal(report.certificates.length, 2, "every certificate of a bundle, in order");
  assert.deepEqual(report.certificates.map((c: Json) => c.source.index), [0, 1]);
  assertSameAsOpenssl(cf.leaf, report.certificates[0]);
  assertSameAsOpenssl(cf.ca, report.certificates[1]);
  assert.equal(report.certificates[0].kind, "server+client");
  assert.equal(report.keys.length, 1);
  assert.match(report.keys[0].matches[0], /bundle\.pem #1 \(CN=etcd1\)/, "the key is matched to the certificate it belongs to");
});

test("CSRs: a PEM request and a CertificateSigningRequest object, as openssl req reads them", (t) => {
  const dir = tempDir(t);
  const key = join(dir, "jane.key");
  const csr = join(dir, "jane.csr");
  openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/O=dev/CN=jane", "-addext", "subjectAltName=DNS:jane.example,IP:10.1.2.3", "-addext", "extendedKeyUsage=clientAuth"]);
  const text = openssl(["req", "-in", csr, "-noout", "-text"]).stdout;
  const ca = opensslCA(dir, "ca", "kubernetes");
  const issued = join(dir, "jane.crt");
  openssl(["x509", "-req", "-in", csr, "-CA", ca.crt, "-CAkey", ca.key, "-CAcreateserial", "-days", "1", "-out", issued, "-copy_extensions", "copyall"]);
  const object = {
    apiVersion: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", metadata: { name: "jane" },
    spec: { request: readFileSync(csr).toString("base64"), signerName: "kubernetes.io/kube-apiserver-client", expirationSeconds: 86400, usages: ["client auth"], username: "admin" },
    status: { conditions: [{ type: "Approved", reason: "KubectlApprove" }], certificate: readFileSync(issued).toString("base64") },
  };
  const list = join(dir, "csrs.json");
  writeFileSync(list, JSON.stringify({ apiVersion: "v1", kind: "List", items: [object] }));
  const { code, report } = inspectJson([csr, list]);
  assert.equal(code, 0);
  assert.equal(report.requests.length, 2);
  for (const r of report.requests) {
    assert.equal(r.subject.commonName, "jane");
    assert.match(text, /Subject: O ?= ?dev, CN ?= ?jane/);
    assert.deepEqual(r.sans.dns, ["jane.example"]);
    assert.deepEqual(r.sans.ip, ["10.1.2.3"]);
    assert.match(text, /DNS:jane.example, IP Address:10.1.2.3/);
    assert.deepEqual(r.extKeyUsage, ["clientAuth"]);
    assert.equal(r.signatureValid, true);
    assert.equal(r.kubernetes.user, "jane");
  }
  assert.equal(report.requests[1].object.state, "Issued");
  assert.equal(report.requests[1].object.signerName, "kubernetes.io/kube-apiserver-client");
  assert.equal(report.certificates.length, 1, "status.certificate is shown too");
  assert.match(report.certificates[0].source.where, /csr\/jane status.certificate/);
  assertSameAsOpenssl(issued, report.certificates[0]);
});

test("kubectl-made kubeconfigs: embedded and file references, --context", (t) => {
  const dir = tempDir(t);
  const ca = opensslCA(dir, "ca", "kubernetes");
  const admin = opensslLeaf(dir, "admin", ca, { subj: "/O=system:masters/CN=admin", ext: ["extendedKeyUsage=clientAuth"] });
  const bob = opensslLeaf(dir, "bob", ca, { subj: "/O=devs/CN=bob", ext: ["extendedKeyUsage=clientAuth"] });
  const cfg = join(dir, "config");
  const kubectl = (...args: string[]) => sh("kubectl", ["--kubeconfig", cfg, "config", ...args], { check: true });
  kubectl("set-cluster", "hw", "--server=https://127.0.0.1:6443", `--certificate-authority=${ca.crt}`, "--embed-certs=true");
  kubectl("set-credentials", "admin", `--client-certificate=${admin.crt}`, `--client-key=${admin.key}`, "--embed-certs=true");
  kubectl("set-context", "admin@hw", "--cluster=hw", "--user=admin");
  kubectl("use-context", "admin@hw");
  // A second file with relative references, resolved against the kubeconfig's folder as kubectl does.
  mkdirSync(join(dir, "sub"));
  copyFileSync(bob.crt, join(dir, "sub", "bob.crt"));
  copyFileSync(bob.key, join(dir, "sub", "bob.key"));
  const rel = join(dir, "sub", "bob.kubeconfig");
  writeFileSync(rel, `apiVersion: v1\nkind: Config\nclusters:\n- name: hw\n  cluster: {server: "https://127.0.0.1:6443", certificate-authority: ../ca.crt}\nusers:\n- name: bob\n  user: {client-certificate: bob.crt, client-key: bob.key}\ncontexts:\n- name: bob@hw\n  context: {cluster: hw, user: bob}\ncurrent-context: bob@hw\n`);
  const { code, report } = inspectJson(["--kubeconfig", cfg]);
  assert.equal(code, 0);
  assert.deepEqual(report.certificates.map((c: Json) => c.source.where), ["clusters[hw].certificate-authority-data", "users[admin].client-certificate-data"]);
  assert.equal(report.certificates[1].kubernetes.user, "admin");
  assert.deepEqual(report.certificates[1].kubernetes.groups, ["system:masters"]);
  assert.equal(report.keys.length, 1);
  assert.equal(report.keys[0].form, "private");
  assert.equal(report.keys[0].matches.length, 1);
  assertSameAsOpenssl(admin.crt, report.certificates[1]);
  const second = inspectJson([rel, "--context", "bob@hw"]);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(second.report.certificates.map((c: Json) => c.subject.commonName), ["kubernetes", "bob"]);
  assert.equal(second.report.certificates[1].source.file, join(dir, "sub", "bob.crt"));
  const missing = kubepki(["inspect", rel, "--context", "nope"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^error: .*bob\.kubeconfig: context "nope" not found\n$/);
  // The key material never appears, in any output.
  const keyBody = readFileSync(admin.key, "utf8").split("\n")[1];
  for (const args of [[cfg], ["--short", cfg], ["-o", "yaml", cfg], ["-o", "json", cfg]]) {
    const out = kubepki(["inspect", ...args]).stdout;
    assert.ok(!out.includes(keyBody.slice(0, 40)) && !out.includes("PRIVATE KEY-----"), `no key material with ${args.join(" ")}`);
  }
});

test("Secrets, static pod manifests and directories", (t) => {
  const dir = tempDir(t);
  const pki = join(dir, "etc", "kubernetes", "pki");
  const ca = opensslCA(pki, "ca", "kubernetes");
  const api = opensslLeaf(pki, "apiserver", ca, { subj: "/CN=kube-apiserver", ext: ["extendedKeyUsage=serverAuth", "subjectAltName=DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1"] });
  const secret = join(dir, "secret.yaml");
  writeFileSync(secret, `apiVersion: v1\nkind: Secret\nmetadata: {name: web, namespace: prod}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${readFileSync(api.crt).toString("base64")}\n  tls.key: ${readFileSync(api.key).toString("base64")}\nstringData:\n  ca.crt: |\n${readFileSync(ca.crt, "utf8").replace(/^/gm, "    ")}\n`);
  const s = inspectJson([secret]);
  assert.equal(s.code, 0, s.stderr);
  assert.deepEqual(s.report.certificates.map((c: Json) => c.source.where), ["secret/prod/web data[tls.crt]", "secret/prod/web data[ca.crt]"]);
  assert.equal(s.report.keys[0].key.type, "RSA");
  assert.equal(s.report.keys[0].matches.length, 1);
  assert.deepEqual(s.report.certificates[0].kubernetes.missingNames, []);
  // A manifest whose paths are the container's, mapped to the host through its hostPath volume.
  const manifest = join(dir, "kube-apiserver.yaml");
  writeFileSync(manifest, `apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n    - --client-ca-file=/etc/kubernetes/pki/ca.crt\n    - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt\n    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key\n    - --kubelet-client-certificate=/etc/kubernetes/pki/absent.crt\n    volumeMounts:\n    - {name: k8s-certs, mountPath: /etc/kubernetes/pki}\n  volumes:\n  - name: k8s-certs\n    hostPath: {path: ${pki}}\n`);
  const m = inspectJson([manifest]);
  assert.equal(m.code, 2, "a missing file is an error");
  assert.deepEqual(m.report.certificates.map((c: Json) => c.usedAs), ["kube-apiserver --client-ca-file", "kube-apiserver --tls-cert-file"]);
  assert.equal(m.report.keys[0].matches.length, 1);
  assert.equal(m.report.errors.length, 1);
  assert.match(m.stderr, /^error: .*kube-apiserver\.yaml: kube-apiserver --kubelet-client-certificate: cannot read .*absent\.crt: no such file or directory\n$/);
  // A directory: everything under it, the rest skipped, the manifest not followed twice.
  writeFileSync(join(dir, "README.md"), "# notes\n");
  const d = inspectJson([dir]);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.report.certificates.length, 2 + 2, "pki certificates and the Secret's");
  assert.ok(d.report.skippedFiles >= 1);
});

test("warnings: expired, expiring, weak key, SHA-1, CA:TRUE on a leaf; --now judges the time", (t) => {
  const dir = tempDir(t);
  const ca = opensslCA(dir, "ca", "ca");
  const weak = opensslLeaf(dir, "weak", ca, { subj: "/CN=old", newkey: "rsa:1024", digest: "sha1", days: 10, ext: ["basicConstraints=CA:TRUE", "extendedKeyUsage=serverAuth", "subjectAltName=DNS:old"] });
  const codes = (now?: string) => {
    const { report } = inspectJson([weak.crt, ...(now ? ["--now", now] : [])]);
    return report.certificates[0].warnings.map((w: Json) => w.code).sort();
  };
  assert.deepEqual(codes(), ["ca-leaf", "expires-soon", "weak-key", "weak-signature"]);
  const later = new Date(Date.now() + 20 * 86_400_000).toISOString();
  assert.ok(codes(later).includes("expired"));
  const human = kubepki(["inspect", weak.crt, "--now", later]);
  assert.match(human.stdout, /expired \d+d ago/);
  assert.match(human.stdout, /✗ expired/);
  assert.ok(!human.stdout.includes("\x1b["), "no colour when not a terminal");
});

test("bad inputs: one error line each, naming the input; the good ones are still shown", (t) => {
  const dir = tempDir(t);
  const ca = opensslCA(dir, "ca", "good");
  const pem = readFileSync(ca.crt, "utf8");
  const files: Record<string, string | Buffer> = {
    "truncated.crt": pem.slice(0, 200),
    "badbase64.crt": pem.replace(/\n[A-Za-z0-9+/]{10}/, "\n!!!!!!!!!!"),
    "garbage.bin": Buffer.from([0x00, 0xff, 0x13, 0x37, 0x42]),
    "empty.crt": "",
    "kubeconfig.yaml": "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {certificate-authority-data: 'not base64!'}\n",
    "notyaml.txt": "just: [some\n",
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const inputs = [...Object.keys(files).map((n) => join(dir, n)), join(dir, "missing.crt")];
  const r = kubepki(["inspect", "--short", ca.crt, ...inputs]);
  assert.equal(r.code, 2);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, inputs.length, r.stderr);
  inputs.forEach((input, i) => assert.ok(lines[i].startsWith("error: ") && lines[i].includes(input), `line names ${input}: ${lines[i]}`));
  assert.ok(!/\n\s+at /.test(r.stderr), "no stack trace");
  assert.match(r.stdout, /ca\.crt\s+CA\s+CN=good/);
});
