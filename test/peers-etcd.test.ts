// A real 3-member etcd cluster with mutual TLS on loopback, on the etcd
// certificates kubepki issued for three control-plane nodes.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { background, etcdCluster, freePort, kubeadmEtcdTLS, kubepki, sh, tempDir, waitFor } from "./helpers.ts";

test("etcd: 3 members with --client-cert-auth and --peer-client-cert-auth form a cluster; etcdctl writes, reads, checks health; a foreign certificate is refused", async (t) => {
  const dir = tempDir(t);
  const nodes = ["etcd1", "etcd2", "etcd3"];
  // All three members live on 127.0.0.1 here; each has its own server and peer certificate.
  writeFileSync(join(dir, "cluster.yaml"), `apiVersion: kubepki.io/v1alpha1
kind: ClusterPKI
encryptionAlgorithm: ECDSA-P256
controlPlane:
${nodes.map((n) => `  - {name: ${n}, address: 127.0.0.1}`).join("\n")}
`);
  const init = kubepki(["init", "--config", join(dir, "cluster.yaml"), "--out", join(dir, "k")]);
  assert.equal(init.code, 0, init.stderr);
  const pki = (node: string, f: string) => join(dir, "k", node, "pki", f);

  const { args: memberArgs, endpoints } = await etcdCluster(dir, nodes, "kubepki-test", (n) => kubeadmEtcdTLS(join(dir, "k", n, "pki")));
  const metrics = await Promise.all(nodes.map(() => freePort()));
  const members = nodes.map((_, i) => background(t, "etcd", [...memberArgs(i), "--listen-metrics-urls", `http://127.0.0.1:${metrics[i]}`]));
  const etcdctl = (cert: string, key: string, ...args: string[]) =>
    sh("etcdctl", ["--endpoints", endpoints, "--cacert", pki("etcd1", "etcd/ca.crt"), "--cert", cert, "--key", key, "--dial-timeout", "3s", "--command-timeout", "5s", ...args], { env: { ...process.env, ETCDCTL_API: "3" } });
  const health = () => etcdctl(pki("etcd1", "etcd/healthcheck-client.crt"), pki("etcd1", "etcd/healthcheck-client.key"), "endpoint", "health", "--cluster");
  try {
    await waitFor(() => health().code === 0, 30_000, "a healthy 3-member etcd cluster");
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${health().stderr}\n${members.map((m) => m.output().slice(-1500)).join("\n---\n")}`);
  }
  const status = health();
  assert.equal((status.stdout + status.stderr).match(/is healthy/g)?.length, 3, status.stdout + status.stderr);

  // The API server's client certificate, from the second node's tree, writes; the third node's reads.
  const put = etcdctl(pki("etcd2", "apiserver-etcd-client.crt"), pki("etcd2", "apiserver-etcd-client.key"), "put", "/registry/kubepki", "hello");
  assert.equal(put.code, 0, put.stderr);
  const get = etcdctl(pki("etcd3", "apiserver-etcd-client.crt"), pki("etcd3", "apiserver-etcd-client.key"), "get", "/registry/kubepki", "--print-value-only");
  assert.equal(get.stdout.trim(), "hello", get.stderr);

  // A client certificate from another CA (the cluster CA, not etcd's) is refused.
  const foreign = etcdctl(pki("etcd1", "apiserver-kubelet-client.crt"), pki("etcd1", "apiserver-kubelet-client.key"), "get", "/registry/kubepki");
  assert.notEqual(foreign.code, 0);
  assert.match(foreign.stderr, /bad certificate|unknown certificate authority|certificate required|context deadline exceeded/);
  // etcd's own log says why (read once the event loop has drained the pipes).
  const refusal = /rejected connection.*(bad certificate|unknown authority)/;
  await waitFor(() => members.some((m) => refusal.test(m.output())), 5000, "etcd to log the refused certificate");
});
