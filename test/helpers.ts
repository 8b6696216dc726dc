// Shared test helpers: run the real CLI, real openssl, and manage temp dirs and ports.
import assert from "node:assert/strict";
import { spawn, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BIN = join(ROOT, "bin", "kubepki");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runSync(cmd: string, args: string[], options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, timeout: 120_000, ...options });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/**
 * The kubepki under test, as [command, args]: bin/kubepki run by this node, or the executable
 * that KUBEPKI_BIN names (scripts/test.sh re-runs tests against the release executable that way).
 */
export function kubepkiCommand(args: string[]): [string, string[]] {
  const bin = process.env.KUBEPKI_BIN;
  return bin ? [bin, args] : [process.execPath, [BIN, ...args]];
}

/** Runs the kubepki under test (see kubepkiCommand), as a user would. */
export function kubepki(args: string[], options: SpawnSyncOptions = {}): Run {
  return runSync(...kubepkiCommand(args), { ...options, env: { ...process.env, NO_COLOR: "1", ...options.env } });
}

/** Runs openssl; `input` goes to stdin. */
export function openssl(args: string[], input?: string | Buffer): Run {
  return runSync("openssl", args, { input });
}

/** Any command; throws with its stderr when it fails and `check` is set. */
export function sh(cmd: string, args: string[], options: SpawnSyncOptions & { check?: boolean } = {}): Run {
  const r = runSync(cmd, args, options);
  if (options.check && r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** A fresh temporary folder, removed when the test ends. */
export function tempDir(t: TestContext, prefix = "kubepki-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** Polls until `check` returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts a long-running process bound to loopback and kills it when the test ends. */
export function background(t: TestContext, cmd: string, args: string[]) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  t.after(() => {
    child.kill("SIGKILL");
  });
  return { child, output: () => output };
}

/**
 * `kubepki init` of control-plane nodes that all live on 127.0.0.1 (ECDSA keys, for speed), each
 * with its own server and peer certificates, into DIR/k/NODE; returns that node's tree.
 */
export function initLoopbackControlPlanes(dir: string, names: string[]): (node: string) => string {
  writeFileSync(join(dir, "cluster.yaml"), `apiVersion: kubepki.io/v1alpha1
kind: ClusterPKI
encryptionAlgorithm: ECDSA-P256
controlPlane:
${names.map((n) => `  - {name: ${n}, address: 127.0.0.1}`).join("\n")}
`);
  const init = kubepki(["init", "--config", join(dir, "cluster.yaml"), "--out", join(dir, "k")]);
  assert.equal(init.code, 0, init.stderr);
  return (node) => join(dir, "k", node);
}

/** What one etcd member serves and verifies with; one CA verifies both clients and peers. */
export interface EtcdMemberTLS {
  ca: string;
  cert: string;
  key: string;
  peerCert: string;
  peerKey: string;
}

/** kubeadm's etcd files in a node's pki directory: etcd/server for clients, etcd/peer for the other members. */
export function kubeadmEtcdTLS(pkiDir: string): EtcdMemberTLS {
  const f = (name: string) => join(pkiDir, "etcd", name);
  return { ca: f("ca.crt"), cert: f("server.crt"), key: f("server.key"), peerCert: f("peer.crt"), peerKey: f("peer.key") };
}

/**
 * A new etcd cluster on loopback, with mutual TLS on the client and the peer ports: free ports
 * for every member, the client endpoints, and each member's command line (the caller adds flags
 * and starts it: background(), or spawn() where the test restarts members).
 */
export async function etcdCluster(dir: string, names: string[], token: string, tls: (name: string, i: number) => EtcdMemberTLS) {
  const ports = await Promise.all(names.map(async () => ({ client: await freePort(), peer: await freePort() })));
  const endpoint = (i: number) => `https://127.0.0.1:${ports[i].client}`;
  const peerURL = (i: number) => `https://127.0.0.1:${ports[i].peer}`;
  const initialCluster = names.map((n, i) => `${n}=${peerURL(i)}`).join(",");
  const args = (i: number): string[] => {
    const n = names[i];
    const f = tls(n, i);
    return [
      "--name", n, "--data-dir", join(dir, `data-${n}`),
      "--listen-client-urls", endpoint(i), "--advertise-client-urls", endpoint(i),
      "--listen-peer-urls", peerURL(i), "--initial-advertise-peer-urls", peerURL(i),
      "--initial-cluster", initialCluster, "--initial-cluster-state", "new", "--initial-cluster-token", token,
      "--client-cert-auth", "--trusted-ca-file", f.ca, "--cert-file", f.cert, "--key-file", f.key,
      "--peer-client-cert-auth", "--peer-trusted-ca-file", f.ca, "--peer-cert-file", f.peerCert, "--peer-key-file", f.peerKey,
      "--logger", "zap",
    ];
  };
  return { endpoint, endpoints: names.map((_, i) => endpoint(i)).join(","), args };
}

/** Waits until `health` (etcdctl endpoint health --cluster) finds every member healthy; on a timeout the members' logs say why. */
export async function waitEtcdHealthy(health: () => Run, members: { output(): string }[]): Promise<void> {
  try {
    await waitFor(() => health().code === 0, 30_000, `a healthy ${members.length}-member etcd cluster`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${health().stderr}\n${members.map((m) => m.output().slice(-1500)).join("\n---\n")}`);
  }
  const status = health();
  assert.equal((status.stdout + status.stderr).match(/is healthy/g)?.length, members.length, status.stdout + status.stderr);
}

/** openssl x509 -text of a file, parsed into the fields tests compare (an independent parser). */
export function opensslFields(certFile: string) {
  const text = openssl(["x509", "-in", certFile, "-noout", "-text", "-nameopt", "RFC2253"]).stdout;
  const line = (re: RegExp) => re.exec(text)?.[1]?.trim();
  const after = (header: string) => {
    const m = new RegExp(`${header}:?(?: critical)? *\\n\\s+(.*)`).exec(text);
    return m?.[1].trim();
  };
  return {
    text,
    subject: line(/Subject: (.*)/),
    issuer: line(/Issuer: (.*)/),
    serial: openssl(["x509", "-in", certFile, "-noout", "-serial"]).stdout.trim().replace(/^serial=/, ""),
    notBefore: new Date(line(/Not Before: (.*)/) ?? ""),
    notAfter: new Date(line(/Not After : (.*)/) ?? ""),
    signatureAlgorithm: line(/Signature Algorithm: (.*)/),
    publicKey: line(/Public Key Algorithm: (.*)/),
    keyBits: Number(line(/Public-Key: \((\d+) bit\)/)),
    curve: line(/NIST CURVE: (.*)/),
    keyUsage: after("X509v3 Key Usage"),
    keyUsageCritical: /X509v3 Key Usage: critical/.test(text),
    extKeyUsage: after("X509v3 Extended Key Usage"),
    basicConstraints: after("X509v3 Basic Constraints"),
    basicConstraintsCritical: /X509v3 Basic Constraints: critical/.test(text),
    san: after("X509v3 Subject Alternative Name"),
    skid: after("X509v3 Subject Key Identifier"),
    akid: after("X509v3 Authority Key Identifier"),
  };
}

/** Every file under `dir` with its SHA-256 and mode: equal snapshots mean nothing changed. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = `${createHash("sha256").update(readFileSync(p)).digest("hex")} ${(statSync(p).mode & 0o777).toString(8)}`;
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}
