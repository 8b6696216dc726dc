// The one command-line grammar (docs/cli.md), walked command by command:
// -o is a format, --out the file, "-" reads stdin, a misspelt flag gets the
// closest one, old "-o FILE" spellings still work with a warning, errors are
// words and exit codes are 0/1/2.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { kubepki, openssl, snapshot, tempDir } from "./helpers.ts";

/** A CA, a user request, its signed certificate and a CSR object, all made with openssl (ECDSA: fast). */
function fixtures(dir: string) {
  const f = (name: string) => join(dir, name);
  writeFileSync(f("ca.cnf"), "[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n");
  const ec = (out: string) => assert.equal(openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", out]).code, 0);
  ec(f("ca.key"));
  assert.equal(openssl(["req", "-x509", "-new", "-key", f("ca.key"), "-subj", "/CN=kubernetes", "-days", "365", "-config", f("ca.cnf"), "-extensions", "v3", "-out", f("ca.crt")]).code, 0);
  ec(f("jane.key"));
  assert.equal(openssl(["req", "-new", "-key", f("jane.key"), "-subj", "/CN=jane/O=dev", "-out", f("jane.csr")]).code, 0);
  writeFileSync(f("client.ext"), "[v3]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n");
  assert.equal(openssl(["x509", "-req", "-in", f("jane.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-set_serial", "7", "-days", "30", "-extfile", f("client.ext"), "-extensions", "v3", "-out", f("jane.crt")]).code, 0);
  const request = Buffer.from(readFileSync(f("jane.csr"))).toString("base64");
  writeFileSync(f("jane-csr.yaml"), `apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: jane\nspec:\n  request: ${request}\n  signerName: kubernetes.io/kube-apiserver-client\n  usages: [digital signature, client auth]\n`);
  return f;
}

test("every command of the grammar: -o json, --out FILE, - for stdin, a misspelt flag", (t) => {
  const dir = tempDir(t);
  const f = fixtures(dir);
  const csrText = readFileSync(f("jane.csr"), "utf8");
  const ca = ["--ca", f("ca.crt"), "--ca-key", f("ca.key")];
  const kc = (out: string) => ["user", "kubeconfig", "jane", "--key", f("jane.key"), "--cert", f("jane.crt"), "--ca", f("ca.crt"), "--server", "https://127.0.0.1:6443", "--out", out];
  type Row = {
    name: string;
    /** Prints JSON with -o json (the run writes into a fresh name each time). */
    json: (n: string) => string[];
    /** Writes the file given with --out; absent when the command writes no file. */
    out?: (file: string) => string[];
    /** Reads standard input for "-". */
    stdin?: { args: string[]; input: string };
    /** A misspelt flag, and the one to suggest. */
    typo: [string[], string];
  };
  const rows: Row[] = [
    { name: "sign", json: () => ["sign", f("jane.csr"), ...ca, "-o", "json"], out: (o) => ["sign", f("jane.csr"), ...ca, "--out", o], stdin: { args: ["sign", "-", ...ca], input: csrText }, typo: [["sign", f("jane.csr"), "--ca", f("ca.crt"), "--ca-kye", f("ca.key")], "--ca-key"] },
    { name: "csr review", json: () => ["csr", "review", f("jane.csr"), "-o", "json"], stdin: { args: ["csr", "review", "-"], input: csrText }, typo: [["csr", "review", f("jane.csr"), "--singer", "kubelet-serving"], "--signer"] },
    { name: "user create", json: (n) => ["user", "create", n, "--algorithm", "ECDSA-P256", "--out", dir, "-o", "json"], out: (o) => ["user", "create", "outdir", "--algorithm", "ECDSA-P256", "--out", o], typo: [["user", "create", "x", "--gruop", "dev"], "--group"] },
    { name: "user kubeconfig", json: (n) => [...kc(join(dir, `${n}.conf`)), "-o", "json"], out: (o) => kc(o), stdin: { args: [...kc(join(dir, "stdin.conf")).map((a) => (a === f("jane.crt") ? "-" : a))], input: readFileSync(f("jane.crt"), "utf8") }, typo: [["user", "kubeconfig", "jane", "--sever", "https://x"], "--server"] },
    { name: "key generate", json: (n) => ["key", "generate", "--algorithm", "ECDSA-P256", "--out", join(dir, `${n}.key`), "-o", "json"], out: (o) => ["key", "generate", "--algorithm", "ECDSA-P256", "--out", o], typo: [["key", "generate", "--algoritm", "ECDSA-P256"], "--algorithm"] },
    { name: "key public", json: () => ["key", "public", f("jane.key"), "-o", "json"], out: (o) => ["key", "public", f("jane.crt"), "--out", o], stdin: { args: ["key", "public", "-"], input: readFileSync(f("jane.key"), "utf8") }, typo: [["key", "public", f("jane.key"), "--otu", "x"], "--out"] },
    { name: "verify", json: () => ["verify", f("jane.crt"), "--ca", f("ca.crt"), "-o", "json"], stdin: { args: ["verify", "-", "--ca", f("ca.crt")], input: readFileSync(f("jane.crt"), "utf8") }, typo: [["verify", f("jane.crt"), "--ca", f("ca.crt"), "--purpse", "client"], "--purpose"] },
    { name: "inspect --ca", json: () => ["inspect", f("jane.crt"), "--ca", f("ca.crt"), "-o", "json"], stdin: { args: ["inspect", "-", "--ca", f("ca.crt")], input: readFileSync(f("jane.crt"), "utf8") }, typo: [["inspect", f("jane.crt"), "--servrname", "x"], "--servername"] },
  ];
  rows.forEach((row, i) => {
    const j = kubepki(row.json(`json${i}`));
    assert.equal(j.code, 0, `${row.name} -o json: ${j.stderr}`);
    assert.doesNotThrow(() => JSON.parse(j.stdout), `${row.name} -o json prints JSON`);
    assert.doesNotMatch(j.stderr, /deprecated/, `${row.name}: -o json is a format, not a file`);
    if (row.out) {
      const file = join(dir, `out${i}`);
      const o = kubepki(row.out(file));
      assert.equal(o.code, 0, `${row.name} --out: ${o.stderr}`);
      assert.ok(existsSync(file), `${row.name} --out writes ${file}`);
    }
    if (row.stdin) {
      const s = kubepki(row.stdin.args, { input: row.stdin.input });
      assert.equal(s.code, 0, `${row.name} - : ${s.stderr}`);
    }
    const before = snapshot(dir);
    const typo = kubepki(row.typo[0]);
    assert.equal(typo.code, 2, `${row.name} typo: ${typo.stderr}`);
    assert.match(typo.stderr, new RegExp(`^error: .*Unknown option '--[a-z-]+'\\nhint: did you mean ${row.typo[1]}\\?`), row.name);
    assert.deepEqual(snapshot(dir), before, `${row.name}: a usage error writes nothing`);
  });

  // Every --help follows the grammar: -o names a format, a file is --out.
  for (const cmd of [["sign"], ["csr"], ["user"], ["key"], ["verify"], ["inspect"]]) {
    const h = kubepki([...cmd, "--help"]).stdout;
    assert.doesNotMatch(h, /-o, --out |-o FILE|-o OUT\b/, `${cmd.join(" ")} --help`);
  }
});

test("old spellings: -o FILE still writes the file with a deprecation warning; -o yaml is a format", (t) => {
  const dir = tempDir(t);
  const f = fixtures(dir);
  const ca = ["--ca", f("ca.crt"), "--ca-key", f("ca.key")];
  const old = kubepki(["sign", f("jane.csr"), ...ca, "-o", f("old.crt")]);
  assert.equal(old.code, 0, old.stderr);
  assert.match(old.stderr, /^warning: sign: "-o FILE" is deprecated .*use --out /m);
  assert.equal(openssl(["verify", "-CAfile", f("ca.crt"), f("old.crt")]).code, 0);

  // The bug: "sign x.csr -o yaml" wrote a PEM file named yaml.
  const y = kubepki(["sign", f("jane.csr"), ...ca, "-o", "yaml"], { cwd: dir });
  assert.equal(y.code, 0, y.stderr);
  assert.ok(!existsSync(join(dir, "yaml")));
  const doc = parse(y.stdout);
  assert.equal(doc.kind, "SignedCertificate");
  assert.match(doc.certificate, /^-----BEGIN CERTIFICATE-----/);
  // The object, with -o json, comes back as JSON.
  const obj = kubepki(["sign", f("jane-csr.yaml"), ...ca, "-o", "json"]);
  assert.equal(obj.code, 0, obj.stderr);
  assert.equal(JSON.parse(obj.stdout).status.conditions[0].type, "Approved");

  const key = kubepki(["key", "generate", "--algorithm", "ECDSA-P256", "-o", f("old.key")]);
  assert.equal(key.code, 0, key.stderr);
  assert.match(key.stderr, /deprecated.*--out/);
  const conf = kubepki(["user", "kubeconfig", "jane", "--key", f("jane.key"), "--cert", f("jane.crt"), "--ca", f("ca.crt"), "--server", "https://127.0.0.1:6443", "-o", f("old.conf")]);
  assert.equal(conf.code, 0, conf.stderr);
  assert.match(conf.stderr, /deprecated/);
  assert.ok(existsSync(f("old.conf")));
  // Both at once: -o must then be a format.
  const both = kubepki(["sign", f("jane.csr"), ...ca, "-o", "x.crt", "--out", f("y.crt")]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /-o: unknown output format "x\.crt"/);
});

test("words, not errno codes; did-you-mean for commands; exit codes 0/1/2; times outside 1950–9999 refused", (t) => {
  const dir = tempDir(t);
  const f = fixtures(dir);
  for (const args of [["sign", join(dir, "missing.csr"), "--ca", f("ca.crt"), "--ca-key", f("ca.key")], ["csr", "review", join(dir, "missing.csr")], ["key", "public", join(dir, "missing.key")], ["verify", join(dir, "missing.crt"), "--ca", f("ca.crt")]]) {
    const r = kubepki(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, /missing\.(csr|key|crt): cannot read: no such file or directory/);
    assert.doesNotMatch(r.stderr, /ENOENT/);
  }
  const typo = kubepki(["inpsect", "x"]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown command "inpsect"\nhint: did you mean inspect\?/);
  assert.match(kubepki(["verfy"]).stderr, /did you mean verify\?/);
  assert.match(kubepki(["csr", "reveiw", "x"]).stderr, /unknown subcommand "reveiw"\nhint: did you mean 'csr review'\?/);
  assert.match(kubepki(["key", "genrate"]).stderr, /did you mean 'key generate'\?/);

  // The time row: 1949 would be written as UTCTime 49 and read back as 2049; year 1 is no time at all.
  for (const now of ["1949-06-01T00:00:00Z", "0001-01-01T00:00:00Z"]) {
    const r = kubepki(["sign", f("jane.csr"), "--ca", f("ca.crt"), "--ca-key", f("ca.key"), "--now", now, "--out", f("t.crt")]);
    assert.equal(r.code, 2, now);
    assert.match(r.stderr, /--now: .* outside the years 1950–9999/);
    assert.ok(!existsSync(f("t.crt")));
  }
  // Exit codes: review of a fine request 0, of a privileged one 1; verify of a wrong purpose 1; a refusal 2.
  assert.equal(kubepki(["csr", "review", f("jane.csr")]).code, 0);
  assert.equal(kubepki(["verify", f("jane.crt"), "--ca", f("ca.crt"), "--purpose", "server"]).code, 1);
  assert.equal(kubepki(["verify", f("jane.crt"), "--ca", f("ca.crt"), "--purpose", "client"]).code, 0);
  assert.equal(openssl(["req", "-x509", "-new", "-key", f("jane.key"), "-subj", "/CN=kubernetes", "-days", "30", "-config", f("ca.cnf"), "-extensions", "v3", "-out", f("other-ca.crt")]).code, 0);
  const verdict = kubepki(["inspect", f("jane.crt"), "--ca", f("other-ca.crt")]);
  assert.equal(verdict.code, 1, "inspect --ca shows a failing verdict and exits 1");
  assert.match(verdict.stdout, /Verified against .*other-ca\.crt:\n.*jane\.crt: FAILED UnknownAuthority/);
  assert.equal(openssl(["req", "-new", "-key", f("jane.key"), "-subj", "/CN=root/O=system:masters", "-out", f("root.csr")]).code, 0);
  assert.equal(kubepki(["csr", "review", f("root.csr")]).code, 1);
  assert.equal(kubepki(["sign", f("root.csr"), "--ca", f("ca.crt"), "--ca-key", f("ca.key")]).code, 2);
});

test("verify takes kubeadm names with or without .crt, and the catalog's CA of a file in a kubeadm tree; typos get the closest name", (t) => {
  const dir = tempDir(t);
  const init = kubepki(["init", "--out", join(dir, "k"), "--node-name", "cp1", "--apiserver-advertise-address", "127.0.0.1", "--encryption-algorithm", "ECDSA-P256"]);
  assert.equal(init.code, 0, init.stderr);
  const pki = join(dir, "k", "pki");
  const r = kubepki(["verify", "--cert-dir", pki, "apiserver", "etcd-server", "etcd/peer.crt", "front-proxy-client.crt", join(pki, "apiserver-etcd-client.crt"), "-o", "json"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const roots = JSON.parse(r.stdout).results.map((x: { chain: { subject: string }[] }) => x.chain.at(-1)!.subject);
  assert.deepEqual(roots, ["CN=kubernetes", "CN=etcd-ca", "CN=etcd-ca", "CN=front-proxy-ca", "CN=etcd-ca"]);
  // openssl agrees on the CA each was checked against.
  assert.equal(openssl(["verify", "-CAfile", join(pki, "etcd", "ca.crt"), join(pki, "etcd", "peer.crt")]).code, 0);
  const typo = kubepki(["verify", "--cert-dir", pki, "apiservr"]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /apiservr: no such file, nor a kubeadm certificate name\nhint: did you mean apiserver\?/);
  const unknown = kubepki(["verify", join(dir, "k", "admin.conf")]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--ca FILE is needed/);
});
