// Executable documentation: every ```console block of README.md and docs/*.md is
// run in a sandbox and its output compared with what the page shows, so the docs
// cannot drift from the program. `npm run docs:update` rewrites the blocks from a
// real run; `npm run test:docs` checks them.
//
// A block is a sequence of `$ command` lines, each followed by the output it
// prints (stdout and stderr, in that order) and `(exit N)` when N is not 0. The
// blocks of one page share one sandbox folder and run in page order, so a page
// can `init` once and inspect what it made later. Hidden set-up that a reader
// does not need to see goes in an HTML comment before a block:
//   <!-- docs: kubepki init --out node --encryption-algorithm ECDSA-P256 -->
// A line `…` alone in the expected output stands for any number of lines.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Step {
  command: string;
  /** The output as the page shows it. */
  expected: string[];
}

export interface Block {
  /** Hidden set-up commands (from `<!-- docs: … -->` comments) run before the steps. */
  setup: string[];
  steps: Step[];
  /** Line numbers (0-based) of the fence lines, for rewriting. */
  start: number;
  end: number;
}

const SETUP = /^<!--\s*docs:\s*(.*?)\s*-->$/;

export function parseBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  let setup: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const hidden = SETUP.exec(lines[i].trim());
    if (hidden) { setup.push(hidden[1]); continue; }
    if (lines[i].trim() !== "```console") continue;
    const start = i;
    const steps: Step[] = [];
    for (i++; i < lines.length && lines[i].trim() !== "```"; i++) {
      if (lines[i].startsWith("$ ")) steps.push({ command: lines[i].slice(2), expected: [] });
      else if (steps.length) steps[steps.length - 1].expected.push(lines[i]);
    }
    blocks.push({ setup, steps, start, end: i });
    setup = [];
  }
  return blocks;
}

/**
 * What varies from run to run and is masked before comparing, both in the page
 * and in the real output: timestamps, dates, durations of a run, serials,
 * fingerprints and key ids, the sandbox's own path. Everything else must match.
 */
export const MASKS: [RegExp, string][] = [
  [/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>"],
  [/\b\d{8}T\d{6}Z(-\d+)?\b/g, "<stamp>"],
  [/\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]\d,? (\d{2}:\d{2}:\d{2} )?\d{4}( \d{2}:\d{2})?( GMT| UTC)?/g, "<date>"],
  [/\b\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?\b/g, "<date>"],
  [/\b\d+(\.\d+)? ?(ms|s)\)/g, "<elapsed>)"],
  [/\b[0-9A-F]{2}(:[0-9A-F]{2}){7,}\b/gi, "<fingerprint>"],
  [/\b[0-9A-F]{12,}\b|\b[0-9a-f]{16,}\b/g, "<hex>"],
  [/\/tmp\/kubepki-docs-[A-Za-z0-9]+/g, "<sandbox>"],
];

export function mask(text: string): string {
  return MASKS.reduce((t, [re, to]) => t.replace(re, to), text);
}

/** Expected lines (with `…` wildcards) against actual lines, both masked; trailing spaces ignored. */
export function matches(expected: string[], actual: string[]): boolean {
  const e = expected.map((l) => mask(l).trimEnd());
  const a = actual.map((l) => mask(l).trimEnd());
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    if (memo.has(key)) return memo.get(key)!;
    let ok: boolean;
    if (i === e.length) ok = j === a.length;
    else if (e[i] === "…" || e[i] === "...") ok = go(i + 1, j) || (j < a.length && go(i, j + 1));
    else ok = j < a.length && e[i] === a[j] && go(i + 1, j + 1);
    memo.set(key, ok);
    return ok;
  };
  return go(0, 0);
}

export interface Sandbox {
  dir: string;
  run(command: string): string[];
  close(): void;
}

/**
 * A fresh folder where `./bin/kubepki` and a `kubepki` on the PATH are this
 * checkout's build, the clock of the shell is the real one, and nothing outside
 * the folder is written.
 */
export function sandbox(repo: string): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "kubepki-docs-"));
  symlinkSync(join(repo, "bin"), join(dir, "bin"));
  const path = join(dir, ".path");
  mkdirSync(path);
  writeFileSync(join(path, "kubepki"), `#!/bin/sh\nexec "${process.execPath}" "${join(repo, "bin", "kubepki")}" "$@"\n`, { mode: 0o755 });
  const env = { ...process.env, PATH: `${path}:${process.env.PATH}`, NO_COLOR: "1", TZ: "UTC", LC_ALL: "C.UTF-8", HOME: dir };
  return {
    dir,
    run(command: string): string[] {
      const r = spawnSync("bash", ["-c", command], { cwd: dir, env, encoding: "utf8", timeout: 60_000, maxBuffer: 16 << 20 });
      const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.replace(/\n$/, "");
      const lines = out === "" ? [] : out.split("\n");
      if (r.status !== 0) lines.push(`(exit ${r.status ?? r.signal})`);
      return lines;
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Drift {
  line: number;
  command: string;
  expected: string[];
  actual: string[];
}

/**
 * Runs every block of one page; returns the steps whose output drifted and,
 * with `update`, the page rewritten with the real output.
 */
export function runPage(repo: string, file: string, update = false): { drifts: Drift[]; rewritten: string } {
  const markdown = readFileSync(file, "utf8");
  const lines = markdown.split("\n");
  const blocks = parseBlocks(markdown);
  const drifts: Drift[] = [];
  const box = sandbox(repo);
  const replacements: { start: number; end: number; body: string[] }[] = [];
  try {
    for (const block of blocks) {
      for (const command of block.setup) {
        const out = box.run(command);
        if (out.at(-1)?.startsWith("(exit ")) throw new Error(`${file}:${block.start + 1}: set-up "${command}" failed:\n${out.join("\n")}`);
      }
      const body: string[] = [];
      for (const step of block.steps) {
        const actual = box.run(step.command);
        const same = matches(step.expected, actual);
        // A step that still matches keeps its text (its `…` elisions, its dates).
        body.push(`$ ${step.command}`, ...(same ? step.expected : actual));
        if (!same) drifts.push({ line: block.start + 1, command: step.command, expected: step.expected, actual });
      }
      replacements.push({ start: block.start, end: block.end, body });
    }
  } finally {
    box.close();
  }
  if (!update) return { drifts, rewritten: markdown };
  for (const r of replacements.reverse()) lines.splice(r.start + 1, r.end - r.start - 1, ...r.body);
  return { drifts, rewritten: lines.join("\n") };
}
