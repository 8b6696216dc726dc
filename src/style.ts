import { terminalSafeStyled } from "./text.js";

/** Colour only on a terminal, and never with NO_COLOR (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean }): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";
}

export interface Style {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (on: boolean, code: number, reset: number) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[${reset}m` : s);

export function styleFor(stream: { isTTY?: boolean }): Style {
  const on = useColor(stream);
  return { red: wrap(on, 31, 39), yellow: wrap(on, 33, 39), green: wrap(on, 32, 39), dim: wrap(on, 2, 22), bold: wrap(on, 1, 22) };
}

/**
 * Pads columns to a table; widths ignore ANSI colour codes. Every cell is made
 * terminal-safe (kubepki's own colours kept): a value that came from input and
 * reached a table unescaped still cannot move the cursor, hide text or forge a row.
 */
export function table(cells: string[][], gap = "  "): string {
  const rows = cells.map((row) => row.map(terminalSafeStyled));
  const visible = (s: string) => s.replace(/\x1b\[\d+m/g, "").length;
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i] - visible(cell)))).join(gap).trimEnd())
    .join("\n");
}
