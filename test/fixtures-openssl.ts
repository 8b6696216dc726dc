// Builds whole control-plane nodes (etc/kubernetes + var/lib/kubelet) with the
// openssl CLI or cfssl, never with kubepki, so that the checker is judged
// against certificates it did not make.
import { randomBytes } from "node:crypto";
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sh } from "./helpers.ts";

/** The node every fixture describes. */
export const NODE = {
  name: "cp1",
  address: "10.0.0.10",
  endpoint: "k8s.example.test",
  serviceCIDR: "10.96.0.0/12",
  serviceIP: "10.96.0.1",
};

export type EKU = "serverAuth" | "clientAuth";

export interface LeafSpec {
  cn: string;
  o?: string[];
  /** Stem (path without .crt/.key) of the signing CA. */
  ca: string;
  eku: EKU[];
  dns?: string[];
  ips?: string[];
  days?: number;
  key?: "ec" | "rsa1024" | "rsa2048";
  /** Sign this existing key instead of generating one. */
  reuseKey?: string;
  sha1?: boolean;
  isCA?: boolean;
}

export interface Signer {
  /** A self-signed CA at stem.crt / stem.key. */
  ca(stem: string, cn: string, options?: { notCA?: boolean; reuseKey?: string }): void;
  leaf(stem: string, spec: LeafSpec): void;
}

function openssl(args: string[], input?: string): string {
  return sh("openssl", args, { check: true, input }).stdout;
}

const subj = (cn: string, o: string[] = []) => `${o.map((g) => `/O=${g}`).join("")}/CN=${cn}`;

/** An openssl config with one extension section, as `req -x509 -config` and `x509 -req -extfile` take it. */
function extConfig(file: string, lines: string[]): string {
  writeFileSync(file, ["[req]", "distinguished_name = dn", "[dn]", "[ext]", ...lines, ""].join("\n"));
  return file;
}

function newKey(file: string, kind: LeafSpec["key"] = "ec"): void {
  mkdirSync(dirname(file), { recursive: true });
  if (kind === "ec") openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file]);
  else openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${kind === "rsa1024" ? 1024 : 2048}`, "-out", file]);
  chmodSync(file, 0o600); // as kubeadm writes keys
}

export function opensslSigner(): Signer {
  return {
    ca(stem, cn, options = {}) {
      mkdirSync(dirname(stem), { recursive: true });
      if (options.reuseKey) {
        if (options.reuseKey !== `${stem}.key`) cpSync(options.reuseKey, `${stem}.key`);
      } else newKey(`${stem}.key`);
      const ext = options.notCA
        ? ["basicConstraints = critical,CA:FALSE", "keyUsage = critical,digitalSignature,keyEncipherment"]
        : ["basicConstraints = critical,CA:TRUE", "keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign", "subjectKeyIdentifier = hash"];
      const cfg = extConfig(`${stem}.cnf`, ext);
      openssl(["req", "-x509", "-new", "-key", `${stem}.key`, "-subj", subj(cn), "-days", "3650", "-config", cfg, "-extensions", "ext", "-out", `${stem}.crt`]);
      rmSync(cfg);
    },
    leaf(stem, spec) {
      mkdirSync(dirname(stem), { recursive: true });
      if (spec.reuseKey) {
        if (spec.reuseKey !== `${stem}.key`) cpSync(spec.reuseKey, `${stem}.key`);
      } else newKey(`${stem}.key`, spec.key);
      const sans = [...(spec.dns ?? []).map((d) => `DNS:${d}`), ...(spec.ips ?? []).map((ip) => `IP:${ip}`)];
      const cfg = extConfig(`${stem}.cnf`, [
        `basicConstraints = critical,CA:${spec.isCA ? "TRUE" : "FALSE"}`,
        "keyUsage = critical,digitalSignature,keyEncipherment",
        `extendedKeyUsage = ${spec.eku.join(",")}`,
        ...(sans.length ? [`subjectAltName = ${sans.join(",")}`] : []),
      ]);
      const csr = openssl(["req", "-new", "-key", `${stem}.key`, "-subj", subj(spec.cn, spec.o)]);
      openssl([
        "x509", "-req", "-CA", `${spec.ca}.crt`, "-CAkey", `${spec.ca}.key`, "-set_serial", `0x${randomBytes(8).toString("hex")}`,
        "-days", String(spec.days ?? 365), "-extfile", cfg, "-extensions", "ext", spec.sha1 ? "-sha1" : "-sha256", "-out", `${stem}.crt`,
      ], csr);
      rmSync(cfg);
    },
  };
}

/**
 * A leaf with explicit validity dates (openssl 3.0's x509 has only -days):
 * `openssl ca` with a throwaway database. Dates are openssl's YYYYMMDDHHMMSSZ.
 */
export function leafWithDates(stem: string, spec: LeafSpec, startdate: string, enddate: string): void {
  const work = `${stem}.ca-work`;
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "index.txt"), "");
  writeFileSync(join(work, "serial"), randomBytes(8).toString("hex") + "\n");
  const cfg = join(work, "ca.cnf");
  writeFileSync(cfg, [
    "[ca]", "default_ca = d", "[d]", `database = ${work}/index.txt`, `new_certs_dir = ${work}`, `serial = ${work}/serial`,
    "default_md = sha256", "policy = p", "unique_subject = no", "[p]", "commonName = supplied", "organizationName = optional",
    "[ext]", "basicConstraints = critical,CA:FALSE", "keyUsage = critical,digitalSignature,keyEncipherment", `extendedKeyUsage = ${spec.eku.join(",")}`, "",
  ].join("\n"));
  newKey(`${stem}.key`, spec.key);
  openssl(["req", "-new", "-key", `${stem}.key`, "-subj", subj(spec.cn, spec.o), "-out", join(work, "req.csr")]);
  openssl(["ca", "-batch", "-config", cfg, "-cert", `${spec.ca}.crt`, "-keyfile", `${spec.ca}.key`, "-in", join(work, "req.csr"), "-out", `${stem}.crt`,
    "-startdate", startdate, "-enddate", enddate, "-extensions", "ext", "-notext"]);
  rmSync(work, { recursive: true });
}

/** cfssl (golang-cfssl) as the issuer: JSON requests, a signing profile per usage. */
export function cfsslSigner(work: string): Signer {
  mkdirSync(work, { recursive: true });
  const config = join(work, "cfssl-config.json");
  const usages = (eku: EKU[]) => ["signing", "key encipherment", ...eku.map((u) => (u === "serverAuth" ? "server auth" : "client auth"))];
  writeFileSync(config, JSON.stringify({
    signing: {
      default: { expiry: "8760h" },
      profiles: {
        server: { expiry: "8760h", usages: usages(["serverAuth"]) },
        client: { expiry: "8760h", usages: usages(["clientAuth"]) },
        both: { expiry: "8760h", usages: usages(["serverAuth", "clientAuth"]) },
      },
    },
  }));
  const save = (stem: string, out: string) => {
    const { cert, key } = JSON.parse(out) as { cert: string; key: string };
    mkdirSync(dirname(stem), { recursive: true });
    writeFileSync(`${stem}.crt`, cert);
    writeFileSync(`${stem}.key`, key, { mode: 0o600 });
  };
  return {
    ca(stem, cn) {
      const csr = join(work, "ca-csr.json");
      writeFileSync(csr, JSON.stringify({ CN: cn, key: { algo: "ecdsa", size: 256 }, ca: { expiry: "87600h" } }));
      save(stem, sh("cfssl", ["gencert", "-initca", csr], { check: true }).stdout);
    },
    leaf(stem, spec) {
      const csr = join(work, "leaf-csr.json");
      writeFileSync(csr, JSON.stringify({ CN: spec.cn, hosts: [...(spec.dns ?? []), ...(spec.ips ?? [])], key: { algo: "ecdsa", size: 256 }, names: (spec.o ?? []).map((O) => ({ O })) }));
      const profile = spec.eku.length === 2 ? "both" : spec.eku[0] === "serverAuth" ? "server" : "client";
      save(stem, sh("cfssl", ["gencert", `-ca=${spec.ca}.crt`, `-ca-key=${spec.ca}.key`, `-config=${config}`, `-profile=${profile}`, csr], { check: true }).stdout);
    },
  };
}

export const pkiOf = (root: string) => join(root, "etc/kubernetes/pki");

/** The ten kubeadm certificates and sa.key/sa.pub, as kubeadm would make them for NODE. */
export function buildPKI(root: string, signer: Signer): void {
  const pki = pkiOf(root);
  const p = (s: string) => join(pki, s);
  signer.ca(p("ca"), "kubernetes");
  signer.ca(p("front-proxy-ca"), "front-proxy-ca");
  signer.ca(p("etcd/ca"), "etcd-ca");
  signer.leaf(p("apiserver"), {
    cn: "kube-apiserver", ca: p("ca"), eku: ["serverAuth"],
    dns: [NODE.name, "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", NODE.endpoint],
    ips: [NODE.serviceIP, NODE.address],
  });
  signer.leaf(p("apiserver-kubelet-client"), { cn: "kube-apiserver-kubelet-client", o: ["kubeadm:cluster-admins"], ca: p("ca"), eku: ["clientAuth"] });
  signer.leaf(p("front-proxy-client"), { cn: "front-proxy-client", ca: p("front-proxy-ca"), eku: ["clientAuth"] });
  const etcdNames = { dns: [NODE.name, "localhost"], ips: [NODE.address, "127.0.0.1", "::1"] };
  signer.leaf(p("etcd/server"), { cn: NODE.name, ca: p("etcd/ca"), eku: ["serverAuth", "clientAuth"], ...etcdNames });
  signer.leaf(p("etcd/peer"), { cn: NODE.name, ca: p("etcd/ca"), eku: ["serverAuth", "clientAuth"], ...etcdNames });
  signer.leaf(p("etcd/healthcheck-client"), { cn: "kube-etcd-healthcheck-client", ca: p("etcd/ca"), eku: ["clientAuth"] });
  signer.leaf(p("apiserver-etcd-client"), { cn: "kube-apiserver-etcd-client", ca: p("etcd/ca"), eku: ["clientAuth"] });
  newKey(p("sa.key"), "rsa2048");
  openssl(["pkey", "-in", p("sa.key"), "-pubout", "-out", p("sa.pub")]);
}

const b64 = (file: string) => readFileSync(file).toString("base64");

/** A kubeconfig as kubeadm writes it: CA and client certificate embedded, or file references (kubelet.conf). */
export function writeKubeconfig(file: string, o: { server: string; ca: string; user: string; cert?: string; key?: string; certRef?: string; keyRef?: string }): void {
  const userBody = o.certRef
    ? `    client-certificate: ${o.certRef}\n    client-key: ${o.keyRef}`
    : `    client-certificate-data: ${b64(o.cert!)}\n    client-key-data: ${b64(o.key!)}`;
  writeFileSync(file, `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${b64(o.ca)}
    server: ${o.server}
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: ${o.user}
  name: ${o.user}@kubernetes
current-context: ${o.user}@kubernetes
preferences: {}
users:
- name: ${o.user}
  user:
${userBody}
`, { mode: 0o600 });
}

const pod = (name: string, command: string[], mounts: [string, string][]) => `apiVersion: v1
kind: Pod
metadata:
  labels:
    component: ${name}
    tier: control-plane
  name: ${name}
  namespace: kube-system
spec:
  containers:
  - command:
${command.map((c) => `    - ${c}`).join("\n")}
    image: registry.k8s.io/${name}:v1.31.0
    name: ${name}
    volumeMounts:
${mounts.map(([n, p]) => `    - mountPath: ${p}\n      name: ${n}\n      readOnly: true`).join("\n")}
  hostNetwork: true
  volumes:
${mounts.map(([n, p]) => `  - hostPath:\n      path: ${p}\n      type: DirectoryOrCreate\n    name: ${n}`).join("\n")}
`;

const K = "/etc/kubernetes";
const PKI = "/etc/kubernetes/pki";

/** kubeadm's four static pod manifests, flags as in kubernetes-pki.md §1.3. */
export function apiserverFlags(overrides: Record<string, string> = {}): string[] {
  const flags: Record<string, string> = {
    "--advertise-address": NODE.address,
    "--allow-privileged": "true",
    "--authorization-mode": "Node,RBAC",
    "--client-ca-file": `${PKI}/ca.crt`,
    "--enable-admission-plugins": "NodeRestriction",
    "--enable-bootstrap-token-auth": "true",
    "--etcd-cafile": `${PKI}/etcd/ca.crt`,
    "--etcd-certfile": `${PKI}/apiserver-etcd-client.crt`,
    "--etcd-keyfile": `${PKI}/apiserver-etcd-client.key`,
    "--etcd-servers": "https://127.0.0.1:2379",
    "--kubelet-client-certificate": `${PKI}/apiserver-kubelet-client.crt`,
    "--kubelet-client-key": `${PKI}/apiserver-kubelet-client.key`,
    "--kubelet-preferred-address-types": "InternalIP,ExternalIP,Hostname",
    "--proxy-client-cert-file": `${PKI}/front-proxy-client.crt`,
    "--proxy-client-key-file": `${PKI}/front-proxy-client.key`,
    "--requestheader-allowed-names": "front-proxy-client",
    "--requestheader-client-ca-file": `${PKI}/front-proxy-ca.crt`,
    "--requestheader-extra-headers-prefix": "X-Remote-Extra-",
    "--requestheader-group-headers": "X-Remote-Group",
    "--requestheader-username-headers": "X-Remote-User",
    "--secure-port": "6443",
    "--service-account-issuer": "https://kubernetes.default.svc.cluster.local",
    "--service-account-key-file": `${PKI}/sa.pub`,
    "--service-account-signing-key-file": `${PKI}/sa.key`,
    "--service-cluster-ip-range": NODE.serviceCIDR,
    "--tls-cert-file": `${PKI}/apiserver.crt`,
    "--tls-private-key-file": `${PKI}/apiserver.key`,
    ...overrides,
  };
  return ["kube-apiserver", ...Object.entries(flags).map(([k, v]) => `${k}=${v}`)];
}

export function writeManifests(root: string, apiserverOverrides: Record<string, string> = {}): void {
  const dir = join(root, "etc/kubernetes/manifests");
  mkdirSync(dir, { recursive: true });
  const certs: [string, string][] = [["k8s-certs", PKI], ["ca-certs", "/etc/ssl/certs"]];
  writeFileSync(join(dir, "kube-apiserver.yaml"), pod("kube-apiserver", apiserverFlags(apiserverOverrides), certs));
  writeFileSync(join(dir, "kube-controller-manager.yaml"), pod("kube-controller-manager", [
    "kube-controller-manager", `--authentication-kubeconfig=${K}/controller-manager.conf`, `--authorization-kubeconfig=${K}/controller-manager.conf`,
    `--client-ca-file=${PKI}/ca.crt`, `--cluster-signing-cert-file=${PKI}/ca.crt`, `--cluster-signing-key-file=${PKI}/ca.key`,
    `--kubeconfig=${K}/controller-manager.conf`, `--requestheader-client-ca-file=${PKI}/front-proxy-ca.crt`, `--root-ca-file=${PKI}/ca.crt`,
    `--service-account-private-key-file=${PKI}/sa.key`, "--use-service-account-credentials=true",
  ], [...certs, ["kubeconfig", `${K}/controller-manager.conf`]]));
  writeFileSync(join(dir, "kube-scheduler.yaml"), pod("kube-scheduler", [
    "kube-scheduler", `--authentication-kubeconfig=${K}/scheduler.conf`, `--authorization-kubeconfig=${K}/scheduler.conf`, `--kubeconfig=${K}/scheduler.conf`,
  ], [["kubeconfig", `${K}/scheduler.conf`]]));
  writeFileSync(join(dir, "etcd.yaml"), pod("etcd", [
    "etcd", `--advertise-client-urls=https://${NODE.address}:2379`, `--cert-file=${PKI}/etcd/server.crt`, "--client-cert-auth=true",
    "--data-dir=/var/lib/etcd", `--key-file=${PKI}/etcd/server.key`, `--name=${NODE.name}`, `--peer-cert-file=${PKI}/etcd/peer.crt`,
    "--peer-client-cert-auth=true", `--peer-key-file=${PKI}/etcd/peer.key`, `--peer-trusted-ca-file=${PKI}/etcd/ca.crt`, `--trusted-ca-file=${PKI}/etcd/ca.crt`,
  ], [["etcd-certs", `${PKI}/etcd`], ["etcd-data", "/var/lib/etcd"]]));
}

/** Client certificates for the kubeconfigs, in a scratch folder outside the node's tree. */
export const KUBECONFIG_USERS = {
  "admin.conf": { user: "kubernetes-admin", cn: "kubernetes-admin", o: ["kubeadm:cluster-admins"], local: false },
  "super-admin.conf": { user: "kubernetes-super-admin", cn: "kubernetes-super-admin", o: ["system:masters"], local: false },
  "controller-manager.conf": { user: "system:kube-controller-manager", cn: "system:kube-controller-manager", o: [], local: true },
  "scheduler.conf": { user: "system:kube-scheduler", cn: "system:kube-scheduler", o: [], local: true },
} as const;

/** The kubeconfigs, the static pod manifests and the kubelet's files, completing a node around its pki. */
export function buildNodeFiles(root: string, signer: Signer, options: { kubeconfigs?: boolean } = {}): void {
  const work = join(root, ".fixture");
  mkdirSync(work, { recursive: true });
  const kpki = join(root, "var/lib/kubelet/pki");
  mkdirSync(kpki, { recursive: true });
  if (options.kubeconfigs !== false) writeKubeconfigs(root, signer);
  // The kubelet's own self-signed serving certificate.
  newKey(join(kpki, "kubelet.key"));
  const cfg = extConfig(join(work, "kubelet.cnf"), ["basicConstraints = critical,CA:FALSE", "extendedKeyUsage = serverAuth", `subjectAltName = DNS:${NODE.name}`]);
  openssl(["req", "-x509", "-new", "-key", join(kpki, "kubelet.key"), "-subj", `/CN=${NODE.name}@1700000000`, "-days", "365", "-config", cfg, "-extensions", "ext", "-out", join(kpki, "kubelet.crt")]);
  writeFileSync(join(root, "var/lib/kubelet/config.yaml"), `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
rotateCertificates: true
`);
  writeManifests(root);
}

/** admin.conf and the other kubeconfigs, and kubelet.conf as the kubelet leaves it after TLS bootstrap. */
export function writeKubeconfigs(root: string, signer: Signer): void {
  const pki = pkiOf(root);
  const work = join(root, ".fixture");
  for (const [file, u] of Object.entries(KUBECONFIG_USERS)) {
    const stem = join(work, file);
    signer.leaf(stem, { cn: u.cn, o: [...u.o], ca: join(pki, "ca"), eku: ["clientAuth"] });
    writeKubeconfig(join(root, "etc/kubernetes", file), {
      server: u.local ? `https://${NODE.address}:6443` : `https://${NODE.endpoint}:6443`, ca: join(pki, "ca.crt"), user: u.user, cert: `${stem}.crt`, key: `${stem}.key`,
    });
  }
  // The kubelet after TLS bootstrap: kubelet.conf references a rotated PEM through an absolute symlink.
  const kpki = join(root, "var/lib/kubelet/pki");
  const kstem = join(work, "kubelet-client");
  signer.leaf(kstem, { cn: `system:node:${NODE.name}`, o: ["system:nodes"], ca: join(pki, "ca"), eku: ["clientAuth"] });
  const dated = "kubelet-client-2026-01-01-00-00-00.pem";
  writeFileSync(join(kpki, dated), readFileSync(`${kstem}.crt`, "utf8") + readFileSync(`${kstem}.key`, "utf8"), { mode: 0o600 });
  symlinkSync(`/var/lib/kubelet/pki/${dated}`, join(kpki, "kubelet-client-current.pem"));
  writeKubeconfig(join(root, "etc/kubernetes/kubelet.conf"), {
    server: `https://${NODE.endpoint}:6443`, ca: join(pki, "ca.crt"), user: "default-auth",
    certRef: "/var/lib/kubelet/pki/kubelet-client-current.pem", keyRef: "/var/lib/kubelet/pki/kubelet-client-current.pem",
  });
}

/** A healthy node, every file made by `signer`. */
export function buildNode(root: string, signer: Signer = opensslSigner()): void {
  buildPKI(root, signer);
  buildNodeFiles(root, signer);
}

/** A copy of a node to break, sharing nothing with the original. */
export function copyNode(from: string, to: string): string {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  return to;
}
