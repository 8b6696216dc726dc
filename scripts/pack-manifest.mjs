// npm's prepack/postpack: the package a user installs carries no scripts.
//
// npm 11 warns on every install of a package that declares a `prepare` script ("install scripts
// not yet covered by allowScripts"), although npm never runs prepare for a tarball or registry
// install. The repository needs prepare (it builds dist/ on `npm install` in a clone, which the
// README's quick start relies on) and a user of the package needs none of the scripts, so
// `npm pack` and `npm publish` pack a package.json without them: `strip` (prepack) saves the
// repository's own, `restore` (postpack) puts it back. npm reads package.json again after
// prepack, both for the tarball and for what `npm publish` sends to the registry; so it no
// longer sees prepare then, and prepack runs it first (package.json: "npm run prepare && …").
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";

const SAVED = ".cache/package.json.packing";
const action = process.argv[2];
if (action === "strip") {
  const manifest = JSON.parse(readFileSync("package.json", "utf8"));
  if (!manifest.scripts) throw new Error(`package.json has no scripts: an earlier npm pack stopped half-way; its own is in ${SAVED} (mv ${SAVED} package.json)`);
  mkdirSync(".cache", { recursive: true });
  writeFileSync(SAVED, readFileSync("package.json"));
  delete manifest.scripts;
  writeFileSync("package.json", JSON.stringify(manifest, null, 2) + "\n");
} else if (action === "restore") {
  if (existsSync(SAVED)) renameSync(SAVED, "package.json");
} else {
  throw new Error("usage: node scripts/pack-manifest.mjs strip|restore");
}
