// terminalSafe and shellQuote: the shell itself (sh -c) must read every quoted
// word back byte for byte, and no control character may survive escaping.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isTerminalSafe, shellCommand, shellQuote, terminalSafe } from "../src/text.ts";
import { sh } from "./helpers.js";

const WORDS = ["plain", "/etc/kubernetes/pki/ca.crt", "with space", "it's", "'", "$HOME", "`id`", "a\"b", "tab\there", "new\nline", "*", "", "-", "ünï", "semi;colon", "back\\slash"];

test("shellQuote: sh reads every word back unchanged", () => {
  const script = `for a in ${shellCommand(WORDS)}; do printf '%s\\0' "$a"; done`;
  const r = sh("sh", ["-c", script], { check: true });
  assert.deepEqual(r.stdout.split("\0").slice(0, -1), WORDS);
});

test("shellQuote leaves plain words plain", () => {
  assert.equal(shellQuote("/etc/kubernetes/pki/apiserver.crt"), "/etc/kubernetes/pki/apiserver.crt");
  assert.equal(shellQuote("10.0.0.1,lb.example.com"), "10.0.0.1,lb.example.com");
  assert.equal(shellQuote("/my dir/x"), "'/my dir/x'");
});

test("terminalSafe: no control character survives, printable text is kept", () => {
  const hostile = "jane\x1b[8m! PRIVILEGED\x1b]52;c;ZWNobw==\x07\r\n\u202egpj.exe\u0085\u200b";
  const safe = terminalSafe(hostile);
  assert.ok(isTerminalSafe(safe));
  assert.equal(safe, "jane\\x1b[8m! PRIVILEGED\\x1b]52;c;ZWNobw==\\x07\\x0d\\x0a\\u202egpj.exe\\x85\\u200b");
  assert.equal(terminalSafe("CN=kube-apiserver, O=ünï 東京"), "CN=kube-apiserver, O=ünï 東京");
  assert.ok(!isTerminalSafe("a\x1bb"));
});
