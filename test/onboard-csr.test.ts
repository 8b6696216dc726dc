// The CSR flow: user create, csr review, sign and key, checked with openssl
// and with requests openssl made (as the study note makes them).
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { kubepki, openssl, opensslFields, tempDir } from "./helpers.ts";

/** A small cluster PKI to sign with (ECDSA: fast). */
function cluster(dir: string): string {
  const r = kubepki(["init", "--out", join(dir, "k"), "--node-name", "cp1", "--apiserver-advertise-address", "127.0.0.1", "--encryption-algorithm", "ECDSA-P256"]);
  assert.equal(r.code, 0, r.stderr);
  return join(dir, "k", "pki");
}

/** An openssl-made key and request, as the seed does: genrsa/genpkey, then req -new -subj. */
function opensslCSR(dir: string, name: string, subj: string, extra: string[] = []): string {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  assert.equal(openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]).code, 0);
  const r = openssl(["req", "-new", "-key", key, "-subj", subj, "-out", csr, ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return csr;
}

const files = (dir: string) => readdirSync(dir).sort();

test("user create writes a 0600 key, a CSR openssl verifies and a v1 CertificateSigningRequest for kubectl apply", (t) => {
  const dir = tempDir(t);
  const r = kubepki(["user", "create", "jane", "--group", "ops", "--group", "dev", "--duration", "36h", "--algorithm", "ECDSA-P256", "--out", dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kubectl apply -f .*jane-csr\.yaml/);
  assert.match(r.stdout, /kubectl certificate approve jane/);
  assert.equal(statSync(join(dir, "jane.key")).mode & 0o777, 0o600);
  const verify = openssl(["req", "-verify", "-in", join(dir, "jane.csr"), "-noout", "-subject", "-nameopt", "RFC2253"]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stderr + verify.stdout, /verify OK/);
  // One multi-valued RDN, DER-sorted (dev before ops); openssl's RFC 2253 form lists it backwards.
  assert.match(verify.stdout, /subject=CN=jane,O=ops\+O=dev/);
  const obj = parse(readFileSync(join(dir, "jane-csr.yaml"), "utf8"));
  assert.equal(obj.apiVersion, "certificates.k8s.io/v1");
  assert.equal(obj.kind, "CertificateSigningRequest");
  assert.equal(obj.metadata.name, "jane");
  assert.equal(obj.spec.signerName, "kubernetes.io/kube-apiserver-client");
  assert.equal(obj.spec.expirationSeconds, 36 * 3600);
  assert.deepEqual(obj.spec.usages, ["digital signature", "key encipherment", "client auth"], "the usages Kubernetes expects of a client certificate");
  assert.equal(Buffer.from(obj.spec.request, "base64").toString(), readFileSync(join(dir, "jane.csr"), "utf8"), "spec.request is the PEM, base64");
  // The key behind the request is jane.key.
  assert.equal(openssl(["req", "-in", join(dir, "jane.csr"), "-noout", "-pubkey"]).stdout, openssl(["pkey", "-in", join(dir, "jane.key"), "-pubout"]).stdout);

  // The same for an RSA key.
  const rsa = kubepki(["user", "create", "bob", "--out", dir, "-o", "json"]);
  assert.equal(rsa.code, 0, rsa.stderr);
  assert.deepEqual(JSON.parse(rsa.stdout).usages, ["digital signature", "key encipherment", "client auth"]);
  assert.match(openssl(["pkey", "-in", join(dir, "bob.key"), "-noout", "-text"]).stdout, /Private-Key: \(2048 bit/);

  // Never overwrites, and privileged groups are refused before anything is written.
  const again = kubepki(["user", "create", "jane", "--out", dir]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /jane\.key: a key exists; kubepki never overwrites it/);
  const before = files(dir);
  const masters = kubepki(["user", "create", "eve", "--group", "system:masters", "--algorithm", "ECDSA-P256", "--out", dir]);
  assert.equal(masters.code, 2);
  assert.match(masters.stderr, /system:masters: unrestricted superuser/);
  assert.deepEqual(files(dir), before, "nothing written");
  const short = kubepki(["user", "create", "tim", "--duration", "5m", "--out", dir]);
  assert.equal(short.code, 2);
  assert.match(short.stderr, /shorter than the API's minimum of 10m/);
});

test("csr review: openssl-made requests, the signer rules, loud privilege warnings, exit 1 when it warns", (t) => {
  const dir = tempDir(t);
  const plain = opensslCSR(dir, "jane", "/CN=jane/O=dev");
  const ok = kubepki(["csr", "review", plain]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /user \(CN\)\s+jane/);
  assert.match(ok.stdout, /groups \(O\)\s+dev/);
  assert.match(ok.stdout, /verified: the requester holds the private key/);
  assert.match(ok.stdout, /kubernetes\.io\/kube-apiserver-client would sign it/);

  const cases: [string, string, RegExp, string[]?][] = [
    ["masters", "/CN=mallory/O=system:masters", /PRIVILEGED: group system:masters/],
    ["admins", "/CN=mallory/O=kubeadm:cluster-admins", /PRIVILEGED: group kubeadm:cluster-admins/],
    ["node", "/CN=system:node:cp1/O=system:nodes", /PRIVILEGED: node identity \(CN system:node:cp1\) asked through kubernetes\.io\/kube-apiserver-client/],
    ["kcm", "/CN=system:kube-controller-manager", /PRIVILEGED: user system:kube-controller-manager/],
    ["sa", "/CN=system:serviceaccount:kube-system:default", /PRIVILEGED: service-account identity/],
    ["ca", "/CN=sneaky", /PRIVILEGED: asks to be a CA/, ["-addext", "basicConstraints=critical,CA:TRUE"]],
  ];
  for (const [name, subj, warning, extra] of cases) {
    const r = kubepki(["csr", "review", opensslCSR(dir, name, subj, extra)]);
    assert.equal(r.code, 1, `${name}: exit 1 on a privilege warning`);
    assert.match(r.stdout, warning, name);
  }
  // The same node request through the kubelet client signer is the normal path: a note, exit 0.
  const kubelet = kubepki(["csr", "review", join(dir, "node.csr"), "--signer", "kube-apiserver-client-kubelet"]);
  assert.equal(kubelet.code, 0, kubelet.stdout);
  assert.match(kubelet.stdout, /note: node identity: the holder acts as kubelet "cp1"/);

  // Signer rules: kubelet-serving needs a SAN; kubelet client forbids them.
  const serving = kubepki(["csr", "review", join(dir, "node.csr"), "--signer", "kubelet-serving", "-o", "json"]);
  assert.equal(serving.code, 1);
  const item = JSON.parse(serving.stdout).items[0];
  assert.equal(item.verdict, "refused");
  assert.ok(item.violations.includes("at least one DNS or IP subject alternative name is required"), item.violations.join("|"));
  const withSAN = opensslCSR(dir, "node-san", "/CN=system:node:cp1/O=system:nodes", ["-addext", "subjectAltName=DNS:cp1,IP:10.0.0.1"]);
  assert.equal(kubepki(["csr", "review", withSAN, "--signer", "kubelet-serving"]).code, 0);
  const clientWithSAN = kubepki(["csr", "review", withSAN, "--signer", "kube-apiserver-client-kubelet", "-o", "json"]);
  assert.match(JSON.parse(clientWithSAN.stdout).items[0].violations.join(), /subject alternative names are not allowed, got DNS:cp1, IP:10\.0\.0\.1/);
  const badUsages = kubepki(["csr", "review", plain, "--usages", "server auth", "-o", "json"]);
  assert.deepEqual(JSON.parse(badUsages.stdout).items[0].violations, ['usage "server auth" is not allowed for a client certificate', 'usages must include "client auth"']);
});

test("a request altered after signing is refused by review and by sign; openssl agrees it is broken", (t) => {
  const dir = tempDir(t);
  const pki = cluster(dir);
  const csr = opensslCSR(dir, "bob", "/CN=bob/O=dev");
  const pem = readFileSync(csr, "utf8");
  const der = Buffer.from(pem.split("\n").filter((l) => l && !l.startsWith("-----")).join(""), "base64");
  const i = der.indexOf(Buffer.from("bob"));
  der.write("rob", i, "latin1"); // same length: still well-formed DER, different identity
  const tampered = join(dir, "tampered.csr");
  writeFileSync(tampered, `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE REQUEST-----\n`);
  const check = openssl(["req", "-verify", "-in", tampered, "-noout"]);
  assert.match(check.stdout + check.stderr, /verify failure/, "openssl also refuses it");
  const review = kubepki(["csr", "review", tampered]);
  assert.equal(review.code, 1);
  assert.match(review.stdout, /signature\s+INVALID/);
  const sign = kubepki(["sign", tampered, "--cert-dir", pki, "--out", join(dir, "rob.crt")]);
  assert.equal(sign.code, 2);
  assert.match(sign.stderr, /refused: signature: the signature does not verify/);
  assert.ok(!existsSync(join(dir, "rob.crt")));
});

test("sign follows kube-controller-manager's signer (and the local signer its rules): subject and SANs copied, extensions dropped, usages mapped, 128-bit serial, lifetime clamped", (t) => {
  const dir = tempDir(t);
  const pki = cluster(dir);
  const now = "2027-03-01T12:00:00Z";
  // An openssl request asking for more than it may get: CA, code signing; the signer ignores request extensions.
  const csr = opensslCSR(dir, "app", "/CN=app/O=team-a/emailAddress=x@example.com", [
    "-addext", "subjectAltName=DNS:app.example.com,IP:10.1.2.3,email:app@example.com,URI:spiffe://example/app",
    "-addext", "extendedKeyUsage=codeSigning",
  ]);
  const out = join(dir, "app.crt");
  // SANs through a client-only signer are refused; the local signer with client usages copies them as the controller would.
  const local = ["--signer", "local", "--usages", "digital signature,key encipherment,client auth"];
  const r = kubepki(["sign", csr, "--cert-dir", pki, ...local, "--duration", "2h", "--now", now, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  const f = opensslFields(out);
  assert.equal(f.subject, "CN=app,O=team-a", "Go re-encodes the subject: O before CN, emailAddress dropped");
  assert.equal(f.issuer, "CN=kubernetes");
  assert.equal(f.san, "DNS:app.example.com, email:app@example.com, IP Address:10.1.2.3, URI:spiffe://example/app");
  assert.equal(f.extKeyUsage, "TLS Web Client Authentication", "from the usages, not the request");
  assert.equal(f.keyUsage, "Digital Signature, Key Encipherment", "the default client usages");
  assert.equal(f.basicConstraints, "CA:FALSE");
  assert.ok(f.serial.length > 16 && f.serial.length <= 34, `128-bit serial: ${f.serial}`);
  // 2h is short-lived: NotBefore 5 min back, NotAfter not backdated.
  assert.equal(f.notBefore.toISOString(), "2027-03-01T11:55:00.000Z");
  assert.equal(f.notAfter.toISOString(), "2027-03-01T14:00:00.000Z");
  const at = String(Date.parse(now) / 1000);
  assert.equal(openssl(["verify", "-attime", at, "-CAfile", join(pki, "ca.crt"), out]).code, 0);
  assert.equal(openssl(["x509", "-in", out, "-noout", "-pubkey"]).stdout, openssl(["req", "-in", csr, "-noout", "-pubkey"]).stdout);

  // A CSR object: expirationSeconds wins when shorter; long lifetimes end 5 minutes early; the object comes back approved.
  const made = kubepki(["user", "create", "jane", "--duration", "48h", "--algorithm", "ECDSA-P256", "--out", dir]);
  assert.equal(made.code, 0, made.stderr);
  const signed = join(dir, "jane-signed.yaml");
  const s = kubepki(["sign", join(dir, "jane-csr.yaml"), "--cert-dir", pki, "--now", now, "--out", signed]);
  assert.equal(s.code, 0, s.stderr);
  const obj = parse(readFileSync(signed, "utf8"));
  assert.equal(obj.status.conditions[0].type, "Approved");
  assert.equal(obj.status.conditions[0].status, "True");
  assert.equal(obj.spec.signerName, "kubernetes.io/kube-apiserver-client", "the rest of the object is kept");
  writeFileSync(join(dir, "jane.crt"), Buffer.from(obj.status.certificate, "base64"));
  const j = opensslFields(join(dir, "jane.crt"));
  assert.equal(j.notAfter.toISOString(), "2027-03-03T11:55:00.000Z", "now + 48h − 5m");
  assert.equal(openssl(["verify", "-attime", at, "-CAfile", join(pki, "ca.crt"), join(dir, "jane.crt")]).code, 0);

  // expirationSeconds below 10 minutes is raised to 10 minutes by the signer; the CA's end caps everything.
  const tenMin = kubepki(["sign", csr, "--cert-dir", pki, ...local, "--duration", "1s", "--now", now]);
  assert.equal(tenMin.code, 0, tenMin.stderr);
  writeFileSync(join(dir, "short.crt"), tenMin.stdout);
  assert.equal(opensslFields(join(dir, "short.crt")).notAfter.toISOString(), "2027-03-01T12:00:01.000Z", "--duration itself is the signer's TTL");
  const capped = kubepki(["sign", csr, "--cert-dir", pki, ...local, "--duration", "200000h"]);
  writeFileSync(join(dir, "capped.crt"), capped.stdout);
  assert.equal(opensslFields(join(dir, "capped.crt")).notAfter.getTime(), opensslFields(join(pki, "ca.crt")).notAfter.getTime(), "never past the CA");
  assert.match(capped.stderr, /cut to the CA's expiry/);
});

test("sign: the kubelet signers' rules, the privileged guard, and a JSON List round trip", (t) => {
  const dir = tempDir(t);
  const pki = cluster(dir);
  const node = opensslCSR(dir, "node", "/O=system:nodes/CN=system:node:w1");
  const refused = kubepki(["sign", node, "--cert-dir", pki]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /refused: node identity/);
  const r = kubepki(["sign", node, "--cert-dir", pki, "--signer", "kube-apiserver-client-kubelet", "--out", join(dir, "w1.crt")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(opensslFields(join(dir, "w1.crt")).extKeyUsage, "TLS Web Client Authentication");
  const wrongO = opensslCSR(dir, "wrongo", "/O=system:nodes/O=extra/CN=system:node:w1");
  const bad = kubepki(["sign", wrongO, "--cert-dir", pki, "--signer", "kube-apiserver-client-kubelet"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /the organization \(O\) must be exactly \[system:nodes\], got \[system:nodes, extra\]/);
  const serving = opensslCSR(dir, "serving", "/O=system:nodes/CN=system:node:w1", ["-addext", "subjectAltName=DNS:w1,IP:10.0.0.21"]);
  const sv = kubepki(["sign", serving, "--cert-dir", pki, "--signer", "kubelet-serving", "--out", join(dir, "w1-serving.crt")]);
  assert.equal(sv.code, 0, sv.stderr);
  const sf = opensslFields(join(dir, "w1-serving.crt"));
  assert.equal(sf.extKeyUsage, "TLS Web Server Authentication");
  assert.equal(sf.san, "DNS:w1, IP Address:10.0.0.21");

  // A JSON List (kubectl get csr a b -o json) comes back as a List, in JSON.
  const a = kubepki(["user", "create", "a", "--algorithm", "ECDSA-P256", "--out", dir, "-o", "json"]);
  const b = kubepki(["user", "create", "b", "--algorithm", "ECDSA-P256", "--out", dir, "-o", "json"]);
  assert.equal(a.code + b.code, 0);
  const list = { apiVersion: "v1", kind: "List", items: ["a", "b"].map((n) => parse(readFileSync(join(dir, `${n}-csr.yaml`), "utf8"))) };
  writeFileSync(join(dir, "list.json"), JSON.stringify(list));
  const out = kubepki(["sign", join(dir, "list.json"), "--cert-dir", pki]);
  assert.equal(out.code, 0, out.stderr);
  const back = JSON.parse(out.stdout);
  assert.equal(back.kind, "List");
  assert.deepEqual(back.items.map((i: { metadata: { name: string } }) => i.metadata.name), ["a", "b"]);
  for (const item of back.items) assert.match(Buffer.from(item.status.certificate, "base64").toString(), /^-----BEGIN CERTIFICATE-----/);
  // Signing it again is refused: status.certificate is immutable.
  writeFileSync(join(dir, "signed.json"), out.stdout);
  const twice = kubepki(["sign", join(dir, "signed.json"), "--cert-dir", pki]);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /already signed/);
});

test("bad input: one error line naming what is wrong, exit 2, nothing written", (t) => {
  const dir = tempDir(t);
  const pki = cluster(dir);
  const good = opensslCSR(dir, "good", "/CN=good");
  const pem = readFileSync(good, "utf8");
  writeFileSync(join(dir, "truncated.csr"), pem.slice(0, pem.length - 40));
  writeFileSync(join(dir, "notcsr.pem"), readFileSync(join(pki, "ca.crt")));
  writeFileSync(join(dir, "badb64.yaml"), "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: x}\nspec:\n  request: '!!!notbase64'\n  signerName: kubernetes.io/kube-apiserver-client\n  usages: [client auth]\n");
  writeFileSync(join(dir, "garbage.csr"), "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");
  const noKey = join(dir, "nokey");
  mkdirSync(noKey);
  copyFileSync(join(pki, "ca.crt"), join(noKey, "ca.crt"));

  const cases: [string[], RegExp][] = [
    [["sign", join(dir, "truncated.csr"), "--cert-dir", pki], /truncated\.csr: truncated PEM/],
    [["sign", join(dir, "notcsr.pem"), "--cert-dir", pki], /notcsr\.pem: no PEM CERTIFICATE REQUEST block found/],
    [["sign", join(dir, "badb64.yaml"), "--cert-dir", pki], /CertificateSigningRequest x: spec\.request: invalid base64/],
    [["sign", join(dir, "garbage.csr"), "--cert-dir", pki], /garbage\.csr: not a valid PKCS#10 certificate request/],
    [["sign", good, "--cert-dir", pki, "--signer", "example.com/mine"], /--signer: unknown signer "example\.com\/mine"/],
    [["sign", good, "--cert-dir", pki, "--duration", "5x"], /--duration: invalid duration "5x"/],
    [["sign", good, "--cert-dir", noKey], /nokey\/ca\.key: no such file: the CA's private key is needed to sign/],
    [["csr", "review", join(dir, "badb64.yaml")], /spec\.request: invalid base64/],
    [["user", "create", "zed", "--duration", "5x", "--out", dir], /--duration: invalid duration "5x"/],
    [["key", "generate", "--algorithm", "RSA-1024", "--out", join(dir, "weak.key")], /RSA-1024 refused: RSA keys under 2048 bits/],
  ];
  const before = files(dir);
  for (const [args, message] of cases) {
    const r = kubepki(args);
    assert.equal(r.code, 2, `${args.join(" ")}: exit 2\n${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").filter((l) => l.startsWith("error:")).length, 1, "one error line");
  }
  assert.deepEqual(files(dir), before, "nothing written");
});

test("key generate / key public: 0600, never overwritten, weak RSA only with --allow-weak, public halves openssl agrees with", (t) => {
  const dir = tempDir(t);
  const key = join(dir, "a.key");
  const g = kubepki(["key", "generate", "--algorithm", "ECDSA-P256", "--out", key]);
  assert.equal(g.code, 0, g.stderr);
  assert.equal(statSync(key).mode & 0o777, 0o600);
  assert.doesNotMatch(g.stdout, /PRIVATE/, "the key is never printed");
  assert.equal(openssl(["pkey", "-in", key, "-noout", "-check"]).code, 0);
  const again = kubepki(["key", "generate", "--algorithm", "ECDSA-P256", "--out", key]);
  assert.equal(again.code, 2);
  const pub = kubepki(["key", "public", key]);
  assert.equal(pub.code, 0, pub.stderr);
  assert.equal(pub.stdout, openssl(["pkey", "-in", key, "-pubout"]).stdout, "what openssl -pubout prints");
  // The seed's 1024-bit example, for a lab only.
  const weak = kubepki(["key", "generate", "--algorithm", "RSA-1024", "--allow-weak", "--out", join(dir, "weak.key")]);
  assert.equal(weak.code, 0, weak.stderr);
  assert.match(openssl(["rsa", "-in", join(dir, "weak.key"), "-noout", "-text"]).stdout, /Private-Key: \(1024 bit/);
  const rsa = openssl(["genrsa", "-out", join(dir, "o.key"), "2048"]);
  assert.equal(rsa.code, 0);
  assert.equal(kubepki(["key", "public", join(dir, "o.key")]).stdout, openssl(["rsa", "-in", join(dir, "o.key"), "-pubout"]).stdout);
});
