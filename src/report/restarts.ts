import type { Restart } from "../renew/restart.js";
import type { Style } from "../style.js";
import { terminalSafe } from "../text.js";

/** The restart plan as text: each component and what it reads, its commands as they are to be run, its note. */
export function restartLines(restarts: Restart[], style: Style): string[] {
  return restarts.flatMap((r) => [
    `  ${r.component} (${r.certificates.join(", ")})`,
    ...r.commands.map((c) => `    ${terminalSafe(c)}`),
    ...(r.note ? [`    ${style.dim(terminalSafe(r.note))}`] : []),
  ]);
}
