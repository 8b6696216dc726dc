// kubectl completes mutual TLS with apiserver-kubelet-client against an
// `openssl s_server -Verify` presenting kubepki's apiserver.crt, under every
// name the API server answers to, and refuses names outside the SANs.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { background, freePort, kubepki, sh, tempDir, waitFor } from "./helpers.ts";

function kubeconfig(server: string, pki: string, client: string, tlsServerName?: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server}
    certificate-authority: ${join(pki, "ca.crt")}
${tlsServerName ? `    tls-server-name: ${tlsServerName}\n` : ""}users:
- name: test
  user:
    client-certificate: ${join(pki, `${client}.crt`)}
    client-key: ${join(pki, `${client}.key`)}
contexts:
- name: test
  context: {cluster: test, user: test}
current-context: test
`;
}

test("kubectl ↔ openssl s_server: accepted at 127.0.0.1 and every kubernetes.default name, refused elsewhere and with a foreign client certificate", async (t) => {
  const dir = tempDir(t);
  // 127.0.0.1 as advertise address, so the apiserver certificate is valid for the address kubectl dials.
  const init = kubepki(["init", "--out", join(dir, "k"), "--node-name", "cp1", "--apiserver-advertise-address", "127.0.0.1"]);
  assert.equal(init.code, 0, init.stderr);
  const pki = join(dir, "k", "pki");
  const port = await freePort();
  const server = background(t, "openssl", [
    "s_server", "-accept", `127.0.0.1:${port}`, "-cert", join(pki, "apiserver.crt"), "-key", join(pki, "apiserver.key"),
    "-CAfile", join(pki, "ca.crt"), "-Verify", "1", "-verify_return_error", "-www", "-naccept", "20",
  ]);
  await waitFor(() => /ACCEPT/.test(server.output()), 10_000, "s_server to listen");

  const kubectl = async (name: string, client: string, tlsServerName?: string) => {
    const file = join(dir, `${name}.kubeconfig`);
    writeFileSync(file, kubeconfig(`https://127.0.0.1:${port}`, pki, client, tlsServerName));
    const r = sh("kubectl", ["--kubeconfig", file, "--request-timeout", "5s", "get", "--raw", "/"]);
    await new Promise((res) => setTimeout(res, 50)); // let the server's log reach us
    return r;
  };

  const direct = await kubectl("direct", "apiserver-kubelet-client");
  assert.equal(direct.code, 0, direct.stderr);
  assert.match(direct.stdout, /s_server/, "the page s_server serves after a completed handshake");
  await waitFor(() => /CN ?= ?kube-apiserver-kubelet-client/.test(server.output()), 5000, "s_server to verify the client certificate");

  for (const name of ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "cp1"]) {
    const r = await kubectl(name, "apiserver-kubelet-client", name);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
  }

  const wrongName = await kubectl("wrong-name", "apiserver-kubelet-client", "evil.example.com");
  assert.notEqual(wrongName.code, 0);
  assert.match(wrongName.stderr, /x509: certificate is valid for .*kubernetes\.default.*, not evil\.example\.com/);

  // etcd's CA signed this one: s_server, trusting only the cluster CA, refuses it.
  const foreign = await kubectl("foreign", "apiserver-etcd-client");
  assert.notEqual(foreign.code, 0);
  assert.match(foreign.stderr, /remote error: tls: (unknown certificate authority|bad certificate)|connection reset|EOF/);
});
