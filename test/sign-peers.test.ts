// The local signer, proven with real peers: the seed note's API server request
// (made with openssl req and its openssl.cnf) signed by kubepki sign --signer local
// serves TLS in openssl s_server that s_client accepts for each SAN and refuses
// for any other name; etcd peer requests signed with server+client auth form a
// real two-member etcd cluster.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { background, etcdCluster, freePort, kubepki, openssl, opensslFields, sh, tempDir, waitEtcdHealthy, waitFor } from "./helpers.ts";

/** A CA made by openssl alone (not by kubepki): what signs is checked by another hand. */
function opensslCA(dir: string): { crt: string; key: string } {
  const key = join(dir, "ca.key");
  const crt = join(dir, "ca.crt");
  writeFileSync(join(dir, "ca.cnf"), "[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n");
  assert.equal(openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]).code, 0);
  const r = openssl(["req", "-x509", "-new", "-key", key, "-subj", "/CN=kubernetes", "-days", "365", "-config", join(dir, "ca.cnf"), "-extensions", "v3", "-out", crt]);
  assert.equal(r.code, 0, r.stderr);
  return { crt, key };
}

/** A key and a request with SANs, the seed note's way: openssl req -config openssl.cnf with a v3_req section. */
function opensslRequest(dir: string, name: string, cn: string, sans: string[]): { key: string; csr: string } {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cnf = join(dir, `${name}.cnf`);
  writeFileSync(cnf, [
    "[req]", "distinguished_name=dn", "req_extensions = v3_req", "[dn]",
    "[ v3_req ]", "basicConstraints = CA:FALSE", "keyUsage = nonRepudiation", "subjectAltName = @alt_names",
    "[alt_names]", ...sans.map((s, i) => `${s.startsWith("IP:") ? `IP.${i + 1}` : `DNS.${i + 1}`} = ${s.replace(/^(IP|DNS):/, "")}`),
  ].join("\n") + "\n");
  assert.equal(openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]).code, 0);
  const r = openssl(["req", "-new", "-key", key, "-subj", `/CN=${cn}`, "-out", csr, "-config", cnf]);
  assert.equal(r.code, 0, r.stderr);
  return { key, csr };
}

test("the seed note's apiserver request, signed with --signer local --usages 'server auth': s_client accepts each SAN and refuses other names", async (t) => {
  const dir = tempDir(t);
  const ca = opensslCA(dir);
  const sans = ["DNS:kubernetes", "DNS:kubernetes.default", "DNS:kubernetes.default.svc", "DNS:kubernetes.default.svc.cluster.local", "IP:10.96.0.1", "IP:172.17.0.87", "IP:127.0.0.1"];
  const { key, csr } = opensslRequest(dir, "apiserver", "kube-apiserver", sans);

  // The default signer is client-only: it refuses (exit 2, nothing written) and says how to do it.
  const crt = join(dir, "apiserver.crt");
  const refused = kubepki(["sign", csr, "--ca", ca.crt, "--ca-key", ca.key, "--out", crt]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /issues client certificates only/);
  assert.match(refused.stderr, /hint: .*--signer local --usages/);

  const r = kubepki(["sign", csr, "--ca", ca.crt, "--ca-key", ca.key, "--signer", "local", "--usages", "server auth", "--san", "api.example.com", "--out", crt]);
  assert.equal(r.code, 0, r.stderr);
  const f = opensslFields(crt);
  assert.equal(f.subject, "CN=kube-apiserver");
  assert.equal(f.extKeyUsage, "TLS Web Server Authentication");
  assert.equal(f.basicConstraints, "CA:FALSE");
  assert.equal(f.keyUsage, undefined, "the request's nonRepudiation is not copied: usages come from --usages only");
  assert.equal(f.san, "DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, DNS:api.example.com, IP Address:10.96.0.1, IP Address:172.17.0.87, IP Address:127.0.0.1");
  assert.equal(openssl(["verify", "-CAfile", ca.crt, "-purpose", "sslserver", crt]).code, 0);

  const port = await freePort();
  const server = background(t, "openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", crt, "-key", key, "-www", "-naccept", "50"]);
  await waitFor(() => /ACCEPT/.test(server.output()), 10_000, "s_server to listen");
  const client = (flag: string, name: string) =>
    sh("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-CAfile", ca.crt, "-verify_return_error", flag, name], { input: "" });
  for (const san of [...sans, "DNS:api.example.com"]) {
    const [type, name] = san.split(":");
    const c = client(type === "IP" ? "-verify_ip" : "-verify_hostname", name);
    assert.equal(c.code, 0, `${san}: ${c.stdout.slice(-400)}${c.stderr}`);
    assert.match(c.stdout, /Verify return code: 0 \(ok\)/);
  }
  for (const [flag, name] of [["-verify_hostname", "evil.example.com"], ["-verify_hostname", "kube-apiserver"], ["-verify_ip", "10.96.0.2"]]) {
    const c = client(flag, name);
    assert.notEqual(c.code, 0, `${name} is outside the SANs`);
    assert.match(c.stdout + c.stderr, /mismatch/i);
  }
});

test("etcd peer requests signed with --signer local server+client auth: two real etcd members form a cluster over mutual TLS", async (t) => {
  const dir = tempDir(t);
  const ca = opensslCA(dir);
  const nodes = ["etcd1", "etcd2"];
  const usages = "digital signature,key encipherment,server auth,client auth";
  const creds = nodes.map((n) => {
    const { key, csr } = opensslRequest(dir, n, n, ["DNS:localhost", "IP:127.0.0.1"]);
    const crt = join(dir, `${n}.crt`);
    const r = kubepki(["sign", csr, "--ca", ca.crt, "--ca-key", ca.key, "--signer", "local", "--usages", usages, "--out", crt]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(opensslFields(crt).extKeyUsage, "TLS Web Server Authentication, TLS Web Client Authentication");
    return { key, crt };
  });
  // One server+client certificate per member, for its clients and its peers alike.
  const tls = (_: string, i: number) => ({ ca: ca.crt, cert: creds[i].crt, key: creds[i].key, peerCert: creds[i].crt, peerKey: creds[i].key });
  const { args: memberArgs, endpoints } = await etcdCluster(dir, nodes, "kubepki-sign", tls);
  const members = nodes.map((_, i) => background(t, "etcd", memberArgs(i)));
  const health = () =>
    sh("etcdctl", ["--endpoints", endpoints, "--cacert", ca.crt, "--cert", creds[0].crt, "--key", creds[0].key, "--dial-timeout", "3s", "--command-timeout", "5s", "endpoint", "health", "--cluster"], { env: { ...process.env, ETCDCTL_API: "3" } });
  await waitEtcdHealthy(health, members);
});
