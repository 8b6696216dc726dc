import { readUserFile } from "../store/files.js";

/**
 * A file's text, or standard input for "-" (the one grammar: `-` reads stdin
 * wherever a file is read). A file that cannot be read is bad input, said in words.
 */
export function readInput(path: string, what = path): string {
  return readInputBytes(path, what).toString("utf8");
}

/** readInput's bytes, for inputs that may be DER: bounded and by type (store/files.ts), so a device or a FIFO is refused, not read forever. */
export function readInputBytes(path: string, what = path): Buffer {
  return readUserFile(path, what);
}

/** How an input is named in messages: "-" is "(stdin)". */
export function inputName(path: string): string {
  return path === "-" ? "(stdin)" : path;
}

/** A passphrase from a file: its first line, as openssl's -passin file: reads it. */
export function readPassphrase(path: string): string {
  return readInput(path, "--passphrase-file").split(/\r?\n/)[0];
}
