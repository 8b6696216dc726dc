// The kubeadm profile, attribute by attribute, read back with openssl (an
// independent parser) and compared with kubeadm's values written out here by
// hand from the reference — never with kubepki's own catalog.
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { kubepki, openssl, opensslFields, tempDir } from "./helpers.ts";

const LEAF_KU = "Digital Signature, Key Encipherment";
const CA_KU = "Digital Signature, Key Encipherment, Certificate Sign";
const SERVER = "TLS Web Server Authentication";
const CLIENT = "TLS Web Client Authentication";
const BOTH = "TLS Web Server Authentication, TLS Web Client Authentication";
const HOUR = 3600_000;

// kubeadm v1.31+ (certlist.go), for node "node1" at 10.0.0.10 behind lb.example.com:443 with extra SANs.
const APISERVER_SANS =
  "DNS:alpha.example.com, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, " +
  "DNS:lb.example.com, DNS:node1, DNS:zeta.example.com, IP Address:10.96.0.1, IP Address:10.0.0.10, IP Address:10.0.0.99";
const ETCD_SANS = "DNS:localhost, DNS:node1, IP Address:10.0.0.10, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1";
const EXPECTED: Record<string, { subject: string; issuer: string; ca: boolean; eku?: string; san?: string }> = {
  ca: { subject: "CN=kubernetes", issuer: "CN=kubernetes", ca: true, san: "DNS:kubernetes" },
  apiserver: { subject: "CN=kube-apiserver", issuer: "CN=kubernetes", ca: false, eku: SERVER, san: APISERVER_SANS },
  // No O from kubeadm v1.37.0 (and v1.33.12, v1.34.8, v1.35.5, v1.36.1), the default release: PR kubernetes/kubernetes#138957.
  "apiserver-kubelet-client": { subject: "CN=kube-apiserver-kubelet-client", issuer: "CN=kubernetes", ca: false, eku: CLIENT },
  "front-proxy-ca": { subject: "CN=front-proxy-ca", issuer: "CN=front-proxy-ca", ca: true, san: "DNS:front-proxy-ca" },
  "front-proxy-client": { subject: "CN=front-proxy-client", issuer: "CN=front-proxy-ca", ca: false, eku: CLIENT },
  "etcd/ca": { subject: "CN=etcd-ca", issuer: "CN=etcd-ca", ca: true, san: "DNS:etcd-ca" },
  "etcd/server": { subject: "CN=node1", issuer: "CN=etcd-ca", ca: false, eku: BOTH, san: ETCD_SANS },
  "etcd/peer": { subject: "CN=node1", issuer: "CN=etcd-ca", ca: false, eku: BOTH, san: ETCD_SANS },
  "etcd/healthcheck-client": { subject: "CN=kube-etcd-healthcheck-client", issuer: "CN=etcd-ca", ca: false, eku: CLIENT },
  "apiserver-etcd-client": { subject: "CN=kube-apiserver-etcd-client", issuer: "CN=etcd-ca", ca: false, eku: CLIENT },
};
const SIGNER: Record<string, string> = {
  apiserver: "ca", "apiserver-kubelet-client": "ca", "front-proxy-client": "front-proxy-ca",
  "etcd/server": "etcd/ca", "etcd/peer": "etcd/ca", "etcd/healthcheck-client": "etcd/ca", "apiserver-etcd-client": "etcd/ca",
};

const FLAGS = [
  "--node-name", "node1", "--apiserver-advertise-address", "10.0.0.10", "--control-plane-endpoint", "lb.example.com:443",
  "--apiserver-cert-extra-sans", "10.0.0.99,zeta.example.com,alpha.example.com,10.0.0.10",
];

/** What openssl says the key and signature of every certificate are, per algorithm. */
const ALGORITHMS: Record<string, { pem: string; publicKey: string; bits?: number; curve?: string; signature: string }> = {
  "RSA-2048": { pem: "RSA PRIVATE KEY", publicKey: "rsaEncryption", bits: 2048, signature: "sha256WithRSAEncryption" },
  "RSA-3072": { pem: "RSA PRIVATE KEY", publicKey: "rsaEncryption", bits: 3072, signature: "sha256WithRSAEncryption" },
  "RSA-4096": { pem: "RSA PRIVATE KEY", publicKey: "rsaEncryption", bits: 4096, signature: "sha256WithRSAEncryption" },
  "ECDSA-P256": { pem: "EC PRIVATE KEY", publicKey: "id-ecPublicKey", curve: "P-256", signature: "ecdsa-with-SHA256" },
  "ECDSA-P384": { pem: "EC PRIVATE KEY", publicKey: "id-ecPublicKey", curve: "P-384", signature: "ecdsa-with-SHA384" },
};

test("kubeadm profile: every certificate attribute matches kubeadm, read back by openssl", (t) => {
  const out = tempDir(t);
  const started = Date.now();
  const run = kubepki(["init", "--out", out, ...FLAGS]);
  assert.equal(run.code, 0, run.stderr);
  const pki = join(out, "pki");
  for (const [base, want] of Object.entries(EXPECTED)) {
    const f = opensslFields(join(pki, `${base}.crt`));
    assert.equal(f.subject, want.subject, `${base} subject`);
    assert.equal(f.issuer, want.issuer, `${base} issuer`);
    assert.equal(f.keyUsage, want.ca ? CA_KU : LEAF_KU, `${base} key usage`);
    assert.ok(f.keyUsageCritical, `${base} key usage is critical`);
    assert.equal(f.basicConstraints, want.ca ? "CA:TRUE" : "CA:FALSE", `${base} basic constraints`);
    assert.ok(f.basicConstraintsCritical, `${base} basic constraints are critical`);
    assert.equal(f.extKeyUsage, want.eku, `${base} extended key usage`);
    assert.equal(f.san, want.san, `${base} SANs`);
    // Random positive serial below 2^63, as kubeadm draws it.
    assert.match(f.serial, /^[0-7]?[0-9A-F]{1,15}$/, `${base} serial ${f.serial}`);
    assert.notEqual(BigInt(`0x${f.serial}`), 0n);
    // NotBefore backdated 5 minutes; NotAfter = start + 8760h (leaves) or 87600h (CAs), not backdated.
    const validity = f.notAfter.getTime() - f.notBefore.getTime();
    assert.equal(validity, (want.ca ? 87600 : 8760) * HOUR + 5 * 60_000, `${base} validity`);
    assert.ok(Math.abs(f.notBefore.getTime() - (started - 5 * 60_000)) < 60_000, `${base} notBefore ${f.notBefore.toISOString()}`);
    // Go's key identifiers: an SKID on CAs only, leaves carry their CA's as AKID.
    if (want.ca) {
      assert.ok(f.skid, `${base} has an SKID`);
      assert.equal(f.akid, undefined, `${base} self-signed: no AKID`);
    } else {
      assert.equal(f.skid, undefined, `${base} leaf: no SKID`);
      assert.equal(f.akid, opensslFields(join(pki, `${SIGNER[base]}.crt`)).skid, `${base} AKID is its CA's SKID`);
    }
    assert.equal(statSync(join(pki, `${base}.key`)).mode & 0o777, 0o600, `${base}.key is 0600`);
  }
  // The service-account key pair: sa.pub is the public half of sa.key.
  assert.equal(statSync(join(pki, "sa.key")).mode & 0o777, 0o600);
  const derived = openssl(["pkey", "-in", join(pki, "sa.key"), "-pubout"]).stdout;
  assert.equal(readFileSync(join(pki, "sa.pub"), "utf8"), derived);
  assert.match(readFileSync(join(pki, "sa.pub"), "utf8"), /^-----BEGIN PUBLIC KEY-----/);
});

test("kubeadm profile: openssl verifies each leaf for its purpose against its own CA only", (t) => {
  const out = tempDir(t);
  assert.equal(kubepki(["init", "--out", out, ...FLAGS, "--encryption-algorithm", "ECDSA-P256"]).code, 0);
  const pki = join(out, "pki");
  for (const [base, ca] of Object.entries(SIGNER)) {
    const purposes = EXPECTED[base].eku === BOTH ? ["sslserver", "sslclient"] : EXPECTED[base].eku === SERVER ? ["sslserver"] : ["sslclient"];
    for (const purpose of purposes) {
      const ok = openssl(["verify", "-purpose", purpose, "-CAfile", join(pki, `${ca}.crt`), join(pki, `${base}.crt`)]);
      assert.equal(ok.code, 0, `${base} as ${purpose} against ${ca}: ${ok.stderr}`);
    }
    const other = ca === "ca" ? "etcd/ca" : "ca";
    const wrong = openssl(["verify", "-CAfile", join(pki, `${other}.crt`), join(pki, `${base}.crt`)]);
    assert.notEqual(wrong.code, 0, `${base} must not verify against ${other}`);
  }
  // A client certificate is not a server certificate.
  assert.notEqual(openssl(["verify", "-purpose", "sslserver", "-CAfile", join(pki, "ca.crt"), join(pki, "apiserver-kubelet-client.crt")]).code, 0);
});

for (const [algorithm, want] of Object.entries(ALGORITHMS)) {
  test(`--encryption-algorithm ${algorithm}: key type, PEM encoding and signature algorithm`, (t) => {
    const out = tempDir(t);
    // RSA-3072/4096 keys are slow to make: use external etcd there (5 certificates instead of 10).
    const slow = algorithm === "RSA-3072" || algorithm === "RSA-4096";
    const args = ["init", "--out", out, "--node-name", "node1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", algorithm];
    if (slow) {
      const config = join(out, "kubeadm.yaml");
      writeFileSync(config, "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\netcd:\n  external:\n    endpoints: [https://10.0.0.50:2379]\n");
      args.push("--config", config);
    }
    const run = kubepki(args);
    assert.equal(run.code, 0, run.stderr);
    const bases = Object.keys(EXPECTED).filter((b) => !(slow && (b.startsWith("etcd/") || b === "apiserver-etcd-client")));
    for (const base of bases) {
      const f = opensslFields(join(out, "pki", `${base}.crt`));
      assert.equal(f.publicKey, want.publicKey, `${base} key`);
      if (want.bits) assert.equal(f.keyBits, want.bits, `${base} bits`);
      if (want.curve) assert.equal(f.curve, want.curve, `${base} curve`);
      assert.equal(f.signatureAlgorithm, want.signature, `${base} signature`);
      assert.match(readFileSync(join(out, "pki", `${base}.key`), "utf8"), new RegExp(`^-----BEGIN ${want.pem}-----`), `${base}.key encoding`);
    }
  });
}

