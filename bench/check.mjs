// bench/check.mjs — checking a whole control-plane node (10 pki certificates,
// 5 kubeconfigs, the kubelet's files, 4 manifests), side by side: a bare
// `node -e 0` (the start-up floor, and the baseline), kubepki check, and the
// study note's manual checklist scripted with the openssl CLI (subject, SANs,
// expiry and issuer of each pki certificate: two openssl runs per file).
// Usage: node bench/check.mjs [reps]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compare, must } from "./lib.mjs";

const reps = Number(process.argv[2] ?? 15);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "kubepki");
const work = mkdtempSync(join(tmpdir(), "kubepki-bench-check-"));
const node = join(work, "node");

// The node is built with openssl by the test fixtures, not by kubepki.
must(process.execPath, ["--import", "tsx", "-e", `import(${JSON.stringify(join(ROOT, "test/fixtures-openssl.ts"))}).then((m) => m.buildNode(${JSON.stringify(node)}))`], { cwd: ROOT });

const pki = join(node, "etc/kubernetes/pki");
const CERTS = [
  ["ca", "ca"], ["apiserver", "ca"], ["apiserver-kubelet-client", "ca"], ["front-proxy-ca", "front-proxy-ca"], ["front-proxy-client", "front-proxy-ca"],
  ["etcd/ca", "etcd/ca"], ["etcd/server", "etcd/ca"], ["etcd/peer", "etcd/ca"], ["etcd/healthcheck-client", "etcd/ca"], ["apiserver-etcd-client", "etcd/ca"],
];
/** The seed note's checklist by hand: openssl x509 for the fields and the 30-day check, openssl verify for the issuer. */
function opensslChecklist() {
  for (const [base, ca] of CERTS) {
    const f = join(pki, `${base}.crt`);
    must("openssl", ["x509", "-in", f, "-noout", "-subject", "-issuer", "-enddate", "-ext", "subjectAltName,extendedKeyUsage", "-checkend", "2592000"]);
    must("openssl", ["verify", "-CAfile", join(pki, `${ca}.crt`), f]);
  }
}

try {
  const medians = compare("check a whole control-plane node (16 certificates)", [
    { name: "node -e 0 (start-up floor)", run: () => must(process.execPath, ["-e", "0"]) },
    { name: "kubepki check --root NODE", run: () => must(process.execPath, [BIN, "check", "--root", node]) },
    { name: "kubepki check --root NODE -o json", run: () => must(process.execPath, [BIN, "check", "--root", node, "-o", "json"]) },
    { name: "openssl checklist (10 pki files, 20 runs)", run: opensslChecklist },
  ], { reps, baseline: "node -e 0 (start-up floor)" });
  const ratio = medians["kubepki check --root NODE"] / medians["node -e 0 (start-up floor)"];
  console.log(`  → check / node -e 0 = ${ratio.toFixed(2)}× (budget 2×): ${ratio <= 2 ? "OK" : "OVER"}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
