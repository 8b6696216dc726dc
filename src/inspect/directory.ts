import { readdirSync, statSync } from "node:fs";
import { readInputFile } from "../store/files.js";
import { dirname, join } from "node:path";
import { messageOf, type ReadContext } from "./context.js";

/** Files larger than this are not certificates (nor kubeconfigs); they are skipped unparsed. */
const MAX_FILE_BYTES = 4 << 20;

/** Every regular file under `dir`, sorted, following symlinks to files but not to directories (no loops). */
function listFiles(dir: string, out: string[] = []): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) listFiles(path, out);
    else if (e.isFile()) out.push(path);
    else if (e.isSymbolicLink()) {
      try {
        if (statSync(path).isFile()) out.push(path);
      } catch {
        // a dangling link: nothing to read
      }
    }
  }
  return out;
}

/**
 * Every certificate, request, key, kubeconfig, Secret and CertificateSigningRequest
 * under a directory, in path order. Files that are none of these are skipped;
 * a file that is one but is broken (a truncated PEM) is reported and the walk
 * goes on. Reads are synchronous: for small cached files on a 2-core machine
 * they beat a pool of async reads (measured: bench/inspect.sh).
 */
export async function readDirectory(dir: string, ctx: ReadContext): Promise<void> {
  const inner: ReadContext = { ...ctx, inDirectory: true };
  for (const path of listFiles(dir)) {
    try {
      // Sized before it is read: a huge file costs nothing; a FIFO swapped in since the listing is refused by readInputFile.
      if (statSync(path).size > MAX_FILE_BYTES) {
        ctx.out.skipped++;
        continue;
      }
      const bytes = readInputFile(path);
      const found = await ctx.readBytes(bytes, { input: dir, file: path }, inner, dirname(path));
      if (!found) ctx.out.skipped++;
    } catch (err) {
      ctx.out.failures.push({ input: path, message: messageOf(err) });
    }
  }
}
