// Preloaded into a kubepki run (NODE_OPTIONS=--require) by the hardening tests:
// counts every filesystem call that changes something and SIGKILLs the process
// at the KUBEPKI_KILL_AT-th, as a power cut or an OOM kill would, without
// warning. With KUBEPKI_COUNT_FILE set, writes the list of such calls at exit.
"use strict";
const fs = require("node:fs");

const killAt = Number(process.env.KUBEPKI_KILL_AT ?? NaN);
const countFile = process.env.KUBEPKI_COUNT_FILE;
let count = 0;
const trace = [];

function tick(name, args) {
  count++;
  if (countFile) trace.push(`${name} ${String(args[0])}`);
  if (count === killAt) process.kill(process.pid, "SIGKILL");
}

const MUTATING = ["open", "rename", "rm", "unlink", "link", "writeFile", "mkdir", "copyFile", "chmod", "rmdir"];
for (const name of MUTATING) {
  const original = fs.promises[name];
  if (typeof original !== "function") continue;
  fs.promises[name] = function (...args) {
    // A read-only open changes nothing: only opens that create or write count.
    if (name === "open" && (args[1] === undefined || args[1] === "r")) return original.apply(this, args);
    tick(name, args);
    return original.apply(this, args);
  };
}
for (const name of ["writeFileSync", "renameSync", "unlinkSync", "rmSync", "mkdirSync", "linkSync"]) {
  const original = fs[name];
  fs[name] = function (...args) {
    tick(name, args);
    return original.apply(this, args);
  };
}
// The count file holds one line per call, "<call> <path>", so a test can aim at a kind of write.
if (countFile) process.on("exit", () => fs.writeFileSync(countFile, trace.join("\n") + "\n"));
