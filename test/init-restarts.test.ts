// After init --force or a kubeconfig rewrite replaced what a component reads,
// the output says who must restart and how; backups are in kubepki-backup/
// with a manifest that renew --restore takes back.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { kubepki, snapshot, tempDir } from "./helpers.ts";

const BASE = ["--encryption-algorithm", "ECDSA-P256", "--now", "2026-06-01T00:00:00Z"];

test("init --force ends with the restart plan and a backup that renew --restore puts back", (t) => {
  const out = tempDir(t);
  assert.equal(kubepki(["init", "--out", out, "--node-name", "node1", "--apiserver-advertise-address", "10.0.0.10", ...BASE]).code, 0);
  const before = snapshot(out);
  const moved = ["init", "--out", out, "--node-name", "node2", "--apiserver-advertise-address", "10.0.0.20", ...BASE, "--force"];
  const text = kubepki(moved);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /restart what reads the replaced files/);
  // No manifests in this folder: the plan says so instead of guessing where the API server runs.
  assert.match(text.stdout, /kube-apiserver \(apiserver[^)]*\)\n {4}no static pod manifest for kube-apiserver was found in \S+\/manifests:/);
  assert.match(text.stdout, /kubelet \(kubelet\.conf\)\n {4}systemctl restart kubelet/);
  const [stamp] = readdirSync(join(out, "kubepki-backup"));
  const backup = join(out, "kubepki-backup", stamp);
  const manifest = JSON.parse(readFileSync(join(backup, "kubepki-backup.json"), "utf8"));
  assert.ok(manifest.files.some((f: { file: string }) => f.file === join(out, "pki/apiserver.crt")));
  assert.match(text.stdout, new RegExp(`undo: kubepki renew --restore ${backup.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} --kubeconfig-dir`));

  const json = JSON.parse(kubepki([...moved, "--now", "2026-06-02T00:00:00Z", "-o", "json"]).stdout);
  assert.deepEqual(json.restarts, [], "nothing replaced the second time: nothing to restart");

  const restored = kubepki(["renew", "--restore", backup, "--kubeconfig-dir", out]);
  assert.equal(restored.code, 0, restored.stderr);
  const after = snapshot(out);
  for (const f of Object.keys(before)) assert.equal(after[f], before[f], `${f} is back as it was`);
});

test("kubeconfig rewriting a component's kubeconfig says to restart it; a user's own file does not", (t) => {
  const out = tempDir(t);
  assert.equal(kubepki(["init", "--out", out, "--node-name", "node1", "--apiserver-advertise-address", "10.0.0.10", ...BASE]).code, 0);
  const set = (file: string, name: string) =>
    kubepki(["kubeconfig", "--client-name", name, "--algorithm", "ECDSA-P256", "--cert-dir", join(out, "pki"), "--kubeconfig", file, "--server", "https://10.0.0.10:6443", "--now", "2026-06-01T00:00:00Z"]);
  const scheduler = set(join(out, "scheduler.conf"), "system:kube-scheduler");
  assert.equal(scheduler.code, 0, scheduler.stderr);
  assert.match(scheduler.stdout, /kube-scheduler: no static pod manifest for kube-scheduler was found in \S+\/manifests:/);
  assert.ok(existsSync(join(out, "kubepki-backup")), "the previous scheduler.conf is in the tree's backups");
  const own = join(out, "users", "alice.conf");
  assert.equal(set(own, "alice").code, 0);
  const again = set(own, "alice");
  assert.doesNotMatch(again.stdout, /restart/);
});
