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
 * errors that name the command and the flag.
 */
export function parseFlags<T extends Options>(command: string, argv: string[], options: T, allowPositionals = false): ParsedFlags<T> {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true }) as ParsedFlags<T>;
  } catch (err) {
    // parseArgs explains at length over several lines; the first says what is wrong.
    const message = (err as Error).message.split("\n")[0].replace(/\. To specify a positional argument.*$/, "").replace(/\.$/, "");
    throw inputError(`${command}: ${message}`, `see 'kubepki ${command} --help'`);
  }
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

/** `--now` for tests and what-ifs: an RFC 3339 time. */
export function parseNow(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw inputError(`--now: "${value}" is not a time`, 'use RFC 3339, such as "2027-01-31T12:00:00Z"');
  return d;
}
