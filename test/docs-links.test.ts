// Every relative link and anchor in the README and docs/ points at something that
// exists: a file of the repository, and a heading of that file for `#anchor`.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { ROOT } from "./helpers.ts";

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2… */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const h = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = h[1].replace(/<[^>]+>/g, "").toLowerCase().trim().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function markdownFiles(): string[] {
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (["node_modules", ".git", "dist"].includes(e.name) ? [] : walk(join(dir, e.name))) : e.name.endsWith(".md") ? [join(dir, e.name)] : []);
  return walk(ROOT);
}

test("anchorsOf follows GitHub's rules", () => {
  const a = anchorsOf("# `kubepki init` — issue a PKI\n## Exit codes\n## Exit codes\n```\n# not a heading\n```\n");
  assert.deepEqual([...a], ["kubepki-init--issue-a-pki", "exit-codes", "exit-codes-1"]);
});

test("relative links and anchors in every Markdown file resolve", () => {
  const broken: string[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target)) continue;
      const [path, anchor] = target.split("#");
      const dest = path ? join(dirname(file), decodeURIComponent(path)) : file;
      const where = `${relative(ROOT, file)}: ${target}`;
      if (!existsSync(dest)) { broken.push(`${where} (no such file)`); continue; }
      if (anchor && statSync(dest).isFile() && dest.endsWith(".md") && !anchorsOf(readFileSync(dest, "utf8")).has(anchor)) broken.push(`${where} (no such heading)`);
    }
  }
  assert.deepEqual(broken, []);
});
