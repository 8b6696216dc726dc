/** What every command module exports. */
export interface Command {
  /** Full help: usage line, description, flags, examples. */
  help: string;
  /** Runs the command; returns the exit code. */
  run(argv: string[]): Promise<number>;
}

/**
 * The command table. Each module is imported only when its command runs, so
 * that one command's dependencies never slow another's start-up.
 */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  init: { summary: "Issue a complete cluster PKI (kubeadm-exact or the hard way)", load: () => import("./init.js") },
  check: { summary: "Check every certificate, key and kubeconfig of a node: the table, findings and fixes", load: () => import("./check.js") },
};
