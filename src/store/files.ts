import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, promises as fs, readSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { errnoText, inputError, isKubepkiError } from "../errors.js";
import { terminalSafe } from "../text.js";

export const KEY_MODE = 0o600;
export const PUBLIC_MODE = 0o644;
const DIR_MODE = 0o755;

// Reads are synchronous: they are small files, and loading node:fs/promises (with
// the streams and readline it pulls in) costs the commands that only read ~3 ms.

/**
 * How much one input may hold before kubepki refuses it: a certificate, key,
 * kubeconfig, manifest or config is never near 16 MiB, and an inspect bundle of
 * 16 MiB already holds ~27000 certificates (~350 MB of memory to report them);
 * a log is read whole, line by line. KUBEPKI_MAX_INPUT_BYTES (bytes, or with a
 * Ki/Mi/Gi suffix) replaces both. docs/limits.md documents them.
 */
export const INPUT_LIMITS = { file: 16 << 20, log: 64 << 20 } as const;
export type InputKind = keyof typeof INPUT_LIMITS;
export const LIMIT_ENV = "KUBEPKI_MAX_INPUT_BYTES";

/** The byte limit for one input of `kind`, after KUBEPKI_MAX_INPUT_BYTES. */
export function inputLimit(kind: InputKind = "file"): number {
  const raw = process.env[LIMIT_ENV];
  if (raw === undefined || raw === "") return INPUT_LIMITS[kind];
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(raw.trim());
  if (!m) throw inputError(`${LIMIT_ENV}=${terminalSafe(raw)}: not a size`, "give bytes, or a number with Ki, Mi or Gi: 512Mi");
  return Number(m[1]) * (m[2] ? 1024 ** (["Ki", "Mi", "Gi"].indexOf(m[2]) + 1) : 1);
}

const mib = (n: number) => (n % (1 << 20) === 0 ? `${n / (1 << 20)} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n}-byte`);

/** The one-line refusal of an input over its limit. */
export function tooLarge(what: string, limit: number): Error {
  return inputError(`${what}: larger than the ${mib(limit)} limit for one input`, `set ${LIMIT_ENV} to raise it (see docs/limits.md)`);
}

// A path that names one of this process's own descriptors: `csr review /dev/stdin`, `inspect <(kubectl …)`.
const OWN_FD = /^\/(?:dev\/(?:stdin|fd\/(\d+))|proc\/self\/fd\/(\d+))$/;

function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** The `size` bytes fstat saw, and no more: a file appended to while it is read (a live log) ends where it was judged. */
function readSize(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buf, got, size - got, got);
    if (n === 0) break; // truncated meanwhile
    got += n;
  }
  return got === size ? buf : buf.subarray(0, got);
}

/** Reads until end of file or one byte past `limit` (then refuses): a pipe has no size to check first. */
function readAtMost(fd: number, limit: number, what: string): Buffer {
  const chunks: Buffer[] = [];
  const buffer = Buffer.allocUnsafe(1 << 16); // a pipe hands over at most 64 KiB at a time
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, Math.min(buffer.length, limit + 1 - total), null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // a non-blocking pipe with nothing yet
        continue;
      }
      throw err;
    }
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(Buffer.from(buffer.subarray(0, n)));
    total += n;
    if (total > limit) throw tooLarge(what, limit);
  }
}

/**
 * A file's bytes, read only when it is a regular file within the limit for
 * `kind`: a device (/dev/zero, /dev/urandom) or a FIFO named by a kubeconfig or
 * a manifest would otherwise hang kubepki or fill its memory. The file is
 * opened without blocking (a FIFO's open waits for a writer) and judged by
 * fstat, on the descriptor read, before a byte is read. The process's own
 * descriptors (/dev/stdin, /dev/fd/N) may be pipes, read up to the limit.
 * A missing or unreadable file throws the system error (callers word it);
 * a refusal is an input error naming `what`.
 */
export function readInputFile(path: string, kind: InputKind = "file", what = path): Buffer {
  const limit = inputLimit(kind);
  const own = OWN_FD.exec(path);
  const fd = own ? Number(own[1] ?? own[2] ?? 0) : openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = fstatSync(fd);
    if (st.isFile()) {
      if (st.size > limit) throw tooLarge(what, limit);
      return own ? readAtMost(fd, limit, what) : readSize(fd, st.size);
    }
    if (own && (st.isFIFO() || st.isSocket())) return readAtMost(fd, limit, what);
    throw inputError(`${what}: ${kindOf(st)}, not a regular file: refused`, own ? undefined : "kubepki reads certificates, keys and configs from regular files only; give '-' to read standard input");
  } finally {
    if (!own) closeSync(fd);
  }
}

/** Standard input ("-"), refused past the limit for `kind` instead of filling memory. */
export async function readStdin(kind: InputKind, what: string): Promise<Buffer> {
  const limit = inputLimit(kind);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    total += (chunk as Buffer).length;
    if (total > limit) throw tooLarge(what, limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

/** A file a user named, "-" standard input; a missing or unreadable file is bad input naming it (`what`, default the path). */
export function readUserFile(path: string, what = path, kind: InputKind = "file"): Buffer {
  try {
    return readInputFile(path === "-" ? "/dev/stdin" : path, kind, what === path ? path : `${what} ${path}`);
  } catch (err) {
    if (isKubepkiError(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(`${what}: cannot read${what === path ? "" : ` ${path}`}: ${code ? errnoText(code) : (err as Error).message}`);
  }
}

/** readUserFile's text. */
export async function readText(path: string, what = path, kind: InputKind = "file"): Promise<string> {
  return readUserFile(path, what, kind).toString("utf8");
}

/** Reads a file, or undefined when it does not exist (other errors, and a refusal by type or size, propagate). */
export async function readIfExists(path: string, kind: InputKind = "file"): Promise<Buffer | undefined> {
  try {
    return readInputFile(path, kind);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Writes a file atomically: a temporary file in the same directory, created
 * with the final mode (so a key is never readable by others, not even for a
 * moment), then renamed over the target. A kill leaves the old file or the new
 * one, never half of either.
 */
export async function writeFileAtomic(path: string, data: string | Buffer, mode: number): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
  // Named after its target, so that the run owning that file alone knows it may remove a leftover.
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.kubepki-tmp`);
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode); // the umask may have narrowed or, for 0644, cut the mode
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Removes temporary files a killed run left behind in `dirs` (they are never
 * complete, and may hold key material). Only a run holding the lock of
 * everything in those folders calls this (init and renew on their tree).
 */
export async function removeStaleTemps(dirs: string[]): Promise<void> {
  for (const dir of new Set(dirs)) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.endsWith(".kubepki-tmp")).map((n) => fs.rm(join(dir, n), { force: true })));
  }
}

/** Removes the temporary files a killed write of `file` left beside it (its lock held), and no one else's. */
export async function removeStaleTempsOf(file: string): Promise<void> {
  const prefix = `.${basename(file)}.`;
  const names = await fs.readdir(dirname(file)).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix) && /^\.[0-9a-f]{12}\.kubepki-tmp$/.test(n.slice(prefix.length - 1))).map((n) => fs.rm(join(dirname(file), n), { force: true })));
}

/** A timestamp usable in a folder name, sortable: 20261128T180405Z. */
export function backupStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** A new folder `parent/name`, or `name-2`, `name-3`… when two runs share a second: a backup never lands in another's. */
export async function freshDir(parent: string, name: string): Promise<string> {
  await fs.mkdir(parent, { recursive: true, mode: 0o700 });
  for (let i = 1; ; i++) {
    const dir = join(parent, i === 1 ? name : `${name}-${i}`);
    try {
      await fs.mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}
