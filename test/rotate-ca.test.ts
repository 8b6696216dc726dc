// rotate-ca on the cluster CA: at every phase kubectl, with the admin.conf on disk
// at that moment, completes mutual TLS with openssl s_server presenting the node's
// current apiserver.crt and trusting its current client-CA file. Bad input is
// refused with nothing changed, an interrupted reissue completes when run again,
// and abort puts every file back byte for byte.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { background, freePort, kubepki, openssl, sh, snapshot, tempDir, waitFor } from "./helpers.ts";

function initNode(t: TestContext, name = "k"): string {
  const dir = join(tempDir(t), name);
  const r = kubepki(["init", "--out", dir, "--node-name", "cp1", "--apiserver-advertise-address", "127.0.0.1", "--encryption-algorithm", "ECDSA-P256"]);
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

const rotate = (root: string, ...args: string[]) => kubepki(["rotate-ca", ...args, "--root", root]);
const certsIn = (file: string) => (readFileSync(file, "utf8").match(/BEGIN CERTIFICATE/g) ?? []).length;

/** kubectl with a copy of `kubeconfig` pointed at an s_server that presents the node's serving pair and trusts its client CA now. */
async function kubectlAgainstNode(t: TestContext, root: string, kubeconfig: string): Promise<{ code: number; stderr: string }> {
  const pki = join(root, "pki");
  const port = await freePort();
  const server = background(t, "openssl", [
    "s_server", "-accept", `127.0.0.1:${port}`, "-cert", join(pki, "apiserver.crt"), "-key", join(pki, "apiserver.key"),
    "-CAfile", join(pki, "ca.crt"), "-Verify", "1", "-verify_return_error", "-www", "-naccept", "5",
  ]);
  await waitFor(() => /ACCEPT/.test(server.output()), 10_000, "s_server to listen");
  const copy = join(root, `..`, `kubectl-${port}.conf`);
  copyFileSync(kubeconfig, copy);
  sh("kubectl", ["config", "set-cluster", "kubernetes", "--kubeconfig", copy, "--server", `https://127.0.0.1:${port}`], { check: true });
  const r = sh("kubectl", ["--kubeconfig", copy, "--request-timeout", "5s", "get", "--raw", "/"]);
  server.child.kill();
  return { code: r.code, stderr: r.stderr };
}

test("rotate-ca ca: kubectl completes mTLS at every phase; old kubeconfigs work through begin; the old CA's client certificate is refused after finish", async (t) => {
  const root = initNode(t);
  const before = join(root, "..", "admin-before.conf");
  copyFileSync(join(root, "admin.conf"), before);
  const admin = join(root, "admin.conf");

  assert.equal((await kubectlAgainstNode(t, root, admin)).code, 0, "before the rotation");
  const begin = rotate(root, "begin", "--ca", "ca");
  assert.equal(begin.code, 0, begin.stderr);
  assert.equal(certsIn(join(root, "pki/ca.crt")), 2, "ca.crt trusts old and new");
  assert.match(begin.stdout, /kube-root-ca\.crt/, "the cluster steps are printed");
  assert.ok(begin.stdout.includes(`restarted: kubepki rotate-ca reissue --ca ca --root ${root}\n`), "the next phase is printed for this tree, never the host's");
  assert.equal((await kubectlAgainstNode(t, root, admin)).code, 0, "admin.conf after begin");
  assert.equal((await kubectlAgainstNode(t, root, before)).code, 0, "a kubeconfig from before begin still works after begin");
  assert.equal(kubepki(["check", "--root", root]).code, 0, "check: a node mid-rotation is healthy");
  assert.match(kubepki(["check", "--root", root, "--prometheus"]).stdout, /^kubepki_rotation_phase\{ca="ca",phase="begun"\} 1$/m, "the exporter's gauge says where the rotation stands");

  const reissue = rotate(root, "reissue", "--ca", "ca");
  assert.equal(reissue.code, 0, reissue.stderr);
  const r2 = await kubectlAgainstNode(t, root, admin);
  assert.equal(r2.code, 0, `admin.conf after reissue: ${r2.stderr}`);
  const stale = await kubectlAgainstNode(t, root, before);
  assert.notEqual(stale.code, 0, "a kubeconfig that trusts the old CA only no longer verifies the reissued server certificate");
  assert.match(stale.stderr, /certificate signed by unknown authority/);
  assert.equal(kubepki(["check", "--root", root]).code, 0, "check after reissue");

  const finish = rotate(root, "finish", "--ca", "ca");
  assert.equal(finish.code, 0, finish.stderr);
  assert.equal(certsIn(join(root, "pki/ca.crt")), 1);
  assert.equal((await kubectlAgainstNode(t, root, admin)).code, 0, "admin.conf after finish");
  const refused = await kubectlAgainstNode(t, root, before);
  assert.notEqual(refused.code, 0, "the old CA's client certificate is refused after finish");
  for (const f of ["apiserver.crt", "apiserver-kubelet-client.crt"]) assert.equal(openssl(["verify", "-CAfile", join(root, "pki/ca.crt"), join(root, "pki", f)]).code, 0, f);
  assert.equal(kubepki(["check", "--root", root]).code, 0, "check after finish");
  assert.doesNotMatch(kubepki(["check", "--root", root, "--prometheus"]).stdout, /kubepki_rotation_phase/, "no rotation under way after finish");
});

test("rotate-ca refuses out-of-order phases and foreign input with one line, exit 2, nothing changed", (t) => {
  const root = initNode(t);
  const other = initNode(t, "other");
  const refuse = (args: string[], message: RegExp) => {
    const was = snapshot(root);
    const r = rotate(root, ...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1);
    assert.deepEqual(snapshot(root), was, `${args.join(" ")} changed nothing`);
  };
  refuse(["reissue", "--ca", "etcd-ca"], /no rotation of etcd-ca has begun/);
  refuse(["finish", "--ca", "etcd-ca"], /no rotation of etcd-ca is under way/);
  refuse(["begin", "--ca", "kubelet"], /unknown CA "kubelet"/);
  refuse(["begin"], /--ca is required/);

  assert.equal(rotate(other, "begin", "--ca", "etcd-ca").code, 0);
  refuse(["begin", "--ca", "etcd-ca", "--from", join(other, "pki")], /another etcd-ca/);
  refuse(["begin", "--ca", "etcd-ca", "--from", join(root, "nowhere")], /no new etcd-ca there/);

  assert.equal(rotate(root, "begin", "--ca", "etcd-ca").code, 0);
  refuse(["begin", "--ca", "etcd-ca"], /already begun/);
  refuse(["finish", "--ca", "etcd-ca"], /reissue comes first/);
  // A leaf of the old CA put back after reissue: finish names it and refuses.
  const oldPeer = readFileSync(join(root, "pki/etcd/peer.crt"));
  const oldPeerKey = readFileSync(join(root, "pki/etcd/peer.key"));
  assert.equal(rotate(root, "reissue", "--ca", "etcd-ca").code, 0);
  writeFileSync(join(root, "pki/etcd/peer.crt"), oldPeer);
  writeFileSync(join(root, "pki/etcd/peer.key"), oldPeerKey, { mode: 0o600 });
  refuse(["finish", "--ca", "etcd-ca"], /still signed by the old etcd-ca: .*peer\.crt/);
});

test("rotate-ca reissue killed at every write completes when run again; abort restores every file byte for byte", (t) => {
  // The signing switch writes 2 files, then renew's commit 8 (4 leaves, key and certificate): kill at each.
  for (let crashAt = 0; crashAt < 8; crashAt++) {
    const root = initNode(t, `crash-${crashAt}`);
    assert.equal(rotate(root, "begin", "--ca", "etcd-ca").code, 0);
    const killed = kubepki(["rotate-ca", "reissue", "--ca", "etcd-ca", "--root", root], { env: { KUBEPKI_TEST_CRASH_AFTER_WRITES: String(crashAt) } });
    assert.equal(killed.code, -1, `crash at ${crashAt}: killed (${killed.stderr})`);
    const again = rotate(root, "reissue", "--ca", "etcd-ca");
    assert.equal(again.code, 0, `crash at ${crashAt}: ${again.stderr}`);
    const ca = join(root, "pki/etcd/ca.crt");
    for (const f of ["etcd/server", "etcd/peer", "etcd/healthcheck-client", "apiserver-etcd-client"]) {
      assert.equal(openssl(["verify", "-CAfile", ca, join(root, "pki", `${f}.crt`)]).code, 0, `crash at ${crashAt}: ${f} verifies`);
      const pub = (args: string[]) => openssl(args).stdout;
      assert.equal(pub(["x509", "-in", join(root, "pki", `${f}.crt`), "-noout", "-pubkey"]), pub(["pkey", "-in", join(root, "pki", `${f}.key`), "-pubout"]), `crash at ${crashAt}: ${f} key matches`);
    }
    assert.equal(rotate(root, "finish", "--ca", "etcd-ca").code, 0, `crash at ${crashAt}: finish`);
  }

  const root = initNode(t, "abort");
  const pristine = snapshot(join(root, "pki"));
  const kubeconfigs = ["admin.conf", "kubelet.conf"].map((f) => readFileSync(join(root, f), "utf8"));
  assert.equal(rotate(root, "begin", "--ca", "ca").code, 0);
  assert.equal(rotate(root, "reissue", "--ca", "ca").code, 0);
  const abort = rotate(root, "abort", "--ca", "ca");
  assert.equal(abort.code, 0, abort.stderr);
  assert.deepEqual(snapshot(join(root, "pki")), pristine, "pki is as before begin");
  assert.deepEqual(["admin.conf", "kubelet.conf"].map((f) => readFileSync(join(root, f), "utf8")), kubeconfigs);
  assert.equal(rotate(root, "abort", "--ca", "ca").code, 2, "nothing left to abort");
});
