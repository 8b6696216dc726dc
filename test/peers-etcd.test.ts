// A real 3-member etcd cluster with mutual TLS on loopback, on the etcd
// certificates kubepki issued for three control-plane nodes.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { background, etcdCluster, freePort, initLoopbackControlPlanes, kubeadmEtcdTLS, sh, tempDir, waitEtcdHealthy, waitFor } from "./helpers.ts";

test("etcd: 3 members with --client-cert-auth and --peer-client-cert-auth form a cluster; etcdctl writes, reads, checks health; a foreign certificate is refused", async (t) => {
  const dir = tempDir(t);
  const nodes = ["etcd1", "etcd2", "etcd3"];
  const tree = initLoopbackControlPlanes(dir, nodes);
  const pki = (node: string, f: string) => join(tree(node), "pki", f);

  const { args: memberArgs, endpoints } = await etcdCluster(dir, nodes, "kubepki-test", (n) => kubeadmEtcdTLS(join(tree(n), "pki")));
  const metrics = await Promise.all(nodes.map(() => freePort()));
  const members = nodes.map((_, i) => background(t, "etcd", [...memberArgs(i), "--listen-metrics-urls", `http://127.0.0.1:${metrics[i]}`]));
  const etcdctl = (cert: string, key: string, ...args: string[]) =>
    sh("etcdctl", ["--endpoints", endpoints, "--cacert", pki("etcd1", "etcd/ca.crt"), "--cert", cert, "--key", key, "--dial-timeout", "3s", "--command-timeout", "5s", ...args], { env: { ...process.env, ETCDCTL_API: "3" } });
  const health = () => etcdctl(pki("etcd1", "etcd/healthcheck-client.crt"), pki("etcd1", "etcd/healthcheck-client.key"), "endpoint", "health", "--cluster");
  await waitEtcdHealthy(health, members);

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
