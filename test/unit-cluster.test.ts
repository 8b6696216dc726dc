// Units of the cluster description: durations, addresses, SAN rules, config
// parsing, PEM decoding — including fuzzed input that must fail cleanly.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { dedupeAltNames, splitSANs } from "../src/catalog/altnames.ts";
import { parseClusterConfig } from "../src/cluster/config-file.ts";
import { parseDuration, shortHumanDuration } from "../src/cluster/duration.ts";
import { firstServiceIP, parseServiceSubnet, splitHostPort } from "../src/cluster/net.ts";
import { KubepkiError } from "../src/errors.ts";
import { decodePem, encodePem } from "../src/pki/pem.ts";
import { parseStaticPod } from "../src/kube/manifest.ts";
import { parseKubeconfig } from "../src/kube/kubeconfig.ts";

test("Go durations, plus days", () => {
  assert.equal(parseDuration("8760h", "x"), 8760 * 3600_000);
  assert.equal(parseDuration("1h30m", "x"), 90 * 60_000);
  assert.equal(parseDuration("1.5h", "x"), 90 * 60_000);
  assert.equal(parseDuration("30d", "x"), 30 * 86_400_000);
  assert.equal(parseDuration("500ms", "x"), 500);
  for (const bad of ["", "5x", "h", "10", "1h 30m", "-1h", "1hh"]) assert.throws(() => parseDuration(bad, "--d"), /--d: invalid duration/);
});

test("kubeadm's RESIDUAL TIME format", () => {
  assert.equal(shortHumanDuration(-5000), "<invalid>");
  assert.equal(shortHumanDuration(30_000), "30s");
  assert.equal(shortHumanDuration(364 * 86_400_000), "364d");
  assert.equal(shortHumanDuration(3650 * 86_400_000), "10y");
});

test("the service IP is the first address of the first service CIDR (kubeadm GetIndexedIP(cidr, 1))", () => {
  assert.equal(firstServiceIP("10.96.0.0/12"), "10.96.0.1");
  assert.equal(firstServiceIP("10.100.5.7/16"), "10.100.0.1", "host bits are cleared first");
  assert.equal(firstServiceIP("172.16.255.0/23"), "172.16.254.1");
  assert.equal(firstServiceIP("fd00:10:96::/112"), "fd00:10:96::1");
  assert.deepEqual(parseServiceSubnet("10.96.0.0/12, fd00::/108", "x"), ["10.96.0.0/12", "fd00::/108"]);
  for (const bad of ["10.96.0.0", "10.96.0.0/33", "10.96.0.0/31", "::/200", "cidr"]) assert.throws(() => parseServiceSubnet(bad, "--service-cidr"), KubepkiError);
});

test("host:port splitting for the control-plane endpoint", () => {
  assert.deepEqual(splitHostPort("lb.example.com:443", "x"), { host: "lb.example.com", port: 443 });
  assert.deepEqual(splitHostPort("10.0.0.1", "x"), { host: "10.0.0.1", port: undefined });
  assert.deepEqual(splitHostPort("[fd00::1]:6443", "x"), { host: "fd00::1", port: 6443 });
  assert.deepEqual(splitHostPort("fd00::1", "x"), { host: "fd00::1", port: undefined });
  for (const bad of ["lb:0", "lb:99999", "under_score:443", ":443"]) assert.throws(() => splitHostPort(bad, "x"), KubepkiError);
});

test("SANs: IPs and names split, DNS sorted and de-duplicated, IPs in first-seen order (kubeadm RemoveDuplicateAltNames)", () => {
  const names = dedupeAltNames({ dnsNames: ["zeta", "alpha", "zeta"], ipAddresses: ["10.0.0.2", "10.0.0.1", "10.0.0.2", "0:0:0:0:0:0:0:1", "::1"] });
  assert.deepEqual(names, { dnsNames: ["alpha", "zeta"], ipAddresses: ["10.0.0.2", "10.0.0.1", "::1"] });
  assert.deepEqual(splitSANs(["10.0.0.1", "*.apps.example.com", "api.example.com", "fd00::1"]), {
    dnsNames: ["*.apps.example.com", "api.example.com"], ipAddresses: ["10.0.0.1", "fd00::1"],
  });
});

test("PEM decoding: blocks in order, text between ignored, truncation and bad base64 named", () => {
  const a = encodePem("CERTIFICATE", Buffer.from("one"));
  const b = encodePem("EC PRIVATE KEY", Buffer.from("two"));
  const blocks = decodePem(`subject=whatever\n${a}junk\n${b}`, "f.pem");
  assert.deepEqual(blocks.map((x) => [x.label, x.der.toString()]), [["CERTIFICATE", "one"], ["EC PRIVATE KEY", "two"]]);
  assert.throws(() => decodePem(a.slice(0, 40), "f.pem"), /f\.pem: truncated PEM/);
  assert.throws(() => decodePem("-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n", "f.pem"), /invalid base64/);
});

test("fuzz: random and truncated bytes into the PEM and config readers fail with a KubepkiError or parse, never crash", () => {
  const pem = encodePem("CERTIFICATE", randomBytes(300));
  const config = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking:\n  serviceSubnet: 10.96.0.0/12\napiServer:\n  certSANs: [a.example.com, 10.0.0.1]\n";
  for (let i = 0; i < 400; i++) {
    const seed = i % 2 ? pem : config;
    const cut = seed.slice(0, Math.floor(Math.random() * seed.length));
    const noise = randomBytes(1 + (i % 40)).toString(i % 3 ? "latin1" : "base64");
    for (const input of [cut, cut + noise, noise]) {
      for (const read of [() => decodePem(input, "fuzz"), () => parseClusterConfig(input, "fuzz")]) {
        try {
          read();
        } catch (err) {
          assert.ok(err instanceof KubepkiError, `unexpected ${(err as Error).stack}`);
          assert.doesNotMatch(err.message, /\n/, "one line");
        }
      }
    }
  }
});

test("fuzz: static pod manifests and kubeconfigs of any shape fail with one KubepkiError line or parse", () => {
  const manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver-cp1\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --tls-cert-file=/etc/kubernetes/pki/apiserver.crt]\n    volumeMounts: [{name: k8s-certs, mountPath: /etc/kubernetes/pki}]\n  volumes: [{name: k8s-certs, hostPath: {path: /etc/kubernetes/pki}}]\n";
  const kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster: {server: https://10.0.0.1:6443, certificate-authority-data: TFMwdA==}\nusers:\n- name: u\n  user: {client-certificate-data: TFMwdA==}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\ncurrent-context: c\n";
  const shapes = ["null", "1", "[]", "{}", "[null]", "[1, [2]]", "{a: b}", "\"str\"", "*x", "!!binary AAAA"];
  for (let i = 0; i < 300; i++) {
    for (const [seed, read] of [[manifest, parseStaticPod], [kubeconfig, parseKubeconfig]] as const) {
      const lines = seed.split("\n");
      const at = Math.floor(Math.random() * lines.length);
      // Replace one value with an odd shape, or cut the text anywhere.
      lines[at] = lines[at].replace(/:\s.*$/, `: ${shapes[i % shapes.length]}`);
      for (const input of [lines.join("\n"), seed.slice(0, Math.floor(Math.random() * seed.length))]) {
        try {
          read(input, "fuzz.yaml");
        } catch (err) {
          assert.ok(err instanceof KubepkiError, `unexpected ${(err as Error).stack}\n--- input:\n${input}`);
          assert.doesNotMatch(err.message, /\n/);
        }
      }
    }
  }
});
