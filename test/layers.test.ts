// src/README.md's map holds: no import against the layers, no import cycle (scripts/imports.mjs).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, sh } from "./helpers.ts";

test("src imports follow the layers of src/README.md and form no cycle", () => {
  const r = sh(process.execPath, [join(ROOT, "scripts", "imports.mjs")]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /layers ok, no cycles/);
});
