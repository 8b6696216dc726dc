import { randomBytes } from "node:crypto";
import { promises as fs, constants, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { inputError } from "../errors.js";

export const KEY_MODE = 0o600;
export const PUBLIC_MODE = 0o644;
const DIR_MODE = 0o755;

// Reads are synchronous: they are small files, and loading node:fs/promises (with
// the streams and readline it pulls in) costs the commands that only read ~3 ms.

/** A file's text; a missing or unreadable file is bad input naming it (`what`, default the path). */
export async function readText(path: string, what = path): Promise<string> {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw inputError(`${what}: cannot read${what === path ? "" : ` ${path}`}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads a file, or undefined when it does not exist (other errors propagate). */
export async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return readFileSync(path);
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
