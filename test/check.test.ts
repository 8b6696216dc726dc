// kubepki check against nodes it did not make: a healthy node built with the
// openssl CLI (and one with cfssl, one with kubepki init), and a fault corpus,
// one broken copy per rule, each built with openssl.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test, type TestContext } from "node:test";
import { checkNode, type CheckResult } from "../src/check/index.ts";
import { background, freePort, kubepki, openssl, sh, tempDir, waitFor } from "./helpers.ts";
import { FAULTS } from "./check-faults.ts";
import { buildNode, buildNodeFiles, cfsslSigner, copyNode, NODE, opensslSigner, pkiOf } from "./fixtures-openssl.ts";

const S = opensslSigner();
let work: string;
let healthy: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), "kubepki-check-"));
  healthy = join(work, "healthy");
  buildNode(healthy);
});
after(() => rmSync(work, { recursive: true, force: true }));

const errorsOf = (r: CheckResult) => r.findings.filter((f) => f.severity === "error");
const json = (args: string[]) => {
  const run = kubepki(["check", "-o", "json", ...args]);
  return { ...run, data: run.stdout ? JSON.parse(run.stdout) : undefined };
};

describe("a healthy node", () => {
  test("made with the openssl CLI: no error, no warning, exit 0, every kubeadm file in the table", () => {
    const { code, data, stderr } = json(["--root", healthy]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(data.findings.filter((f: { severity: string }) => f.severity !== "info"), []);
    const ids = data.certificates.map((c: { id: string }) => c.id);
    for (const id of ["ca", "apiserver", "apiserver-kubelet-client", "front-proxy-ca", "front-proxy-client", "etcd-ca", "etcd-server", "etcd-peer",
      "etcd-healthcheck-client", "apiserver-etcd-client", "admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf", "kubelet-serving"]) {
      assert.ok(ids.includes(id), `row ${id} missing from ${ids}`);
    }
    assert.ok(data.certificates.every((c: { status: string }) => c.status === "OK"));
    // Facts came from the manifests and admin.conf, not from flags.
    assert.deepEqual([data.node.nodeName, data.node.advertiseAddress, data.node.controlPlaneEndpoint], [NODE.name, NODE.address, NODE.endpoint]);
    const apiserver = data.certificates.find((c: { id: string }) => c.id === "apiserver");
    assert.equal(apiserver.issuer, "ca");
    assert.equal(apiserver.via, "kube-apiserver --tls-cert-file");
    assert.match(apiserver.residual, /^36[45]d$/);
    const kubelet = data.certificates.find((c: { id: string }) => c.id === "kubelet.conf");
    assert.equal(kubelet.commonName, `system:node:${NODE.name}`);
    assert.match(kubelet.certFile, /var\/lib\/kubelet\/pki\/kubelet-client-current\.pem$/);
  });

  test("the text report is the table plus a verdict", () => {
    const { code, stdout } = kubepki(["check", "--root", healthy]);
    assert.equal(code, 0);
    assert.match(stdout, /^FILE\s+IDENTITY\s+EXPIRES\s+STATUS$/m);
    assert.match(stdout, /^etcd\/peer\.crt\s+cp1\s+\d{4}-\d\d-\d\d \(364d\)\s+OK$/m);
    assert.ok(Math.max(...stdout.split("\n").filter((l) => /\s(OK|WARN|FAIL)$/.test(l)).map((l) => l.length)) <= 120, "the table fits 120 columns");
    const wide = kubepki(["check", "--root", healthy, "-o", "wide"]).stdout;
    assert.match(wide, /^COMPONENT\s+ROLE\s+CERTIFICATE\s+FILE\s+CN\s+O\s+SANS\s+ISSUER\s+EXPIRES\s+RESIDUAL\s+STATUS$/m);
    assert.match(wide, /^etcd\s+peer\s+etcd-peer\s+etcd\/peer\.crt\s+cp1\s+-\s+DNS:cp1,DNS:localhost,IP:10\.0\.0\.10,IP:127\.0\.0\.1,\+1\s+etcd-ca\s+/m);
    assert.match(stdout, /^OK: 16 certificates checked, 0 error\(s\), 0 warning\(s\)\.$/m);
    assert.doesNotMatch(stdout, /\x1b\[/, "no colour when not on a terminal");
    assert.doesNotMatch(stdout, /PRIVATE KEY/);
  });

  test("made with cfssl: no error", (t) => {
    const root = join(tempDir(t), "node");
    buildNode(root, cfsslSigner(join(root, ".cfssl")));
    const { code, data, stderr } = json(["--root", root]);
    assert.equal(code, 0, stderr + JSON.stringify(data?.findings, null, 1));
    assert.deepEqual(data.findings.filter((f: { severity: string }) => f.severity === "error"), []);
  });

  test("an O-less apiserver-kubelet-client (kubeadm v1.37) on a node whose manifests run v1.31.0: a warning about the upgrade's ClusterRoleBinding, not an error", (t) => {
    const root = tempDir(t);
    const init = kubepki(["init", "--out", join(root, "etc/kubernetes"), "--node-name", NODE.name, "--apiserver-advertise-address", NODE.address,
      "--control-plane-endpoint", `${NODE.endpoint}:6443`, "--kubernetes-version", "v1.37.0", "--encryption-algorithm", "ECDSA-P256"]);
    assert.equal(init.code, 0, init.stderr);
    buildNodeFiles(root, S, { kubeconfigs: false });
    assert.equal(openssl(["x509", "-in", join(root, "etc/kubernetes/pki/apiserver-kubelet-client.crt"), "-noout", "-subject"]).stdout.trim(), "subject=CN = kube-apiserver-kubelet-client");
    const { code, data, stderr } = json(["--root", root]);
    assert.equal(code, 0, stderr);
    const found = data.findings.filter((f: { severity: string }) => f.severity !== "info");
    assert.deepEqual(found.map((f: { id: string; severity: string }) => [f.id, f.severity]), [["admin-group-missing", "warning"]]);
    assert.match(found[0].message, /manifests say v1\.31\.0.*ClusterRoleBinding kubeadm:apiserver-kubelet-client/);
  });

  test("made with kubepki init (RSA, its own kubeconfigs), with manifests and kubelet files added: no error", (t) => {
    const root = tempDir(t);
    // The manifests the fixtures add run v1.31.0: issue what that release's kubeadm writes.
    const init = kubepki(["init", "--out", join(root, "etc/kubernetes"), "--node-name", NODE.name, "--apiserver-advertise-address", NODE.address,
      "--control-plane-endpoint", `${NODE.endpoint}:6443`, "--kubernetes-version", "v1.31.0", "-o", "json"]);
    assert.equal(init.code, 0, init.stderr);
    buildNodeFiles(root, S, { kubeconfigs: false });
    const { code, data, stderr } = json(["--root", root]);
    assert.equal(code, 0, stderr + JSON.stringify(data?.findings, null, 1));
    assert.deepEqual(data.findings.filter((f: { severity: string }) => f.severity !== "info"), []);
    assert.equal(data.certificates.find((c: { id: string }) => c.id === "ca").key, "RSA 2048");
  });

  test("a bare pki folder from kubepki init --profile hard-way is detected as hard-way", (t) => {
    const out = tempDir(t);
    assert.equal(kubepki(["init", "--profile", "hard-way", "--out", out, "--node-name", "node-0", "--apiserver-advertise-address", "10.240.0.10"]).code, 0);
    const { code, data, stderr } = json(["--pki-dir", join(out, "pki"), "--kubeconfig-dir", out, "--node-name", "node-0", "--apiserver-advertise-address", "10.240.0.10"]);
    assert.equal(code, 0, stderr + JSON.stringify(data?.findings, null, 1));
    assert.equal(data.node.profile, "hard-way");
    const ids = data.certificates.map((c: { id: string }) => c.id);
    for (const id of ["kube-proxy", "admin.kubeconfig", "kube-proxy.kubeconfig", "node-0.kubeconfig"]) assert.ok(ids.includes(id), `${id} in ${ids}`);
  });
});

describe("the fault corpus: one broken node per rule, each built with openssl", () => {
  for (const [i, fault] of FAULTS.entries()) {
    test(`${fault.rule}: ${fault.name}`, async () => {
      const root = copyNode(healthy, join(work, `fault-${i}`));
      const file = fault.breakIt(root, pkiOf(root));
      const result = await checkNode({ root });
      const severity = fault.severity ?? "error";
      const hit = result.findings.find((f) => f.id === fault.rule && f.file === file && f.severity === severity);
      assert.ok(hit, `no ${severity} ${fault.rule} finding naming ${file}; got:\n${result.findings.map((f) => `${f.severity} ${f.id} ${f.file}: ${f.message}`).join("\n")}`);
      assert.ok(hit.message.length > 10 && hit.fix.length > 5);
      for (const f of result.findings) {
        assert.doesNotMatch(f.fix, /,\s*\)|[,;]\s*$|init .*--force/, `${f.id}: a fix reads as a sentence and never re-inits a tree`);
        // A printed path is quoted: the node's copy lives under a plain path here, so every command parses as one line of words.
        for (const c of f.commands) assert.doesNotMatch(c, /\n/);
      }
      // Precise: nothing else on the node is blamed.
      const allowed = new Set([fault.rule, ...(fault.alsoAllowed ?? [])]);
      const stray = errorsOf(result).filter((f) => !allowed.has(f.id));
      assert.deepEqual(stray.map((f) => `${f.id} ${f.file}`), []);
      rmSync(root, { recursive: true, force: true });
    });
  }

  test("the corpus covers every rule that can fire on a node", () => {
    const covered = new Set(FAULTS.map((f) => f.rule));
    for (const id of ["file-missing", "file-unreadable", "file-invalid", "key-mismatch", "chain-untrusted", "kubeconfig-ca-mismatch", "expired",
      "not-yet-valid", "expiring-soon", "subject-mismatch", "admin-group-missing", "kubelet-identity", "front-proxy-name-not-allowed", "san-missing",
      "eku-wrong", "ca-not-ca", "leaf-is-ca", "weak-key", "sha1-signature", "key-permissions", "sa-keypair-mismatch", "key-reused", "ca-key-missing"]) {
      assert.ok(covered.has(id), id);
    }
  });
});

describe("the clock and exit codes", () => {
  test("--now moves the clock: near the end of the leaves' year they warn, past it they fail", () => {
    const soon = json(["--root", healthy, "--now", new Date(Date.now() + 350 * 86_400_000).toISOString()]);
    assert.equal(soon.code, 0, "warnings alone exit 0");
    const warned = soon.data.findings.filter((f: { id: string }) => f.id === "expiring-soon");
    assert.ok(warned.length >= 10, JSON.stringify(warned));
    assert.ok(warned.every((f: { severity: string }) => f.severity === "warning"));
    assert.equal(soon.data.certificates.find((c: { id: string }) => c.id === "apiserver").status, "WARN");
    assert.equal(soon.data.certificates.find((c: { id: string }) => c.id === "ca").status, "OK", "the CA still has 9 years");

    assert.equal(kubepki(["check", "--root", healthy, "--now", new Date(Date.now() + 350 * 86_400_000).toISOString(), "--strict"]).code, 1, "--strict fails on warnings");

    const late = json(["--root", healthy, "--now", new Date(Date.now() + 400 * 86_400_000).toISOString()]);
    assert.equal(late.code, 1);
    const expired = late.data.findings.filter((f: { id: string }) => f.id === "expired");
    assert.ok(expired.some((f: { file: string }) => f.file === join(pkiOf(healthy), "apiserver.crt")));
    assert.equal(late.data.certificates.find((c: { id: string }) => c.id === "apiserver").residual, "<invalid>");
  });

  test("--now before the certificates were issued: not-yet-valid", () => {
    const early = json(["--root", healthy, "--now", new Date(Date.now() - 2 * 86_400_000).toISOString()]);
    assert.equal(early.code, 1);
    assert.ok(early.data.findings.some((f: { id: string; file: string }) => f.id === "not-yet-valid" && f.file === join(pkiOf(healthy), "ca.crt")));
  });

  test("--warn-within and --warn-within-ca widen the windows", () => {
    const r = json(["--root", healthy, "--warn-within", "400d", "--warn-within-ca", "4000d"]);
    assert.equal(r.code, 0);
    const ids = new Set(r.data.findings.filter((f: { id: string }) => f.id === "expiring-soon").map((f: { certificate: string }) => f.certificate));
    assert.ok(ids.has("apiserver") && ids.has("ca") && ids.has("admin.conf"));
  });

  test("bad usage exits 2 and names the flag", () => {
    for (const [args, re] of [
      [["--now", "yesterday"], /--now/],
      [["-o", "xml"], /-o/],
      [["--warn-within", "soon"], /--warn-within/],
      [["--profile", "kops"], /--profile/],
      [["--bogus"], /bogus/],
      [["--root", "/does/not/exist"], /--root/],
    ] as [string[], RegExp][]) {
      const r = kubepki(["check", "--root", healthy, ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });

  test("facts from flags when there is no manifest: a bare pki folder", async () => {
    const r = await checkNode({ pkiDir: pkiOf(healthy), kubeconfigDir: join(work, "none"), cluster: { firstNode: { name: NODE.name, address: "10.9.9.9" } } });
    const san = r.findings.find((f) => f.id === "san-missing" && f.certificate === "apiserver");
    assert.ok(san && /IP:10\.9\.9\.9 \(the advertise address\)/.test(san.message), JSON.stringify(r.findings));
  });
});

describe("ca-not-ca says exactly who refuses", () => {
  /** openssl verify (plain and -x509_strict) and kubectl's TLS handshake against a server whose certificate `ca` signed. */
  async function verdicts(t: TestContext, dir: string, ca: string) {
    const S2 = opensslSigner();
    S2.leaf(join(dir, "srv"), { cn: "srv", ca, eku: ["serverAuth"], ips: ["127.0.0.1"] });
    const openssl = (strict: string[]) => sh("openssl", ["verify", ...strict, "-CAfile", `${ca}.crt`, join(dir, "srv.crt")]).code === 0;
    const port = await freePort();
    background(t, "openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", join(dir, "srv.crt"), "-key", join(dir, "srv.key"), "-www", "-quiet"]);
    await waitFor(() => sh("openssl", ["s_client", "-connect", `127.0.0.1:${port}`], { input: "" }).code === 0, 10_000, "s_server");
    const kubectl = sh("kubectl", ["--server", `https://127.0.0.1:${port}`, "--certificate-authority", `${ca}.crt`, "--username", "x", "--password", "y", "get", "--raw", "/"], { input: "" });
    return { openssl: openssl([]), strict: openssl(["-x509_strict"]), go: !/x509|certificate/.test(kubectl.stderr), goError: kubectl.stderr };
  }

  test("a v3 CA with CA:FALSE: openssl (plain and strict) and Go all refuse, and the error says so", async (t) => {
    const dir = tempDir(t);
    opensslSigner().ca(join(dir, "ca"), "front-proxy-ca", { notCA: true });
    const v = await verdicts(t, dir, join(dir, "ca"));
    assert.deepEqual([v.openssl, v.strict, v.go], [false, false, false], v.goError);
    assert.match(v.goError, /parent certificate cannot sign this kind of certificate/);
    const root = copyNode(healthy, join(work, "ca-not-ca"));
    S.ca(join(pkiOf(root), "front-proxy-ca"), "front-proxy-ca", { notCA: true, reuseKey: join(pkiOf(root), "front-proxy-ca.key") });
    const f = (await checkNode({ root })).findings.find((x) => x.id === "ca-not-ca");
    assert.ok(f);
    assert.equal(f.severity, "error");
    assert.match(f.message, /by Go .*parent certificate cannot sign.* by OpenSSL/);
    assert.deepEqual(f.commands, []);
  });

  test("a v1 CA (no extensions): Go and plain openssl verify accept it, only -x509_strict refuses: a warning that says so", async (t) => {
    const dir = tempDir(t);
    const key = join(dir, "ca.key");
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
    const csr = openssl(["req", "-new", "-key", key, "-subj", "/CN=kubernetes"]).stdout;
    sh("openssl", ["x509", "-req", "-signkey", key, "-days", "3650", "-out", join(dir, "ca.crt")], { input: csr, check: true });
    const v = await verdicts(t, dir, join(dir, "ca"));
    assert.deepEqual([v.openssl, v.strict, v.go], [true, false, true], v.goError);
    const root = copyNode(healthy, join(work, "ca-v1"));
    const pki = pkiOf(root);
    const csr2 = openssl(["req", "-new", "-key", join(pki, "front-proxy-ca.key"), "-subj", "/CN=front-proxy-ca"]).stdout;
    sh("openssl", ["x509", "-req", "-signkey", join(pki, "front-proxy-ca.key"), "-days", "3650", "-out", join(pki, "front-proxy-ca.crt")], { input: csr2, check: true });
    const f = (await checkNode({ root })).findings.find((x) => x.id === "ca-not-ca");
    assert.ok(f);
    assert.equal(f.severity, "warning");
    assert.match(f.message, /accepted by Go .* plain openssl verify, but refused by openssl verify -x509_strict/);
  });
});
