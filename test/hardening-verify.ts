// Independent checks of a kubeadm-layout tree, never with kubepki: every
// certificate verifies against the CA on disk (the openssl CLI, all leaves of a
// CA in one call), every key matches its certificate (OpenSSL's
// X509_check_private_key through node:crypto: one openssl process per file
// would cost seconds per tree), every kubeconfig trusts exactly ca.crt and holds
// a client pair signed by it, and nothing of an unfinished run (temp files,
// journal, lock) is left.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { BIN, openssl, snapshot } from "./helpers.ts";

export const PRELOAD = fileURLToPath(new URL("hardening-kill.cjs", import.meta.url));

/** The files of a tree that matter: not its backups. */
export function treeFiles(dir: string): string[] {
  return Object.keys(snapshot(dir)).filter((f) => !f.startsWith("kubepki-backup/")).sort();
}

const keyMatches = (certPEM: string | Buffer, keyPEM: string | Buffer) => new X509Certificate(certPEM).checkPrivateKey(createPrivateKey(keyPEM));

/** Which CA file signs a certificate of kubeadm's tree. */
function caOf(rel: string): string {
  if (rel.startsWith("pki/etcd/") || rel === "pki/apiserver-etcd-client.crt") return "pki/etcd/ca.crt";
  if (rel === "pki/front-proxy-client.crt") return "pki/front-proxy-ca.crt";
  return "pki/ca.crt";
}

export function verifyTree(dir: string, expectedFiles?: string[]): void {
  const files = treeFiles(dir);
  const leftovers = files.filter((f) => /\.kubepki-tmp$|\.kubepki-journal\.json$|\.kubepki\.lock$|\.lock$|\.stale$/.test(f));
  assert.deepEqual(leftovers, [], "no temp file, journal or lock is left");
  if (expectedFiles) assert.deepEqual(files, expectedFiles, "the tree is complete: every file a full run writes, nothing else");
  const certs = files.filter((f) => f.startsWith("pki/") && f.endsWith(".crt"));
  for (const crt of certs) {
    const key = crt.replace(/\.crt$/, ".key");
    assert.ok(existsSync(join(dir, key)), `${key} exists beside ${crt}`);
    assert.ok(keyMatches(readFileSync(join(dir, crt)), readFileSync(join(dir, key))), `${key} belongs to ${crt}`);
  }
  const byCA = new Map<string, string[]>();
  for (const crt of certs) if (!["pki/ca.crt", "pki/etcd/ca.crt", "pki/front-proxy-ca.crt"].includes(crt)) byCA.set(caOf(crt), [...(byCA.get(caOf(crt)) ?? []), crt]);
  for (const [ca, leaves] of byCA) {
    const r = openssl(["verify", "-CAfile", join(dir, ca), ...leaves.map((l) => join(dir, l))]);
    assert.equal(r.code, 0, `${leaves.join(", ")} verify against ${ca}: ${r.stdout}${r.stderr}`);
  }
  if (files.includes("pki/sa.key")) {
    const pub = createPublicKey(createPrivateKey(readFileSync(join(dir, "pki/sa.key")))).export({ type: "spki", format: "pem" });
    assert.equal(pub, readFileSync(join(dir, "pki/sa.pub"), "utf8"), "sa.pub is sa.key's public half");
  }
  const work = mkdtempSync(join(tmpdir(), "kubepki-verify-"));
  try {
    const caPEM = readFileSync(join(dir, "pki/ca.crt"), "utf8");
    const clients: string[] = [];
    for (const conf of files.filter((f) => f.endsWith(".conf"))) {
      const doc = parse(readFileSync(join(dir, conf), "utf8")) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
      assert.equal(Buffer.from(doc.clusters[0].cluster["certificate-authority-data"], "base64").toString(), caPEM, `${conf} embeds exactly pki/ca.crt`);
      const cert = Buffer.from(doc.users[0].user["client-certificate-data"], "base64");
      assert.ok(keyMatches(cert, Buffer.from(doc.users[0].user["client-key-data"], "base64")), `${conf}'s client key belongs to its certificate`);
      clients.push(join(work, `${conf}.crt`));
      writeFileSync(clients.at(-1)!, cert);
    }
    if (clients.length) {
      const r = openssl(["verify", "-CAfile", join(dir, "pki/ca.crt"), ...clients]);
      assert.equal(r.code, 0, `every kubeconfig's client certificate verifies against pki/ca.crt: ${r.stdout}${r.stderr}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without waiting (for races), optionally with the kill preload. */
export function kubepkiAsync(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The environment that kills a run at its `n`-th changing filesystem call. */
export const killAt = (n: number) => ({ NODE_OPTIONS: `--require ${PRELOAD}`, KUBEPKI_KILL_AT: String(n) });

/** The changing filesystem calls a run makes, in order, as "<call> <path>" (it is run for real, once). */
export async function traceWrites(args: string[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "kubepki-count-"));
  try {
    const r = await kubepkiAsync(args, { NODE_OPTIONS: `--require ${PRELOAD}`, KUBEPKI_COUNT_FILE: join(dir, "n") });
    assert.equal(r.code, 0, r.stderr);
    return readFileSync(join(dir, "n"), "utf8").trim().split("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a call writes: the lock, its temporary file, the journal, a backup copy, a CA key… */
function writeKind(path: string): string {
  const name = basename(path).replace(/^\.(.*)\.[0-9a-f]{12}\.kubepki-(lock)?tmp$/, "$1");
  if (path.endsWith(".kubepki-locktmp")) return "lock temp";
  if (name.endsWith(".lock")) return "lock";
  if (path.includes("/kubepki-backup/")) return name === "kubepki-backup.json" ? "backup manifest" : "backup copy";
  if (name === ".kubepki-journal.json") return "journal";
  if (/(^|-)ca\.(key|crt)$/.test(name)) return `CA ${name.slice(-3)}`;
  if (/\.(key|crt|pub)$/.test(name)) return name.slice(-3);
  return "kubeconfig";
}

/**
 * Kill points that cover every class of write of a run: the first call of
 * each (call, kind) pair, opens and folder creations aside (a kill before
 * them leaves what the call before left), and the very last call.
 */
export function killPointsByClass(trace: string[]): { at: number; what: string }[] {
  const seen = new Map<string, number>();
  trace.forEach((line, i) => {
    const [call, ...rest] = line.split(" ");
    if (call === "open" || call === "mkdir") return;
    const what = `${call} ${writeKind(rest.join(" "))}`;
    // Killed around the lock's temporary file: "link" leaves the temp, "rm lock" a dead holder's lock; the two others add nothing.
    if (what === "writeFile lock temp" || what === "rm lock temp") return;
    if (!seen.has(what)) seen.set(what, i + 1);
  });
  const last = `${trace.at(-1)!.split(" ")[0]} ${writeKind(trace.at(-1)!.split(" ").slice(1).join(" "))} (last)`;
  if (![...seen.values()].includes(trace.length)) seen.set(last, trace.length);
  return [...seen].map(([what, at]) => ({ at, what })).sort((a, b) => a.at - b.at);
}
