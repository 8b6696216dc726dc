// Bundles the CLI into dist/cli/ and the library into dist/lib.js.
//
// Start-up is most of a CLI's cost, and on Node 20 it is set by how many files
// are loaded and in what module system, so the CLI is CommonJS (Node starts it
// faster than ES modules, whose import of a builtin also runs every lazy getter
// of it: node:fs loads fs/promises and streams) and made of few files:
//   kubepki.js          the dispatcher: --help, --version, and which command file to load
//   <command>.js        one file per command, with all of its own code
//   vendor/<package>.js the large libraries, loaded only by the code paths that use them
// One file per command loads ~15 ms faster than the same code split into shared chunks.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cjs, common, versionOptions } from "./esbuild-common.mjs";

// The commands are src/cli/commands.ts's table: each `import("./NAME.js")` there is one bundle here.
const COMMANDS = [...readFileSync(new URL("../src/cli/commands.ts", import.meta.url), "utf8").matchAll(/import\("\.\/([a-z-]+)\.js"\)/g)].map((m) => m[1]);
// One copy each: the @peculiar packages share asn1-schema's registry of schemas, so they must not be bundled twice.
const VENDOR = ["js-yaml", "yaml", "zod", "asn1js", "pvtsutils", "@peculiar/asn1-schema", "@peculiar/asn1-x509", "@peculiar/asn1-csr"];
const vendorFile = (name) => `${name.replace("@", "").replace("/", "-")}.js`;

/** Resolves the vendor packages (and, for the dispatcher, the command modules) to their built files. */
function externals(prefix, commands = false) {
  return {
    name: "kubepki-externals",
    setup(b) {
      const vendor = new RegExp(`^(${VENDOR.map((v) => v.replace("/", "\\/")).join("|")})$`);
      b.onResolve({ filter: vendor }, (args) => (args.kind === "entry-point" ? undefined : { path: `${prefix}${vendorFile(args.path)}`, external: true }));
      if (commands) b.onResolve({ filter: new RegExp(`^\\./(${COMMANDS.join("|")})\\.js$`) }, (args) => ({ path: args.path, external: true }));
    },
  };
}

const cli = "dist/cli";
rmSync(cli, { recursive: true, force: true });
await build({ ...cjs, ...versionOptions(), entryPoints: { kubepki: "src/cli/main.ts" }, outdir: cli, plugins: [externals("./vendor/", true)] });
await build({ ...cjs, entryPoints: Object.fromEntries(COMMANDS.map((c) => [c, `src/cli/${c}.ts`])), outdir: cli, plugins: [externals("./vendor/")] });
await build({ ...cjs, entryPoints: Object.fromEntries(VENDOR.map((v) => [vendorFile(v).slice(0, -3), v])), outdir: `${cli}/vendor`, plugins: [externals("./")] });
// The package is "type": "module"; these files are CommonJS.
writeFileSync(`${cli}/package.json`, '{ "type": "commonjs" }\n');

const MANIFEST = `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: kube-apiserver
    command:
    - kube-apiserver
    - --advertise-address=10.0.0.10
    - --client-ca-file=/etc/kubernetes/pki/ca.crt
    - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt
    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key
    volumeMounts:
    - {mountPath: /etc/kubernetes/pki, name: k8s-certs, readOnly: true}
  volumes:
  - hostPath: {path: /etc/kubernetes/pki, type: DirectoryOrCreate}
    name: k8s-certs
`;

// V8 code caches for the commands whose start-up is measured (see bin/kubepki): one run
// of each, on a PKI made for the purpose. Without them kubepki works, only slower.
const work = mkdtempSync(join(tmpdir(), "kubepki-build-"));
try {
  const run = (...args) => execFileSync(process.execPath, ["bin/kubepki", ...args], { env: { ...process.env, KUBEPKI_CODE_CACHE: "write" }, stdio: "ignore" });
  run("init", "--out", join(work, "k"), "--node-name", "cp1", "--apiserver-advertise-address", "10.0.0.10");
  run("inspect", join(work, "k", "pki", "apiserver.crt"));
  // A static pod manifest as well, so that reading manifests is part of the run.
  mkdirSync(join(work, "k", "manifests"));
  writeFileSync(join(work, "k", "manifests", "kube-apiserver.yaml"), MANIFEST);
  run("check", "--root", join(work, "k"));
} catch (err) {
  console.warn(`warning: no code cache for the CLI (${err.message.split("\n")[0]}); it works, only starts slower`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

// The library stays an ES module; bundled CommonJS dependencies call require(), so give it one.
const banner = { js: 'import { createRequire as __kubepkiRequire } from "node:module"; const require = __kubepkiRequire(import.meta.url);' };
await build({ ...common, format: "esm", banner, entryPoints: ["src/index.ts"], outfile: "dist/lib.js", packages: "external" });
