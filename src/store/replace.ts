import { constants, promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";
import { inputError } from "../errors.js";
import { readIfExists, writeFileAtomic } from "./files.js";
import { backupBeforeReplace } from "./transaction.js";

/**
 * Writes a file that may already exist: the old one is first copied to
 * DIR/kubepki-backup/<stamp>/<name> (mode kept, with the manifest that
 * `renew --restore` reads), then the new one replaces it atomically. Returns
 * the backup copy's path, if there was something to back up.
 */
export async function replaceFile(path: string, data: string | Buffer, mode: number, now: Date, reason = `kubepki wrote ${path}`): Promise<string | undefined> {
  const old = await readIfExists(path);
  let backup: string | undefined;
  if (old !== undefined && !old.equals(Buffer.from(data))) {
    const { backupDir } = await backupBeforeReplace([path], { home: dirname(path), root: dirname(path), reason, now });
    backup = join(backupDir!, basename(path));
  }
  await writeFileAtomic(path, data, mode);
  return backup;
}

/** Refuses before anything is written when a file that must be new exists (a private key is never overwritten). */
export async function mustNotExist(paths: string[], what = "file"): Promise<void> {
  for (const p of paths) {
    try {
      await fs.access(p, constants.F_OK);
    } catch {
      continue;
    }
    throw inputError(`${p}: ${what} exists; kubepki never overwrites it`, `move ${basename(p)} away or choose another name`);
  }
}
