// Unit tests for the signing policy and the CSR/kubeconfig parsers, plus fuzzed
// input: whatever bytes come in, the parsers answer with a KubepkiError (exit 2),
// never a crash.
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { test } from "node:test";
import { KubepkiError } from "../src/errors.ts";
import { readCSRFile } from "../src/kube/csr.ts";
import { mergeKubeconfig } from "../src/kube/kubeconfig-write.ts";
import { createCSR, csrToPEM, parseCSR } from "../src/pki/csr.ts";
import { parseKeyChoice } from "../src/pki/key-choice.ts";
import { privilegeWarnings } from "../src/signer/guard.ts";
import { mapUsages, requestedTTL, validityFor } from "../src/signer/sign.ts";
import { closest, parseNow } from "../src/cli/args.ts";
import type { CertificateModel } from "../src/pki/model.ts";

const H = 3_600_000;

test("requestedTTL is the signer's duration(): expirationSeconds clamped to [10m, signing duration]", () => {
  assert.equal(requestedTTL(8760 * H, undefined), 8760 * H);
  assert.equal(requestedTTL(8760 * H, 86400), 24 * H);
  assert.equal(requestedTTL(8760 * H, 60), 10 * 60_000, "below 10 minutes → 10 minutes");
  assert.equal(requestedTTL(24 * H, 365 * 86400), 24 * H, "never more than the signing duration");
});

test("validityFor: NotBefore 5 min back; long lifetimes end 5 min early, short ones do not; capped at the CA; an expired CA refuses", () => {
  const now = new Date("2030-01-01T00:00:00Z");
  const ca = { notAfter: new Date("2031-01-01T00:00:00Z") } as CertificateModel;
  const long = validityFor(now, 24 * H, ca);
  assert.equal(long.notBefore.toISOString(), "2029-12-31T23:55:00.000Z");
  assert.equal(long.notAfter.toISOString(), "2030-01-01T23:55:00.000Z");
  const short = validityFor(now, 2 * H, ca);
  assert.equal(short.notAfter.toISOString(), "2030-01-01T02:00:00.000Z");
  const capped = validityFor(now, 5 * 8760 * H, ca);
  assert.equal(capped.notAfter.toISOString(), ca.notAfter.toISOString());
  assert.ok(capped.cappedByCA);
  assert.throws(() => validityFor(new Date("2032-01-01T00:00:00Z"), H, ca), /the CA expired/);
  assert.throws(() => validityFor(new Date("1950-01-01T00:01:00Z"), H, ca), /before 1950/, "the 5-minute backdate must not fall into 1949");
});

test("parseNow keeps to the years a certificate can hold; closest finds typos and nothing for unrelated words", () => {
  assert.equal(parseNow("1950-01-01T00:00:00Z")!.toISOString(), "1950-01-01T00:00:00.000Z");
  assert.equal(parseNow("2050-06-01T00:00:00Z")!.getUTCFullYear(), 2050);
  for (const bad of ["1949-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "+010000-01-01T00:00:00Z"]) assert.throws(() => parseNow(bad), /outside the years 1950–9999/, bad);
  assert.throws(() => parseNow("yesterday"), /is not a time/);
  const commands = ["init", "inspect", "check", "kubeconfig", "user", "csr", "sign", "key", "renew", "explain", "verify"];
  assert.equal(closest("inpsect", commands), "inspect");
  assert.equal(closest("verfy", commands), "verify");
  assert.equal(closest("sing", commands), "sign");
  assert.equal(closest("kubeconf", commands), "kubeconfig");
  assert.equal(closest("deploy", commands), undefined);
  assert.equal(closest("x", commands), undefined);
});

test("mapUsages: key usages and EKUs, server auth before client auth as Go sorts them", () => {
  assert.deepEqual(mapUsages(["client auth", "server auth", "digital signature", "key encipherment"]), {
    keyUsage: ["digitalSignature", "keyEncipherment"], extKeyUsage: ["serverAuth", "clientAuth"],
  });
  assert.throws(() => mapUsages(["code signing"]), /cannot be issued/);
});

test("privilegeWarnings: what is privileged depends on the signer", () => {
  const id = (commonName: string, organization: string[] = []) => ({ subject: { commonName, organization } });
  const levels = (w: { level: string }[]) => w.map((x) => x.level);
  assert.deepEqual(privilegeWarnings(id("jane", ["dev"]), "kubernetes.io/kube-apiserver-client"), []);
  assert.deepEqual(levels(privilegeWarnings(id("system:node:a", ["system:nodes"]), "kubernetes.io/kube-apiserver-client")), ["privileged"]);
  assert.deepEqual(levels(privilegeWarnings(id("system:node:a", ["system:nodes"]), "kubernetes.io/kube-apiserver-client-kubelet")), ["note"]);
  assert.deepEqual(levels(privilegeWarnings(id("x", ["system:masters", "system:bootstrappers"]), "kubernetes.io/kube-apiserver-client")), ["privileged", "note"]);
});

test("parseKeyChoice refuses weak RSA with the reason, and unknown names", () => {
  assert.equal(parseKeyChoice("rsa-3072", "--algorithm").name, "RSA-3072");
  assert.throws(() => parseKeyChoice("RSA-1024", "--algorithm"), /RSA-1024 refused: RSA keys under 2048 bits/);
  assert.equal(parseKeyChoice("RSA-1024", "--algorithm", true).name, "RSA-1024");
  assert.throws(() => parseKeyChoice("RSA-512", "--algorithm", true), /not a usable RSA size/);
  assert.throws(() => parseKeyChoice("DSA", "--algorithm"), /unknown algorithm/);
});

test("parseCSR: a request we make verifies; one bit flipped anywhere in the signed part does not", () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const der = createCSR({ subject: { commonName: "jane", organization: ["dev"] }, dnsNames: ["a.example"] }, privateKey);
  assert.equal(parseCSR(der, "x").signatureValid, true);
  let refused = 0;
  for (let i = 0; i < 40; i++) {
    const copy = Buffer.from(der);
    const at = 8 + Math.floor(Math.random() * 120); // inside certificationRequestInfo
    copy[at] ^= 1 << Math.floor(Math.random() * 8);
    try {
      if (!parseCSR(copy, "x").signatureValid) refused++;
    } catch (err) {
      assert.ok(err instanceof KubepkiError, String(err));
      refused++;
    }
  }
  assert.equal(refused, 40, "every altered request is refused or unreadable");
});

test("fuzz: readCSRFile answers any input with a KubepkiError or a result, never a crash", () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const pem = csrToPEM(createCSR({ subject: { commonName: "fuzz" } }, privateKey));
  const object = `apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: f}\nspec:\n  request: ${Buffer.from(pem).toString("base64")}\n  signerName: kubernetes.io/kube-apiserver-client\n  usages: [client auth]\n`;
  const seeds = [pem, object, JSON.stringify({ kind: "List", items: [{ kind: "CertificateSigningRequest" }] }), "a: &x 1\nb: *x\nc: *y\n"];
  for (const bad of ["*unset", "kind: *nope", "{\"kind\": "]) assert.throws(() => readCSRFile(bad, "f"), KubepkiError, bad);
  for (let i = 0; i < 600; i++) {
    const seed = seeds[i % seeds.length];
    const chars = seed.split("");
    const edits = 1 + Math.floor(Math.random() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(Math.random() * chars.length);
      const kind = Math.random();
      if (kind < 0.4) chars[at] = String.fromCharCode(Math.floor(Math.random() * 128));
      else if (kind < 0.7) chars.splice(at, Math.floor(Math.random() * 20));
      else chars.splice(at, 0, randomBytes(4).toString("latin1"));
    }
    const input = chars.join("");
    try {
      const file = readCSRFile(input, "fuzz");
      for (const item of file.items) parseCSR(item.der, "fuzz");
    } catch (err) {
      assert.ok(err instanceof KubepkiError, `input ${JSON.stringify(input.slice(0, 80))}: ${(err as Error).stack}`);
    }
  }
});

test("mergeKubeconfig replaces file references with data (and back) without touching other fields", () => {
  const existing = {
    apiVersion: "v1", kind: "Config", "current-context": "x",
    clusters: [{ name: "c", cluster: { server: "https://old", "certificate-authority": "/ca.crt", "proxy-url": "http://proxy" } }],
    users: [{ name: "u", user: { "client-certificate": "/u.crt", "client-key": "/u.key", token: "t" } }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u", namespace: "n" } }],
  };
  const r = mergeKubeconfig(existing, { clusterName: "c", server: "https://new", ca: { data: "CA" }, userName: "u", credentials: { certData: "C", keyData: "K" }, contextName: "x" });
  assert.deepEqual(r.doc.clusters, [{ name: "c", cluster: { server: "https://new", "proxy-url": "http://proxy", "certificate-authority-data": "Q0E=" } }]);
  assert.deepEqual(r.doc.users, [{ name: "u", user: { token: "t", "client-certificate-data": "Qw==", "client-key-data": "Sw==" } }]);
  assert.deepEqual(r.doc.contexts, existing.contexts, "namespace kept");
  assert.equal(r.context, "unchanged");
  assert.equal(existing.clusters[0].cluster.server, "https://old", "the input is not mutated");
});
