import { parseArgs, type ParseArgsConfig } from "node:util";

type ParsedFlags<T extends Options> = ReturnType<typeof parseArgs<{ options: T & typeof COMMON_OPTIONS; allowPositionals: boolean; strict: true }>>;
import { inputError } from "../errors.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  debug: { type: "boolean" },
} as const satisfies Options;

/**
 * node:util parseArgs, strict, with its errors turned into one-line usage
 * errors that name the command and the flag, and a misspelt flag answered
 * with the closest real one.
 */
export function parseFlags<T extends Options>(command: string, argv: string[], options: T, allowPositionals = false): ParsedFlags<T> {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true }) as ParsedFlags<T>;
  } catch (err) {
    // parseArgs explains at length over several lines; the first says what is wrong.
    const message = (err as Error).message.split("\n")[0].replace(/\. To specify a positional argument.*$/, "").replace(/\.$/, "");
    const unknown = /^Unknown option '--([^'=]+)'/.exec(message)?.[1];
    const guess = unknown !== undefined ? closest(unknown, Object.keys(options)) : undefined;
    throw inputError(`${command}: ${message}`, guess ? `did you mean --${guess}? (see 'kubepki ${command} --help')` : `see 'kubepki ${command} --help'`);
  }
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps): how far a typo is from a word. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate a typo most likely meant, or undefined when none is close
 * (at most a third of the word's letters wrong, and at least one right).
 */
export function closest(word: string, candidates: string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = name.startsWith(word) && word.length >= 3 ? 1 : distance(word.toLowerCase(), name);
    if (d <= limit && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/** The error for a missing or unknown subcommand, with the closest one when a typo is likely. */
export function subcommandError(command: string, sub: string | undefined, subcommands: string[], usage: string) {
  if (!sub) return inputError(`${command}: a subcommand is needed`, usage);
  const guess = closest(sub, subcommands);
  return inputError(`${command}: unknown subcommand "${sub}"`, guess ? `did you mean '${command} ${guess}'?` : usage);
}

/** "a,b, c" → ["a","b","c"], for kubeadm's comma-list flags; repeated flags are joined too. */
export function commaList(values: string | string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return (Array.isArray(values) ? values : [values]).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

/** `-o json|yaml|text`. */
export function outputFormat(value: string | undefined, command: string): "text" | "json" | "yaml" {
  const v = value ?? "text";
  if (v !== "text" && v !== "json" && v !== "yaml") throw inputError(`${command}: -o: unknown output format "${v}"`, "use text, json or yaml");
  return v;
}

/**
 * The one grammar's `-o FORMAT` and `--out FILE` for the commands where `-o`
 * used to name the file (sign, key generate, key public, user kubeconfig):
 * `-o` with a value that is not one of `formats` still means the file for one
 * release, with a deprecation warning on stderr.
 */
export function formatAndFile<F extends string>(command: string, values: { output?: string; out?: string }, formats: readonly F[]): { format?: F; out?: string } {
  const { output, out } = values;
  if (output === undefined || (formats as readonly string[]).includes(output)) return { format: output as F | undefined, out };
  if (out !== undefined) throw inputError(`${command}: -o: unknown output format "${output}"`, `use ${formats.join(", ")}; the file to write goes to --out`);
  process.stderr.write(`warning: ${command}: "-o FILE" is deprecated and will be removed in the next release: use --out ${output} (-o is the output format: ${formats.join(", ")})\n`);
  return { out: output };
}

/** The years a certificate time can be written in: UTCTime's two digits read 1949 back as 2049, and GeneralizedTime ends at 9999. */
export const MIN_YEAR = 1950;
export const MAX_YEAR = 9999;

/** `--now` for tests and what-ifs: an RFC 3339 time, in the years a certificate can carry. */
export function parseNow(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw inputError(`--now: "${value}" is not a time`, 'use RFC 3339, such as "2027-01-31T12:00:00Z"');
  const year = d.getUTCFullYear();
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw inputError(`--now: ${value} is outside the years ${MIN_YEAR}–${MAX_YEAR} a certificate time can hold`, "X.509 writes years before 2050 with two digits, so 1949 would read back as 2049");
  }
  return d;
}
