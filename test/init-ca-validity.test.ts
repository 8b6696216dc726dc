// Never a dead certificate: init (for a missing leaf) and kubeconfig refuse a CA
// on disk that is expired or not yet valid, with one line and nothing written;
// a CA that ends before the requested validity cuts it, with a warning, and
// --dry-run shows the validity the real run writes. The CA is openssl's.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { kubepki, openssl, opensslFields, snapshot, tempDir } from "./helpers.ts";

const NODE = ["--node-name", "node1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", "ECDSA-P256"];
const DAY = 86_400_000;

/** An openssl-made cluster CA valid for 30 days from now, in DIR/pki; returns its notBefore/notAfter as openssl reads them. */
function opensslCA(dir: string) {
  const pki = join(dir, "pki");
  mkdirSync(pki, { recursive: true });
  const r = openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(pki, "ca.key"), "-subj", "/CN=kubernetes", "-days", "30",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,digitalSignature,keyEncipherment", "-out", join(pki, "ca.crt")]);
  assert.equal(r.code, 0, r.stderr);
  return opensslFields(join(pki, "ca.crt"));
}

const iso = (d: Date) => d.toISOString().replace(/\.\d+Z$/, "Z");

test("init refuses to sign a missing leaf with an expired or not-yet-valid CA: one line, exit 2, nothing written", (t) => {
  const dir = tempDir(t);
  const ca = opensslCA(dir);
  const before = snapshot(dir);
  for (const [now, why] of [[new Date(ca.notAfter.getTime() + DAY), /pki\/ca\.crt \(CN=kubernetes\) expired on .*nothing was changed/], [new Date(ca.notBefore.getTime() - DAY), /is not valid until/]] as const) {
    for (const dry of [[], ["--dry-run"]]) {
      const r = kubepki(["init", "--out", dir, ...NODE, "--now", iso(now), ...dry]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, why);
      assert.match(r.stderr, /hint: /);
      assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1);
      assert.deepEqual(snapshot(dir), before, "nothing written");
    }
  }
});

test("a CA ending before the leaf validity: --dry-run shows the cut validity, the real run writes exactly it (openssl reads it back)", (t) => {
  const dir = tempDir(t);
  const ca = opensslCA(dir);
  const plan = kubepki(["init", "--out", dir, ...NODE, "--dry-run", "-o", "json"]);
  assert.equal(plan.code, 0, plan.stderr);
  const data = JSON.parse(plan.stdout);
  const apiserver = data.items.find((i: { id: string }) => i.id === "apiserver");
  assert.equal(apiserver.notAfter, ca.notAfter.toISOString(), "dry run: cut to the CA's expiry");
  assert.ok(apiserver.reasons.some((r: string) => /cut to the CA's expiry/.test(r)));
  const admin = data.kubeconfigs.find((k: { id: string }) => k.id === "admin.conf");
  assert.equal(admin.notAfter, ca.notAfter.toISOString());
  // A CA this run makes anew bounds its leaves too: etcd's CA lives 10 years, its leaves 1.
  const etcdServer = data.items.find((i: { id: string }) => i.id === "etcd-server");
  assert.ok(new Date(etcdServer.notAfter).getTime() - Date.now() > 300 * DAY);

  const text = kubepki(["init", "--out", dir, ...NODE, "--dry-run"]);
  assert.match(text.stdout, /apiserver: would create[\s\S]*?validity {2}\S+ to (\S+)/);
  assert.match(text.stdout, /validity cut to the CA's expiry/);

  const real = kubepki(["init", "--out", dir, ...NODE]);
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /apiserver: validity cut to the CA's expiry/);
  assert.equal(opensslFields(join(dir, "pki/apiserver.crt")).notAfter.getTime(), ca.notAfter.getTime(), "written as planned");
  const conf = parse(readFileSync(join(dir, "admin.conf"), "utf8")) as { users: { user: Record<string, string> }[] };
  writeFileSync(join(dir, "admin.pem"), Buffer.from(conf.users[0].user["client-certificate-data"], "base64"));
  assert.equal(opensslFields(join(dir, "admin.pem")).notAfter.getTime(), ca.notAfter.getTime());
});

test("kubeconfig --cert-dir refuses an expired or not-yet-valid CA and writes nothing; a short-lived CA cuts the certificate with a warning", (t) => {
  const dir = tempDir(t);
  const ca = opensslCA(dir);
  const file = join(dir, "users", "alice.conf");
  const args = ["kubeconfig", "--client-name", "alice", "--algorithm", "ECDSA-P256", "--cert-dir", join(dir, "pki"), "--server", "https://10.0.0.10:6443", "--kubeconfig", file];
  for (const now of [new Date(ca.notAfter.getTime() + 1000), new Date(ca.notBefore.getTime() - 1000)]) {
    const r = kubepki([...args, "--now", iso(now)]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /^error: .*ca\.crt \(CN=kubernetes\) (expired on|is not valid until)/m);
    assert.ok(!existsSync(join(dir, "users")), "nothing written, not even the folder");
  }
  const ok = kubepki([...args, "--validity", "8760h"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /! the CA .*ca\.crt expires .*cut to it/);
  const conf = parse(readFileSync(file, "utf8")) as { users: { user: Record<string, string> }[] };
  writeFileSync(join(dir, "alice.pem"), Buffer.from(conf.users[0].user["client-certificate-data"], "base64"));
  assert.equal(opensslFields(join(dir, "alice.pem")).notAfter.getTime(), ca.notAfter.getTime());
});
