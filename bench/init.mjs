// bench/init.mjs — the same kubeadm PKI (3 CAs, 7 leaves, the sa key pair, and the
// five kubeconfigs with their client certificates) built three ways, side by side:
// the openssl CLI one step at a time and `kubectl config` for the kubeconfigs (as
// the guides script it), cfssl (with the same kubectl steps: it has no
// kubeconfigs), and kubepki; plus a bare `node -e 0` for the start-up floor.
// Usage: node bench/init.mjs [reps]
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compare, must } from "./lib.mjs";

const reps = Number(process.argv[2] ?? 5);
const BIN = fileURLToPath(new URL("../bin/kubepki", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "kubepki-bench-"));
const fresh = (name) => () => {
  rmSync(join(work, name), { recursive: true, force: true });
  mkdirSync(join(work, name, "etcd"), { recursive: true });
};

const SANS = "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:node1,IP:10.96.0.1,IP:10.0.0.10";
const ETCD_SANS = "DNS:localhost,DNS:node1,IP:10.0.0.10,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1";
const CAS = [["ca", "kubernetes"], ["front-proxy-ca", "front-proxy-ca"], ["etcd/ca", "etcd-ca"]];
const LEAVES = [
  ["apiserver", "ca", "/CN=kube-apiserver", "serverAuth", SANS],
  ["apiserver-kubelet-client", "ca", "/O=kubeadm:cluster-admins/CN=kube-apiserver-kubelet-client", "clientAuth"],
  ["front-proxy-client", "front-proxy-ca", "/CN=front-proxy-client", "clientAuth"],
  ["etcd/server", "etcd/ca", "/CN=node1", "serverAuth,clientAuth", ETCD_SANS],
  ["etcd/peer", "etcd/ca", "/CN=node1", "serverAuth,clientAuth", ETCD_SANS],
  ["etcd/healthcheck-client", "etcd/ca", "/CN=kube-etcd-healthcheck-client", "clientAuth"],
  ["apiserver-etcd-client", "etcd/ca", "/CN=kube-apiserver-etcd-client", "clientAuth"],
];
// kubeconfig → its client certificate, signed by the cluster CA.
const KUBECONFIGS = [
  ["admin.conf", "/O=kubeadm:cluster-admins/CN=kubernetes-admin"],
  ["super-admin.conf", "/O=system:masters/CN=kubernetes-super-admin"],
  ["controller-manager.conf", "/CN=system:kube-controller-manager"],
  ["scheduler.conf", "/CN=system:kube-scheduler"],
  ["kubelet.conf", "/O=system:nodes/CN=system:node:node1"],
];
const ALL_LEAVES = [...LEAVES, ...KUBECONFIGS.map(([conf, subj]) => [`client-${conf}`, "ca", subj, "clientAuth"])];

/** kubectl config, as the guides assemble kubeconfigs: cluster, credentials, context, current context. */
function kubeconfigs(dir, certOf) {
  for (const [conf, subj] of KUBECONFIGS) {
    const user = /CN=([^/]+)/.exec(subj)[1];
    const kc = ["--kubeconfig", join(dir, conf)];
    const [ca, cert, key] = certOf(conf);
    must("kubectl", ["config", "set-cluster", "kubernetes", "--server", "https://10.0.0.10:6443", "--certificate-authority", ca, "--embed-certs", ...kc]);
    must("kubectl", ["config", "set-credentials", user, "--client-certificate", cert, "--client-key", key, "--embed-certs", ...kc]);
    must("kubectl", ["config", "set-context", `${user}@kubernetes`, "--cluster", "kubernetes", "--user", user, ...kc]);
    must("kubectl", ["config", "use-context", `${user}@kubernetes`, ...kc]);
  }
}

/** The openssl CLI, one command at a time: genpkey, req, x509 -req with an extfile. */
function opensslScript(dir, alg, withKubeconfigs = true) {
  const key = (out) => must("openssl", alg === "rsa" ? ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", out] : ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", out]);
  for (const [base, cn] of CAS) {
    const p = join(dir, base);
    key(`${p}.key`);
    must("openssl", ["req", "-x509", "-new", "-key", `${p}.key`, "-subj", `/CN=${cn}`, "-days", "3650", "-out", `${p}.crt`,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign", "-addext", `subjectAltName=DNS:${cn}`]);
  }
  for (const [base, ca, subj, eku, sans] of ALL_LEAVES) {
    const p = join(dir, base);
    const c = join(dir, ca);
    key(`${p}.key`);
    must("openssl", ["req", "-new", "-key", `${p}.key`, "-subj", subj, "-out", `${p}.csr`]);
    const ext = `${p}.ext`;
    writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=${eku}\n${sans ? `subjectAltName=${sans}\n` : ""}`);
    must("openssl", ["x509", "-req", "-in", `${p}.csr`, "-CA", `${c}.crt`, "-CAkey", `${c}.key`, "-CAcreateserial", "-days", "365", "-extfile", ext, "-out", `${p}.crt`]);
  }
  key(join(dir, "sa.key"));
  must("openssl", ["pkey", "-in", join(dir, "sa.key"), "-pubout", "-out", join(dir, "sa.pub")]);
  if (withKubeconfigs) kubeconfigs(dir, (conf) => [join(dir, "ca.crt"), join(dir, `client-${conf}.crt`), join(dir, `client-${conf}.key`)]);
}

/** cfssl: gencert -initca for each CA, gencert with a profile per leaf. */
function cfsslScript(dir, alg, withKubeconfigs = true) {
  const keyReq = alg === "rsa" ? { algo: "rsa", size: 2048 } : { algo: "ecdsa", size: 256 };
  const config = { signing: { profiles: {
    server: { usages: ["signing", "key encipherment", "server auth"], expiry: "8760h" },
    peer: { usages: ["signing", "key encipherment", "server auth", "client auth"], expiry: "8760h" },
    client: { usages: ["signing", "key encipherment", "client auth"], expiry: "8760h" },
  } } };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  const save = (base, json) => must("cfssljson", ["-bare", join(dir, base)], { input: json });
  for (const [base, cn] of CAS) {
    writeFileSync(join(dir, "csr.json"), JSON.stringify({ CN: cn, key: keyReq, ca: { expiry: "87600h" } }));
    save(base, must("cfssl", ["gencert", "-initca", join(dir, "csr.json")]));
  }
  for (const [base, ca, subj, eku, sans] of ALL_LEAVES) {
    const cn = /CN=([^/]+)/.exec(subj)[1];
    const o = /O=([^/]+)/.exec(subj)?.[1];
    const hosts = (sans ?? "").split(",").filter(Boolean).map((s) => s.replace(/^(DNS|IP):/, ""));
    writeFileSync(join(dir, "csr.json"), JSON.stringify({ CN: cn, key: keyReq, names: o ? [{ O: o }] : [], hosts }));
    const profile = eku.includes(",") ? "peer" : eku === "serverAuth" ? "server" : "client";
    save(base, must("cfssl", ["gencert", `-ca=${join(dir, `${ca}.pem`)}`, `-ca-key=${join(dir, `${ca}-key.pem`)}`, `-config=${join(dir, "config.json")}`, `-profile=${profile}`, join(dir, "csr.json")]));
  }
  save("sa", must("cfssl", ["genkey", join(dir, "csr.json")]));
  if (withKubeconfigs) kubeconfigs(dir, (conf) => [join(dir, "ca.pem"), join(dir, `client-${conf}.pem`), join(dir, `client-${conf}-key.pem`)]);
}

const kubepki = (dir, alg) => must(process.execPath, [BIN, "init", "--out", dir, "--node-name", "node1", "--apiserver-advertise-address", "10.0.0.10", "--encryption-algorithm", alg]);

try {
  for (const [label, alg, kalg] of [["RSA-2048", "rsa", "RSA-2048"], ["ECDSA-P256", "ec", "ECDSA-P256"]]) {
    compare(`kubeadm PKI, ${label}: 3 CAs, 7 leaves, sa, 5 kubeconfigs`, [
      { name: "node -e 0 (start-up floor)", run: () => must(process.execPath, ["-e", "0"]) },
      { name: "openssl CLI, one step at a time", setup: fresh("o"), run: () => opensslScript(join(work, "o"), alg) },
      { name: "cfssl gencert", setup: fresh("c"), run: () => cfsslScript(join(work, "c"), alg) },
      // The same certificates without the kubectl steps: kubepki still writes the kubeconfigs here.
      { name: "openssl CLI, certificates only", setup: fresh("o"), run: () => opensslScript(join(work, "o"), alg, false) },
      { name: "cfssl gencert, certificates only", setup: fresh("c"), run: () => cfsslScript(join(work, "c"), alg, false) },
      { name: "kubepki init", setup: () => rmSync(join(work, "k"), { recursive: true, force: true }), run: () => kubepki(join(work, "k"), kalg) },
    ], { reps, baseline: "openssl CLI, one step at a time" });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
