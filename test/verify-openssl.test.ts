// kubepki verify against openssl verify, on a corpus of good and broken chains
// built with the openssl CLI only (so that a bug in kubepki's issuing cannot hide
// the same bug in its verifying): same verdict on every case.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { kubepki, openssl, tempDir } from "./helpers.ts";

/** A small openssl PKI factory in one folder: ECDSA P-256 keys (fast), extensions from a string. */
function factory(dir: string) {
  const path = (name: string) => join(dir, `${name}.crt`);
  const key = (name: string) => {
    const r = openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", join(dir, `${name}.key`)]);
    assert.equal(r.code, 0, r.stderr);
    return join(dir, `${name}.key`);
  };
  const ext = (name: string, lines: string[]) => {
    const file = join(dir, `${name}.ext`);
    writeFileSync(file, `[v3]\n${lines.join("\n")}\n`);
    return file;
  };
  return {
    path,
    /** A certificate signed by `issuer`. */
    issue(name: string, cn: string, issuer: string, lines: string[], days = 365) {
      const k = key(name);
      const csr = join(dir, `${name}.csr`);
      assert.equal(openssl(["req", "-new", "-key", k, "-subj", `/CN=${cn}`, "-out", csr]).code, 0);
      const r = openssl(["x509", "-req", "-in", csr, "-CA", path(issuer), "-CAkey", join(dir, `${issuer}.key`), "-set_serial", String(Math.floor(Math.random() * 1e9)), "-days", String(days), "-extfile", ext(name, lines), "-extensions", "v3", "-out", path(name)]);
      assert.equal(r.code, 0, r.stderr);
      return path(name);
    },
  };
}

const CA = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"];
const SERVER = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment", "extendedKeyUsage=serverAuth", "subjectAltName=DNS:api.example.com,IP:10.0.0.1"];
const CLIENT = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment", "extendedKeyUsage=clientAuth"];

test("verify agrees with openssl verify on good and broken chains (purpose, untrusted, name, time, foreign CA of the same name)", (t) => {
  const dir = tempDir(t);
  const f = factory(dir);
  // openssl req -x509 reads the extensions from a config: write one that has only what it needs.
  writeFileSync(join(dir, "root.cnf"), `[req]\ndistinguished_name=dn\n[dn]\n[v3]\n${[...CA, "subjectKeyIdentifier=hash"].join("\n")}\n`);
  const mkroot = (name: string, cn: string) => {
    assert.equal(openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", join(dir, `${name}.key`)]).code, 0);
    const r = openssl(["req", "-x509", "-new", "-key", join(dir, `${name}.key`), "-subj", `/CN=${cn}`, "-days", "3650", "-config", join(dir, "root.cnf"), "-extensions", "v3", "-out", f.path(name)]);
    assert.equal(r.code, 0, r.stderr);
    return f.path(name);
  };
  const root = mkroot("root", "Cluster Root");
  const foreignRoot = mkroot("foreign", "Cluster Root"); // the same name, another key
  const inter = f.issue("inter", "Cluster Intermediate", "root", ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign"]);
  const server = f.issue("server", "api", "inter", SERVER, 1);
  const client = f.issue("client", "jane", "inter", CLIENT, 1);
  const direct = f.issue("direct", "direct", "root", SERVER, 1);
  const forged = f.issue("forged", "forged", "foreign", SERVER, 1);
  const notCA = f.issue("notca", "Not A CA", "root", ["basicConstraints=critical,CA:FALSE"]);
  const underNotCA = f.issue("under-notca", "victim", "notca", SERVER, 1);
  const clientOnlyCA = f.issue("clientca", "Client Only CA", "root", [...CA, "extendedKeyUsage=clientAuth"]);
  const serverUnderClientCA = f.issue("server-clientca", "api2", "clientca", SERVER, 1);
  const noCertSign = f.issue("nocertsign", "No CertSign CA", "root", ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,digitalSignature"]);
  const underNoCertSign = f.issue("under-nocertsign", "api3", "nocertsign", SERVER, 1);
  const sub = f.issue("sub", "Sub Intermediate", "inter", CA); // pathlen:0 above it forbids this one
  const underSub = f.issue("under-sub", "api4", "sub", SERVER, 1);

  const now = Math.floor(Date.now() / 1000);
  const later = now + 3 * 86400; // the 1-day leaves have expired, the CAs have not
  const before = now - 3 * 86400; // before anything was valid
  type Case = { name: string; cert: string; untrusted?: string[]; purpose?: "server" | "client"; host?: string; at?: number; valid: boolean };
  const cases: Case[] = [
    { name: "server via intermediate", cert: server, untrusted: [inter], purpose: "server", valid: true },
    { name: "server, name in SANs", cert: server, untrusted: [inter], purpose: "server", host: "api.example.com", valid: true },
    { name: "server, IP in SANs", cert: server, untrusted: [inter], purpose: "server", host: "10.0.0.1", valid: true },
    { name: "server, wrong name", cert: server, untrusted: [inter], purpose: "server", host: "evil.example.com", valid: false },
    { name: "server, wrong IP", cert: server, untrusted: [inter], purpose: "server", host: "10.0.0.2", valid: false },
    { name: "server, CN is no name", cert: server, untrusted: [inter], purpose: "server", host: "api", valid: false },
    { name: "server as client (wrong EKU)", cert: server, untrusted: [inter], purpose: "client", valid: false },
    { name: "client as client", cert: client, untrusted: [inter], purpose: "client", valid: true },
    { name: "client as server (wrong EKU)", cert: client, untrusted: [inter], purpose: "server", valid: false },
    { name: "intermediate missing", cert: server, purpose: "server", valid: false },
    { name: "signed by the root directly", cert: direct, purpose: "server", valid: true },
    { name: "expired leaf", cert: direct, purpose: "server", at: later, valid: false },
    { name: "not yet valid", cert: direct, purpose: "server", at: before, valid: false },
    { name: "foreign CA with the same name", cert: forged, purpose: "server", valid: false },
    { name: "foreign leaf, foreign root given as untrusted", cert: forged, untrusted: [foreignRoot], purpose: "server", valid: false },
    { name: "issuer is not a CA", cert: underNotCA, untrusted: [notCA], purpose: "server", valid: false },
    { name: "CA limited to client auth signs a server", cert: serverUnderClientCA, untrusted: [clientOnlyCA], purpose: "server", valid: false },
    { name: "CA without keyCertSign", cert: underNoCertSign, untrusted: [noCertSign], purpose: "server", valid: false },
    { name: "pathlen:0 exceeded", cert: underSub, untrusted: [sub, inter], purpose: "server", valid: false },
    { name: "no purpose asked", cert: client, untrusted: [inter], valid: true },
  ];
  for (const c of cases) {
    const untrustedFile = c.untrusted ? join(dir, `untrusted-${cases.indexOf(c)}.pem`) : undefined;
    if (untrustedFile) writeFileSync(untrustedFile, c.untrusted!.map((u) => readFileSync(u, "utf8")).join(""));
    const at = c.at ?? now;
    const o = openssl([
      "verify", "-CAfile", root, "-attime", String(at),
      ...(untrustedFile ? ["-untrusted", untrustedFile] : []),
      ...(c.purpose ? ["-purpose", c.purpose === "server" ? "sslserver" : "sslclient"] : []),
      ...(c.host ? [/^[\d.]+$/.test(c.host) ? "-verify_ip" : "-verify_hostname", c.host] : []),
      c.cert,
    ]);
    const k = kubepki([
      "verify", c.cert, "--ca", root, "--now", new Date(at * 1000).toISOString(),
      ...(untrustedFile ? ["--untrusted", untrustedFile] : []),
      ...(c.purpose ? ["--purpose", c.purpose] : []),
      ...(c.host ? ["--name", c.host] : []),
    ]);
    assert.equal(o.code === 0, c.valid, `${c.name}: openssl says ${o.stdout}${o.stderr}`);
    assert.equal(k.code, c.valid ? 0 : 1, `${c.name}: kubepki says ${k.stdout}${k.stderr}`);
  }

  // --expires-within answers what openssl x509 -checkend answers, for a leaf that lives one day.
  for (const seconds of [3600, 2 * 86400]) {
    const o = openssl(["x509", "-in", direct, "-noout", "-checkend", String(seconds)]);
    const k = kubepki(["verify", direct, "--ca", root, "--expires-within", `${seconds}s`, "-o", "json"]);
    assert.equal(k.code, o.code === 0 ? 0 : 1, `-checkend ${seconds}: ${o.stdout} / ${k.stdout}`);
    if (k.code === 1) assert.equal(JSON.parse(k.stdout).results[0].reason, "ExpiresSoon");
  }
});
