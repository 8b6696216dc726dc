// What the readers of inspect share, below all of them: read.ts dispatches to objects,
// directory and endpoint, and they come back to it only through ReadContext.readBytes.
import { dirname, resolve } from "node:path";
import { errnoText, inputError, isKubepkiError, KubepkiError } from "../errors.js";
import { readInputFile } from "../store/files.js";
import type { Collector, InspectOptions, Source } from "./types.js";

/** What every reader needs: the options, where to put items, and how to read a file it points at. */
export interface ReadContext {
  options: InspectOptions;
  out: Collector;
  /** Inside a directory walk: files that are not certificates, keys or Kubernetes objects are skipped silently. */
  inDirectory: boolean;
  /** Guards against a manifest → kubeconfig → … chain going on forever. */
  depth: number;
  /**
   * read.ts's readBytes, passed down rather than imported: the readers of kubeconfigs and
   * manifests read the files they point at with it, and importing it would close a cycle.
   */
  readBytes: ReadBytes;
}

export type ReadBytes = (bytes: Buffer, source: Source, ctx: ReadContext, besideDir: string | undefined) => Promise<boolean>;

export const NOT_RECOGNISED = "not a certificate, CSR, key, kubeconfig, Secret, CertificateSigningRequest or static pod manifest";

/** An error a user can act on, from anything a reader threw. */
export function messageOf(err: unknown): string {
  if (err instanceof KubepkiError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code && e.path) return `${e.path}: cannot read: ${errnoText(e.code)}`;
  return String(e?.message ?? err).split("\n")[0];
}

/** How a source is named in messages: its file (or input) and where inside it. */
export function labelOfSource(source: Source): string {
  return [source.file ?? source.input, source.where].filter(Boolean).join(": ");
}

/** Reads a file a kubeconfig or manifest points at, as its own source. */
export async function readReferencedFile(path: string, source: Source, ctx: ReadContext): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = readInputFile(path, "file", `${labelOfSource(source)}: ${path}`);
  } catch (err) {
    if (isKubepkiError(err)) throw err;
    throw inputError(`${labelOfSource(source)}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ? errnoText((err as NodeJS.ErrnoException).code!) : messageOf(err)}`);
  }
  const recognised = await ctx.readBytes(bytes, { ...source, file: path }, { ...ctx, inDirectory: false, depth: ctx.depth + 1 }, dirname(resolve(path)));
  if (!recognised) throw inputError(`${labelOfSource(source)}: ${path}: ${NOT_RECOGNISED}`);
}
