import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, isAbsolute, join, posix, relative, resolve } from "node:path";
import { planCatalog, planKubeconfigs, type PlannedCertificate, type PlannedKubeconfig } from "../catalog/index.js";
import type { ClusterDescription, ProfileName } from "../cluster/description.js";
import { isIP, canonicalIP } from "../cluster/net.js";
import { mergeClusterPatches, type ClusterPatch } from "../cluster/patch.js";
import { parseKubeconfig, type Kubeconfig } from "../kube/kubeconfig.js";
import { hostPathOf, loadStaticPod, type StaticPod } from "../kube/manifest.js";
import { inputError } from "../errors.js";
import { readInputFile } from "../store/files.js";
import { parseYAML, yamlErrorLine } from "../yaml.js";
import { expectationFromKubeconfig, expectationFromPlan, UNKNOWN_ADDRESS, UNKNOWN_NODE, type Expectation } from "./expect.js";
import type { Finding } from "./findings.js";

export type Role = "CA" | "server" | "client" | "peer";

/** The file a consumer uses to verify a certificate: the chain rule checks against it. */
export interface TrustRef {
  file: string;
  /** "kube-apiserver --etcd-cafile", or "kubeadm default" when no manifest says. */
  via: string;
}

/** One certificate to check, and everything needed to judge it. */
export interface CertItem {
  /** Row id: the catalog name ("apiserver", "etcd-ca") or the kubeconfig file name ("admin.conf"). */
  id: string;
  component: string;
  role: Role;
  /** The PEM file, or the kubeconfig that embeds or references the certificate. */
  file: string;
  /** The private key file; absent for a kubeconfig (the loader follows its user). */
  keyFile?: string;
  kubeconfig?: boolean;
  /** For a kubeconfig embedding a catalog certificate (the hard way): that certificate's row id. */
  embeds?: string;
  /** Where the path came from: "kube-apiserver --tls-cert-file" or "kubeadm default". */
  via: string;
  /** Missing is an error (a component reads it) rather than a note. */
  required: boolean;
  /** A CA may run without its key (kubeadm's external CA mode); a leaf may not. */
  keyRequired: boolean;
  expected?: Expectation;
  /** Row id of the catalog CA that should sign it. */
  caId?: string;
  trust?: TrustRef;
  /** The kubelet's self-signed serving certificate is trusted by nobody on purpose. */
  checkChain: boolean;
}

/** A key pair without a certificate (sa.key / sa.pub). */
export interface KeyPairItem {
  id: string;
  privateFile: string;
  publicFile: string;
  via: string;
}

/** What was learned about the node, and from where. */
export interface NodeFacts {
  nodeName?: string;
  advertiseAddress?: string;
  controlPlaneEndpoint?: string;
  /** --requestheader-allowed-names, when the API server manifest sets it. */
  requestheaderAllowedNames?: string[];
  sources: string[];
}

export interface NodeInventory {
  root: string;
  pkiDir: string;
  kubeconfigDir: string;
  manifestsDir: string;
  profile: ProfileName;
  cluster: ClusterDescription;
  facts: NodeFacts;
  manifests: StaticPod[];
  certs: CertItem[];
  keypairs: KeyPairItem[];
  /** What discovery itself has to say (facts it could not find, unreadable manifests). */
  notes: Finding[];
  /** Kubeconfigs discovery already parsed (admin.conf, for the endpoint), so the loader does not parse them again. */
  parsedKubeconfigs: Map<string, Kubeconfig>;
}

export interface DiscoverOptions {
  /** The node's filesystem root (default "/"): a live node or a copy of one. */
  root?: string;
  pkiDir?: string;
  kubeconfigDir?: string;
  manifestsDir?: string;
  profile?: ProfileName;
  /** Cluster facts from a kubeadm config file, then from flags; later ones win. */
  clusterPatches?: ClusterPatch[];
}

// Paths as kubeadm writes them on the host; --root and the overrides move them.
const HOST_KUBERNETES = "/etc/kubernetes";
const HOST_PKI = "/etc/kubernetes/pki";
const HOST_KUBELET = "/var/lib/kubelet";

/** Certificate flag → its key flag, so a manifest tells us both files. */
const KEY_FLAG: Record<string, string> = {
  "--tls-cert-file": "--tls-private-key-file",
  "--kubelet-client-certificate": "--kubelet-client-key",
  "--proxy-client-cert-file": "--proxy-client-key-file",
  "--etcd-certfile": "--etcd-keyfile",
  "--cert-file": "--key-file",
  "--peer-cert-file": "--peer-key-file",
  "--cluster-signing-cert-file": "--cluster-signing-key-file",
};

/**
 * Who verifies each leaf, and with which flag (kubernetes-pki.md §1.3): the
 * chain rule checks a leaf against the file its consumer really trusts.
 */
const TRUST: Record<string, { component: string; flag: string }> = {
  "apiserver-kubelet-client": { component: "kubelet", flag: "authentication.x509.clientCAFile" },
  "front-proxy-client": { component: "kube-apiserver", flag: "--requestheader-client-ca-file" },
  "etcd-server": { component: "kube-apiserver", flag: "--etcd-cafile" },
  "etcd-peer": { component: "etcd", flag: "--peer-trusted-ca-file" },
  "etcd-healthcheck-client": { component: "etcd", flag: "--trusted-ca-file" },
  "apiserver-etcd-client": { component: "etcd", flag: "--trusted-ca-file" },
  // Hard-way client certificates, and every kubeconfig client: the API server's client CA.
  admin: { component: "kube-apiserver", flag: "--client-ca-file" },
  scheduler: { component: "kube-apiserver", flag: "--client-ca-file" },
  "controller-manager": { component: "kube-apiserver", flag: "--client-ca-file" },
  "kube-proxy": { component: "kube-apiserver", flag: "--client-ca-file" },
  "kubelet-client": { component: "kube-apiserver", flag: "--client-ca-file" },
};


/** The layout of one node: where each file is, what each must say, who trusts what. */
export async function discoverNode(options: DiscoverOptions = {}): Promise<NodeInventory> {
  const root = resolve(options.root ?? "/");
  if (!existsSync(root)) throw inputError(`--root: ${root} does not exist`);
  const notes: Finding[] = [];
  // A tree as `kubepki init --out DIR` or a backup of /etc/kubernetes leaves it: DIR is /etc/kubernetes itself.
  const kubernetesDir = !existsSync(join(root, "etc/kubernetes")) && existsSync(join(root, "pki")) ? root : rooted(root, HOST_KUBERNETES);
  const manifestsDir = options.manifestsDir ? resolve(options.manifestsDir) : join(kubernetesDir, "manifests");
  const manifests = await readManifests(manifestsDir, notes);
  const pod = (component: string) => manifests.find((m) => m.component === component);
  const apiserver = pod("kube-apiserver");

  // Where kubeadm's certificatesDir is on the host: the folder of --client-ca-file.
  const clientCA = apiserver?.flags.get("--client-ca-file");
  const hostPki = clientCA ? dirname(hostPathOf(apiserver!, clientCA)) : HOST_PKI;
  const kubeconfigDir = options.kubeconfigDir ? resolve(options.kubeconfigDir) : kubernetesDir;
  let pkiDir = options.pkiDir ? resolve(options.pkiDir) : kubernetesDir === root ? join(root, relative(HOST_KUBERNETES, hostPki)) : rooted(root, hostPki);
  // The hard way keeps everything in /var/lib/kubernetes.
  if (!options.pkiDir && !existsSync(pkiDir) && existsSync(rooted(root, "/var/lib/kubernetes/ca.crt"))) pkiDir = rooted(root, "/var/lib/kubernetes");
  const toLocal = (hostPath: string): string => {
    if (options.pkiDir && (hostPath === hostPki || hostPath.startsWith(`${hostPki}/`))) return join(pkiDir, relative(hostPki, hostPath));
    if (options.kubeconfigDir && dirname(hostPath) === HOST_KUBERNETES) return join(kubeconfigDir, basename(hostPath));
    if (kubernetesDir === root && (hostPath === HOST_KUBERNETES || hostPath.startsWith(`${HOST_KUBERNETES}/`))) return join(root, relative(HOST_KUBERNETES, hostPath));
    return rooted(root, hostPath);
  };
  const flagPath = (p: StaticPod, flag: string): string | undefined => {
    const v = p.flags.get(flag);
    if (!v) return undefined;
    return toLocal(hostPathOf(p, isAbsolute(v) ? v : posix.join(hostPki, v)));
  };

  const kubelet = readKubeletConfig(rooted(root, `${HOST_KUBELET}/config.yaml`), notes);
  const profile = options.profile ?? detectProfile(pkiDir);
  const parsedKubeconfigs = new Map<string, Kubeconfig>();
  const { cluster, facts } = describeCluster(manifests, manifestsDir, kubeconfigDir, profile, options.clusterPatches ?? [], notes, parsedKubeconfigs);

  const certs: CertItem[] = [];
  const keypairs: KeyPairItem[] = [];
  const plan = planCatalog(cluster);
  const caFile = new Map<string, string>();
  for (const item of plan) {
    const stem = join(pkiDir, item.paths[0].replace(/^pki\//, ""));
    if (item.kind === "keypair") {
      const sa = apiserver && { pub: flagPath(apiserver, "--service-account-key-file"), key: flagPath(apiserver, "--service-account-signing-key-file") };
      keypairs.push({
        id: item.id, privateFile: sa?.key ?? `${stem}.key`, publicFile: sa?.pub ?? `${stem}.pub`,
        via: sa?.key ? "kube-apiserver --service-account-signing-key-file" : `${profile} default`,
      });
      continue;
    }
    const located = locate(item, manifests, flagPath) ?? { file: `${stem}.crt`, keyFile: `${stem}.key`, via: `${profile} default` };
    if (item.isCA) caFile.set(item.id, located.file);
    certs.push({
      id: item.id,
      component: item.spec.consumers[0]?.component ?? "cluster",
      role: roleOf(item),
      file: located.file,
      keyFile: located.keyFile,
      via: located.via,
      required: true,
      keyRequired: !item.isCA,
      expected: expectationFromPlan(item, cluster),
      caId: item.caId,
      checkChain: !item.isCA,
    });
  }
  // Now that CA files are known, point each leaf at what its consumer trusts.
  const trustFor = (name: string, caId: string | undefined): TrustRef | undefined => {
    const t = TRUST[name];
    if (t?.component === "kubelet" && kubelet?.clientCAFile) return { file: toLocal(kubelet.clientCAFile), via: "kubelet authentication.x509.clientCAFile" };
    const p = t && pod(t.component);
    const f = p && flagPath(p, t.flag);
    if (f) return { file: f, via: `${t.component} ${t.flag}` };
    const ca = caId && caFile.get(caId);
    return ca ? { file: ca, via: `${profile} default (${caId})` } : undefined;
  };
  for (const c of certs) if (c.checkChain) c.trust = trustFor(c.id, c.caId);

  certs.push(...kubeconfigItems(planKubeconfigs(cluster), kubeconfigDir, manifests, kubelet !== undefined, flagPath, (caId) => trustFor("kubelet-client", caId), notes));
  if (profile === "kubeadm") {
    const serving = kubeletServing(root, kubelet, toLocal);
    if (serving) certs.push(serving);
  }
  return { root, pkiDir, kubeconfigDir, manifestsDir, profile, cluster, facts, manifests, certs, keypairs, notes, parsedKubeconfigs };
}

/** A host path under --root ("/etc/kubernetes/pki" → "<root>/etc/kubernetes/pki"). */
function rooted(root: string, hostPath: string): string {
  if (root === "/" || hostPath === root || hostPath.startsWith(`${root}/`)) return hostPath;
  return join(root, hostPath);
}

async function readManifests(dir: string, notes: Finding[]): Promise<StaticPod[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  } catch {
    return [];
  }
  const pods = await Promise.all(
    names.map((n) =>
      loadStaticPod(join(dir, n)).catch((err: Error) => {
        notes.push({
          id: "file-invalid", severity: "error", file: join(dir, n), message: `the static pod manifest cannot be read: ${err.message}`,
          fix: `fix the YAML in ${join(dir, n)} (the kubelet cannot start this pod either)`,
        });
        return undefined;
      }),
    ),
  );
  return pods.filter((p): p is StaticPod => p !== undefined);
}

interface KubeletConfig {
  clientCAFile?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  serverTLSBootstrap?: boolean;
}

function readKubeletConfig(path: string, notes: Finding[]): KubeletConfig | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const doc = (parseYAML(readInputFile(path).toString("utf8")) ?? {}) as Record<string, any>;
    return {
      clientCAFile: doc.authentication?.x509?.clientCAFile || undefined,
      tlsCertFile: doc.tlsCertFile || undefined,
      tlsPrivateKeyFile: doc.tlsPrivateKeyFile || undefined,
      serverTLSBootstrap: doc.serverTLSBootstrap === true,
    };
  } catch (err) {
    notes.push({ id: "file-invalid", severity: "error", file: path, message: `the kubelet config cannot be parsed: ${yamlErrorLine(err)}`, fix: `fix the YAML in ${path}` });
    return {};
  }
}

/** hard-way when the pki folder holds the by-hand set (admin.crt, etcdserver.crt) and no front-proxy CA. */
function detectProfile(pkiDir: string): ProfileName {
  const has = (f: string) => existsSync(join(pkiDir, f));
  if (!has("front-proxy-ca.crt") && (has("admin.crt") || has("etcdserver.crt") || has("kube-proxy.crt"))) return "hard-way";
  return "kubeadm";
}

/** Which manifest flag names this certificate (and its key), if a manifest does. */
function locate(item: PlannedCertificate, manifests: StaticPod[], flagPath: (p: StaticPod, f: string) => string | undefined) {
  const candidates = [...item.spec.consumers].sort((a, b) => Number(b.flag in KEY_FLAG) - Number(a.flag in KEY_FLAG));
  for (const c of candidates) {
    const pod = manifests.find((m) => m.component === c.component);
    const file = pod && flagPath(pod, c.flag);
    if (!pod || !file) continue;
    const keyFlag = KEY_FLAG[c.flag];
    const keyFile = (keyFlag && flagPath(pod, keyFlag)) || file.replace(/\.(crt|pem)$/, ".key");
    return { file, keyFile, via: `${c.component} ${c.flag}` };
  }
  return undefined;
}

function roleOf(item: PlannedCertificate): Role {
  if (item.isCA) return "CA";
  if (item.spec.name === "etcd-peer") return "peer";
  return item.extKeyUsage.includes("serverAuth") ? "server" : "client";
}

/**
 * The node's facts, from the manifests (kube-apiserver flags, etcd --name),
 * admin.conf's server, and then --config and flags, which win. What stays
 * unknown is marked, so that no rule checks against a guess.
 */
function describeCluster(manifests: StaticPod[], manifestsDir: string, kubeconfigDir: string, profile: ProfileName, patches: ClusterPatch[], notes: Finding[], parsed: Map<string, Kubeconfig>) {
  const facts: NodeFacts = { sources: [] };
  const fromNode: ClusterPatch = { profile, firstNode: {} };
  const apiserver = manifests.find((m) => m.component === "kube-apiserver");
  const etcd = manifests.find((m) => m.component === "etcd");
  if (apiserver) {
    facts.sources.push(apiserver.path);
    const f = apiserver.flags;
    const addr = f.get("--advertise-address");
    if (addr && isIP(addr)) fromNode.firstNode!.address = canonicalIP(addr);
    const range = f.get("--service-cluster-ip-range");
    if (range) fromNode.serviceSubnet = range;
    const port = Number(f.get("--secure-port"));
    if (port > 0) fromNode.bindPort = port;
    // kubeadm sets the issuer to https://kubernetes.default.svc.<dnsDomain>.
    const issuer = /^https:\/\/kubernetes\.default\.svc\.(.+?)\/?$/.exec(f.get("--service-account-issuer") ?? "");
    if (issuer) fromNode.dnsDomain = issuer[1];
    const allowed = f.get("--requestheader-allowed-names");
    if (allowed !== undefined) facts.requestheaderAllowedNames = allowed.split(",").map((s) => s.trim()).filter(Boolean);
    if (!etcd && /https?:\/\/(?!127\.0\.0\.1|\[::1\]|localhost)/.test(f.get("--etcd-servers") ?? "")) fromNode.etcd = { external: true };
  }
  if (etcd?.flags.get("--name")) {
    facts.sources.push(etcd.path);
    fromNode.firstNode!.name = etcd.flags.get("--name");
  }
  // kubeadm writes the control-plane endpoint (or the advertise address) as admin.conf's server.
  const server = adminServer(join(kubeconfigDir, "admin.conf"), parsed);
  if (server && !isLoopback(server) && server !== fromNode.firstNode!.address) fromNode.controlPlaneEndpoint = { host: server };

  const merged: ClusterPatch = { firstNode: {} };
  for (const p of [fromNode, ...patches]) {
    Object.assign(merged.firstNode!, definedOnly(p.firstNode ?? {}));
    Object.assign(merged, definedOnly({ ...p, firstNode: undefined }));
  }
  // One node is checked: its profile is the detected (or chosen) one, its node the one found here.
  merged.profile = profile;
  merged.controlPlane = undefined;
  merged.workers = undefined;
  facts.nodeName = merged.firstNode!.name;
  facts.advertiseAddress = merged.firstNode!.address;
  facts.controlPlaneEndpoint = merged.controlPlaneEndpoint?.host;
  const unknown: string[] = [];
  if (!facts.nodeName) unknown.push("node name (--node-name)");
  if (!facts.advertiseAddress) unknown.push("advertise address (--apiserver-advertise-address)");
  if (unknown.length) {
    notes.push({
      id: "cluster-facts-unknown", severity: "info", file: manifestsDir,
      message: `no manifest or config gave the ${unknown.join(" or the ")}, so the checks that need it were skipped`,
      fix: `pass ${unknown.map((u) => u.replace(/.*\((.*)\)/, "$1")).join(" and ")}, or --config with the kubeadm config`,
    });
  }
  const cluster = mergeClusterPatches([
    { ...merged, firstNode: { name: facts.nodeName ?? UNKNOWN_NODE, address: facts.advertiseAddress ?? UNKNOWN_ADDRESS } },
  ]);
  return { cluster, facts };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const isLoopback = (host: string) => host === "localhost" || host === "127.0.0.1" || host === "::1";

/** The host of admin.conf's first cluster server, read without failing: a broken file is judged later. */
function adminServer(path: string, parsed: Map<string, Kubeconfig>): string | undefined {
  try {
    const config = parseKubeconfig(readInputFile(path).toString("utf8"), path);
    parsed.set(path, config);
    const server = config.clusters[0]?.server;
    if (!server) return undefined;
    const host = new URL(server).hostname.replace(/^\[(.*)\]$/, "$1");
    return isIP(host) ? canonicalIP(host) : host;
  } catch {
    return undefined;
  }
}

/**
 * The catalog's kubeconfigs, at the path a manifest's --kubeconfig gives or in
 * the kubeconfig folder. A file a running component reads is required; the
 * others (super-admin.conf exists only on the first node) are checked when present.
 */
function kubeconfigItems(
  plans: PlannedKubeconfig[],
  dir: string,
  manifests: StaticPod[],
  hasKubelet: boolean,
  flagPath: (p: StaticPod, f: string) => string | undefined,
  trustFor: (caId: string) => TrustRef | undefined,
  notes: Finding[],
): CertItem[] {
  const controlPlane = manifests.some((m) => m.component === "kube-apiserver");
  const items: CertItem[] = [];
  for (const plan of plans) {
    const component = plan.spec.consumers[0]?.component ?? "kubectl";
    const pod = manifests.find((m) => m.component === component);
    const fromFlag = pod && flagPath(pod, "--kubeconfig");
    const file = fromFlag ?? join(dir, plan.path);
    const kubelet = component === "kubelet";
    const required = Boolean(fromFlag) || (plan.spec.name === "admin.conf" && controlPlane) || (kubelet && hasKubelet);
    if (!required && !existsSync(file)) continue;
    items.push({
      id: basename(plan.path), component, role: "client", file, kubeconfig: true, embeds: plan.certificateId,
      via: fromFlag ? `${component} --kubeconfig` : `${plans[0].spec.name.endsWith(".conf") ? "kubeadm" : "hard-way"} default`,
      required, keyRequired: true, expected: expectationFromKubeconfig(plan), caId: plan.caId, trust: trustFor(plan.caId), checkChain: true,
    });
  }
  if (items.length === 0) {
    notes.push({
      id: "file-missing", severity: "info", file: dir,
      message: "no kubeconfig was found and no manifest or kubelet config asks for one, so kubeconfigs were not checked",
      fix: `pass --kubeconfig-dir DIR if the kubeconfigs are elsewhere`,
    });
  }
  return items;
}

/** The kubelet's serving certificate: self-signed by default (kubeadm), from the CSR API with serverTLSBootstrap. */
function kubeletServing(root: string, kubelet: KubeletConfig | undefined, toLocal: (p: string) => string): CertItem | undefined {
  if (!kubelet) return undefined;
  const file = kubelet.tlsCertFile
    ? toLocal(kubelet.tlsCertFile)
    : rooted(root, `${HOST_KUBELET}/pki/${kubelet.serverTLSBootstrap ? "kubelet-server-current.pem" : "kubelet.crt"}`);
  // The kubelet writes it on start; until then its absence is normal.
  if (!existsSync(file)) return undefined;
  const keyFile = kubelet.tlsPrivateKeyFile ? toLocal(kubelet.tlsPrivateKeyFile) : file.endsWith(".pem") ? file : file.replace(/\.crt$/, ".key");
  return {
    id: "kubelet-serving", component: "kubelet", role: "server", file, keyFile,
    via: kubelet.tlsCertFile ? "kubelet tlsCertFile" : "kubelet default",
    required: false, keyRequired: true, checkChain: false,
    expected: { isCA: false, extKeyUsage: ["serverAuth"], requiredSANs: new Map(), usualSANs: new Map() },
  };
}
