// Synchronous reads on purpose: certificates are small and usually in the page cache, and
// fs/promises costs more in start-up and per-call overhead than it saves in overlap.
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { errnoText, inputError, isKubepkiError } from "../errors.js";
import { readInputFile, readStdin } from "../store/files.js";
import { labelOfSource, messageOf, NOT_RECOGNISED, type ReadContext } from "./context.js";
import { looksLikePem, readDer, readPem } from "./pem-input.js";
import type { Source } from "./types.js";

/** YAML or JSON with a top-level apiVersion or kind, or a JSON object. */
function looksLikeObject(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 4096).toString("latin1");
  return /^\s*\{/.test(head) || /(^|\n)(apiVersion|kind|"apiVersion"|"kind")\s*:/.test(head);
}

/** Text that is not PEM but may be YAML or JSON: printable UTF-8 with no NUL. */
function looksLikeText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  const sample = bytes.subarray(0, 4096);
  if (sample.toString("utf8").includes("\ufffd")) return false;
  let control = 0;
  for (const b of sample) if (b < 9 || (b > 13 && b < 32)) control++;
  return control === 0;
}

/**
 * Reads one blob of bytes whatever it holds. Returns false when it is none of
 * the kinds inspect knows (in a directory walk that is not an error).
 */
export async function readBytes(bytes: Buffer, source: Source, ctx: ReadContext, besideDir: string | undefined): Promise<boolean> {
  // A Secret's stringData may hold PEM text: a Kubernetes object is read as one before PEM is looked for.
  if (looksLikeObject(bytes)) {
    const { readObjects } = await import("./objects.js");
    if (await readObjects(bytes.toString("utf8"), source, { ...ctx, inDirectory: true })) return true;
  }
  if (looksLikePem(bytes)) {
    if (await readPem(bytes, source, besideDir, ctx.out)) return true;
    if (ctx.inDirectory) return false;
    throw inputError(`${labelOfSource(source)}: no certificate, request or key PEM block in it`);
  }
  if (bytes.length > 0 && bytes[0] === 0x30) {
    if (await readDer(bytes, source, besideDir, ctx.out)) return true;
    if (ctx.inDirectory) return false;
    throw inputError(`${labelOfSource(source)}: binary data that is not a DER certificate, CSR or key`);
  }
  if (bytes.length > 0 && looksLikeText(bytes)) {
    const { readObjects } = await import("./objects.js");
    return readObjects(bytes.toString("utf8"), source, ctx);
  }
  if (ctx.inDirectory) return false;
  throw inputError(`${labelOfSource(source)}: ${bytes.length === 0 ? "empty input" : NOT_RECOGNISED}`);
}

const ENDPOINT = /^(?:https?:\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})\/?$/;

/** One command-line input: a path, "-" for stdin, a directory, or host:port. */
export async function readInput(arg: string, ctx: ReadContext): Promise<void> {
  const source: Source = { input: arg };
  if (arg === "-") {
    const bytes = await (ctx.options.stdin ?? (() => readStdin("file", "(stdin)")))();
    await readBytes(bytes, { input: "-", file: "(stdin)" }, ctx, undefined);
    return;
  }
  let info;
  try {
    info = statSync(arg);
  } catch (err) {
    const m = ENDPOINT.exec(arg);
    if (m && (err as NodeJS.ErrnoException).code === "ENOENT") {
      const { probeEndpoint } = await import("./endpoint.js");
      await probeEndpoint(m[1].replace(/^\[|\]$/g, ""), Number(m[2]), source, ctx);
      return;
    }
    throw inputError(`${arg}: cannot read: ${errnoWords(err)}`);
  }
  if (info.isDirectory()) {
    const { readDirectory } = await import("./directory.js");
    await readDirectory(arg, ctx);
    return;
  }
  let bytes: Buffer;
  try {
    bytes = readInputFile(arg, "file");
  } catch (err) {
    if (isKubepkiError(err)) throw err;
    throw inputError(`${arg}: cannot read: ${errnoWords(err)}`);
  }
  await readBytes(bytes, { input: arg, file: arg }, ctx, dirname(resolve(arg)));
}

const errnoWords = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? errnoText(code) : messageOf(err);
};
