import { promises as fs } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { inputError } from "../errors.js";
import { backupStamp, freshDir, readIfExists, writeFileAtomic } from "./files.js";

/**
 * Replacing a set of files all-or-nothing: certificates and keys come in
 * pairs, and a kill between writing a key and its certificate must not leave
 * a mismatched pair behind. The previous files are copied to a backup folder
 * (with a manifest that says where each came from), a journal is written,
 * the new files are written one by one, and the journal is removed. A run
 * that finds a journal was interrupted and puts the backup back first.
 */

export interface FileWrite {
  path: string;
  data: string | Buffer;
  mode: number;
}

interface BackupEntry {
  /** Absolute path of the original. */
  file: string;
  /** Path inside the backup folder; absent when the file did not exist (a restore removes it). */
  copy?: string;
  mode?: number;
}

interface BackupManifest {
  kind: "KubepkiBackup";
  created: string;
  reason: string;
  files: BackupEntry[];
}

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

/** Copies every file about to be replaced to `<home>/kubepki-backup/<stamp>/`, byte-identical and with its mode. */
async function backup(writes: FileWrite[], options: CommitOptions): Promise<string> {
  const dir = await freshDir(join(options.home, "kubepki-backup"), backupStamp(options.now));
  const files: BackupEntry[] = [];
  for (const { path } of writes) {
    const old = await readIfExists(path);
    if (old === undefined) {
      files.push({ file: path });
      continue;
    }
    const copy = copyPath(options.root, path);
    const mode = (await fs.stat(path)).mode & 0o777;
    await fs.mkdir(dirname(join(dir, copy)), { recursive: true, mode: 0o700 });
    await fs.writeFile(join(dir, copy), old, { mode });
    await fs.chmod(join(dir, copy), mode);
    files.push({ file: path, copy, mode });
  }
  const manifest: BackupManifest = { kind: "KubepkiBackup", created: options.now.toISOString(), reason: options.reason, files };
  await writeFileAtomic(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n", 0o600);
  return dir;
}

// Tests kill the process at an exact point of the write phase with this; nothing else sets it.
const CRASH_AFTER = Number(process.env.KUBEPKI_TEST_CRASH_AFTER_WRITES ?? NaN);

/** Writes `writes` all-or-nothing; returns the backup folder. */
export async function commitFiles(writes: FileWrite[], options: CommitOptions): Promise<string> {
  await recoverInterrupted(options.home);
  const backupDir = await backup(writes, options);
  const journal = join(options.home, JOURNAL);
  await writeFileAtomic(journal, JSON.stringify({ backupDir }) + "\n", 0o600);
  for (const [i, w] of writes.entries()) {
    if (i === CRASH_AFTER) process.kill(process.pid, "SIGKILL");
    await writeFileAtomic(w.path, w.data, w.mode);
  }
  await fs.rm(journal);
  return backupDir;
}

/**
 * If a previous commit was interrupted, puts its backup back so the previous
 * set is in place again. Returns the backup folder it restored, if any.
 */
export async function recoverInterrupted(home: string): Promise<string | undefined> {
  const journal = join(home, JOURNAL);
  const text = await readIfExists(journal);
  if (text === undefined) return undefined;
  const { backupDir } = JSON.parse(text.toString()) as { backupDir: string };
  await putBack(backupDir);
  await fs.rm(journal);
  return backupDir;
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

async function putBack(backupDir: string): Promise<void> {
  const manifest = await readManifest(backupDir);
  for (const entry of manifest.files) {
    if (entry.copy === undefined) await fs.rm(entry.file, { force: true });
    else await writeFileAtomic(entry.file, await fs.readFile(join(backupDir, entry.copy)), entry.mode ?? 0o600);
  }
}

/** The files a backup holds, as writes that put them back (for --restore, which backs up what it replaces first). */
export async function restoreWrites(backupDir: string): Promise<FileWrite[]> {
  const dir = resolve(backupDir);
  const manifest = await readManifest(dir);
  return Promise.all(
    manifest.files.filter((e) => e.copy !== undefined).map(async (e) => ({ path: e.file, data: await fs.readFile(join(dir, e.copy!)), mode: e.mode ?? 0o600 })),
  );
}
