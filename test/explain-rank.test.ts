// explain orders a pattern's causes by what the message itself proves.
import assert from "node:assert/strict";
import { test } from "node:test";
import { explain } from "../src/explain/index.ts";
import { rankCauses } from "../src/explain/rank.ts";
import { kubepki } from "./helpers.ts";

// kube-apiserver's log for an expired client certificate (troubleshooting.md A1).
const EXPIRED = `E1201 10:00:00.000000       1 authentication.go:73] "Unable to authenticate the request" err="[x509: certificate has expired or is not yet valid: current time 2026-12-01T10:00:00Z is after 2026-11-30T00:00:00Z, verifying certificate SN=1234, SKID=, AKID=AB failed: x509: certificate signed by unknown authority]"`;
const UNKNOWN = `E1201 10:00:00.000000       1 authentication.go:73] "Unable to authenticate the request" err="[x509: certificate signed by unknown authority]"`;

test("an expiry message is an expiry first; an unknown-authority one puts the CA first", () => {
  const [expired] = explain(EXPIRED).entries;
  assert.match(expired.causes[0], /expired/);
  const [unknown] = explain(UNKNOWN).entries;
  assert.match(unknown.causes[0], /previous cluster or CA/);
  const cli = kubepki(["explain", "-o", "json", EXPIRED]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(JSON.parse(cli.stdout).entries[0].causes[0], /expired/);
});

test("not yet valid puts the clock first; nothing proven keeps the pattern's order", () => {
  const causes = ["a stale CA", "the certificate has expired", "a clock is off, so it is not yet valid"];
  assert.deepEqual(rankCauses(causes, "x509: certificate has expired or is not yet valid: current time 2026-01-01T00:00:00Z is before 2026-02-01T00:00:00Z"), [causes[2], causes[0], causes[1]]);
  assert.deepEqual(rankCauses(causes, "connection refused"), causes);
});
