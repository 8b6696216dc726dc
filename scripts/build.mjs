// Bundles the CLI into dist/cli/ (one entry plus lazily loaded chunks per command)
// and the library into dist/lib.js. Start-up is most of a CLI's cost, so the bin
// loads one small file and each command pulls in only what it needs.
import { build } from "esbuild";
import { readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// Bundled CommonJS dependencies call require(); give ES modules one.
const banner = { js: 'import { createRequire as __kubepkiRequire } from "node:module"; const require = __kubepkiRequire(import.meta.url);' };
// Prefer the packages' ES module builds: no CommonJS wrappers to run at start-up, and unused code is dropped.
const common = { bundle: true, platform: "node", target: "node20", format: "esm", banner, logLevel: "warning", legalComments: "none", mainFields: ["module", "main"], conditions: ["module"] };

await build({
  ...common,
  entryPoints: { kubepki: "src/cli/main.ts" },
  outdir: "dist/cli",
  splitting: true,
  minify: true,
  chunkNames: "chunks/[name]-[hash]",
  define: { KUBEPKI_VERSION: JSON.stringify(version) },
});
await build({ ...common, entryPoints: ["src/index.ts"], outfile: "dist/lib.js", packages: "external" });
