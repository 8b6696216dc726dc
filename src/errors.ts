/**
 * The one error type kubepki throws on purpose. Its message is meant for a user
 * (it names the file, flag or field that is wrong); the CLI prints it as
 * `error: …` with an optional `hint: …`, and exits with `exitCode`.
 */
export class KubepkiError extends Error {
  readonly hint?: string;
  readonly exitCode: number;
  constructor(message: string, options: { hint?: string; exitCode?: number } = {}) {
    super(message);
    this.name = "KubepkiError";
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
  }
}

/**
 * True for a KubepkiError from any bundle: the CLI's dispatcher and each command
 * are built into separate files, each with its own copy of this class.
 */
export function isKubepkiError(err: unknown): err is KubepkiError {
  return err instanceof Error && err.name === "KubepkiError" && "exitCode" in err;
}

/** Bad input or usage: exit 2, and nothing has been written. */
export function inputError(message: string, hint?: string): KubepkiError {
  return new KubepkiError(message, { hint, exitCode: 2 });
}

/** A problem found in what is on disk (a check failed): exit 1. */
export function problemError(message: string, hint?: string): KubepkiError {
  return new KubepkiError(message, { hint, exitCode: 1 });
}

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
