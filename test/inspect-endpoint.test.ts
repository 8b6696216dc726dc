// `kubepki inspect host:port` against openssl s_server on loopback: the chain
// sent, verification, the name check, and client certificates.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { background, freePort, kubepki, openssl, tempDir, waitFor } from "./helpers.ts";
import { opensslCA, opensslLeaf } from "./inspect-fixtures.ts";

type Json = Record<string, any>;

function pki(t: TestContext) {
  const dir = tempDir(t);
  const ca = opensslCA(dir, "ca", "kubernetes");
  const inter = opensslLeaf(dir, "inter", ca, { subj: "/CN=intermediate", ext: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,digitalSignature"] });
  const server = opensslLeaf(dir, "server", inter, { subj: "/CN=kube-apiserver", ext: ["extendedKeyUsage=serverAuth", "subjectAltName=DNS:kubernetes.default.svc,IP:127.0.0.1"] });
  const client = opensslLeaf(dir, "client", ca, { subj: "/O=system:masters/CN=admin", ext: ["extendedKeyUsage=clientAuth"] });
  const stranger = opensslCA(dir, "stranger", "someone-else");
  const chain = join(dir, "chain.pem");
  writeFileSync(chain, readFileSync(inter.crt, "utf8"));
  return { dir, ca, inter, server, client, stranger, chain };
}

/** True once something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

async function sServer(t: TestContext, args: string[]): Promise<number> {
  const port = await freePort();
  background(t, "openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-quiet", "-www", ...args]);
  await waitFor(() => listening(port), 10_000, "s_server");
  return port;
}

const run = (args: string[]) => {
  const r = kubepki(["inspect", "-o", "json", "--timeout", "5s", ...args]);
  return { ...r, report: JSON.parse(r.stdout) as Json };
};

test("a server without client authentication: the chain it sends, verification against --ca, the name", async (t) => {
  const p = pki(t);
  const port = await sServer(t, ["-cert", p.server.crt, "-key", p.server.key, "-cert_chain", p.chain]);
  const ok = run(["--ca", p.ca.crt, "--servername", "kubernetes.default.svc", `127.0.0.1:${port}`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(ok.report.certificates.map((c: Json) => c.subject.commonName), ["kube-apiserver", "intermediate"], "exactly the chain sent: no root appended");
  const fp = openssl(["x509", "-in", p.server.crt, "-noout", "-fingerprint", "-sha256"]).stdout.trim().replace(/^.*=/, "");
  assert.equal(ok.report.certificates[0].fingerprintSHA256, fp);
  const e = ok.report.endpoints[0];
  assert.equal(e.verified, true);
  assert.equal(e.nameValid, true);
  assert.equal(e.chainLength, 2);
  assert.equal(e.clientCertificate, "none");
  // Against another CA, and for a name it lacks.
  const bad = run(["--ca", p.stranger.crt, "--servername", "kubernetes.default", `127.0.0.1:${port}`]);
  assert.equal(bad.code, 0);
  assert.equal(bad.report.endpoints[0].verified, false);
  assert.match(bad.report.endpoints[0].verifyError, /UNABLE_TO_GET_ISSUER_CERT|unable to get/i);
  assert.equal(bad.report.endpoints[0].nameValid, false);
  assert.match(bad.report.endpoints[0].nameError, /kubernetes\.default/);
  const human = kubepki(["inspect", "--ca", p.ca.crt, `127.0.0.1:${port}`]);
  assert.match(human.stdout, /Verified\s+yes, against --ca/);
  assert.match(human.stdout, /Name\s+yes, valid for 127\.0\.0\.1/);
});

test("a server that requires a client certificate: missing, accepted, rejected (TLS 1.3 and 1.2)", async (t) => {
  const p = pki(t);
  for (const version of ["-tls1_3", "-tls1_2"]) {
    const port = await sServer(t, [version, "-cert", p.server.crt, "-key", p.server.key, "-cert_chain", p.chain, "-CAfile", p.ca.crt, "-Verify", "1", "-verify_return_error"]);
    const accepted = run(["--ca", p.ca.crt, "--cert", p.client.crt, "--key", p.client.key, `127.0.0.1:${port}`]);
    assert.equal(accepted.code, 0, `${version}: ${accepted.stderr}`);
    assert.equal(accepted.report.endpoints[0].clientCertificate, "offered");
    const missing = kubepki(["inspect", "--ca", p.ca.crt, `127.0.0.1:${port}`]);
    const rejected = kubepki(["inspect", "--ca", p.ca.crt, "--cert", p.stranger.crt, "--key", p.stranger.key, `127.0.0.1:${port}`]);
    if (version === "-tls1_3") {
      // TLS 1.3: the handshake completes, then the server's verdict arrives as an alert.
      assert.equal(missing.code, 0, missing.stderr);
      assert.match(missing.stdout, /Client cert\s+the server requires one/);
      assert.equal(rejected.code, 0, rejected.stderr);
      assert.match(rejected.stdout, /Client cert\s+offered and rejected \(unknown ca\)/);
    } else {
      // TLS 1.2: the server aborts the handshake; one error line says why.
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, new RegExp(`^error: 127\\.0\\.0\\.1:${port}: the server refused the handshake .*client certificate\\n(hint: .*\\n)?$`));
      assert.equal(rejected.code, 2);
      assert.match(rejected.stderr, /rejected the client certificate .*stranger\.crt/);
    }
  }
});

test("refused and silent endpoints: one error line each, within the timeout; other inputs still shown", async (t) => {
  const p = pki(t);
  const refused = await freePort();
  const silent = createServer(() => {}); // accepts, never speaks TLS
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  t.after(() => silent.close());
  const silentPort = (silent.address() as { port: number }).port;
  const started = Date.now();
  const r = kubepki(["inspect", "--short", "--timeout", "1s", `127.0.0.1:${refused}`, `127.0.0.1:${silentPort}`, p.ca.crt]);
  assert.ok(Date.now() - started < 8000, "the timeout bounds the wait");
  assert.equal(r.code, 2);
  const lines = r.stderr.trimEnd().split("\n").filter((l) => l.startsWith("error: "));
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0], new RegExp(`127\\.0\\.0\\.1:${refused}: connection refused`));
  assert.match(lines[1], new RegExp(`127\\.0\\.0\\.1:${silentPort}: no TLS handshake within 1s`));
  assert.match(r.stdout, /ca\.crt\s+CA\s+CN=kubernetes/);
});
