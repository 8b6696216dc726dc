// check's machine outputs, judged by real consumers: promtool for the
// Prometheus text format, headless Chromium for the HTML page.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { kubepki, sh, tempDir } from "./helpers.ts";
import { buildNode, copyNode, NODE, opensslSigner, pkiOf } from "./fixtures-openssl.ts";

let work: string;
let healthy: string;
let broken: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), "kubepki-check-out-"));
  healthy = join(work, "healthy");
  buildNode(healthy);
  // Two faults: an etcd server signed by the wrong CA (error), a world-readable key (error).
  broken = copyNode(healthy, join(work, "broken"));
  const pki = pkiOf(broken);
  opensslSigner().leaf(join(pki, "etcd/server"), { cn: NODE.name, ca: join(pki, "ca"), eku: ["serverAuth", "clientAuth"], dns: [NODE.name, "localhost"], ips: [NODE.address, "127.0.0.1"] });
  chmodSync(join(pki, "sa.key"), 0o644);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("-o json", () => {
  test("the documented shape: node, summary, certificates[], findings[] with id, severity, file, message, fix, commands", () => {
    const r = kubepki(["check", "--root", broken, "-o", "json"]);
    assert.equal(r.code, 1);
    const data = JSON.parse(r.stdout);
    assert.equal(data.kind, "CheckResult");
    assert.equal(data.apiVersion, "kubepki.io/v1alpha1");
    assert.deepEqual(Object.keys(data), ["kind", "apiVersion", "now", "node", "summary", "certificates", "findings"]);
    assert.equal(data.summary.status, "FAIL");
    for (const f of data.findings) assert.deepEqual(Object.keys(f), ["id", "severity", "file", "certificate", "message", "fix", "commands"]);
    assert.deepEqual([data.node.kind, data.node.setup], ["control-plane", "kubeadm"]);
    assert.ok(data.node.evidence.length > 0);
    const chain = data.findings.find((f: { id: string }) => f.id === "chain-untrusted");
    assert.equal(chain.file, join(pkiOf(broken), "etcd/server.crt"));
    assert.match(chain.message, /kube-apiserver --etcd-cafile/);
    assert.match(chain.message, /signed by ca /);
    assert.equal(data.certificates.find((c: { id: string }) => c.id === "etcd-server").status, "FAIL");
    assert.doesNotMatch(r.stdout, /PRIVATE KEY|client-key-data/);
  });

  test("the text report prints each finding's commands as they must be pasted", () => {
    const r = kubepki(["check", "--root", broken]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^ +\\$ chmod 600 ${join(pkiOf(broken), "sa.key").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    assert.match(r.stdout, /^ +\$ kubepki renew etcd-server --root /m);
  });

  test("-o yaml carries the same data", () => {
    const r = kubepki(["check", "--root", healthy, "-o", "yaml"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^kind: CheckResult$/m);
    assert.match(r.stdout, /^ {2}status: OK$/m);
  });
});

describe("--prometheus", () => {
  test("promtool accepts the metrics, healthy and broken", (t) => {
    for (const root of [healthy, broken]) {
      const r = kubepki(["check", "--root", root, "--prometheus"]);
      assert.equal(r.code, root === healthy ? 0 : 1, r.stderr);
      const lint = sh("promtool", ["check", "metrics"], { input: r.stdout });
      assert.equal(lint.code, 0, `promtool: ${lint.stdout}${lint.stderr}\n${r.stdout}`);
      assert.equal(lint.stdout + lint.stderr, "", "no lint warnings either");
    }
    const metrics = kubepki(["check", "--root", broken, "--prometheus"]).stdout;
    const expiry = new RegExp(`^kubepki_certificate_expiry_timestamp_seconds\\{certificate="apiserver",component="kube-apiserver",role="server",file="${pkiOf(broken)}/apiserver.crt",cn="kube-apiserver",issuer="ca"\\} (\\d+)$`, "m").exec(metrics);
    assert.ok(expiry, metrics);
    const apiserverNotAfter = new Date(sh("openssl", ["x509", "-in", join(pkiOf(broken), "apiserver.crt"), "-noout", "-enddate"]).stdout.trim().replace("notAfter=", ""));
    assert.equal(Number(expiry[1]), apiserverNotAfter.getTime() / 1000);
    assert.match(metrics, /^kubepki_check_findings\{severity="error"\} 2$/m);
    assert.match(metrics, /^kubepki_check_rule_findings\{rule="chain-untrusted",severity="error"\} 1$/m);
    assert.match(metrics, /^kubepki_certificate_ok\{certificate="etcd-server",.*status="FAIL"\} 0$/m);

    // --prometheus-file writes the same text atomically, for node_exporter's textfile collector.
    const file = join(tempDir(t), "kubepki.prom");
    const r = kubepki(["check", "--root", healthy, "--prometheus-file", file, "-o", "json"]);
    assert.equal(r.code, 0);
    assert.equal(sh("promtool", ["check", "metrics"], { input: readFileSync(file, "utf8") }).code, 0);
  });
});

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

/** What Chromium renders: the DOM after parsing, as text. */
function dumpDom(t: { after: (fn: () => void) => void }, file: string): string {
  const profile = mkdtempSync(join(tmpdir(), "kubepki-chromium-"));
  t.after(() => rmSync(profile, { recursive: true, force: true }));
  const r = sh(CHROMIUM!, [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", `--user-data-dir=${profile}`, "--dump-dom", `file://${file}`,
  ], { timeout: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

describe("--html", { skip: CHROMIUM ? false : "chromium is not installed" }, () => {
  test("Chromium loads the page: CA → leaf tree, timeline, findings", (t) => {
    const dir = tempDir(t);
    const file = join(dir, "report.html");
    const r = kubepki(["check", "--root", broken, "--html", file]);
    assert.equal(r.code, 1);
    const html = readFileSync(file, "utf8");
    assert.doesNotMatch(html, /<script|<link|src="http/, "self-contained");
    const dom = dumpDom(t, file);
    // The tree: etcd-server hangs under ca (who really signed it), not under etcd-ca.
    const tree = /<ul class="tree" id="ca-tree">([\s\S]*?)<\/ul><h2>|<ul class="tree" id="ca-tree">([\s\S]*?)<\/ul>\s*<h2>/.exec(dom);
    assert.ok(tree, "the tree is in the DOM");
    const caItem = /<li class="ca" data-certificate="ca">([\s\S]*?)<\/ul><\/li>/.exec(dom)?.[1] ?? "";
    assert.match(caItem, /data-certificate="apiserver"/);
    assert.match(caItem, /data-certificate="etcd-server"/);
    assert.match(caItem, /data-certificate="admin.conf"/);
    const etcdItem = /<li class="ca" data-certificate="etcd-ca">([\s\S]*?)<\/ul><\/li>/.exec(dom)?.[1] ?? "";
    assert.match(etcdItem, /data-certificate="etcd-peer"/);
    assert.doesNotMatch(etcdItem, /data-certificate="etcd-server"/);
    // The timeline: one bar per certificate, and a "now" line.
    const bars = dom.match(/<g data-certificate="[^"]+"><text[^>]*>[^<]+<\/text><rect /g) ?? [];
    assert.equal(bars.length, 16);
    assert.match(dom, />now<\/text>/);
    // The findings, with their rule ids and fixes.
    assert.match(dom, /<tr class="finding" data-rule="chain-untrusted">/);
    assert.match(dom, /<tr class="finding" data-rule="key-permissions">[\s\S]*?chmod 600 [^<]*sa\.key/);
    assert.match(dom, /2 error\(s\), 0 warning\(s\)/);
  });

  test("Chromium renders a healthy node's page with no findings", (t) => {
    const file = join(tempDir(t), "ok.html");
    assert.equal(kubepki(["check", "--root", healthy, "--html", file]).code, 0);
    const dom = dumpDom(t, file);
    assert.match(dom, /id="no-findings"/);
    assert.match(dom, /<span class="badge OK">OK<\/span><\/h1>/);
  });
});
