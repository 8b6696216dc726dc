import { errnoText, isKubepkiError, KubepkiError } from "../errors.js";
import { terminalSafe } from "../text.js";
import { closest } from "./args.js";
import { COMMANDS } from "./commands.js";

declare const KUBEPKI_VERSION: string;
const VERSION = typeof KUBEPKI_VERSION === "string" ? KUBEPKI_VERSION : "dev";

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `kubepki — the TLS certificates of a Kubernetes cluster: generate, configure, view, check, troubleshoot, renew, rotate.

Usage: kubepki <command> [flags]

Commands:
${lines.join("\n")}

Run 'kubepki <command> --help' for a command's flags and examples.

Examples:
  kubepki init --out ./demo                       # a kubeadm-exact PKI for this host
  kubepki init --profile hard-way --out ./hw      # the by-hand set from the study guides
  kubepki init --config kubeadm.yaml --dry-run    # what kubeadm's own config would give`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const sub = name === "help" ? rest[0] : undefined;
    if (sub && COMMANDS[sub]) return main([sub, "--help"]);
    process.stdout.write(usage() + "\n");
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "version") {
    process.stdout.write(`kubepki ${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    const guess = closest(name, Object.keys(COMMANDS));
    throw new KubepkiError(`unknown command "${name}"`, { hint: guess ? `did you mean ${guess}? (run 'kubepki --help' for the list of commands)` : "run 'kubepki --help' for the list of commands" });
  }
  const command = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.help.trimEnd() + "\n");
    return 0;
  }
  return command.run(rest);
}

/**
 * The process entry: prints errors as `error: …` / `hint: …`, a stack only with --debug.
 * Messages quote input (a path, a CN, a YAML key): escaped here, once, so that
 * none can drive the terminal or forge a second line.
 */
export async function runCli(argv: string[]): Promise<void> {
  const debug = argv.includes("--debug");
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    if (isKubepkiError(err)) {
      process.stderr.write(`error: ${terminalSafe(err.message)}\n${err.hint ? `hint: ${terminalSafe(err.hint)}\n` : ""}`);
      if (debug) process.stderr.write(`${err.stack}\n`);
      process.exitCode = err.exitCode;
    } else {
      const e = err as NodeJS.ErrnoException;
      process.stderr.write(`error: ${terminalSafe(e.code && e.path ? `${e.path}: ${errnoText(e.code)}` : String(e.message))}\n`);
      if (debug) process.stderr.write(`${e.stack}\n`);
      else process.stderr.write("hint: run again with --debug for details\n");
      process.exitCode = e.code === "EACCES" || e.code === "ENOENT" ? 2 : 3;
    }
  }
  // The command is done: exit now instead of waiting out Node's teardown, ~3 ms of a short
  // command. Writes to files and terminals are synchronous on Linux, and to a pipe too until
  // it is full; then the rest is queued, and exiting would cut it (a large -o json into a
  // slow reader): Node's own exit waits for the queue to drain.
  if (process.platform === "linux" && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
}

runCli(process.argv.slice(2));
