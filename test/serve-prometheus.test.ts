// A real Prometheus (Debian's prometheus) scrapes `kubepki serve` on two
// nodes and evaluates deploy/prometheus/kubepki-rules.yaml itself; openssl
// reads every certificate's notAfter to judge what Prometheus stores.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { background, freePort, kubepki, ROOT, sh, tempDir, waitFor } from "./helpers.ts";
import { opensslSigner } from "./fixtures-openssl.ts";
import { get, serve } from "./serve-helpers.ts";

interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

/** notAfter as openssl reads it, of a PEM file or of the certificate a kubeconfig embeds. */
function opensslNotAfter(file: string): number {
  let input: string | undefined;
  if (file.endsWith(".conf")) {
    const config = parse(readFileSync(file, "utf8"));
    input = Buffer.from(config.users[0].user["client-certificate-data"], "base64").toString();
  }
  const out = sh("openssl", ["x509", "-noout", "-enddate", ...(input === undefined ? ["-in", file] : [])], { input, check: true }).stdout;
  return new Date(out.trim().replace("notAfter=", "")).getTime() / 1000;
}

test("Prometheus scrapes two nodes: expiry equals openssl's notAfter, a planted finding appears, alerts fire in its own evaluation", async (t) => {
  const dir = tempDir(t);
  const roots = { n1: join(dir, "n1"), n2: join(dir, "n2") };
  for (const [name, root] of Object.entries(roots)) {
    const r = kubepki(["init", "--out", join(root, "etc/kubernetes"), "--node-name", name, "--apiserver-advertise-address", "127.0.0.1", "--encryption-algorithm", "ECDSA-P256"]);
    assert.equal(r.code, 0, r.stderr);
  }
  // n1: an API server certificate that really expires in 3 days, re-signed by openssl with the node's CA and key.
  const pki1 = join(roots.n1, "etc/kubernetes/pki");
  opensslSigner().leaf(join(pki1, "apiserver"), { cn: "kube-apiserver", ca: join(pki1, "ca"), eku: ["serverAuth"], dns: ["n1", "kubernetes"], ips: ["127.0.0.1"], days: 3, reuseKey: join(pki1, "apiserver.key") });
  // n2: judged 400 days ahead, where its one-year leaves have expired (a shifted clock instead of a wait).
  const n1 = await serve(t, ["--root", roots.n1, "--node-name", "n1"]);
  const n2 = await serve(t, ["--root", roots.n2, "--node-name", "n2", "--cluster-name", "lab", "--clock-offset", "400d"]);

  const port = await freePort();
  const config = join(dir, "prometheus.yml");
  writeFileSync(config, `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${join(ROOT, "deploy/prometheus/kubepki-rules.yaml")}
scrape_configs:
  - job_name: kubepki
    static_configs:
      - targets: ["${n1.url.replace("http://", "")}", "${n2.url.replace("http://", "")}"]
`);
  const prometheus = background(t, "prometheus", [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"]);
  const api = `http://127.0.0.1:${port}/api/v1`;
  const query = async (q: string): Promise<Series[]> => {
    const res = await fetch(`${api}/query?query=${encodeURIComponent(q)}`).catch(() => undefined);
    if (!res?.ok) return [];
    return (await res.json()).data.result;
  };
  await waitFor(async () => (await query('up{job="kubepki"} == 1')).length === 2, 30_000, `Prometheus to scrape both nodes: ${prometheus.output()}`);

  // Every certificate's expiry as Prometheus stores it is its notAfter as openssl reads it.
  const expiry = await query("kubepki_certificate_expiry_timestamp_seconds");
  for (const node of ["n1", "n2"] as const) {
    const mine = expiry.filter((s) => s.metric.node === node);
    assert.ok(mine.length >= 15, `${node}: ${mine.length} certificates`);
    for (const s of mine) assert.equal(Number(s.value[1]), opensslNotAfter(join(roots[node], s.metric.file)), `${node} ${s.metric.certificate}`);
  }
  assert.deepEqual(new Set(expiry.map((s) => s.metric.cluster)), new Set(["kubernetes", "lab"]));
  // n2's check runs on the shifted clock.
  const clock = await query('kubepki_check_timestamp_seconds{node="n2"}');
  assert.ok(Math.abs(Number(clock[0].value[1]) - (Date.now() / 1000 + 400 * 86400)) < 120, JSON.stringify(clock));

  // Alerts, evaluated by Prometheus from the rules file as shipped.
  const alerts = async () => ((await (await fetch(`${api}/alerts`)).json()).data.alerts as { labels: Record<string, string>; state: string }[]);
  await waitFor(async () => (await alerts()).some((a) => a.labels.alertname === "KubepkiCertificateExpiringCritical" && a.labels.node === "n1" && a.labels.certificate === "apiserver" && a.state === "firing"), 20_000, "KubepkiCertificateExpiringCritical for n1's apiserver");
  // The shifted clock makes kubepki's own judgement say "expired": the findings alert is active (pending for its 10m `for`).
  await waitFor(async () => (await alerts()).some((a) => a.labels.alertname === "KubepkiErrorFindings" && a.labels.node === "n2" && a.labels.rule === "expired"), 20_000, "KubepkiErrorFindings for n2");
  const firing = (await alerts()).filter((a) => a.state === "firing").map((a) => `${a.labels.alertname} ${a.labels.node} ${a.labels.certificate}`);
  assert.deepEqual(firing, ["KubepkiCertificateExpiringCritical n1 apiserver"], "nothing else fires: the real dates of n2 are fine");

  // A finding planted in n2 (an etcd server certificate from a foreign CA) appears after the next check, which the file change starts.
  const pki2 = join(roots.n2, "etc/kubernetes/pki");
  const foreign = join(dir, "foreign-ca");
  opensslSigner().ca(foreign, "foreign-ca");
  opensslSigner().leaf(join(pki2, "etcd/server"), { cn: "n2", ca: foreign, eku: ["serverAuth", "clientAuth"], dns: ["n2", "localhost"], ips: ["127.0.0.1"], reuseKey: join(pki2, "etcd/server.key") });
  let planted: Series[] = [];
  await waitFor(async () => (planted = await query('kubepki_check_file_findings{rule="chain-untrusted"}')).length > 0, 20_000, "the planted finding in Prometheus");
  assert.deepEqual(planted.map((s) => [s.metric.node, s.metric.file, s.metric.certificate, s.metric.severity, s.value[1]]), [["n2", "/etc/kubernetes/pki/etcd/server.crt", "etcd-server", "error", "1"]]);

  // What Prometheus scraped is clean for promtool as well.
  const lint = sh("promtool", ["check", "metrics"], { input: (await get(`${n2.url}/metrics`)).body });
  assert.equal(lint.code + lint.stdout + lint.stderr, "0");
});

test("promtool check rules and promtool test rules pass on deploy/prometheus", () => {
  const check = sh("promtool", ["check", "rules", join(ROOT, "deploy/prometheus/kubepki-rules.yaml")]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /SUCCESS: 11 rules found/);
  const unit = sh("promtool", ["test", "rules", join(ROOT, "deploy/prometheus/kubepki-rules.test.yaml")]);
  assert.equal(unit.code, 0, unit.stdout + unit.stderr);
  assert.match(unit.stdout, /SUCCESS/);
});
