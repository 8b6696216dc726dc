// npm run docs:update: rewrites every drifted console block of the README and
// docs/ from a real run (matching blocks keep their text), and lists what changed.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runPage } from "../test/docs-runner.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));
const pages = ["README.md", ...readdirSync(join(repo, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const only = process.argv.slice(2);
for (const page of only.length ? only : pages) {
  const { drifts, rewritten } = runPage(repo, join(repo, page), true);
  if (drifts.length === 0) continue;
  writeFileSync(join(repo, page), rewritten);
  for (const d of drifts) console.log(`${page}:${d.line}: rewrote the output of $ ${d.command}`);
}
