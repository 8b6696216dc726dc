// Every fix check prints is a command that, pasted as printed, clears exactly
// its finding: for each fault of the corpus (openssl-made nodes, in a folder
// whose path has spaces), run the commands of its finding with sh, check
// again: the finding is gone, no new error appeared, and no CA file changed.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { checkNode, type Finding } from "../src/check/index.ts";
import { FAULTS } from "./check-faults.ts";
import { BIN, sh } from "./helpers.ts";
import { buildNode, copyNode, pkiOf } from "./fixtures-openssl.ts";

let work: string;
let healthy: string;
let env: NodeJS.ProcessEnv;

before(() => {
  // Spaces in every path: a printed command must run as printed.
  work = join(mkdtempSync(join(tmpdir(), "kubepki-fixes-")), "my node copy");
  mkdirSync(work, { recursive: true });
  healthy = join(work, "healthy");
  buildNode(healthy);
  // `kubepki` on PATH, as an administrator would have it.
  const bin = join(work, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "kubepki"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(join(bin, "kubepki"), 0o755);
  env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1" };
});
after(() => rmSync(join(work, ".."), { recursive: true, force: true }));

const CA_FILES = ["ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key"];
const caBytes = (root: string) => CA_FILES.map((f) => (existsSync(join(pkiOf(root), f)) ? readFileSync(join(pkiOf(root), f)).toString("base64") : "-"));
const errorKeys = (findings: Finding[]) => new Set(findings.filter((f) => f.severity === "error").map((f) => `${f.id} ${f.file}`));

describe("the fixes of the fault corpus, run as printed", () => {
  for (const [i, fault] of FAULTS.entries()) {
    test(`${fault.rule}: ${fault.name}`, async () => {
      const root = copyNode(healthy, join(work, `fault ${i}`));
      const file = fault.breakIt(root, pkiOf(root));
      const before = await checkNode({ root });
      const hit = before.findings.find((f) => f.id === fault.rule && f.file === file);
      assert.ok(hit, `no ${fault.rule} finding for ${file}`);
      if (fault.fix) {
        assert.deepEqual(hit.commands, [], `${fault.name}: a person decides (${fault.fix.decide}), so no command`);
        assert.ok(hit.fix.length > 20);
        return;
      }
      assert.ok(hit.commands.length > 0, `${fault.name}: no command in ${JSON.stringify(hit)}`);
      const cas = caBytes(root);
      for (const command of hit.commands) {
        assert.doesNotMatch(command, /init\b.*--force|openssl req -x509/, "never a new CA, never init --force");
        const run = sh("sh", ["-c", command], { cwd: tmpdir(), env });
        assert.equal(run.code, 0, `${command}\n${run.stdout}\n${run.stderr}`);
      }
      const after = await checkNode({ root });
      const again = after.findings.filter((f) => f.id === fault.rule && f.file === file && f.severity !== "info");
      assert.deepEqual(again.map((f) => f.message), [], `the finding is still there after: ${hit.commands.join("; ")}`);
      const old = errorKeys(before.findings);
      const added = [...errorKeys(after.findings)].filter((k) => !old.has(k));
      assert.deepEqual(added, [], "a fix must not make a new error");
      assert.deepEqual(caBytes(root), cas, "no CA file changed");
      rmSync(root, { recursive: true, force: true });
    });
  }
});
