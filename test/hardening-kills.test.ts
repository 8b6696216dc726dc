// Kills at every kind of write (SIGKILL at the N-th changing filesystem call:
// lock, backup copies, journal, keys, certificates, kubeconfigs, clean-up) of
// init, init --force, renew and a kubeconfig merge, each followed by a plain
// re-run of the same command; then the tree is checked with openssl alone.
// Kill points: the first call of every class of write (lock, journal, backup
// copy, CA key, key, certificate, kubeconfig, journal removal…) and the last.
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { kubepki, openssl, snapshot, tempDir } from "./helpers.ts";
import { killAt, killPointsByClass, kubepkiAsync, traceWrites, treeFiles, verifyTree } from "./hardening-verify.ts";

/** The kill points, after checking they reach the classes of write that matter for this command. */
function pointsCovering(trace: string[], classes: string[]) {
  const points = killPointsByClass(trace);
  for (const c of classes) assert.ok(points.some((p) => p.what === c), `a kill point at "${c}" (have: ${points.map((p) => p.what).join(", ")})`);
  return points;
}

const BASE = ["--node-name", "node1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", "ECDSA-P256", "--now", "2026-06-01T00:00:00Z"];

test("init killed at any write: a plain re-run completes a tree that openssl verifies, with one CA everywhere", async (t) => {
  const dir = tempDir(t);
  const reference = join(dir, "reference");
  const trace = await traceWrites(["init", "--out", reference, ...BASE]);
  const n = trace.length;
  const expected = treeFiles(reference);
  for (const { at: k, what } of pointsCovering(trace, ["rename journal", "rename CA key", "rename CA crt", "rename key", "rename crt", "rename kubeconfig", "rm journal", "rm lock"])) {
    const out = join(dir, `k${k}`);
    const killed = await kubepkiAsync(["init", "--out", out, ...BASE], killAt(k));
    assert.equal(killed.signal, "SIGKILL", `killed at call ${k} of ${n} (${what})`);
    const again = await kubepkiAsync(["init", "--out", out, ...BASE]);
    assert.equal(again.code, 0, `re-run after a kill at ${k} (${what}): ${again.stderr}${again.stdout}`);
    verifyTree(out, expected);
  }
});

test("init --force killed at any write: a plain re-run leaves no new key beside an old certificate", async (t) => {
  const dir = tempDir(t);
  const base = join(dir, "base");
  assert.equal(kubepki(["init", "--out", base, ...BASE]).code, 0);
  // Another node name and address: the serving and etcd certificates and kubelet.conf no longer match, so --force replaces them.
  const moved = ["init", "--force", ...BASE, "--node-name", "node2", "--apiserver-advertise-address", "10.0.0.20"];
  const countDir = join(dir, "count");
  cpSync(base, countDir, { recursive: true });
  const trace = await traceWrites([...moved, "--out", countDir]);
  const n = trace.length;
  const expected = treeFiles(countDir);
  for (const { at: k, what } of pointsCovering(trace, ["rename backup copy", "rename backup manifest", "rename journal", "rename key", "rename crt", "rename kubeconfig", "rm journal"])) {
    const out = join(dir, `k${k}`);
    cpSync(base, out, { recursive: true });
    const killed = await kubepkiAsync([...moved, "--out", out], killAt(k));
    assert.equal(killed.signal, "SIGKILL", `killed at call ${k} of ${n} (${what})`);
    const again = await kubepkiAsync([...moved, "--out", out]);
    assert.equal(again.code, 0, `re-run after a kill at ${k} (${what}): ${again.stderr}${again.stdout}`);
    verifyTree(out, expected);
    assert.match(openssl(["x509", "-in", join(out, "pki/apiserver.crt"), "-noout", "-ext", "subjectAltName"]).stdout, /IP Address:10\.0\.0\.20/);
    assert.deepEqual(readFileSync(join(out, "pki/ca.key")), readFileSync(join(base, "pki/ca.key")), "the CA was kept");
  }
});

test("renew all killed at any write: the next renew rolls back and renews; every pair matches", async (t) => {
  const dir = tempDir(t);
  const base = join(dir, "base");
  assert.equal(kubepki(["init", "--out", join(base, "etc/kubernetes"), ...BASE]).code, 0);
  const renew = (root: string) => ["renew", "all", "--root", root, "--encryption-algorithm", "ECDSA-P256", "--now", "2026-07-01T00:00:00Z"];
  const countDir = join(dir, "count");
  cpSync(base, countDir, { recursive: true });
  const trace = await traceWrites(renew(countDir));
  const n = trace.length;
  for (const { at: k, what } of pointsCovering(trace, ["rename backup copy", "rename journal", "rename key", "rename crt", "rename kubeconfig", "rm journal"])) {
    const root = join(dir, `k${k}`);
    cpSync(base, root, { recursive: true });
    const killed = await kubepkiAsync(renew(root), killAt(k));
    assert.equal(killed.signal, "SIGKILL", `killed at call ${k} of ${n} (${what})`);
    const again = await kubepkiAsync(renew(root));
    assert.equal(again.code, 0, `re-run after a kill at ${k} (${what}): ${again.stderr}${again.stdout}`);
    verifyTree(join(root, "etc/kubernetes"));
  }
});

test("a kubeconfig merge killed at any write: the re-run keeps every user, no copy of the file is left", async (t) => {
  const dir = tempDir(t);
  const pki = join(dir, "pki");
  assert.equal(kubepki(["init", "--out", dir, ...BASE]).code, 0);
  const merge = (file: string, name: string) => ["kubeconfig", "--client-name", name, "--org", "dev", "--algorithm", "ECDSA-P256", "--cert-dir", pki, "--server", "https://10.0.0.10:6443", "--kubeconfig", file, "--now", "2026-06-01T00:00:00Z"];
  const seed = join(dir, "seed.conf");
  assert.equal(kubepki(merge(seed, "alice")).code, 0);
  cpSync(seed, join(dir, "count.conf"));
  const trace = await traceWrites(merge(join(dir, "count.conf"), "bob"));
  const n = trace.length;
  for (const { at: k, what } of pointsCovering(trace, ["link lock temp", "rename backup copy", "rename kubeconfig", "rm lock"])) {
    const file = join(dir, "kubeconfigs", `k${k}`, "config");
    cpSync(seed, file, { recursive: true });
    const killed = await kubepkiAsync(merge(file, "bob"), killAt(k));
    assert.equal(killed.signal, "SIGKILL", `killed at call ${k} of ${n} (${what})`);
    const again = await kubepkiAsync(merge(file, "bob"));
    assert.equal(again.code, 0, `re-run after a kill at ${k} (${what}): ${again.stderr}`);
    const doc = parse(readFileSync(file, "utf8")) as { users: { name: string; user: Record<string, string> }[] };
    assert.deepEqual(doc.users.map((u) => u.name).sort(), ["alice", "bob"]);
    const bob = join(dir, `bob${k}.crt`);
    writeFileSync(bob, Buffer.from(doc.users.find((u) => u.name === "bob")!.user["client-certificate-data"], "base64"));
    assert.equal(openssl(["verify", "-CAfile", join(pki, "ca.crt"), bob]).code, 0);
    const left = Object.keys(snapshot(join(dir, "kubeconfigs", `k${k}`))).filter((f) => /kubepki-tmp|lock|stale/.test(f));
    assert.deepEqual(left, [], "no temp copy of the file (beside it or in its backups), no lock");
  }
});
