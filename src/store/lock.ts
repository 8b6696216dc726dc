import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { promises as fs, constants } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { inputError } from "../errors.js";
import { shellCommand, terminalSafe } from "../text.js";

/**
 * Advisory locks, so that two kubepki runs never write the same tree or the
 * same kubeconfig at once (two merges each writing "their" version of a file
 * lose one user; two renewals each take the other's live journal for an
 * interrupted one).
 *
 * A lock is a file created whole or not at all (written to a temporary name,
 * then hard-linked to the lock's name, which fails if it exists) holding the
 * holder's pid, host, start time and a random nonce. kubectl's `config.lock`
 * convention is kept for kubeconfigs: a kubeconfig F is locked by `F.lock`, so
 * kubepki and `kubectl config set-*` also exclude each other.
 *
 * A lock whose holder is a dead process on this host is stale and taken over:
 * it is renamed aside, and removed only if the file moved aside is the very
 * one judged stale (same nonce); otherwise it is put back. A live holder is
 * waited for a bounded time, then the run fails with one line naming it.
 */

export interface LockHolder {
  pid: number;
  host: string;
  started: string;
  command: string;
  nonce: string;
}

/** How long a second writer waits for the first, unless KUBEPKI_LOCK_TIMEOUT (seconds) says otherwise. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

function timeoutMs(): number {
  const env = process.env.KUBEPKI_LOCK_TIMEOUT;
  if (env === undefined || env === "") return DEFAULT_LOCK_TIMEOUT_MS;
  const seconds = Number(env);
  if (!Number.isFinite(seconds) || seconds < 0) throw inputError(`KUBEPKI_LOCK_TIMEOUT: "${terminalSafe(env)}" is not a number of seconds`);
  return seconds * 1000;
}

/** The lock that guards a tree: beside its kubeconfigs, where its journal and backups live too. */
export function treeLockPath(kubeconfigDir: string): string {
  return join(kubeconfigDir, ".kubepki.lock");
}

/** The lock that guards one kubeconfig file: kubectl's name for it. */
export function fileLockPath(file: string): string {
  return `${file}.lock`;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h.pid === "number" && typeof h.host === "string" && typeof h.nonce === "string" ? h : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Who holds a lock, in words; kubectl's own config.lock is empty. */
function describe(path: string, holder: LockHolder | undefined): string {
  path = terminalSafe(path);
  if (!holder) return `${path} is held by another program (an empty or foreign lock, such as kubectl's)`;
  return `${path} is held by ${terminalSafe(holder.command)} (pid ${holder.pid} on ${terminalSafe(holder.host)}, since ${terminalSafe(holder.started)})`;
}

async function readHolder(path: string): Promise<{ text: string } | undefined> {
  try {
    return { text: await fs.readFile(path, "utf8") };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** A folder where the lock cannot be made (not ours, read-only): bad input, nothing written. */
function cannotLock(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== "EACCES" && code !== "EPERM" && code !== "EROFS") return err as Error;
  return inputError(`${terminalSafe(path)}: cannot take the lock (${code}); nothing was changed`, "run as the user who owns these files (often with sudo)");
}

/** Creates the lock with its content in one step; false when it exists. */
async function tryCreate(path: string, content: string): Promise<boolean> {
  // Not a .kubepki-tmp: a tree's owner sweeps those, and this one belongs to a run still waiting.
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.kubepki-locktmp`);
  try {
    await fs.writeFile(tmp, content, { mode: 0o600, flag: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL });
  } catch (err) {
    throw cannotLock(path, err);
  }
  try {
    await fs.link(tmp, path);
    return true;
  } catch (err) {
    // ENOENT: the holder swept our temporary file as a leftover; we simply try again.
    if ((err as NodeJS.ErrnoException).code === "EEXIST" || (err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Removes a stale lock only if it is still the one judged stale; a lock taken meanwhile is put back. */
async function breakStale(path: string, stale: LockHolder): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await fs.rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // someone else broke it first
    throw err;
  }
  const moved = parseHolder(await fs.readFile(aside, "utf8").catch(() => ""));
  if (moved?.nonce !== stale.nonce) await fs.link(aside, path).catch(() => undefined);
  await fs.rm(aside, { force: true });
}

/** Removes what killed runs left of this lock's own machinery (temporary lock files, stale locks moved aside). */
async function sweepLeftovers(path: string): Promise<void> {
  const dir = dirname(path);
  const name = basename(path);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const ours = (n: string) => (n.startsWith(`.${name}.`) && n.endsWith(".kubepki-locktmp")) || (n.startsWith(`${name}.`) && n.endsWith(".stale"));
  await Promise.all(names.filter(ours).map((n) => fs.rm(join(dir, n), { force: true })));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The locks the current call chain holds: a command that locks around a library call that locks the same
// path again must not wait for itself, while two independent calls in one process still exclude each other.
const chain = new AsyncLocalStorage<ReadonlySet<string>>();

/**
 * Runs `fn` holding the lock at `path` (created, with its folder, if needed).
 * `command` says what the holder is doing, for the message another run prints.
 */
export async function withLock<T>(path: string, command: string, fn: () => Promise<T>): Promise<T> {
  path = resolve(path);
  const held = chain.getStore() ?? new Set<string>();
  if (held.has(path)) return fn();
  await fs.mkdir(dirname(path), { recursive: true, mode: 0o755 }).catch((err) => {
    throw cannotLock(path, err);
  });
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command, nonce: randomBytes(12).toString("hex") };
  const content = JSON.stringify(me) + "\n";
  const deadline = Date.now() + timeoutMs();
  for (let wait = 20; ; wait = Math.min(wait * 2, 250)) {
    if (await tryCreate(path, content)) break;
    const seen = await readHolder(path);
    if (!seen) continue; // released between our attempt and the read
    const holder = parseHolder(seen.text);
    if (holder && holder.host === me.host && !alive(holder.pid)) {
      await breakStale(path, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      throw inputError(describe(path, holder), holder
        ? "wait for it to finish, then run this again"
        : `if no kubectl or kubepki is writing there, remove it: ${shellCommand(["rm", path])}`);
    }
    await sleep(wait);
  }
  await sweepLeftovers(path);
  try {
    return await chain.run(new Set([...held, path]), fn);
  } finally {
    // Only our own lock is removed: if it was (wrongly) broken, the new holder keeps theirs.
    const now = await readHolder(path).catch(() => undefined);
    if (now && parseHolder(now.text)?.nonce === me.nonce) await fs.rm(path, { force: true });
  }
}

/** Runs `fn` holding several locks, always taken in the order given (tree before file), so two runs never deadlock. */
export async function withLocks<T>(paths: string[], command: string, fn: () => Promise<T>): Promise<T> {
  if (paths.length === 0) return fn();
  return withLock(paths[0], command, () => withLocks(paths.slice(1), command, fn));
}
