// Every console block of the README and docs/ runs and must print what the page
// shows (test/docs-runner.ts says how; `npm run docs:update` rewrites drifted blocks).
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { matches, parseBlocks, runPage } from "./docs-runner.ts";
import { ROOT } from "./helpers.ts";

const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];

test("the docs runner: blocks, hidden set-up, elisions and masks", () => {
  const blocks = parseBlocks("<!-- docs: touch x -->\n```console\n$ echo a\na\n$ false\n(exit 1)\n```\n");
  assert.deepEqual(blocks[0].setup, ["touch x"]);
  assert.deepEqual(blocks[0].steps.map((s) => s.command), ["echo a", "false"]);
  assert.ok(matches(["a", "…", "d"], ["a", "b", "c", "d"]));
  assert.ok(!matches(["a", "…", "d"], ["a", "b", "c"]));
  assert.ok(matches(["valid until 2027-11-28 (364d), 16 created (1.53 s)."], ["valid until 2030-01-02 (364d), 16 created (0.2 s)."]));
  assert.ok(!matches(["16 created"], ["15 created"]));
});

for (const page of PAGES) {
  test(`docs: ${page}`, () => {
    const { drifts } = runPage(ROOT, join(ROOT, page));
    const report = drifts.map((d) => `${page}:${d.line}: $ ${d.command}\n--- page\n${d.expected.join("\n")}\n+++ real\n${d.actual.join("\n")}`);
    assert.equal(report.length, 0, `${report.join("\n\n")}\n\n(run 'npm run docs:update' to rewrite the drifted blocks from a real run, then read the diff)`);
  });
}
