// bench/release.mjs — start-up of the three forms side by side: the release executable
// (dist/release/kubepki-linux-x64, Node 22 inside, its code cache in the blob), bin/kubepki on
// this machine's node (with the build's code caches), and a bare `node -e 0` (the baseline).
// Three commands: inspect of one certificate, check of a whole node (built with openssl by the
// test fixtures), init of a kubeadm PKI with ECDSA-P256 keys.
// Usage: node bench/release.mjs [reps] (after npm run build and npm run release).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compare, must } from "./lib.mjs";

const reps = Number(process.argv[2] ?? 15);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "kubepki");
const EXE = join(ROOT, "dist", "release", "kubepki-linux-x64");
if (!existsSync(EXE)) throw new Error(`${EXE} is not built: run npm run release`);
const node = process.execPath;
const work = mkdtempSync(join(tmpdir(), "kubepki-bench-release-"));

const mb = (n) => `${(n / 1e6).toFixed(0)} MB`;
console.log(`${must(EXE, ["--version"]).trim()}: ${mb(statSync(EXE).size)}, ${mb(gzipSync(readFileSync(EXE), { level: 6 }).length)} gzipped`);
console.log(`${must(node, [BIN, "--version"]).trim()}: bin/kubepki + dist/cli`);

try {
  const nodeRoot = join(work, "node");
  must(node, ["--import", "tsx", "-e", `import(${JSON.stringify(join(ROOT, "test/fixtures-openssl.ts"))}).then((m) => m.buildNode(${JSON.stringify(nodeRoot)}))`], { cwd: ROOT });
  const cert = join(nodeRoot, "etc/kubernetes/pki/apiserver.crt");
  const forms = [
    ["release executable", (args) => must(EXE, args)],
    ["bin/kubepki", (args) => must(node, [BIN, ...args])],
  ];
  const floor = { name: "node -e 0", run: () => must(node, ["-e", "0"]) };
  const ratios = {};
  /** One command in each form, against the start-up floor: wall time, then CPU time. */
  const side = (title, args, setup) => {
    const command = args[0];
    const cases = [floor, ...forms.map(([name, run]) => ({ name: `${name} ${command}`, run: () => run(args), setup }))];
    const medians = compare(title, cases, { reps, baseline: "node -e 0" });
    const cpu = cpuTimes(cases);
    for (const c of cases) console.log(`  ${`CPU time ${c.name}`.padEnd(44)} ${cpu[c.name].toFixed(0).padStart(7)} ms   ${(cpu[c.name] / cpu["node -e 0"]).toFixed(2).padStart(6)}× node -e 0`);
    ratios[title] = [medians[`release executable ${command}`] / medians[`bin/kubepki ${command}`], cpu[`release executable ${command}`] / cpu[`bin/kubepki ${command}`]];
  };
  /**
   * Mean CPU time (user + system) of each case's process, from this process's children's times in
   * /proc/self/stat (which count a child once it has been waited for). On a shared, busy machine
   * wall times mostly measure the queue for a core; CPU time is what the command itself costs.
   */
  const cpuTimes = (cases) => {
    const ticks = () => readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ").slice(13, 15).reduce((a, b) => a + Number(b), 0);
    const total = Object.fromEntries(cases.map((c) => [c.name, 0]));
    for (let i = 0; i < reps; i++) {
      for (const c of cases) {
        c.setup?.();
        const before = ticks();
        c.run();
        total[c.name] += ticks() - before;
      }
    }
    return Object.fromEntries(cases.map((c) => [c.name, (total[c.name] * 10) / reps])); // USER_HZ is 100 on Linux
  };
  side("inspect one certificate (apiserver.crt)", ["inspect", cert]);
  side("check a whole control-plane node", ["check", "--root", nodeRoot]);
  const out = join(work, "init");
  const init = ["init", "--out", out, "--node-name", "cp1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", "ECDSA-P256"];
  side("init, ECDSA-P256 (kubeadm profile)", init, () => rmSync(out, { recursive: true, force: true }));
  console.log("\nrelease executable / bin/kubepki             wall   CPU");
  for (const [title, [wall, cpu]] of Object.entries(ratios)) console.log(`  ${title.padEnd(40)} ${wall.toFixed(2)}× ${cpu.toFixed(2)}×`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
