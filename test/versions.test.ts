// --kubernetes-version: what init writes for each kubeadm release, read back
// with openssl (never kubepki's reader) and compared with kubeadm's values
// written out here by hand; the SKID recomputed from openssl's public key with
// openssl dgst. Plus the version data itself, image-tag inference and the
// generated docs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { kubeadmFacts, inferKubernetesVersion, parseKubernetesVersion, NEWEST_KNOWN } from "../src/catalog/versions.ts";
import { renderVersionsDoc } from "../src/catalog/versions-doc.ts";
import { parseStaticPod } from "../src/kube/manifest.ts";
import { kubepki, openssl, opensslFields, ROOT, tempDir } from "./helpers.ts";

const NODE = ["--node-name", "cp1", "--apiserver-advertise-address", "10.0.0.10"];
const O_BEFORE = "CN=kube-apiserver-kubelet-client,O=kubeadm:cluster-admins";
const O_AFTER = "CN=kube-apiserver-kubelet-client";

/**
 * The SKID Go computes for a CA, from the certificate as openssl reads it: the
 * subjectPublicKey BIT STRING's bytes (the last 65 of a P-256 SPKI, an
 * uncompressed point; 97 for P-384), hashed by openssl dgst; SHA-256 cut to 160 bits.
 */
function expectedSKID(certFile: string, hash: "sha1" | "sha256", pointBytes: number): string {
  const pub = openssl(["x509", "-in", certFile, "-noout", "-pubkey"]).stdout;
  const spki = binary(["pkey", "-pubin", "-outform", "DER"], Buffer.from(pub));
  const digest = binary(["dgst", `-${hash}`, "-binary"], spki.subarray(spki.length - pointBytes));
  return [...digest.subarray(0, 20)].map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join(":");
}

/** openssl with bytes in and out. */
function binary(args: string[], input: Buffer): Buffer {
  const r = spawnSync("openssl", args, { input });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout;
}

interface Want { subject: string; hash: "sha1" | "sha256" }

function initAndCompare(t: import("node:test").TestContext, version: string | undefined, want: Want, algorithm = "ECDSA-P256") {
  const out = tempDir(t);
  const run = kubepki(["init", "--out", out, ...NODE, "--encryption-algorithm", algorithm, ...(version ? ["--kubernetes-version", version] : [])]);
  assert.equal(run.code, 0, run.stderr);
  const pki = join(out, "pki");
  assert.equal(opensslFields(join(pki, "apiserver-kubelet-client.crt")).subject, want.subject, `${version}: apiserver-kubelet-client subject`);
  const point = algorithm === "ECDSA-P384" ? 97 : 65;
  for (const [ca, leaf] of [["ca", "apiserver"], ["front-proxy-ca", "front-proxy-client"], ["etcd/ca", "etcd/server"]]) {
    const skid = opensslFields(join(pki, `${ca}.crt`)).skid;
    assert.equal(skid, expectedSKID(join(pki, `${ca}.crt`), want.hash, point), `${version}: ${ca} SKID is the ${want.hash} of its key`);
    assert.equal(opensslFields(join(pki, `${leaf}.crt`)).akid, skid, `${version}: ${leaf} AKID is its CA's SKID`);
  }
  // keyutil.WriteKey writes sa.pub 0600 like every key.
  assert.equal(statSync(join(pki, "sa.pub")).mode & 0o777, 0o600, "sa.pub is 0600");
  // openssl still builds every chain.
  assert.equal(openssl(["verify", "-CAfile", join(pki, "ca.crt"), join(pki, "apiserver-kubelet-client.crt")]).code, 0);
  return out;
}

test("v1.31.14: O=kubeadm:cluster-admins, SHA-1 SKIDs, sa.pub 0600", (t) => {
  initAndCompare(t, "v1.31.14", { subject: O_BEFORE, hash: "sha1" });
});

test("v1.34.x: O until v1.34.7, none from v1.34.8 (PR 138957's cherry-pick); SHA-1 SKIDs; ECDSA-P384 accepted", (t) => {
  initAndCompare(t, "v1.34.7", { subject: O_BEFORE, hash: "sha1" });
  initAndCompare(t, "v1.34.8", { subject: O_AFTER, hash: "sha1" }, "ECDSA-P384");
});

test("v1.37.x and the default (the newest known): no O, SHA-256 SKIDs", (t) => {
  initAndCompare(t, "v1.37.0", { subject: O_AFTER, hash: "sha256" });
  initAndCompare(t, undefined, { subject: O_AFTER, hash: "sha256" });
  assert.equal(NEWEST_KNOWN, "v1.37.0");
});

test("ECDSA-P384 before v1.34 and an unknown version are refused with exit 2, nothing written", (t) => {
  const out = tempDir(t);
  for (const [args, message] of [
    [["--kubernetes-version", "v1.33.5", "--encryption-algorithm", "ECDSA-P384"], /ECDSA-P384 is not valid for kubeadm v1\.33\.5/],
    [["--kubernetes-version", "latest"], /--kubernetes-version: "latest" is not a Kubernetes version/],
    [["--kubernetes-version", "v1.29.0"], /older than v1\.31\.0/],
  ] as const) {
    const run = kubepki(["init", "--out", join(out, "k"), ...NODE, ...args]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.match(run.stderr, /^error: /);
    assert.equal(existsSync(join(out, "k")), false, "nothing written");
  }
});

test("kubernetesVersion in a kubeadm ClusterConfiguration picks the rules; the flag overrides it", (t) => {
  const dir = tempDir(t);
  const config = join(dir, "kubeadm.yaml");
  writeFileSync(config, "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.33.11\nencryptionAlgorithm: ECDSA-P256\n");
  const out = join(dir, "a");
  assert.equal(kubepki(["init", "--out", out, ...NODE, "--config", config]).code, 0);
  assert.equal(opensslFields(join(out, "pki/apiserver-kubelet-client.crt")).subject, O_BEFORE);
  const out2 = join(dir, "b");
  assert.equal(kubepki(["init", "--out", out2, ...NODE, "--config", config, "--kubernetes-version", "v1.33.12"]).code, 0);
  assert.equal(opensslFields(join(out2, "pki/apiserver-kubelet-client.crt")).subject, O_AFTER);
});

test("the version ranges: every boundary of the O rule and the SKID rule", () => {
  const o = (v: string) => kubeadmFacts(parseKubernetesVersion(v)).apiserverKubeletClientOrganization.length > 0;
  for (const v of ["v1.31.0", "v1.32.9", "v1.33.11", "v1.34.7", "v1.35.4", "v1.36.0"]) assert.equal(o(v), true, `${v} has O`);
  for (const v of ["v1.33.12", "v1.34.8", "v1.35.5", "v1.36.1", "v1.37.0", "v1.38.2"]) assert.equal(o(v), false, `${v} has no O`);
  const hash = (v: string) => kubeadmFacts(parseKubernetesVersion(v)).subjectKeyIdHash;
  assert.deepEqual(["v1.31.0", "v1.34.9", "v1.35.0", "v1.37.0"].map(hash), ["sha1", "sha1", "sha256", "sha256"]);
  assert.deepEqual(parseKubernetesVersion("1.34"), { major: 1, minor: 34, patch: 0 });
});

test("inferKubernetesVersion reads the control-plane image tags of static pod manifests", () => {
  const pod = (name: string, image: string) =>
    parseStaticPod(`apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: kube-system}\nspec:\n  containers:\n  - name: ${name}\n    image: ${image}\n    command: [${name}]\n`, `${name}.yaml`);
  assert.deepEqual(inferKubernetesVersion([pod("etcd", "registry.k8s.io/etcd:3.5.15-0"), pod("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.34.8")]), { major: 1, minor: 34, patch: 8 });
  assert.deepEqual(inferKubernetesVersion([pod("kube-scheduler", "my.registry:5000/k8s/kube-scheduler:v1.33.12-eks-1@sha256:" + "a".repeat(64))]), { major: 1, minor: 33, patch: 12 });
  assert.equal(inferKubernetesVersion([pod("kube-apiserver", "registry.k8s.io/kube-apiserver@sha256:" + "b".repeat(64))]), undefined, "a digest alone says nothing");
  assert.equal(inferKubernetesVersion([pod("etcd", "registry.k8s.io/etcd:3.5.15-0")]), undefined);
});

test("docs/kubeadm-versions.md is generated from the catalog's data (npm run docs:versions)", () => {
  assert.equal(readFileSync(join(ROOT, "docs/kubeadm-versions.md"), "utf8"), renderVersionsDoc(), "run npm run docs:versions");
  // Every rule of the data has its row.
  const doc = renderVersionsDoc();
  for (const row of ["apiserver-kubelet-client O", "ECDSA-P384", "sa.pub file mode", "kubelet.conf"]) assert.ok(doc.includes(row), row);
  assert.ok(readdirSync(join(ROOT, "docs")).includes("kubeadm-versions.md"));
});
