// Two writers at once, many times: the lock serialises them, so neither loses
// the other's work. Checked with the yaml parser and openssl, not kubepki.
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { kubepki, openssl, tempDir } from "./helpers.ts";
import { kubepkiAsync, verifyTree } from "./hardening-verify.ts";

const BASE = ["--node-name", "node1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", "ECDSA-P256", "--now", "2026-06-01T00:00:00Z"];

test("two kubeconfig merges into one file at once: every user is there, every time", async (t) => {
  const dir = tempDir(t);
  const pki = join(dir, "pki");
  assert.equal(kubepki(["init", "--out", dir, ...BASE]).code, 0);
  const merge = (file: string, name: string) =>
    kubepkiAsync(["kubeconfig", "--client-name", name, "--org", "dev", "--algorithm", "ECDSA-P256", "--cert-dir", pki, "--server", "https://10.0.0.10:6443", "--kubeconfig", file, "--now", "2026-06-01T00:00:00Z"]);
  for (let round = 0; round < 6; round++) {
    const file = join(dir, `round${round}`, "config");
    // Odd rounds start from a file that already has a user, even ones from none.
    if (round % 2) assert.equal((await merge(file, "alice")).code, 0);
    const [bob, carol] = await Promise.all([merge(file, "bob"), merge(file, "carol")]);
    assert.equal(bob.code, 0, bob.stderr);
    assert.equal(carol.code, 0, carol.stderr);
    const doc = parse(readFileSync(file, "utf8")) as { users: { name: string; user: Record<string, string> }[] };
    const want = round % 2 ? ["alice", "bob", "carol"] : ["bob", "carol"];
    assert.deepEqual(doc.users.map((u) => u.name).sort(), want, `round ${round}: no user lost`);
    for (const u of doc.users) {
      const crt = join(dir, `round${round}`, `${u.name}.pem`);
      writeFileSync(crt, Buffer.from(u.user["client-certificate-data"], "base64"));
      assert.equal(openssl(["verify", "-CAfile", join(pki, "ca.crt"), crt]).code, 0);
    }
  }
});

test("two renew all at once: both finish, the tree is consistent (every key matches, every chain verifies)", async (t) => {
  const dir = tempDir(t);
  const base = join(dir, "base");
  assert.equal(kubepki(["init", "--out", join(base, "etc/kubernetes"), ...BASE]).code, 0);
  const renew = (root: string) => kubepkiAsync(["renew", "all", "--root", root, "--encryption-algorithm", "ECDSA-P256", "--now", "2026-07-01T00:00:00Z"]);
  for (let round = 0; round < 3; round++) {
    const root = join(dir, `round${round}`);
    cpSync(base, root, { recursive: true });
    const [a, b] = await Promise.all([renew(root), renew(root)]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(!/rolled back/.test(a.stdout + b.stdout), "neither took the other's live journal for an interrupted one");
    verifyTree(join(root, "etc/kubernetes"));
  }
});
