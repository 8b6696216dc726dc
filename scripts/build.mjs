// Bundles the CLI into dist/cli/ (one entry plus lazily loaded chunks per command)
// and the library into dist/lib.js. Start-up is most of a CLI's cost, so the bin
// loads one small file and each command pulls in only what it needs.
import { build, transform } from "esbuild";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// Prefer the packages' ES module builds: no CommonJS wrappers to run at start-up, and unused code is dropped.
const common = { bundle: true, platform: "node", target: "node20", logLevel: "warning", legalComments: "none", mainFields: ["module", "main"], conditions: ["module"] };

// The CLI. esbuild splits code only in ES module output, but Node 20 starts CommonJS
// faster: its ES module loader costs about 8 ms more, and importing a builtin as
// an ES module runs every lazy getter of it (node:fs loads fs/promises and streams,
// node:crypto loads WebCrypto). So the split output is turned into CommonJS, file by
// file: `import()` becomes a lazy require(), and dist/cli/package.json says "commonjs".
const cli = "dist/cli";
rmSync(cli, { recursive: true, force: true });
await build({
  ...common,
  format: "esm",
  entryPoints: { kubepki: "src/cli/main.ts" },
  outdir: cli,
  splitting: true,
  minify: true,
  chunkNames: "chunks/[name]-[hash]",
  define: { KUBEPKI_VERSION: JSON.stringify(version) },
});
const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
for (const file of files(cli)) {
  const { code } = await transform(readFileSync(file, "utf8"), { format: "cjs", platform: "node", target: "node20", minify: true, supported: { "dynamic-import": false } });
  writeFileSync(file, code);
}
writeFileSync(join(cli, "package.json"), '{ "type": "commonjs" }\n');

// The library stays an ES module; bundled CommonJS dependencies call require(), so give it one.
const banner = { js: 'import { createRequire as __kubepkiRequire } from "node:module"; const require = __kubepkiRequire(import.meta.url);' };
await build({ ...common, format: "esm", banner, entryPoints: ["src/index.ts"], outfile: "dist/lib.js", packages: "external" });
