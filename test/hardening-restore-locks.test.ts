// A backup is trusted only inside its tree; locks name their holder, wait a
// bounded time, and a dead holder's lock is taken over.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { kubepkiAsync, verifyTree } from "./hardening-verify.ts";
import { kubepki, snapshot, tempDir } from "./helpers.ts";

const BASE = ["--node-name", "node1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", "ECDSA-P256", "--now", "2026-06-01T00:00:00Z"];

/** Every file under `dir`, symlinks as their target (helpers' snapshot follows them). */
function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const p = join(e.parentPath, e.name);
    if (e.isSymbolicLink()) out[p] = `-> ${readlinkSync(p)}`;
    else if (e.isFile()) out[p] = `${readFileSync(p, "latin1")} ${lstatSync(p).mode}`;
  }
  return out;
}

/** A crafted backup folder at <tree>/kubepki-backup/<name>/ with this manifest. */
function craft(tree: string, name: string, files: unknown[]): string {
  const dir = join(tree, "kubepki-backup", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kubepki-backup.json"), JSON.stringify({ kind: "KubepkiBackup", created: "2026-06-01T00:00:00Z", reason: "crafted", files }));
  return dir;
}

test("renew --restore refuses a manifest whose entries leave the backup folder or the tree; nothing is written", (t) => {
  const dir = tempDir(t);
  const tree = join(dir, "etc/kubernetes");
  assert.equal(kubepki(["init", "--out", tree, ...BASE]).code, 0);
  const outside = join(dir, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "secret"), "not for you\n", { mode: 0o600 });
  symlinkSync(outside, join(tree, "escape"));
  const cases: [string, unknown[], RegExp][] = [
    ["dotdot-copy", [{ file: join(tree, "stolen"), copy: "../../../../../../../../etc/shadow", mode: 0o644 }], /copy lies outside the backup folder|copy is missing/],
    ["absolute-copy", [{ file: join(tree, "stolen"), copy: "/etc/passwd", mode: 0o644 }], /copy is an absolute path/],
    ["outside-file", [{ file: join(outside, "planted"), copy: "planted", mode: 0o644 }], /outside the tree/],
    ["relative-file", [{ file: "../../planted", copy: "planted", mode: 0o644 }], /not an absolute path/],
    ["symlinked-dir", [{ file: join(tree, "escape", "planted"), copy: "planted", mode: 0o644 }], /outside the tree/],
    ["symlink-copy", [{ file: join(tree, "stolen"), copy: "link", mode: 0o644 }], /outside the backup folder/],
  ];
  for (const [name, files, why] of cases) {
    const backup = craft(tree, name, files);
    writeFileSync(join(backup, "planted"), "planted\n");
    symlinkSync(join(outside, "secret"), join(backup, "link"));
    const before = listing(dir);
    const r = kubepki(["renew", "--restore", backup, "--kubeconfig-dir", tree]);
    assert.equal(r.code, 2, `${name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, why, name);
    assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1, `${name}: one error line`);
    assert.deepEqual(listing(dir), before, `${name}: nothing written`);
    assert.ok(!existsSync(join(tree, "stolen")) && !existsSync(join(outside, "planted")));
  }
  // A backup not inside a kubepki-backup folder has no tree to belong to.
  const loose = join(dir, "loose");
  mkdirSync(loose);
  writeFileSync(join(loose, "kubepki-backup.json"), JSON.stringify({ kind: "KubepkiBackup", created: "", reason: "", files: [] }));
  const r = kubepki(["renew", "--restore", loose, "--kubeconfig-dir", tree]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not inside a kubepki-backup folder/);
});

test("a live holder makes a second writer wait, then fail with one line naming it; nothing is written", (t) => {
  const dir = tempDir(t);
  mkdirSync(dir, { recursive: true });
  // This test process is alive: its lock is not stale.
  writeFileSync(join(dir, ".kubepki.lock"), JSON.stringify({ pid: process.pid, host: hostname(), started: "2026-06-01T00:00:00Z", command: "kubepki renew", nonce: "n1" }));
  const before = snapshot(dir);
  const started = Date.now();
  const r = kubepki(["init", "--out", dir, ...BASE], { env: { KUBEPKI_LOCK_TIMEOUT: "0.5" } });
  assert.equal(r.code, 2, r.stderr);
  assert.ok(Date.now() - started >= 500, "it waited");
  assert.match(r.stderr, new RegExp(`^error: .*\\.kubepki\\.lock is held by kubepki renew \\(pid ${process.pid} on `, "m"));
  assert.deepEqual(snapshot(dir), before, "nothing written");
});

test("a lock left by a dead process is taken over; the run then removes it", (t) => {
  const dir = tempDir(t);
  const dead = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  const pid = Number(dead.stdout.trim());
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ".kubepki.lock"), JSON.stringify({ pid, host: hostname(), started: "2026-06-01T00:00:00Z", command: "kubepki init", nonce: "gone" }));
  const r = kubepki(["init", "--out", dir, ...BASE], { env: { KUBEPKI_LOCK_TIMEOUT: "5" } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!existsSync(join(dir, ".kubepki.lock")), "released");
  assert.ok(readFileSync(join(dir, "pki", "ca.crt")).length > 0);
});

test("two runs finding the same dead holder's lock: one takes it over, the other waits its turn; the tree is whole", async (t) => {
  const dir = tempDir(t);
  const dead = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  writeFileSync(join(dir, ".kubepki.lock"), JSON.stringify({ pid: Number(dead.stdout.trim()), host: hostname(), started: "2026-06-01T00:00:00Z", command: "kubepki init", nonce: "gone" }));
  const [a, b] = await Promise.all([kubepkiAsync(["init", "--out", dir, ...BASE]), kubepkiAsync(["init", "--out", dir, ...BASE])]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.ok(/\d+ created/.test(a.stdout) !== /\d+ created/.test(b.stdout), "one run issued the tree, the other found it and kept it");
  verifyTree(dir);
});

test("kubectl's empty FILE.lock holds a merge off: exit 2, the file untouched, a hint with the quoted rm", (t) => {
  const dir = tempDir(t, "kubepki test-");
  assert.equal(kubepki(["init", "--out", dir, ...BASE]).code, 0);
  const file = join(dir, "my config");
  writeFileSync(`${file}.lock`, "");
  const m = kubepki(["kubeconfig", "--client-name", "bob", "--algorithm", "ECDSA-P256", "--cert-dir", join(dir, "pki"), "--server", "https://10.0.0.10:6443", "--kubeconfig", file, "--now", "2026-06-01T00:00:00Z"], { env: { KUBEPKI_LOCK_TIMEOUT: "0.3" } });
  assert.equal(m.code, 2, m.stdout);
  assert.match(m.stderr, /held by another program/);
  assert.match(m.stderr, /hint: .*rm '.*my config\.lock'/);
  assert.ok(!existsSync(file), "nothing written");
});
