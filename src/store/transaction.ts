import { promises as fs } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { inputError } from "../errors.js";
import { terminalSafe } from "../text.js";
import { backupStamp, freshDir, readIfExists, removeStaleTemps, writeFileAtomic } from "./files.js";

/**
 * Replacing a set of files all-or-nothing: certificates and keys come in
 * pairs, kubeconfigs embed their CA, and a kill in the middle must not leave
 * a mismatched set behind. The previous files are copied to a backup folder
 * (with a manifest that says where each came from), a journal listing every
 * file about to be written is written, the new files are written one by one
 * in the order given, and the journal is removed. A run that finds a journal
 * was interrupted: it puts the backup back and removes the files that did not
 * exist before, so the tree is exactly as it was before that run.
 *
 * Callers hold the tree's lock (lock.ts): the journal is only ever read by the
 * run that owns the tree, never mistaken for a live one.
 */

export interface FileWrite {
  path: string;
  data: string | Buffer;
  mode: number;
}

interface BackupEntry {
  /** Absolute path of the original. */
  file: string;
  /** Path inside the backup folder; absent when the file did not exist (a roll-back removes it). */
  copy?: string;
  mode?: number;
}

interface BackupManifest {
  kind: "KubepkiBackup";
  created: string;
  reason: string;
  files: BackupEntry[];
}

interface Journal {
  /** Where the previous files were copied; absent when no file existed before. */
  backupDir?: string;
  files: BackupEntry[];
}

export const BACKUP_FOLDER = "kubepki-backup";
const MANIFEST = "kubepki-backup.json";
const JOURNAL = ".kubepki-journal.json";

/** Where a file goes inside the backup folder: its path below `root`, or its absolute path when outside. */
function copyPath(root: string, file: string): string {
  const rel = relative(root, file);
  return rel.startsWith("..") || isAbsolute(rel) ? join("_outside", file) : rel;
}

export interface CommitOptions {
  /** The folder the journal lives in and backups go under (the kubernetes directory). */
  home: string;
  /** Paths below it are kept relative inside the backup. */
  root: string;
  reason: string;
  now: Date;
}

/**
 * Copies every existing file of `files` to `<home>/kubepki-backup/<stamp>/`,
 * byte-identical and with its mode, with a manifest (`renew --restore` reads
 * it). The folder is only made when there is something to copy. Returns it
 * and an entry per file (files that did not exist have no copy).
 */
export async function backupBeforeReplace(files: string[], options: CommitOptions): Promise<{ backupDir?: string; entries: BackupEntry[] }> {
  const entries: BackupEntry[] = [];
  let dir: string | undefined;
  for (const file of files) {
    const old = await readIfExists(file);
    if (old === undefined) {
      entries.push({ file });
      continue;
    }
    dir ??= await freshDir(join(options.home, BACKUP_FOLDER), backupStamp(options.now));
    const copy = copyPath(options.root, file);
    const mode = (await fs.stat(file)).mode & 0o777;
    await fs.mkdir(dirname(join(dir, copy)), { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(dir, copy), old, mode);
    entries.push({ file, copy, mode });
  }
  if (dir) {
    const manifest: BackupManifest = { kind: "KubepkiBackup", created: options.now.toISOString(), reason: options.reason, files: entries };
    await writeFileAtomic(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n", 0o600);
  }
  return { backupDir: dir, entries };
}

// Tests kill the process at an exact point of the write phase with this; nothing else sets it.
const CRASH_AFTER = Number(process.env.KUBEPKI_TEST_CRASH_AFTER_WRITES ?? NaN);

/** Writes `writes` all-or-nothing, in the order given; returns the backup folder, if anything was replaced. */
export async function commitFiles(writes: FileWrite[], options: CommitOptions): Promise<string | undefined> {
  await recoverInterrupted(options.home);
  const { backupDir, entries } = await backupBeforeReplace(writes.map((w) => w.path), options);
  const journal = join(options.home, JOURNAL);
  const record: Journal = { backupDir, files: entries };
  await writeFileAtomic(journal, JSON.stringify(record) + "\n", 0o600);
  for (const [i, w] of writes.entries()) {
    if (i === CRASH_AFTER) process.kill(process.pid, "SIGKILL");
    await writeFileAtomic(w.path, w.data, w.mode);
  }
  await fs.rm(journal);
  return backupDir;
}

/** True when a run was interrupted in `home` (its journal is there): the next writer rolls it back first. */
export async function interruptedRun(home: string): Promise<boolean> {
  return (await readIfExists(join(home, JOURNAL))) !== undefined;
}

/**
 * If a previous commit was interrupted, puts the tree back as it was before
 * it: backed-up files restored, files it created removed. Returns what it
 * rolled back (the backup folder, or the journal when nothing had a copy).
 */
export async function recoverInterrupted(home: string): Promise<string | undefined> {
  const path = join(home, JOURNAL);
  const text = await readIfExists(path);
  await sweepTemps(home, text);
  if (text === undefined) return undefined;
  let journal: Journal;
  try {
    journal = JSON.parse(text.toString()) as Journal;
    // A journal of an earlier kubepki named only its backup folder: the manifest lists the files.
    if (!Array.isArray(journal.files) && typeof journal.backupDir === "string") journal.files = (await readManifest(journal.backupDir)).files;
    if (!Array.isArray(journal.files)) throw new Error("no file list");
  } catch (err) {
    throw inputError(`${path}: an interrupted run's journal cannot be read (${(err as Error).message})`, "nothing was changed; look at the files it names, then move it away");
  }
  // Later files first: a kubeconfig goes before the CA it embeds, a certificate before its key.
  for (const entry of [...journal.files].reverse()) {
    if (entry.copy === undefined) await fs.rm(entry.file, { force: true });
    else await writeFileAtomic(entry.file, await fs.readFile(join(journal.backupDir!, entry.copy)), (entry.mode ?? 0o600) & 0o777);
  }
  await fs.rm(path);
  return journal.backupDir ?? path;
}

/**
 * Removes the temporary files a killed commit may have left (a half-written
 * key among them): in the home folder (the journal's), in the backup folders,
 * and beside every file the journal names. The caller holds the tree's lock.
 */
async function sweepTemps(home: string, journal: Buffer | undefined): Promise<void> {
  let files: string[] = [];
  try {
    files = journal ? (JSON.parse(journal.toString()) as Journal).files.map((e) => e.file) : [];
  } catch {
    // An unreadable journal is reported by the caller.
  }
  await removeStaleTemps([home, ...files.map((f) => dirname(f))]);
  await sweepBackupTemps(home);
}

/** Removes the temporary files a killed backup left in `<home>/kubepki-backup/` (copies of keys among them); under the home's lock. */
export async function sweepBackupTemps(home: string): Promise<void> {
  const root = join(home, BACKUP_FOLDER);
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  await removeStaleTemps([root, ...entries.filter((e) => e.isDirectory()).map((e) => join(e.parentPath, e.name))]);
}

async function readManifest(backupDir: string): Promise<BackupManifest> {
  const text = await readIfExists(join(backupDir, MANIFEST));
  if (text === undefined) throw inputError(`${backupDir}: not a kubepki backup (no ${MANIFEST})`);
  try {
    const m = JSON.parse(text.toString()) as BackupManifest;
    if (m.kind !== "KubepkiBackup" || !Array.isArray(m.files)) throw new Error();
    return m;
  } catch {
    throw inputError(`${backupDir}/${MANIFEST}: not a kubepki backup manifest`);
  }
}

const inside = (dir: string, path: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** The real path of `path`, or of its nearest existing parent joined with the rest (the file itself may be gone). */
async function realPathOf(path: string): Promise<string> {
  try {
    return await fs.realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT" || dirname(path) === path) throw err;
    return join(await realPathOf(dirname(path)), relative(dirname(path), path));
  }
}

/**
 * The files a backup holds, as writes that put them back (for --restore, which
 * backs up what it replaces first). A backup is trusted only inside its tree:
 * it must lie in `<tree>/kubepki-backup/`, every copy must be a regular file
 * inside the backup folder, and every file it puts back must lie inside the
 * tree, symlinks resolved. Anything else refuses the whole restore (exit 2,
 * nothing written): a crafted manifest must not read or write elsewhere.
 */
export async function restoreWrites(backupDir: string): Promise<FileWrite[]> {
  const dir = await fs.realpath(resolve(backupDir)).catch(() => resolve(backupDir));
  const manifest = await readManifest(dir);
  const folder = dirname(dir);
  if (!folder.endsWith(`${sep}${BACKUP_FOLDER}`)) {
    throw inputError(`${terminalSafe(backupDir)}: not inside a ${BACKUP_FOLDER} folder, so the tree it belongs to is unknown; nothing was restored`, `kubepki's backups are <kubernetes dir>/${BACKUP_FOLDER}/<time>/`);
  }
  const tree = dirname(folder);
  const refuse = (entry: unknown, why: string) =>
    inputError(`${terminalSafe(backupDir)}/${MANIFEST}: refused entry ${terminalSafe(JSON.stringify(entry))}: ${why}; nothing was restored`);
  const writes: FileWrite[] = [];
  for (const e of manifest.files) {
    if (typeof e?.file !== "string" || (e.copy !== undefined && typeof e.copy !== "string")) throw refuse(e, "not a file entry");
    if (e.copy === undefined) continue;
    if (!isAbsolute(e.file)) throw refuse(e, "its file is not an absolute path");
    if (!inside(tree, await realPathOf(resolve(e.file)))) throw refuse(e, `it would write outside the tree ${tree}`);
    if (isAbsolute(e.copy)) throw refuse(e, "its copy is an absolute path");
    const copy = join(dir, e.copy);
    const real = await fs.realpath(copy).catch(() => undefined);
    if (!real) throw refuse(e, "its copy is missing");
    if (!inside(dir, real)) throw refuse(e, "its copy lies outside the backup folder");
    const stat = await fs.lstat(copy);
    if (!stat.isFile()) throw refuse(e, "its copy is not a regular file");
    writes.push({ path: resolve(e.file), data: await fs.readFile(copy), mode: (e.mode ?? 0o600) & 0o777 });
  }
  return writes;
}
