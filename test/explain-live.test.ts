// explain on error lines produced live by real peers — kubectl, openssl s_server/s_client/verify,
// Node's tls, etcd and etcdctl — against certificates broken with openssl (not by kubepki), and
// --root going from those lines to the file at fault on a node made by `kubepki init`.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:tls";
import { test, type TestContext } from "node:test";
import { background, freePort, kubepki, openssl, sh, tempDir, waitFor } from "./helpers.ts";

/** `kubepki explain --log -` on `text`, as JSON. */
function explainJSON(text: string, ...args: string[]) {
  const r = kubepki(["explain", "--log", "-", "-o", "json", ...args], { input: text });
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return JSON.parse(r.stdout) as { lines: number; recognised: number; entries: any[] };
}

function node(_t: TestContext, dir: string, name = "k"): string {
  const out = join(dir, name);
  const r = kubepki(["init", "--out", out, "--node-name", "cp1", "--apiserver-advertise-address", "127.0.0.1", "--encryption-algorithm", "ECDSA-P256"]);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

/**
 * Signs a CSR for `key` with openssl's own CA command, which (unlike `x509 -req`) takes any
 * validity window: how an expired certificate is made without a fake clock.
 */
function opensslSign(dir: string, o: { caCrt: string; caKey: string; key: string; out: string; cn: string; san?: string; eku?: string; start?: string; end?: string; days?: number }) {
  const ca = join(dir, `ca-${Math.random().toString(36).slice(2)}`);
  mkdirSync(ca);
  writeFileSync(join(ca, "index.txt"), "");
  writeFileSync(join(ca, "serial"), "5EED01\n");
  writeFileSync(join(ca, "ca.cnf"), `[ca]\ndefault_ca = d\n[d]\ndatabase = ${ca}/index.txt\nnew_certs_dir = ${ca}\nserial = ${ca}/serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\ncopy_extensions = none\nx509_extensions = ext\n[p]\ncommonName = supplied\n[ext]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = ${o.eku ?? "serverAuth"}\n${o.san ? `subjectAltName = ${o.san}\n` : ""}`);
  const csr = join(ca, "req.csr");
  sh("openssl", ["req", "-new", "-key", o.key, "-subj", `/CN=${o.cn}`, "-out", csr], { check: true });
  const validity = o.start ? ["-startdate", o.start, "-enddate", o.end!] : ["-days", String(o.days ?? 30)];
  sh("openssl", ["ca", "-batch", "-notext", "-config", join(ca, "ca.cnf"), "-cert", o.caCrt, "-keyfile", o.caKey, "-in", csr, "-out", o.out, ...validity], { check: true });
}

/** openssl s_server on loopback with `cert`; its output is what it logs. */
async function serve(t: TestContext, cert: string, key: string, extra: string[] = []) {
  const port = await freePort();
  const server = background(t, "openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", cert, "-key", key, "-www", "-naccept", "50", ...extra]);
  await waitFor(() => /ACCEPT/.test(server.output()), 10_000, "s_server to listen");
  return { port, output: server.output };
}

function kubeconfig(dir: string, name: string, port: number, ca: string, tlsServerName?: string): string {
  const file = join(dir, `${name}.kubeconfig`);
  writeFileSync(file, `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:${port}
    certificate-authority: ${ca}
${tlsServerName ? `    tls-server-name: ${tlsServerName}\n` : ""}users:
- name: u
  user: {token: kubepki-test}  # a credential, so that kubectl does not prompt for one
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`);
  return file;
}

/** kubectl get pods: its discovery retries print several lines, then "Unable to connect to the server". */
function kubectl(file: string): string {
  const r = sh("kubectl", ["--kubeconfig", file, "--request-timeout", "5s", "get", "pods"]);
  assert.notEqual(r.code, 0, "kubectl must fail");
  return r.stderr;
}

/** Node's own TLS client error, as a Node program would print it. */
function nodeTLSError(port: number, ca: string, servername: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, ca: readFileSync(ca), servername }, () => {
      socket.end();
      resolve("connected");
    });
    socket.on("error", (err) => resolve(String(err)));
  });
}

test("kubectl, openssl and Node against s_server with an expired, a wrong-name, an unknown-CA and a regenerated-CA certificate", async (t) => {
  const dir = tempDir(t);
  const k = node(t, dir);
  const pki = join(k, "pki");

  // Expired: a certificate whose validity ended in 2020, signed by the cluster CA.
  const expired = join(dir, "expired.crt");
  opensslSign(dir, { caCrt: join(pki, "ca.crt"), caKey: join(pki, "ca.key"), key: join(pki, "apiserver.key"), out: expired, cn: "kube-apiserver", san: "DNS:kubernetes,IP:127.0.0.1", start: "20200101000000Z", end: "20200102000000Z" });
  const exp = await serve(t, expired, join(pki, "apiserver.key"));
  const expiredErr = kubectl(kubeconfig(dir, "expired", exp.port, join(pki, "ca.crt")));
  const lines = expiredErr.trim().split("\n").length;
  assert.ok(lines >= 2, expiredErr);
  let r = explainJSON(expiredErr);
  assert.equal(r.entries.length, 1, "one problem however many lines kubectl printed");
  let e = r.entries[0];
  assert.deepEqual([e.id, e.count, e.link.id, e.fault.certificate, e.fault.refusedBy], ["expired", lines, "kubectl-apiserver", "server", "client"]);
  assert.equal(e.quoted.notAfter, "2020-01-02T00:00:00Z");
  assert.match(e.hint, /apiserver\.crt has expired/);
  // s_server saw kubectl's alert: this side's certificate was refused by the other.
  await waitFor(() => /alert/.test(exp.output()), 5000, "s_server to log the alert");
  e = explainJSON(exp.output()).entries.find((x) => x.id === "openssl-alert-received");
  assert.ok(e, exp.output());
  assert.equal(e.fault.loggedBy, "refused side");
  // openssl s_client and Node's tls see the same certificate.
  const sclient = sh("openssl", ["s_client", "-connect", `127.0.0.1:${exp.port}`, "-CAfile", join(pki, "ca.crt")], { input: "" });
  assert.deepEqual(explainJSON(sclient.stdout + sclient.stderr).entries.map((x) => x.id), ["expired-non-go"]);
  const nodeExpired = await nodeTLSError(exp.port, join(pki, "ca.crt"), "kubernetes");
  assert.match(nodeExpired, /certificate has expired/);
  assert.equal(explainJSON(nodeExpired).entries[0].id, "expired-non-go");

  // Wrong name: the real apiserver.crt, dialed under a name it does not carry.
  const good = await serve(t, join(pki, "apiserver.crt"), join(pki, "apiserver.key"));
  e = explainJSON(kubectl(kubeconfig(dir, "wrong-name", good.port, join(pki, "ca.crt"), "evil.example.com"))).entries[0];
  assert.deepEqual([e.id, e.link.id, e.fault.certificate, e.quoted.host], ["name-mismatch", "kubectl-apiserver", "server", "evil.example.com"]);
  assert.ok(e.quoted.validFor.includes("kubernetes.default.svc"));
  const nodeName = await nodeTLSError(good.port, join(pki, "ca.crt"), "evil.example.com");
  assert.match(nodeName, /ERR_TLS_CERT_ALTNAME_INVALID|does not match/);
  assert.equal(explainJSON(nodeName).entries[0].id, "hostname-mismatch-non-go");

  // Unknown CA: etcd's serving certificate (etcd-ca) where kubectl trusts the cluster CA.
  const etcdServed = await serve(t, join(pki, "etcd", "server.crt"), join(pki, "etcd", "server.key"));
  e = explainJSON(kubectl(kubeconfig(dir, "unknown-ca", etcdServed.port, join(pki, "ca.crt"), "localhost"))).entries[0];
  assert.deepEqual([e.id, e.ref, e.link.id, e.fault.certificate], ["unknown-authority", "T1", "kubectl-apiserver", "server"]);
  assert.match(e.hint, /kubeconfig trusts another CA/);
  const verify = openssl(["verify", "-CAfile", join(pki, "ca.crt"), join(pki, "etcd", "server.crt")]);
  e = explainJSON(verify.stdout + verify.stderr).entries[0];
  assert.equal(e.id, "missing-issuer");
  assert.equal(e.quoted.file, join(pki, "etcd", "server.crt"));

  // Regenerated CA: another init's admin.conf (a CA also named "kubernetes") against this node's API server.
  const other = node(t, dir, "other");
  const stale = join(dir, "stale.kubeconfig");
  writeFileSync(stale, readFileSync(join(other, "admin.conf"), "utf8").replace(/server: .*/, `server: https://127.0.0.1:${good.port}`));
  e = explainJSON(kubectl(stale)).entries[0];
  assert.deepEqual([e.id, e.ref, e.quoted.candidateAuthority], ["unknown-authority-same-name", "T2", "kubernetes"]);
});

test("etcd started with the wrong CA: etcdctl's error and etcd's log, each side's view", async (t) => {
  const dir = tempDir(t);
  const pki = join(node(t, dir), "pki");
  const [client, peer, metrics] = [await freePort(), await freePort(), await freePort()];
  // --trusted-ca-file is the cluster CA, not etcd's: every etcd client certificate is refused.
  const etcd = background(t, "etcd", [
    "--name", "cp1", "--data-dir", join(dir, "data"),
    "--listen-client-urls", `https://127.0.0.1:${client}`, "--advertise-client-urls", `https://127.0.0.1:${client}`,
    "--listen-peer-urls", `http://127.0.0.1:${peer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${peer}`,
    "--initial-cluster", `cp1=http://127.0.0.1:${peer}`, "--listen-metrics-urls", `http://127.0.0.1:${metrics}`,
    "--client-cert-auth", "--trusted-ca-file", join(pki, "ca.crt"),
    "--cert-file", join(pki, "etcd", "server.crt"), "--key-file", join(pki, "etcd", "server.key"), "--logger", "zap",
  ]);
  await waitFor(() => /serving client traffic securely|ready to serve client requests/.test(etcd.output()), 20_000, "etcd to start");
  const etcdctl = (cacert: string) =>
    sh("etcdctl", ["--endpoints", `https://127.0.0.1:${client}`, "--cacert", cacert, "--cert", join(pki, "etcd", "healthcheck-client.crt"), "--key", join(pki, "etcd", "healthcheck-client.key"), "--dial-timeout", "1s", "--command-timeout", "2s", "get", "k"], { env: { ...process.env, ETCDCTL_API: "3" } });

  const refusedClient = etcdctl(join(pki, "etcd", "ca.crt"));
  assert.notEqual(refusedClient.code, 0);
  let e = explainJSON(refusedClient.stderr).entries.find((x) => x.id === "etcd-deadline");
  assert.ok(e, refusedClient.stderr);
  assert.equal(e.link.id, "etcdctl-etcd");
  await waitFor(() => /rejected connection.*unknown authority/.test(etcd.output()), 5000, "etcd to log the refusal");
  // Then etcdctl refuses etcd's certificate: it is handed the cluster CA.
  const refusedServer = etcdctl(join(pki, "ca.crt"));
  assert.notEqual(refusedServer.code, 0);
  await waitFor(() => /rejected connection.*bad certificate/.test(etcd.output()), 5000, "etcd to log the alert");

  const r = explainJSON(etcd.output(), "--root", join(dir, "k"));
  const byCore = (re: RegExp) => r.entries.find((x) => x.id === "etcd-rejected-connection" && re.test(x.core));
  const clientSide = byCore(/unknown authority/);
  assert.ok(clientSide, JSON.stringify(r.entries.map((x) => [x.id, x.core])));
  assert.deepEqual([clientSide.logger, clientSide.link.id, clientSide.fault.certificate, clientSide.fault.refusedBy, clientSide.fault.loggedBy], ["etcd", "client-etcd", "client", "server", "refusing side"]);
  assert.ok(clientSide.also.some((a: any) => a.id === "unknown-authority"));
  assert.match(clientSide.hint, /not from etcd's --trusted-ca-file/);
  assert.ok(clientSide.count >= 1);
  // Nothing quoted: --root names the link's client certificates, marked as a guess by link.
  assert.ok(clientSide.files.length && clientSide.files.every((f: any) => f.byLinkOnly));
  assert.ok(clientSide.files.some((f: any) => f.file.endsWith("etcd/healthcheck-client.crt")));
  const serverSide = byCore(/bad certificate/);
  assert.ok(serverSide);
  assert.deepEqual([serverSide.fault.certificate, serverSide.fault.refusedBy, serverSide.fault.loggedBy], ["server", "client", "refused side"]);
  assert.ok(serverSide.files.some((f: any) => f.file.endsWith("etcd/server.crt")));
});

test("--root: from the live kubectl error to the file at fault, with check's findings", async (t) => {
  const dir = tempDir(t);
  const k = node(t, dir);
  const pki = join(k, "pki");
  const original = join(dir, "apiserver.orig.crt");
  copyFileSync(join(pki, "apiserver.crt"), original);

  // 1. apiserver.crt replaced by one without 127.0.0.1 and the kubernetes.default names.
  opensslSign(dir, { caCrt: join(pki, "ca.crt"), caKey: join(pki, "ca.key"), key: join(pki, "apiserver.key"), out: join(pki, "apiserver.crt"), cn: "kube-apiserver", san: "DNS:cp1,DNS:kubernetes,IP:10.96.0.1" });
  const noSAN = await serve(t, join(pki, "apiserver.crt"), join(pki, "apiserver.key"));
  let r = explainJSON(kubectl(kubeconfig(dir, "nosan", noSAN.port, join(pki, "ca.crt"))), "--root", k);
  let e = r.entries[0];
  assert.equal(e.id, "name-mismatch");
  assert.deepEqual(e.quoted.validFor, ["10.96.0.1"]);
  assert.equal(e.files.length, 1, JSON.stringify(e.files));
  assert.equal(e.files[0].file, join(pki, "apiserver.crt"));
  assert.equal(e.files[0].byLinkOnly, false);
  assert.ok(e.files[0].findings.some((f: any) => f.id === "san-missing"), JSON.stringify(e.files[0].findings));
  // The text report names it too.
  const text = kubepki(["explain", "--root", k, kubectl(kubeconfig(dir, "nosan2", noSAN.port, join(pki, "ca.crt"))).trim().split("\n").pop()!]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`files +${join(pki, "apiserver.crt").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(apiserver\\)`));
  assert.match(text.stdout, /error san-missing/);

  // 2. apiserver.crt replaced by an expired one: the notAfter in the message names it.
  opensslSign(dir, { caCrt: join(pki, "ca.crt"), caKey: join(pki, "ca.key"), key: join(pki, "apiserver.key"), out: join(pki, "apiserver.crt"), cn: "kube-apiserver", san: "DNS:kubernetes,IP:127.0.0.1", start: "20200101000000Z", end: "20200102000000Z" });
  const exp = await serve(t, join(pki, "apiserver.crt"), join(pki, "apiserver.key"));
  e = explainJSON(kubectl(kubeconfig(dir, "expired", exp.port, join(pki, "ca.crt"))), "--root", k).entries[0];
  assert.equal(e.id, "expired");
  assert.deepEqual(e.files.map((f: any) => f.file), [join(pki, "apiserver.crt")]);
  assert.ok(e.files[0].findings.some((f: any) => f.id === "expired"));
  copyFileSync(original, join(pki, "apiserver.crt"));

  // 3. A regenerated CA: this node's admin.conf replaced by another cluster's (also "kubernetes").
  const other = node(t, dir, "other");
  copyFileSync(join(other, "admin.conf"), join(k, "admin.conf"));
  const good = await serve(t, join(pki, "apiserver.crt"), join(pki, "apiserver.key"));
  const stale = join(dir, "stale.kubeconfig");
  writeFileSync(stale, readFileSync(join(k, "admin.conf"), "utf8").replace(/server: .*/, `server: https://127.0.0.1:${good.port}`));
  e = explainJSON(kubectl(stale), "--root", k).entries[0];
  assert.equal(e.id, "unknown-authority-same-name");
  const trust = e.files.find((f: any) => f.as === "trust");
  assert.ok(trust, JSON.stringify(e.files));
  assert.equal(trust.file, join(k, "admin.conf"));
  assert.ok(trust.findings.some((f: any) => f.id === "kubeconfig-ca-mismatch" || f.id === "chain-untrusted"), JSON.stringify(trust.findings));
  assert.ok(e.files.some((f: any) => f.as === "issuer" && f.file === join(pki, "ca.crt")));

  // 4. The API server's SN=… (decimal) names the client certificate; here the stale admin.conf's.
  const certData = /client-certificate-data: (\S+)/.exec(readFileSync(join(k, "admin.conf"), "utf8"))![1];
  const serialHex = openssl(["x509", "-noout", "-serial"], Buffer.from(certData, "base64")).stdout.trim().replace(/^serial=/, "");
  const sn = BigInt(`0x${serialHex}`).toString(10);
  const a2 = `E0131 10:00:00.000000 1 authentication.go:73] "Unable to authenticate the request" err="[x509: certificate signed by unknown authority, verifying certificate SN=${sn}, SKID=, AKID= failed: x509: certificate signed by unknown authority]"`;
  e = explainJSON(a2, "--root", k).entries[0];
  assert.equal(e.id, "client-cert-refused-by-apiserver");
  assert.equal(e.files[0].file, join(k, "admin.conf"));
  assert.match(e.files[0].reasons[0], new RegExp(`serial ${serialHex.replace(/^0+/, "")}`));

  // 5. A serial no local file has: said so, and the link's certificates offered instead.
  e = explainJSON(a2.replace(`SN=${sn}`, "SN=12345"), "--root", k).entries[0];
  assert.match(e.unmatched, /no certificate under .* has serial 3039/);
});
