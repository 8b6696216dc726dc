import { readFileSync } from "node:fs";
import { inputError } from "../errors.js";

/** What an errno code means, in words: error messages never show a bare ENOENT. */
const ERRNO_WORDS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory, not a file",
  ENOTDIR: "a part of the path is not a directory",
  EEXIST: "already exists",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
  EMFILE: "too many open files",
  EBUSY: "busy",
  EXDEV: "cannot move across file systems",
  ECONNREFUSED: "connection refused",
  ETIMEDOUT: "timed out",
  ENOTFOUND: "no such host",
};

export function errnoText(code: string): string {
  return ERRNO_WORDS[code] ?? code;
}

/**
 * A file's text, or standard input for "-" (the one grammar: `-` reads stdin
 * wherever a file is read). A file that cannot be read is bad input, said in words.
 */
export function readInput(path: string, what = path): string {
  return readInputBytes(path, what).toString("utf8");
}

/** readInput's bytes, for inputs that may be DER. */
export function readInputBytes(path: string, what = path): Buffer {
  try {
    // fd 0 read synchronously: a request or a certificate is small, and this works on pipes, files and terminals.
    return readFileSync(path === "-" ? 0 : path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(`${what}: cannot read${what === path ? "" : ` ${path}`}: ${code ? errnoText(code) : (err as Error).message}`);
  }
}

/** How an input is named in messages: "-" is "(stdin)". */
export function inputName(path: string): string {
  return path === "-" ? "(stdin)" : path;
}

/** A passphrase from a file: its first line, as openssl's -passin file: reads it. */
export function readPassphrase(path: string): string {
  return readInput(path, "--passphrase-file").split(/\r?\n/)[0];
}
