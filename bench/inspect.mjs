// kubepki inspect: one certificate against `node -e 0` and `openssl x509 -text
// -noout`; a 10,000-certificate tree with -o json against the 3 s budget.
// Run: node bench/inspect.mjs (after npm run build). Quote ratios: machines are noisy.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compare, must } from "./lib.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "kubepki");
const dir = mkdtempSync(join(tmpdir(), "kubepki-bench-inspect-"));
const quiet = { stdio: "ignore" };
const node = process.execPath;

try {
  must(node, [BIN, "init", "--out", join(dir, "k"), "--node-name", "cp1", "--apiserver-advertise-address", "10.0.0.10"]);
  const cert = join(dir, "k", "pki", "apiserver.crt");

  const single = compare(
    "one certificate (apiserver.crt)",
    [
      { name: "node -e 0", run: () => spawnSync(node, ["-e", "0"], quiet) },
      { name: "kubepki inspect apiserver.crt", run: () => spawnSync(node, [BIN, "inspect", cert], quiet) },
      { name: "kubepki inspect -o json apiserver.crt", run: () => spawnSync(node, [BIN, "inspect", "-o", "json", cert], quiet) },
      { name: "openssl x509 -text -noout -in apiserver.crt", run: () => spawnSync("openssl", ["x509", "-text", "-noout", "-in", cert], quiet) },
    ],
    { reps: Number(process.env.REPS ?? 31), baseline: "node -e 0" },
  );
  const ratio = single["kubepki inspect apiserver.crt"] / single["node -e 0"];
  console.log(`  → inspect / node -e 0 = ${ratio.toFixed(2)}× (budget 1.5×): ${ratio <= 1.5 ? "OK" : "OVER"}`);

  // 10,000 certificates: the 24 distinct ones of a kubeadm node, copied into 100 × 100 files.
  const tree = join(dir, "tree");
  const sources = ["apiserver", "apiserver-etcd-client", "apiserver-kubelet-client", "ca", "front-proxy-ca", "front-proxy-client", "etcd/ca", "etcd/server", "etcd/peer", "etcd/healthcheck-client"]
    .map((s) => join(dir, "k", "pki", `${s}.crt`));
  for (let d = 0; d < 100; d++) {
    mkdirSync(join(tree, `node${d}`, "pki"), { recursive: true });
    for (let f = 0; f < 100; f++) copyFileSync(sources[(d + f) % sources.length], join(tree, `node${d}`, "pki", `cert${f}.crt`));
  }
  const many = compare(
    "10,000 certificates in 100 folders, -o json",
    [
      { name: "node -e 0", run: () => spawnSync(node, ["-e", "0"], quiet) },
      { name: "kubepki inspect -o json DIR", run: () => spawnSync(node, [BIN, "inspect", "-o", "json", tree], { stdio: ["ignore", "ignore", "inherit"], maxBuffer: 1 << 30 }) },
      { name: "kubepki inspect --short DIR", run: () => spawnSync(node, [BIN, "inspect", "--short", tree], quiet) },
    ],
    { reps: Number(process.env.REPS_TREE ?? 5), baseline: "node -e 0" },
  );
  const tenK = many["kubepki inspect -o json DIR"];
  console.log(`  → 10,000 certificates -o json: ${(tenK / 1000).toFixed(2)} s (budget 3 s): ${tenK <= 3000 ? "OK" : "OVER"}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
