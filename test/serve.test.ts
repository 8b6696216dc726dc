// kubepki serve, judged by real consumers: promtool lints what it serves,
// curl scrapes it over TLS and mTLS, and the certificates under it are made
// with openssl (test/fixtures-openssl.ts), never by kubepki.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { kubepki, ROOT, sh, tempDir, waitFor } from "./helpers.ts";
import { get, sample, serve } from "./serve-helpers.ts";
import { buildNode, copyNode, NODE, opensslSigner, pkiOf } from "./fixtures-openssl.ts";

function promtoolLint(text: string): string {
  const r = sh("promtool", ["check", "metrics"], { input: text });
  return r.code === 0 ? r.stdout + r.stderr : `exit ${r.code}: ${r.stdout}${r.stderr}`;
}

let work: string;
let healthy: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), "kubepki-serve-"));
  healthy = join(work, "healthy");
  buildNode(healthy);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("kubepki serve", () => {
  test("/metrics is check's metrics with fleet labels, /report is check -o json, /healthz; no key material; SIGTERM exits 0", async (t) => {
    const s = await serve(t, ["--root", healthy]);
    const metrics = await get(`${s.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.equal(metrics.type, "text/plain; version=0.0.4; charset=utf-8");
    assert.equal(promtoolLint(metrics.body), "", metrics.body);
    // The labels a fleet needs: the cluster from the kubeconfigs, the node from the manifests, the file as the node names it.
    const notAfter = new Date(sh("openssl", ["x509", "-in", join(pkiOf(healthy), "apiserver.crt"), "-noout", "-enddate"]).stdout.trim().replace("notAfter=", ""));
    assert.match(metrics.body, new RegExp(`^kubepki_certificate_expiry_timestamp_seconds\\{certificate="apiserver",component="kube-apiserver",role="server",file="/etc/kubernetes/pki/apiserver.crt",cn="kube-apiserver",issuer="ca",cluster="kubernetes",node="${NODE.name}"\\} ${notAfter.getTime() / 1000}$`, "m"));
    assert.equal(sample(metrics.body, "kubepki_check_success"), 1);
    assert.equal(sample(metrics.body, "kubepki_check_errors_total"), 0);
    assert.equal(sample(metrics.body, "kubepki_check_interval_seconds"), 300);
    assert.ok(Math.abs(sample(metrics.body, "kubepki_check_last_success_timestamp_seconds")! - Date.now() / 1000) < 60);
    assert.ok(sample(metrics.body, "kubepki_check_duration_seconds")! > 0);
    // A healthy node has no error; no rotation record, so no rotation metric.
    assert.equal(sample(metrics.body, "kubepki_check_findings", { severity: "error" }), 0);
    assert.doesNotMatch(metrics.body, /kubepki_rotation_phase/);

    const report = await get(`${s.url}/report`);
    assert.equal(report.status, 200);
    const served = JSON.parse(report.body);
    // The same clock gives the same report, to the residual second.
    assert.deepEqual(served, JSON.parse(kubepki(["check", "--root", healthy, "--now", served.now, "-o", "json"]).stdout));

    assert.deepEqual(await get(`${s.url}/healthz`), { status: 200, body: "ok\n", type: "text/plain; charset=utf-8" });
    assert.equal((await get(`${s.url}/nope`)).status, 404);
    assert.equal((await fetch(`${s.url}/metrics`, { method: "POST" })).status, 405);
    for (const body of [metrics.body, report.body]) assert.doesNotMatch(body, /PRIVATE KEY|client-key-data/);

    s.child.kill("SIGTERM");
    assert.equal(await s.exited, 0);
    assert.match(s.output(), /SIGTERM, stopping/);
  });

  test("files vanishing, half-written or unreadable become findings, never failed scrapes; a check that fails keeps the last result and says so", async (t) => {
    const node = copyNode(healthy, join(tempDir(t), "node"));
    const pki = pkiOf(node);
    const config = join(node, "kubeadm.yaml");
    writeFileSync(config, "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nclusterName: lab\n");
    const s = await serve(t, ["--root", node, "--config", config, "--interval", "1s", "--cluster-name", "lab"]);
    const before = (await get(`${s.url}/metrics`)).body;
    assert.equal(sample(before, "kubepki_check_findings", { severity: "error" }), 0, before);

    unlinkSync(join(pki, "front-proxy-client.crt"));
    const pem = readFileSync(join(pki, "apiserver.crt"), "utf8");
    writeFileSync(join(pki, "apiserver.crt"), pem.slice(0, pem.length >> 1));
    // A directory where a key should be: unreadable even for root.
    unlinkSync(join(pki, "etcd/peer.key"));
    mkdirSync(join(pki, "etcd/peer.key"));
    let metrics = "";
    await waitFor(async () => {
      metrics = (await get(`${s.url}/metrics`)).body;
      return ["file-missing", "file-invalid", "file-unreadable"].every((rule) => sample(metrics, "kubepki_check_file_findings", { rule }) !== undefined);
    }, 15_000, "the findings of the broken files");
    assert.equal(promtoolLint(metrics), "", metrics);
    assert.equal(sample(metrics, "kubepki_check_file_findings", { rule: "file-missing", file: "/etc/kubernetes/pki/front-proxy-client.crt", certificate: "front-proxy-client" }), 1, metrics);
    assert.equal(sample(metrics, "kubepki_check_file_findings", { rule: "file-invalid", file: "/etc/kubernetes/pki/apiserver.crt", certificate: "apiserver" }), 1, metrics);
    assert.equal(sample(metrics, "kubepki_check_file_findings", { rule: "file-unreadable", file: "/etc/kubernetes/pki/etcd/peer.key" }), 1, metrics);
    assert.equal(sample(metrics, "kubepki_certificate_ok", { certificate: "apiserver", status: "FAIL" }), 0);
    assert.equal(sample(metrics, "kubepki_check_success", { cluster: "lab" }), 1);

    // The check itself fails (its --config became invalid): the last result stays, marked as such.
    writeFileSync(config, "clusterName: [unclosed\n");
    await waitFor(async () => sample((metrics = (await get(`${s.url}/metrics`)).body), "kubepki_check_success") === 0, 10_000, "kubepki_check_success 0");
    assert.ok(sample(metrics, "kubepki_check_errors_total")! >= 1);
    assert.ok(sample(metrics, "kubepki_certificate_expiry_timestamp_seconds", { certificate: "ca" })! > 0, "the last complete result is still served");
    assert.equal((await get(`${s.url}/report`)).status, 200);
    assert.match(s.output(), /check: failed: .*kubeadm\.yaml/);
    // And recovers.
    writeFileSync(config, "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nclusterName: lab\n");
    await waitFor(async () => sample((await get(`${s.url}/metrics`)).body, "kubepki_check_success") === 1, 10_000, "kubepki_check_success 1 again");
    assert.match(s.output(), /check: succeeded again/);
  });

  test("TLS, and mTLS that refuses scrapers without a client certificate (curl as the scraper)", async (t) => {
    const dir = tempDir(t);
    const signer = opensslSigner();
    signer.ca(join(dir, "ca"), "scrape-ca");
    signer.leaf(join(dir, "tls"), { cn: "kubepki-exporter", ca: join(dir, "ca"), eku: ["serverAuth"], ips: ["127.0.0.1"] });
    signer.leaf(join(dir, "prometheus"), { cn: "prometheus", ca: join(dir, "ca"), eku: ["clientAuth"] });
    const s = await serve(t, ["--root", healthy, "--tls-cert-file", join(dir, "tls.crt"), "--tls-private-key-file", join(dir, "tls.key"), "--client-ca-file", join(dir, "ca.crt")]);
    assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const curl = (...extra: string[]) => sh("curl", ["-sS", "--fail", "--cacert", join(dir, "ca.crt"), ...extra, `${s.url}/metrics`]);
    const ok = curl("--cert", join(dir, "prometheus.crt"), "--key", join(dir, "prometheus.key"));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^kubepki_certificate_expiry_timestamp_seconds\{certificate="ca",/m);
    const refused = curl();
    assert.notEqual(refused.code, 0, "no client certificate, no metrics");
    assert.equal(refused.stdout, "");
  });

  test("bad input: one-line errors, exit 2", async (t) => {
    const cases: [string[], RegExp][] = [
      [["--listen", "9795"], /^error: --listen: "9795" is not ADDR:PORT$/m],
      [["--listen", "[10.0.0.1]:9795"], /^error: --listen: "10\.0\.0\.1" in brackets is not an IPv6 address$/m],
      [["--interval", "100ms"], /^error: --interval: 100ms is shorter than 1s$/m],
      [["--clock-offset", "soon"], /^error: --clock-offset: invalid duration "soon"$/m],
      [["--tls-cert-file", "x.crt"], /^error: serve: --tls-cert-file and --tls-private-key-file go together/m],
      [["--client-ca-file", "ca.crt"], /^error: serve: --client-ca-file needs TLS$/m],
      [["--tls-cert-file", "/nonexistent/x.crt", "--tls-private-key-file", "/nonexistent/x.key"], /^error: --tls-cert-file: cannot read \/nonexistent\/x\.crt: no such file or directory$/m],
      [["--bogus"], /^error: serve: Unknown option '--bogus'$/m],
      [["--config", "/nonexistent/kubeadm.yaml"], /^error: .*\/nonexistent\/kubeadm\.yaml/m],
    ];
    for (const [args, message] of cases) {
      const r = kubepki(["serve", "--root", healthy, ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    // A TLS key that is not the certificate's.
    const dir = tempDir(t);
    opensslSigner().ca(join(dir, "a"), "a");
    opensslSigner().ca(join(dir, "b"), "b");
    const mismatch = kubepki(["serve", "--root", healthy, "--listen", "127.0.0.1:0", "--tls-cert-file", join(dir, "a.crt"), "--tls-private-key-file", join(dir, "b.key")]);
    assert.equal(mismatch.code, 2, mismatch.stderr);
    assert.match(mismatch.stderr, /^error: serve: the TLS files cannot be used: key values mismatch$/m);
    assert.doesNotMatch(mismatch.stderr, /PRIVATE KEY/);
    // The port taken by another exporter.
    const first = await serve(t, ["--root", healthy]);
    const taken = kubepki(["serve", "--root", healthy, "--listen", first.url.replace("http://", "")]);
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, /^error: serve: cannot listen on 127\.0\.0\.1:\d+: the address is in use$/m);
  });

  test("under scrape load while certificates are deleted and rewritten: no failed request, memory flat (bench/serve.mjs, 3 s)", () => {
    const r = sh(process.execPath, [join(ROOT, "bench/serve.mjs"), "--seconds", "3", "--json"], { cwd: ROOT });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const result = JSON.parse(r.stdout);
    assert.equal(result.failed, 0, JSON.stringify(result.failures));
    assert.ok(result.requests >= 145, `${result.requests} requests`);
    assert.ok(result.checks >= 2, `file changes trigger checks: ${result.checks}`);
    assert.ok(result.rssEndMiB - result.rssStartMiB < 25, `RSS ${result.rssStartMiB} → ${result.rssEndMiB} MiB`);
  });
});
