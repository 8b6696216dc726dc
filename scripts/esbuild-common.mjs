// What the per-command CLI build (build.mjs) and the single-executable build (release.mjs)
// share: esbuild's options and what `kubepki --version` says.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export const ROOT = new URL("..", import.meta.url).pathname;
export const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

// Prefer the packages' ES module builds: unused code is dropped.
export const common = { bundle: true, platform: "node", target: "node20", logLevel: "warning", legalComments: "none", mainFields: ["module", "main"], conditions: ["module"] };
// CommonJS: Node starts it faster than ES modules. import() of bundled code becomes a require().
export const cjs = { ...common, format: "cjs", minify: true, supported: { "dynamic-import": false } };

/** The commit the build is made from, "-dirty" when the work tree has changes; "unknown" outside git (a tarball). */
function commit() {
  try {
    return execFileSync("git", ["describe", "--always", "--dirty", "--abbrev=12", "--exclude=*"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

/**
 * esbuild options that give src/cli/main.ts its KUBEPKI_VERSION: the package version, the
 * commit, and the Node.js that runs it — read at run time, since bin/kubepki runs on whatever
 * node the user has, while a single executable carries its own.
 */
export function versionOptions({ singleExecutable = false } = {}) {
  const where = singleExecutable ? ' + " inside this executable"' : "";
  // "use strict" first: a banner before esbuild's own directive would otherwise end strict mode for the file.
  const banner = `"use strict"; var __kubepkiVersion = ${JSON.stringify(`${version} (commit ${commit()}, Node.js `)} + process.version${where} + ")";`;
  return { banner: { js: banner }, define: { KUBEPKI_VERSION: "__kubepkiVersion" } };
}
