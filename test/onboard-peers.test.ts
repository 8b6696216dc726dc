// Real peers for the onboarding commands: kubectl completes mutual TLS with
// init's admin.conf and with a user kubeconfig made through the whole CSR flow,
// against `openssl s_server -Verify` presenting kubepki's apiserver.crt; and a
// merge keeps every other kubeconfig entry, as kubectl itself reads it.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { background, freePort, kubepki, openssl, sh, tempDir, waitFor } from "./helpers.ts";

/** kubectl's view of a kubeconfig, minus the fields a merge is meant to change. */
function view(file: string, context?: string): Record<string, unknown> {
  const r = sh("kubectl", ["config", "view", "--kubeconfig", file, "--raw", "-o", "json", ...(context ? ["--context", context, "--minify"] : [])]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("kubectl ↔ openssl s_server: admin.conf from init and a user kubeconfig from user create → sign → user kubeconfig", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "k");
  const init = kubepki(["init", "--out", out, "--node-name", "cp1", "--apiserver-advertise-address", "127.0.0.1", "--encryption-algorithm", "ECDSA-P256"]);
  assert.equal(init.code, 0, init.stderr);
  const pki = join(out, "pki");
  const port = await freePort();
  const server = background(t, "openssl", [
    "s_server", "-accept", `127.0.0.1:${port}`, "-cert", join(pki, "apiserver.crt"), "-key", join(pki, "apiserver.key"),
    "-CAfile", join(pki, "ca.crt"), "-Verify", "1", "-verify_return_error", "-www", "-naccept", "20",
  ]);
  await waitFor(() => /ACCEPT/.test(server.output()), 10_000, "s_server to listen");
  const url = `https://127.0.0.1:${port}`;

  // admin.conf, pointed at the test port with kubectl itself.
  const admin = join(dir, "admin.conf");
  writeFileSync(admin, readFileSync(join(out, "admin.conf")), { mode: 0o600 });
  assert.equal(sh("kubectl", ["config", "set-cluster", "kubernetes", "--kubeconfig", admin, "--server", url]).code, 0);
  const a = sh("kubectl", ["--kubeconfig", admin, "--request-timeout", "5s", "get", "--raw", "/"]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /s_server/);
  await waitFor(() => /CN ?= ?kubernetes-admin/.test(server.output()), 5000, "s_server to see kubernetes-admin");

  // The whole CSR flow, as the study note tells it, with the controller's part done by kubepki sign.
  const u = (args: string[]) => {
    const r = kubepki(args, { cwd: dir });
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r;
  };
  u(["user", "create", "jane", "--group", "dev", "--algorithm", "ECDSA-P256"]);
  const review = kubepki(["csr", "review", "jane-csr.yaml"], { cwd: dir });
  assert.equal(review.code, 0, review.stdout);
  u(["sign", "jane-csr.yaml", "--cert-dir", pki, "--out", "jane-signed.yaml"]);
  u(["user", "kubeconfig", "jane", "--key", "jane.key", "--csr-object", "jane-signed.yaml", "--ca", join(pki, "ca.crt"), "--server", url, "--out", "jane.kubeconfig"]);
  assert.equal(statSync(join(dir, "jane.kubeconfig")).mode & 0o777, 0o600);
  const j = sh("kubectl", ["--kubeconfig", join(dir, "jane.kubeconfig"), "--request-timeout", "5s", "get", "--raw", "/"]);
  assert.equal(j.code, 0, j.stderr);
  await waitFor(() => /O ?= ?dev, CN ?= ?jane/.test(server.output()), 5000, "s_server to see jane");

  // A key that is not jane's is refused before anything is written.
  u(["key", "generate", "--algorithm", "ECDSA-P256", "-o", "other.key"]);
  const wrong = kubepki(["user", "kubeconfig", "jane", "--key", "other.key", "--csr-object", "jane-signed.yaml", "--ca", join(pki, "ca.crt"), "--server", url, "-o", "wrong.kubeconfig"], { cwd: dir });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /other\.key does not belong to the certificate/);
  assert.ok(!readdirSync(dir).includes("wrong.kubeconfig"));

  // A kubeconfig from `kubepki kubeconfig` (file references, as in the study note) works too.
  const k = kubepki(["kubeconfig", "--client-name", "ci-bot", "--org", "ci", "--no-embed", "--algorithm", "ECDSA-P256", "--server", url, "--cert-dir", pki, "--kubeconfig", join(dir, "users", "ci.conf")]);
  assert.equal(k.code, 0, k.stderr);
  const ci = view(join(dir, "users", "ci.conf")) as { users: { user: Record<string, string> }[] };
  assert.equal(ci.users[0].user["client-certificate"], join(dir, "users", "ci-bot.crt"));
  assert.equal(statSync(join(dir, "users", "ci-bot.key")).mode & 0o777, 0o600);
  const c = sh("kubectl", ["--kubeconfig", join(dir, "users", "ci.conf"), "--request-timeout", "5s", "get", "--raw", "/"]);
  assert.equal(c.code, 0, c.stderr);
  await waitFor(() => /O ?= ?ci, CN ?= ?ci-bot/.test(server.output()), 5000, "s_server to see ci-bot");
});

test("merging into an existing kubeconfig keeps every other cluster, user, context and field; the old file is backed up", (t) => {
  const dir = tempDir(t);
  const pki = join(dir, "k", "pki");
  assert.equal(kubepki(["init", "--out", join(dir, "k"), "--node-name", "cp1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", "ECDSA-P256"]).code, 0);
  // Someone's kubeconfig, built with kubectl: two clusters, a token user, a namespace, an extra field.
  const file = join(dir, "config");
  const k = (...args: string[]) => assert.equal(sh("kubectl", ["config", ...args, "--kubeconfig", file]).code, 0, args.join(" "));
  k("set-cluster", "prod", "--server", "https://prod.example.com:6443", "--insecure-skip-tls-verify=true");
  k("set-cluster", "kubernetes", "--server", "https://old.example.com:6443", "--tls-server-name", "kubernetes");
  k("set-credentials", "ops", "--token", "s3cr3t");
  k("set-context", "ops@prod", "--cluster", "prod", "--user", "ops", "--namespace", "payments");
  k("use-context", "ops@prod");
  const before = view(file);
  const beforeBytes = readFileSync(file);

  const r = kubepki(["kubeconfig", "--client-name", "alice", "--org", "dev", "--algorithm", "ECDSA-P256", "--cert-dir", pki, "--server", "https://10.0.0.10:6443", "--kubeconfig", file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /every other entry kept; current-context is ops@prod/);
  const after = view(file) as typeof before & Record<string, { name: string }[]>;

  // Everything that was there is there, unchanged, except the kubernetes cluster's server and CA.
  const named = (v: Record<string, unknown>, key: string) => Object.fromEntries((v[key] as { name: string }[]).map((e) => [e.name, e]));
  assert.deepEqual(named(after, "clusters").prod, named(before, "clusters").prod);
  assert.deepEqual(named(after, "users").ops, named(before, "users").ops);
  assert.deepEqual(named(after, "contexts")["ops@prod"], named(before, "contexts")["ops@prod"]);
  assert.equal(after["current-context"], "ops@prod", "current-context not switched");
  const kube = named(after, "clusters").kubernetes as unknown as { cluster: Record<string, string> };
  assert.equal(kube.cluster.server, "https://10.0.0.10:6443");
  assert.equal(kube.cluster["tls-server-name"], "kubernetes", "other fields of an updated entry are kept, as kubectl set-cluster keeps them");
  assert.equal(Buffer.from(kube.cluster["certificate-authority-data"], "base64").toString(), readFileSync(join(pki, "ca.crt"), "utf8"));
  assert.deepEqual(Object.keys(named(after, "contexts")).sort(), ["alice@kubernetes", "ops@prod"]);
  assert.deepEqual(Object.keys(named(after, "users")).sort(), ["alice", "ops"]);

  // The new user is usable as kubectl reads it: cert signed by the CA, O=dev.
  const alice = view(file, "alice@kubernetes") as { users: { user: Record<string, string> }[] };
  writeFileSync(join(dir, "alice.crt"), Buffer.from(alice.users[0].user["client-certificate-data"], "base64"));
  assert.equal(openssl(["verify", "-CAfile", join(pki, "ca.crt"), join(dir, "alice.crt")]).code, 0);
  assert.match(openssl(["x509", "-in", join(dir, "alice.crt"), "-noout", "-subject", "-nameopt", "RFC2253"]).stdout, /subject=CN=alice,O=dev/);

  // The previous file, byte for byte, in kubepki-backup/<stamp>/.
  const [stamp] = readdirSync(join(dir, "kubepki-backup"));
  assert.deepEqual(readFileSync(join(dir, "kubepki-backup", stamp, "config")), beforeBytes);
  assert.equal(statSync(file).mode & 0o777, 0o600);

  // --server may come from the cluster already in the file; --use-context switches.
  const again = kubepki(["kubeconfig", "--client-name", "bob", "--algorithm", "ECDSA-P256", "--cert-dir", pki, "--kubeconfig", file, "--use-context", "-o", "json"]);
  assert.equal(again.code, 0, again.stderr);
  const data = JSON.parse(again.stdout);
  assert.equal(data.cluster.server, "https://10.0.0.10:6443");
  assert.equal(data.cluster.change, "unchanged");
  assert.equal(view(file)["current-context"], "bob@kubernetes");

  // A file that is not a kubeconfig is refused before anything is written.
  writeFileSync(join(dir, "broken"), "kind: Pod\n");
  const broken = kubepki(["kubeconfig", "--client-name", "x", "--algorithm", "ECDSA-P256", "--cert-dir", pki, "--server", "https://a:6443", "--kubeconfig", join(dir, "broken")]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /kind is "Pod", not a kubeconfig/);
  assert.equal(readFileSync(join(dir, "broken"), "utf8"), "kind: Pod\n");
});
