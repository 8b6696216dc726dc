// explain on lines an attacker shaped (issue 11, item 4): every pattern runs in time linear
// in the line, lines are cut at MAX_LINE_LENGTH, the rewritten patterns match exactly what
// the reference forms match, and the CLI answers the 16 KB line in milliseconds.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PATTERNS } from "../src/explain/patterns.ts";
import { MAX_LINE_LENGTH, unwrapLine } from "../src/explain/unwrap.ts";
import { kubepki, ROOT, tempDir } from "./helpers.ts";

/** The literal runs of a regex's source: the text an attacker repeats to make a backtracking engine retry. */
function fragments(re: RegExp): string[] {
  const out = new Set<string>();
  for (const alt of re.source.split("|")) {
    let cur = "";
    const flush = () => {
      if (cur.length > 1) out.add(cur);
      cur = "";
    };
    for (let i = 0; i < alt.length; i++) {
      const c = alt[i];
      if (c === "\\") {
        const n = alt[++i];
        if (/[./()[\]?*+{}|^$\\"-]/.test(n)) cur += n;
        else flush(); // \S, \d, \w: a class, not a literal
      } else if (/[()[\]?*+{}|^$.]/.test(c)) {
        if (c === "[") while (i < alt.length && alt[i] !== "]") i++;
        flush();
      } else cur += c;
    }
    flush();
  }
  return [...out];
}

// What sits between fragments: nothing, the characters classes stop at, and pieces of other patterns.
const SEPARATORS = ["", " ", ":", "/", '"', ", ", "a", "a:10250/", "x509: ", " x509: a", '\\"'];

interface Shape {
  unit: string;
  prefix: string;
}

/** A shape as a line of exactly `length` characters. */
const render = (s: Shape, length: number) => (s.prefix + s.unit.repeat(Math.ceil(length / s.unit.length))).slice(0, length);

/** A pattern's adversarial shapes: its own fragments, repeated and combined, with separators. */
function shapesOf(re: RegExp): Shape[] {
  const frags = fragments(re);
  const shapes: Shape[] = [];
  const add = (unit: string, prefix = "") => {
    if (unit) shapes.push({ unit, prefix });
  };
  for (const f of frags) for (const s of SEPARATORS) {
    add(f + s);
    add(s, f);
    add(s + f);
  }
  for (let i = 0; i < frags.length; i++) {
    const head = frags.slice(0, i + 1);
    add(head.join(" "));
    add(head.join(""));
    for (const s of SEPARATORS) add(s, head.join(" "));
    for (let j = 0; j < frags.length; j++) if (j !== i) {
      add(`${frags[j]} `, `${frags[i]} `);
      add(frags[j], frags[i]);
    }
  }
  return shapes;
}

const adversarialLines = (re: RegExp, length: number) => shapesOf(re).map((s) => render(s, length));

/** Milliseconds of one test(), the best of `runs` (a shared machine's pauses are not the pattern's). */
function timeTest(re: RegExp, line: string, runs = 3): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    re.test(line);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

test("every explain pattern is linear in the line: 8x the line grows its worst time far less than 64x", () => {
  const slow: string[] = [];
  for (const p of PATTERNS) {
    // The worst of the pattern's adversarial shapes, found on short lines…
    const shapes = shapesOf(p.regex);
    let worst = -1;
    let shape = shapes[0];
    for (const s of shapes) {
      const ms = timeTest(p.regex, render(s, 2048), 1);
      if (ms > worst) [worst, shape] = [ms, s];
    }
    // …then timed at the cap and at 8 times the cap: a quadratic pattern takes 64 times longer, a cubic one 512.
    const atCap = timeTest(p.regex, render(shape, MAX_LINE_LENGTH));
    const past = timeTest(p.regex, render(shape, 8 * MAX_LINE_LENGTH));
    if (atCap > 100 || past > 20 * atCap + 25) slow.push(`${p.id}: ${atCap.toFixed(1)} ms at ${MAX_LINE_LENGTH}, ${past.toFixed(1)} ms at ${8 * MAX_LINE_LENGTH} on ${JSON.stringify(render(shape, 60))}…`);
  }
  assert.deepEqual(slow, [], "patterns that are not linear in the line");
});

test("every explain pattern answers every adversarial line at the cap within 100 ms", () => {
  const slow: string[] = [];
  for (const p of PATTERNS) {
    for (const line of adversarialLines(p.regex, MAX_LINE_LENGTH)) {
      // Timed once, and again only when slow: a pause of the machine is not the pattern's.
      if (timeTest(p.regex, line, 1) > 100 && timeTest(p.regex, line) > 100) slow.push(`${p.id} on ${JSON.stringify(line.slice(0, 60))}…`);
    }
  }
  assert.deepEqual(slow, []);
});

test("a rewritten pattern matches exactly the lines its reference form matches", () => {
  // The reference cases of explain-patterns.test.ts, and each rewrite's own shapes, short enough for the reference form.
  const cases = [...readFileSync(join(ROOT, "test", "explain-patterns.test.ts"), "utf8").matchAll(/line: `((?:[^`\\]|\\.)*)`/g)].map((m) => unwrapLine(m[1]).text);
  const rewritten = PATTERNS.filter((p) => p.reference !== undefined);
  assert.ok(rewritten.length >= 7, "the quadratic and cubic patterns carry their reference form");
  const own = [
    "unable to fully scrape metrics from node1: Get https://10.0.0.1:10250/metrics/resource: x509: certificate has expired",
    "unable to fully scrape metrics from a:10250/b x509: c",
    "Failed to scrape node \"n1\": x509: nope :10250/ (no x509 after the port)",
    "E1 v1beta1.metrics.k8s.io failed with: failing or missing response from https://10.1.2.3:4443/apis/x: bad status",
    "token audiences \"api\" is invalid for the target audiences \"https://kubernetes.default.svc\"",
    "token audiences \"a\" is invalid token audiences \"b\" is invalid for the target audiences \"c\"",
    "Unable to authenticate the request due to an error: x509: certificate signed by unknown authority (possibly because of \"x\" while trying to verify candidate authority certificate \"front-proxy-ca\")",
    "Unable to register node with API server: Unauthorized",
    "Failed to list *v1.Node: Get \"https://10.0.0.10:6443/api/v1/nodes\": x509: certificate has expired",
    "x509: certificate is valid for a, b, not c",
    "x509: certificate is valid for x509: certificate is valid for a, not b",
  ];
  const lines = [...cases, ...own];
  for (const p of rewritten) {
    const reference = new RegExp(p.reference!);
    const shapes = [...lines, ...adversarialLines(reference, 300), ...adversarialLines(p.regex, 300)];
    let matched = 0;
    for (const line of shapes) {
      const want = reference.test(line);
      assert.equal(p.regex.test(line), want, `${p.id} on ${JSON.stringify(line)}`);
      if (want) matched++;
    }
    assert.ok(matched > 0, `${p.id}: some line matches`);
  }
});

test("unwrapLine cuts a line at MAX_LINE_LENGTH before anything runs on it", () => {
  const u = unwrapLine(`x509: certificate has expired ${"a".repeat(1 << 20)}`);
  assert.ok(u.raw.length <= MAX_LINE_LENGTH && u.text.length <= MAX_LINE_LENGTH);
});

test("kubepki explain answers the issue's 16 KB metrics line, and a log of such lines, in well under a second each", (t) => {
  const dir = tempDir(t);
  const line = `unable to fully scrape metrics from ${"a:10250/".repeat(2000)}`;
  let start = performance.now();
  const one = kubepki(["explain", line], { timeout: 20_000 });
  const oneMs = performance.now() - start;
  assert.ok(oneMs < 5000, `one line took ${oneMs} ms`);
  assert.ok(one.code === 0 || one.code === 1, one.stderr);
  // 200 lines of the slowest shapes found, plus a real error at the end that must still be found.
  const log = join(dir, "hostile.log");
  const shapes = PATTERNS.flatMap((p) => adversarialLines(p.regex, 16384).slice(0, 4));
  writeFileSync(log, `${shapes.slice(0, 200).join("\n")}\nUnable to connect to the server: x509: certificate signed by unknown authority\n`);
  start = performance.now();
  const r = kubepki(["explain", "--log", log, "-o", "json"], { timeout: 60_000 });
  const ms = performance.now() - start;
  assert.ok(ms < 20_000, `200 hostile lines took ${ms} ms`);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const ids = (JSON.parse(r.stdout).entries as { id: string }[]).map((e) => e.id);
  assert.ok(ids.includes("unknown-authority") || ids.some((id) => /unknown-authority/.test(id)), `the real error is found among ${ids.join(", ")}`);
});

test("the line after an error (where openssl names its file) is cut too: a 4 MiB line of 'valid for' costs milliseconds", (t) => {
  const log = join(tempDir(t), "next.log");
  writeFileSync(log, `x509: certificate signed by unknown authority\n${"x509: certificate is valid for a, ".repeat((4 << 20) / 34)}\n`);
  const start = performance.now();
  const r = kubepki(["explain", "--log", log, "-o", "json"], { timeout: 30_000 });
  const ms = performance.now() - start;
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  assert.ok(ms < 10_000, `took ${ms} ms`);
});
