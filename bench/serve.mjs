// kubepki serve under scrape load: N requests per second to /metrics (and
// some to /report and /healthz) for S seconds, on loopback, while the node's
// certificates are deleted, half-written and rewritten. Reports every failed
// request (there must be none) and the exporter's RSS at the start and end
// (it must stay flat: pages are rendered once per check, not per request).
//
//   node bench/serve.mjs                      # 50 req/s for 30 s (the figures in docs/serve.md)
//   node bench/serve.mjs --seconds 3 --json   # the short version the test suite runs
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { must } from "./lib.mjs";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "30" }, rps: { type: "string", default: "50" }, json: { type: "boolean" } } });
const SECONDS = Number(values.seconds);
const RPS = Number(values.rps);
const BIN = fileURLToPath(new URL("../bin/kubepki", import.meta.url));

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(f[11]) + Number(f[12]); // utime + stime
};

function get(url) {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 5000 }, (res) => {
      let bytes = 0;
      res.on("data", (d) => (bytes += d.length));
      res.on("end", () => resolve({ status: res.statusCode, bytes }));
      res.on("error", (err) => resolve({ error: err.message }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve({ error: err.message }));
    req.end();
  });
}

const work = mkdtempSync(join(tmpdir(), "kubepki-bench-serve-"));
const root = join(work, "node");
const pki = join(root, "etc/kubernetes/pki");
let server;
try {
  must(process.execPath, [BIN, "init", "--out", join(root, "etc/kubernetes"), "--node-name", "cp1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", "ECDSA-P256"]);
  server = spawn(process.execPath, [BIN, "serve", "--root", root, "--listen", "127.0.0.1:0", "--node-name", "cp1", "--interval", "5s"], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  server.stderr.on("data", (d) => (log += d));
  const base = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve did not start: ${log}`)), 15000);
    server.stderr.on("data", () => {
      const m = /listening on (http:\/\/\S+)/.exec(log);
      if (m) clearTimeout(t), resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error(`serve exited ${code}: ${log}`)));
  });

  // Warm up, then measure.
  for (let i = 0; i < 20; i++) await get(`${base}/metrics`);
  const rssStart = rssKiB(server.pid);
  const cpuStart = cpuTicks(server.pid);

  // Churn: every 250 ms one certificate is deleted, written half, then whole again (not atomically).
  const victims = ["apiserver.crt", "front-proxy-client.crt", "etcd/server.crt"].map((f) => [join(pki, f), readFileSync(join(pki, f))]);
  let churns = 0;
  const churn = setInterval(() => {
    const [file, pem] = victims[churns++ % victims.length];
    unlinkSync(file);
    setTimeout(() => writeFileSync(file, pem.subarray(0, pem.length >> 1)), 60);
    setTimeout(() => writeFileSync(file, pem), 120);
  }, 250);

  // RSS every 5 s: flat means it levels off, not that it never moves (V8 and malloc grow to a working size first).
  const rssSeries = [];
  const sampler = setInterval(() => rssSeries.push(Number((rssKiB(server.pid) / 1024).toFixed(1))), 5000);
  const results = [];
  const pending = [];
  const total = SECONDS * RPS;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RPS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Mostly /metrics, as Prometheus would; every 10th /report, every 25th /healthz.
    const path = i % 25 === 0 ? "/healthz" : i % 10 === 0 ? "/report" : "/metrics";
    const started = performance.now();
    pending.push(get(base + path).then((r) => results.push({ ...r, path, ms: performance.now() - started })));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(churn);
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 200));
  for (const [file, pem] of victims) writeFileSync(file, pem);

  const rssEnd = rssKiB(server.pid);
  const cpuSeconds = (cpuTicks(server.pid) - cpuStart) / 100;
  const metricsPage = await get(`${base}/metrics`);
  const checks = /kubepki_checks_total\S* (\d+)/.exec(await new Promise((resolve) => request(`${base}/metrics`, (res) => { let t = ""; res.on("data", (d) => (t += d)); res.on("end", () => resolve(t)); }).end()))?.[1];
  const failed = results.filter((r) => r.error || r.status !== 200);
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  const summary = {
    requests: results.length, failed: failed.length, failures: failed.slice(0, 5),
    seconds: Number(elapsed.toFixed(1)), rps: Number((results.length / elapsed).toFixed(1)),
    p50ms: Number(latencies[latencies.length >> 1].toFixed(1)), p99ms: Number(latencies[Math.floor(latencies.length * 0.99)].toFixed(1)),
    rssStartMiB: Number((rssStart / 1024).toFixed(1)), rssEndMiB: Number((rssEnd / 1024).toFixed(1)),
    cpuSecondsPerSecond: Number((cpuSeconds / elapsed).toFixed(3)),
    rssEvery5sMiB: rssSeries, churns, checks: Number(checks), metricsBytes: metricsPage.bytes,
  };
  if (values.json) console.log(JSON.stringify(summary));
  else {
    console.log(`kubepki serve: ${summary.requests} requests in ${summary.seconds} s (${summary.rps}/s) to /metrics, /report, /healthz on loopback, ${churns} certificate deletions/rewrites, ${summary.checks} checks`);
    console.log(`  failed requests: ${summary.failed}`);
    console.log(`  latency: p50 ${summary.p50ms} ms, p99 ${summary.p99ms} ms; /metrics is ${summary.metricsBytes} bytes`);
    console.log(`  RSS: ${summary.rssStartMiB} MiB at the start, ${summary.rssEndMiB} MiB at the end (every 5 s: ${rssSeries.join(", ")}); CPU ${summary.cpuSecondsPerSecond} s/s`);
  }
  if (failed.length) process.exitCode = 1;
} finally {
  server?.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
