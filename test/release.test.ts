// The three forms a user installs: the single executable (and its checksums), the npm package,
// the container image. scripts/test.sh builds dist/release/ first (`node scripts/release.mjs`);
// the real-peer tests run again against the executable at the end of scripts/test.sh.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { openssl, ROOT, sh, tempDir } from "./helpers.ts";

const RELEASE = join(ROOT, "dist", "release");
const EXE = join(RELEASE, "kubepki-linux-x64");
const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const has = (cmd: string) => sh("sh", ["-c", `command -v ${cmd}`]).code === 0;
const INIT = ["--node-name", "cp1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", "ECDSA-P256"];

/** The release executable, or the reason the test cannot run. */
function release(): string | undefined {
  return existsSync(EXE) ? undefined : `${EXE} is not built: run 'npm run release' (scripts/test.sh does)`;
}

test("the release executable says its version, commit and the Node inside; SHA256SUMS checks with sha256sum", { skip: release() }, () => {
  const out = sh(EXE, ["--version"], { check: true }).stdout;
  const commit = sh("git", ["rev-parse", "HEAD"], { cwd: ROOT }).stdout.trim().slice(0, 12);
  assert.match(out, new RegExp(`^kubepki ${version.replace(/\./g, "\\.")} \\(commit ${commit}(-dirty)?, Node\\.js v22\\.\\d+\\.\\d+ inside this executable\\)\\n$`));
  const sums = sh("sha256sum", ["-c", "SHA256SUMS"], { cwd: RELEASE, check: true }).stdout;
  assert.match(sums, /^kubepki-linux-x64: OK$/m);
});

test("the arm64 executable runs kubepki under qemu-user", { skip: existsSync(join(RELEASE, "kubepki-linux-arm64")) ? (has("qemu-aarch64") && existsSync("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1") ? undefined : "needs qemu-user, libc6-arm64-cross and libstdc++6-arm64-cross") : "kubepki-linux-arm64 is not built" }, (t) => {
  const dir = tempDir(t);
  const arm = (args: string[]) => sh("qemu-aarch64", ["-L", "/usr/aarch64-linux-gnu", join(RELEASE, "kubepki-linux-arm64"), ...args], { timeout: 240_000 });
  assert.match(arm(["--version"]).stdout, /Node\.js v22\.\d+\.\d+ inside this executable/);
  assert.equal(arm(["init", "--out", join(dir, "k"), ...INIT]).code, 0);
  const verify = openssl(["verify", "-CAfile", join(dir, "k/pki/ca.crt"), join(dir, "k/pki/apiserver.crt")]);
  assert.equal(verify.code, 0, verify.stderr);
});

/** A copy of the repository's files (as in a clone) with its node_modules, for `npm pack` to build and pack on its own. */
function cloneCopy(dir: string): string {
  const clone = join(dir, "clone");
  for (const file of sh("git", ["ls-files", "-z"], { cwd: ROOT, check: true }).stdout.split("\0").filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the work tree
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(clone, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"));
  return clone;
}

test("npm pack → install in an empty folder → npx kubepki init → openssl verify; the library example of docs/library.md runs and type-checks; npm install -g works", async (t) => {
  const dir = tempDir(t);
  const clone = cloneCopy(dir);
  const packed = sh("npm", ["pack", "--silent"], { cwd: clone, check: true, timeout: 240_000 }).stdout.trim().split("\n").pop()!;
  const tarball = join(clone, packed);
  assert.deepEqual(JSON.parse(sh("tar", ["-xzOf", tarball, "package/package.json"]).stdout).scripts, undefined, "the packed package.json has no scripts");
  assert.equal(readFileSync(join(clone, "package.json"), "utf8"), readFileSync(join(ROOT, "package.json"), "utf8"), "postpack put package.json back");

  const app = join(dir, "app");
  mkdirSync(app);
  const npm = { cwd: app, timeout: 240_000, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_prefer_offline: "true" } };
  const install = sh("npm", ["install", tarball], { ...npm, check: true });
  assert.doesNotMatch(install.stdout + install.stderr, /warn/i, "a consumer's npm has nothing to warn about");
  const init = sh("npx", ["kubepki", "init", "--out", "demo", ...INIT], { ...npm, check: true });
  assert.match(init.stdout, /created/);
  const verify = openssl(["verify", "-CAfile", join(app, "demo/pki/ca.crt"), join(app, "demo/pki/apiserver.crt")]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.ok(existsSync(join(app, "node_modules/kubepki/dist/types/index.d.ts")), "the package carries its types");

  // The example in docs/library.md, as a user would paste it (its first ```js block).
  const example = /```js\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, "docs/library.md"), "utf8"))?.[1];
  assert.ok(example, "docs/library.md has a ```js example");
  writeFileSync(join(app, "example.mjs"), example);
  const ran = sh(process.execPath, ["example.mjs", join(app, "demo")], { cwd: app, check: true });
  assert.match(ran.stdout, /CN=kube-apiserver/);
  assert.match(ran.stdout, /DNS:kubernetes\.default\.svc\.cluster\.local/);
  writeFileSync(join(app, "example.mts"), example);
  const tsc = sh(join(ROOT, "node_modules/.bin/tsc"), ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--types", "node", "--typeRoots", join(ROOT, "node_modules/@types"), "example.mts"], { cwd: app });
  assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr);

  const prefix = join(dir, "global");
  const global = sh("npm", ["install", "-g", "--prefix", prefix, tarball], { ...npm, check: true });
  assert.doesNotMatch(global.stdout + global.stderr, /warn/i);
  assert.match(sh(join(prefix, "bin", "kubepki"), ["--version"], { check: true }).stdout, new RegExp(`^kubepki ${version.replace(/\./g, "\\.")} `));
});

test("the image: built from scratch, runs as a non-root user, holds only the executable and the libraries ldd lists; unpacked, it does init, check and inspect in a chroot", { skip: release() ?? (process.getuid?.() === 0 ? undefined : "chroot needs root") }, (t) => {
  const built = sh("bash", [join(ROOT, "scripts/image.sh")], { timeout: 300_000 });
  if (built.code !== 0 && !has("buildah")) return t.skip(`buildah is not installed and could not be: ${built.stderr.trim().split("\n").pop()}`);
  assert.equal(built.code, 0, built.stderr);
  const [archive, reference] = built.stdout.trim().split("\n");
  assert.match(reference, new RegExp(`^kubepki:${version.replace(/\./g, "\\.")}@sha256:[0-9a-f]{64}$`));

  // Read it as a registry or podman would: index → manifest → config and layers, each by its digest.
  const dir = tempDir(t);
  const oci = join(dir, "oci");
  mkdirSync(oci);
  sh("tar", ["-xf", join(ROOT, archive), "-C", oci], { check: true });
  const blob = (digest: string) => join(oci, "blobs", ...digest.split(":"));
  const index = JSON.parse(readFileSync(join(oci, "index.json"), "utf8"));
  assert.equal(`kubepki:${version}@${index.manifests[0].digest}`, reference, "the printed digest is the manifest's");
  assert.equal(`sha256:${sh("sha256sum", [blob(index.manifests[0].digest)]).stdout.slice(0, 64)}`, index.manifests[0].digest);
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), "utf8"));
  const config = JSON.parse(readFileSync(blob(manifest.config.digest), "utf8"));
  assert.deepEqual(config.config.Entrypoint, ["/usr/local/bin/kubepki"]);
  const [uid, gid] = String(config.config.User).split(":");
  assert.ok(Number(uid) > 0 && Number(gid) > 0, `runs as a non-root user by default (User ${config.config.User})`);

  const rootfs = join(dir, "rootfs");
  mkdirSync(rootfs);
  for (const layer of manifest.layers) sh("tar", ["-xf", blob(layer.digest), "-C", rootfs], { check: true });
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk(join(d, e.name)) : files.push(join(d, e.name).slice(rootfs.length)));
  };
  walk(rootfs);
  const libs = sh("ldd", [EXE], { check: true }).stdout.split("\n").map((l) => /(?:=> )?(\/\S+) \(/.exec(l)?.[1]).filter((l): l is string => !!l);
  assert.deepEqual(files.sort(), ["/etc/group", "/etc/passwd", "/usr/local/bin/kubepki", ...libs].sort(), "the executable, what ldd lists, and the user");

  // As the image's user, in its working directory, with nothing else around.
  const chroot = sh("sh", ["-c", "command -v chroot"], { check: true }).stdout.trim();
  const run = (args: string[]) => sh(chroot, [`--userspec=${config.config.User}`, rootfs, ...config.config.Entrypoint, ...args], { env: { PATH: "/usr/local/bin", ...Object.fromEntries(config.config.Env.map((e: string) => e.split("="))) }, timeout: 120_000 });
  const out = join(config.config.WorkingDir, "k");
  const init = run(["init", "--out", out, ...INIT]);
  assert.equal(init.code, 0, init.stderr);
  const verify = openssl(["verify", "-CAfile", join(rootfs, out, "pki/ca.crt"), join(rootfs, out, "pki/apiserver.crt")]);
  assert.equal(verify.code, 0, verify.stderr);
  const check = run(["check", "--root", out]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /0 error\(s\)/);
  const inspect = run(["inspect", "-o", "json", join(out, "pki/apiserver.crt")]);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, /kube-apiserver/);
});
