// CA rotation without downtime, on a real 3-member etcd cluster with mutual TLS:
// etcd-ca is rotated through begin, reissue and finish on the three trees, with a
// rolling restart of the members after each phase, while a client keeps writing
// and reading with the API server's etcd client certificate. Not one request
// may fail; at the end everything chains to the new CA only.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { etcdCluster, initLoopbackControlPlanes, kubeadmEtcdTLS, kubepki, openssl, sh, tempDir, waitFor } from "./helpers.ts";

const NODES = ["etcd1", "etcd2", "etcd3"];
const ETCDCTL_ENV = { ...process.env, ETCDCTL_API: "3" };
const TLS_ERROR = /certificate|x509|tls:|authority|handshake/i;

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: ETCDCTL_ENV, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

/** A certificate and key read as one consistent pair: a component reads both at start, never half of a rotation. */
function pairSnapshot(dir: string, cert: string, key: string): { cert: string; key: string } {
  for (;;) {
    const c = readFileSync(cert);
    const k = readFileSync(key);
    const pub = createPublicKey(createPrivateKey(k)).export({ type: "spki", format: "der" });
    if (new X509Certificate(c).publicKey.export({ type: "spki", format: "der" }).equals(pub)) {
      const at = join(dir, `snap-${process.hrtime.bigint()}`);
      mkdirSync(at);
      writeFileSync(join(at, "c.crt"), c);
      writeFileSync(join(at, "c.key"), k, { mode: 0o600 });
      return { cert: join(at, "c.crt"), key: join(at, "c.key") };
    }
  }
}

test("rotate-ca etcd-ca on a live 3-member etcd cluster: begin, reissue, finish with rolling restarts, no client request fails", async (t: TestContext) => {
  const dir = tempDir(t);
  const tree = initLoopbackControlPlanes(dir, NODES);
  const pki = (node: string, f: string) => join(tree(node), "pki", f);
  const oldCA = join(dir, "old-etcd-ca.crt");
  copyFileSync(pki("etcd1", "etcd/ca.crt"), oldCA);
  const oldClient = { cert: join(dir, "old-client.crt"), key: join(dir, "old-client.key") };
  copyFileSync(pki("etcd1", "apiserver-etcd-client.crt"), oldClient.cert);
  copyFileSync(pki("etcd1", "apiserver-etcd-client.key"), oldClient.key);

  const { args: memberArgs, endpoint, endpoints } = await etcdCluster(dir, NODES, "kubepki-rotate", (n) => kubeadmEtcdTLS(join(tree(n), "pki")));
  const logs: string[] = NODES.map(() => "");
  const members: ReturnType<typeof spawn>[] = [];
  const start = (i: number) => {
    const child = spawn("etcd", [...memberArgs(i), "--log-level", "warn"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (logs[i] += d));
    child.stderr!.on("data", (d) => (logs[i] += d));
    members[i] = child;
  };
  t.after(() => members.forEach((m) => m.kill("SIGKILL")));
  NODES.forEach((_, i) => start(i));

  const etcdctl = (client: { cert: string; key: string }, cacert: string, eps: string, ...args: string[]) =>
    run("etcdctl", ["--endpoints", eps, "--cacert", cacert, "--cert", client.cert, "--key", client.key, "--dial-timeout", "3s", "--command-timeout", "5s", ...args]);
  const healthy = async (i: number) => {
    const c = pairSnapshot(dir, pki(NODES[i], "etcd/healthcheck-client.crt"), pki(NODES[i], "etcd/healthcheck-client.key"));
    return (await etcdctl(c, pki(NODES[i], "etcd/ca.crt"), endpoint(i), "endpoint", "health")).code === 0;
  };
  for (let i = 0; i < NODES.length; i++) await waitFor(() => healthy(i), 30_000, `${NODES[i]} healthy`);

  // The API server's client: the current files of etcd1's tree, read afresh for each request.
  let requests = 0;
  const failures: string[] = [];
  const tlsErrors: string[] = [];
  const retries: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const client = pairSnapshot(dir, pki("etcd1", "apiserver-etcd-client.crt"), pki("etcd1", "apiserver-etcd-client.key"));
      const cacert = join(dir, `ca-${requests}.crt`);
      copyFileSync(pki("etcd1", "etcd/ca.crt"), cacert);
      const value = `v${requests}`;
      // A request that reaches a member in the middle of its graceful stop gets a transport error from
      // etcd itself; the API server's etcd client retries those, and so does this one, once. A TLS
      // refusal is never retried away: it fails the test on the first attempt.
      const attempt = async (...args: string[]) => {
        let r = await etcdctl(client, cacert, endpoints, ...args);
        if (TLS_ERROR.test(r.out)) tlsErrors.push(r.out);
        if (r.code !== 0) {
          retries.push(r.out.split("\n").filter(Boolean).at(-1) ?? "");
          r = await etcdctl(client, cacert, endpoints, ...args);
        }
        return r;
      };
      const put = await attempt("put", "/registry/rotation", value);
      const get = await attempt("get", "/registry/rotation", "--print-value-only");
      requests += 2;
      if (put.code !== 0) failures.push(`put: ${put.out}`);
      if (get.code !== 0 || get.out.trim() !== value) failures.push(`get: ${get.out}`);
    }
  })();

  // One member at a time: stop gracefully, start on the files now on disk, wait until healthy.
  const rollingRestart = async () => {
    for (let i = 0; i < NODES.length; i++) {
      const exited = new Promise((r) => members[i].once("exit", r));
      members[i].kill("SIGTERM");
      await exited;
      start(i);
      await waitFor(() => healthy(i), 30_000, `${NODES[i]} healthy after restart`);
    }
  };
  const phase = async (step: string, extra: (node: string) => string[] = () => []) => {
    for (const node of NODES) {
      const r = kubepki(["rotate-ca", step, "--ca", "etcd-ca", "--root", tree(node), ...extra(node)]);
      assert.equal(r.code, 0, `${step} on ${node}: ${r.stderr}`);
    }
    await rollingRestart();
  };

  try {
    await phase("begin", (node) => (node === "etcd1" ? [] : ["--from", join(tree("etcd1"), "pki")]));
    await phase("reissue");
    await phase("finish");
  } finally {
    running = false;
    await loop;
  }
  assert.deepEqual(tlsErrors, [], "no request met a certificate error");
  assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed`);
  t.diagnostic(`${requests} requests, ${retries.length} retried once after a member's graceful stop: ${[...new Set(retries)].join(" | ")}`);
  assert.ok(requests >= 20, `the client made ${requests} requests`);

  // Every etcd certificate of every node chains to the new CA only.
  const newCA = pki("etcd1", "etcd/ca.crt");
  assert.equal((readFileSync(newCA, "utf8").match(/BEGIN CERTIFICATE/g) ?? []).length, 1);
  for (const node of NODES) {
    assert.equal(readFileSync(pki(node, "etcd/ca.crt"), "utf8"), readFileSync(newCA, "utf8"), `${node} trusts the same new CA`);
    for (const f of ["etcd/server.crt", "etcd/peer.crt", "etcd/healthcheck-client.crt", "apiserver-etcd-client.crt"]) {
      assert.equal(openssl(["verify", "-CAfile", newCA, pki(node, f)]).code, 0, `${node} ${f} verifies against the new CA`);
      assert.notEqual(openssl(["verify", "-CAfile", oldCA, pki(node, f)]).code, 0, `${node} ${f} no longer verifies against the old CA`);
    }
  }
  // A client certificate of the old CA is refused; every member is healthy.
  const refused = await etcdctl(oldClient, newCA, endpoints, "get", "/registry/rotation");
  assert.notEqual(refused.code, 0, "the old CA's client certificate is refused");
  const health = await etcdctl(pairSnapshot(dir, pki("etcd1", "etcd/healthcheck-client.crt"), pki("etcd1", "etcd/healthcheck-client.key")), newCA, endpoints, "endpoint", "health", "--cluster");
  assert.equal(health.out.match(/is healthy/g)?.length, 3, health.out);
  assert.equal(sh("ls", [join(tree("etcd1"), "pki")]).stdout.includes("rotation"), false, "finish leaves no rotation folder");
});
