import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, isAbsolute, join, posix, relative, resolve } from "node:path";
import { formatVersion, inferKubernetesVersion } from "../catalog/versions.js";
import { planCatalog, planKubeconfigs, type PlannedCertificate, type PlannedKubeconfig } from "../catalog/index.js";
import { serviceIP, type ClusterDescription, type ProfileName } from "../cluster/description.js";
import { readClusterRecord } from "../cluster/record.js";
import { isIP, canonicalIP } from "../cluster/net.js";
import { mergeClusterPatches, type ClusterPatch } from "../cluster/patch.js";
import { parseKubeconfig, type Kubeconfig } from "../kube/kubeconfig.js";
import { hostPathOf, loadStaticPod, type StaticPod } from "../kube/manifest.js";
import { inputError } from "../errors.js";
import { readInputFile } from "../store/files.js";
import { parseYAML, yamlErrorLine } from "../yaml.js";
import { expectationFromKubeconfig, expectationFromPlan, UNKNOWN_ADDRESS, UNKNOWN_NODE, type Expectation } from "./expect.js";
import type { Finding } from "./findings.js";
import { readUnits } from "./units.js";

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

/** What was learned about the node, and from where. Absent means unknown: no rule judges against a default. */
export interface NodeFacts {
  nodeName?: string;
  advertiseAddress?: string;
  controlPlaneEndpoint?: string;
  serviceSubnet?: string;
  dnsDomain?: string;
  /** --requestheader-allowed-names, when the API server manifest sets it. */
  requestheaderAllowedNames?: string[];
  /** Every file a fact was read from. */
  sources: string[];
  /** Fact name (nodeName, serviceSubnet…) → where it came from ("flags", "--config FILE", a manifest, the cluster record). */
  from: Record<string, string>;
}

/**
 * What the node is, decided from what is on disk before anything is judged:
 * a control plane, a worker, an etcd-only member. `evidence` says why, in
 * words for the report.
 */
export type NodeKind = "control-plane" | "worker" | "etcd";
export interface NodeRole {
  kind: NodeKind;
  /** kubeadm (static pods, kubelet.conf) or hard-way (systemd units, /var/lib/kubernetes). */
  setup: ProfileName;
  evidence: string[];
}

export interface NodeInventory {
  /** Absent when nothing on disk belongs to Kubernetes: checkNode refuses such a root. */
  role?: NodeRole;
  root: string;
  pkiDir: string;
  kubeconfigDir: string;
  manifestsDir: string;
  profile: ProfileName;
  cluster: ClusterDescription;
  facts: NodeFacts;
  manifests: StaticPod[];
  /** Hard-way components from systemd units, as flag maps like a manifest's. */
  units: StaticPod[];
  /** kube-apiserver --client-ca-file, as a local path: the CA every kubeconfig's client is judged against too. */
  clientCAFile?: string;
  /** kube-controller-manager --cluster-signing-key-file, as a local path. */
  signingKeyFile?: string;
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
  /** Cluster facts from a kubeadm config file, then from flags; later ones win (each named "flags"). */
  clusterPatches?: ClusterPatch[];
  /** The same with their source named for the report ("--config FILE", "flags"); after clusterPatches. */
  clusterSources?: FactSource[];
}

/** One source of cluster facts and what it says. */
export interface FactSource {
  source: string;
  patch: ClusterPatch;
}

// Paths as kubeadm writes them on the host; --root and the overrides move them.
const HOST_KUBERNETES = "/etc/kubernetes";
const HOST_PKI = "/etc/kubernetes/pki";
const HOST_KUBELET = "/var/lib/kubelet";
const HARD_WAY_DIR = "/var/lib/kubernetes";

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


/**
 * Where the node's /etc/kubernetes is under a root: the root itself for a tree
 * as `kubepki init --out DIR` or a backup of /etc/kubernetes leaves it (a pki/
 * folder and no etc/kubernetes). Writers lock this folder before reading the node.
 */
export function kubernetesDirOf(root: string): string {
  if (!existsSync(root)) throw inputError(`--root: ${root} does not exist`);
  return !existsSync(join(root, "etc/kubernetes")) && existsSync(join(root, "pki")) ? root : rooted(root, HOST_KUBERNETES);
}

/** The folder a writer locks and backs up into: --kubeconfig-dir, else the node's /etc/kubernetes under --root. */
export function nodeHome(root: string | undefined, kubeconfigDir: string | undefined): string {
  return resolve(kubeconfigDir ?? kubernetesDirOf(resolve(root ?? "/")));
}

/** The layout of one node: what it is, where each file is, what each must say, who trusts what. */
export async function discoverNode(options: DiscoverOptions = {}): Promise<NodeInventory> {
  const root = resolve(options.root ?? "/");
  const notes: Finding[] = [];
  const kubernetesDir = kubernetesDirOf(root);
  const manifestsDir = options.manifestsDir ? resolve(options.manifestsDir) : join(kubernetesDir, "manifests");
  const manifests = await readManifests(manifestsDir, notes);
  const units = readUnits(root);
  // Static pods first: a kubeadm node's truth; a unit only speaks for a component no manifest runs.
  const pods = [...manifests, ...units.filter((u) => !manifests.some((m) => m.component === u.component))];
  const pod = (component: string) => pods.find((m) => m.component === component);
  const apiserver = pod("kube-apiserver");

  // Where the certificates folder is on the host: the folder of --client-ca-file.
  const clientCA = apiserver?.flags.get("--client-ca-file");
  const hostPki = clientCA && isAbsolute(clientCA) ? dirname(hostPathOf(apiserver!, clientCA)) : HOST_PKI;
  const kubeconfigDir = options.kubeconfigDir ? resolve(options.kubeconfigDir) : kubernetesDir;
  let pkiDir = options.pkiDir ? resolve(options.pkiDir) : kubernetesDir === root ? join(root, relative(HOST_KUBERNETES, hostPki)) : rooted(root, hostPki);
  // The hard way keeps everything in /var/lib/kubernetes.
  if (!options.pkiDir && !existsSync(pkiDir) && existsSync(rooted(root, `${HARD_WAY_DIR}/ca.crt`))) pkiDir = rooted(root, HARD_WAY_DIR);
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

  const kubeletUnit = pod("kubelet");
  const kubeletConfigPath = kubeletUnit?.flags.get("--config");
  const kubelet = readKubeletConfig(kubeletConfigPath ? toLocal(kubeletConfigPath) : rooted(root, `${HOST_KUBELET}/config.yaml`), notes);
  const kubeletKubeconfig = kubeletUnit && flagPath(kubeletUnit, "--kubeconfig");
  const role = decideRole({ root, pkiDir, kubeconfigDir, manifests, units: pods.filter((p) => units.includes(p)), kubelet, kubeletKubeconfig, pkiDirGiven: options.pkiDir !== undefined });
  const profile = options.profile ?? (role?.setup === "hard-way" ? "hard-way" : detectProfile(pkiDir));
  const parsedKubeconfigs = new Map<string, Kubeconfig>();
  // init writes the record beside pki/: in the kubeconfig folder, or above a --pki-dir given alone.
  const record = (await readClusterRecord(kubeconfigDir)) ?? (options.pkiDir ? await readClusterRecord(dirname(pkiDir)) : undefined);
  const sources: FactSource[] = [
    ...(record ? [{ source: `the cluster record ${record.file}`, patch: record.patch }] : []),
    ...(options.clusterPatches ?? []).map((patch) => ({ source: "flags", patch })),
    ...(options.clusterSources ?? []),
  ];
  const { cluster, facts } = describeCluster(pods, manifestsDir, kubeconfigDir, profile, role?.kind, sources, notes, parsedKubeconfigs);

  const kind = role?.kind ?? "control-plane";
  // A node described by manifests or units tells which files its components read; a bare folder does not.
  const described = pods.length > 0;
  const certs: CertItem[] = [];
  const keypairs: KeyPairItem[] = [];
  const plan = planCatalog(cluster).filter((item) => wantedOn(kind, profile, item.spec.name));
  const caFile = new Map<string, string>();
  for (const item of plan) {
    const stem = join(pkiDir, item.paths[0].replace(/^pki\//, ""));
    if (item.kind === "keypair") {
      const sa = apiserver && { pub: flagPath(apiserver, "--service-account-key-file"), key: flagPath(apiserver, "--service-account-signing-key-file") };
      const privateFile = sa?.key ?? `${stem}.key`;
      if (described && !sa?.key && !existsSync(privateFile)) continue;
      keypairs.push({
        id: item.id, privateFile, publicFile: sa?.pub ?? `${stem}.pub`,
        via: sa?.key ? "kube-apiserver --service-account-signing-key-file" : `${profile} default`,
      });
      continue;
    }
    let located = locate(item, pods, flagPath);
    // A worker's cluster CA is the file its kubelet trusts.
    if (!located && item.isCA && kind === "worker" && kubelet?.clientCAFile) {
      const file = toLocal(kubelet.clientCAFile);
      located = { file, keyFile: file.replace(/\.(crt|pem)$/, ".key"), via: "kubelet authentication.x509.clientCAFile" };
    }
    const fallback = { file: `${stem}.crt`, keyFile: `${stem}.key`, via: `${profile} default` };
    // What no manifest or unit names is not used here (plain-HTTP etcd, external etcd): checked only if it is there.
    if (!located && described && !existsSync(fallback.file)) continue;
    const where = located ?? fallback;
    if (item.isCA) caFile.set(item.id, where.file);
    certs.push({
      id: item.id,
      component: item.spec.consumers[0]?.component ?? "cluster",
      role: roleOf(item),
      file: where.file,
      keyFile: where.keyFile,
      via: where.via,
      required: Boolean(located) || !described,
      keyRequired: !item.isCA,
      expected: withoutUnknownSANs(expectationFromPlan(item, cluster), cluster, facts),
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

  const kubeconfigPlans = planKubeconfigs(cluster).filter((k) => kind === "control-plane" || k.spec.consumers.some((c) => c.component === "kubelet"));
  certs.push(...kubeconfigItems(kubeconfigPlans, kubeconfigDir, pods, kubelet !== undefined || kubeletKubeconfig !== undefined, kubeletKubeconfig, flagPath, (caId) => trustFor("kubelet-client", caId), notes));
  const serving = kubeletServing(root, kubelet, profile, toLocal, (caId) => trustFor("kubelet-serving", caId));
  if (serving) certs.push(serving);
  const kcm = pod("kube-controller-manager");
  return {
    role, root, pkiDir, kubeconfigDir, manifestsDir, profile, cluster, facts, manifests, units, certs, keypairs, notes, parsedKubeconfigs,
    clientCAFile: apiserver && flagPath(apiserver, "--client-ca-file"),
    signingKeyFile: kcm && flagPath(kcm, "--cluster-signing-key-file"),
  };
}

/** Which catalog certificates a kind of node holds: a worker only trusts the cluster CA; an etcd member holds etcd's. */
function wantedOn(kind: NodeKind, profile: ProfileName, name: string): boolean {
  if (kind === "control-plane") return true;
  if (kind === "worker") return name === "ca";
  return name.startsWith("etcd") || name === "apiserver-etcd-client" || (profile === "hard-way" && name === "ca");
}

/** Drops the SANs that only a default would give: the service IP without a known service CIDR, the DNS name without a known domain. */
function withoutUnknownSANs(e: Expectation, cluster: ClusterDescription, facts: NodeFacts): Expectation {
  const unknown = [
    facts.serviceSubnet ? "" : `IP:${serviceIP(cluster)}`,
    facts.dnsDomain ? "" : `DNS:kubernetes.default.svc.${cluster.dnsDomain}`,
  ].filter(Boolean);
  for (const san of unknown) {
    e.requiredSANs.delete(san);
    e.usualSANs.delete(san);
  }
  return e;
}

interface RoleInput {
  root: string;
  pkiDir: string;
  kubeconfigDir: string;
  manifests: StaticPod[];
  units: StaticPod[];
  kubelet?: KubeletConfig;
  kubeletKubeconfig?: string;
  pkiDirGiven: boolean;
}

/**
 * Control plane when kube-apiserver runs here (a static pod: kubeadm; a unit:
 * the hard way) or a certificates folder holds its certificate; etcd member when
 * only etcd runs; worker when only a kubelet is set up. Undefined when nothing
 * of Kubernetes is there.
 */
function decideRole(r: RoleInput): NodeRole | undefined {
  const manifest = (c: string) => r.manifests.find((m) => m.component === c);
  const unit = (c: string) => r.units.find((m) => m.component === c);
  const runs = (c: string) => {
    const m = manifest(c);
    if (m) return { setup: "kubeadm" as const, why: `the static pod manifest ${m.path} runs ${c}` };
    const u = unit(c);
    return u ? { setup: "hard-way" as const, why: `the systemd unit ${u.path} runs ${c}` } : undefined;
  };
  const apiserver = runs("kube-apiserver");
  if (apiserver) return { kind: "control-plane", setup: apiserver.setup, evidence: [apiserver.why] };
  const inPki = ["apiserver.crt", "kube-api-server.crt"].find((f) => existsSync(join(r.pkiDir, f)));
  if (inPki) return { kind: "control-plane", setup: detectProfile(r.pkiDir), evidence: [`${join(r.pkiDir, inPki)} is there (no manifest or unit runs kube-apiserver, so this is the certificates folder alone)`] };
  const etcd = runs("etcd");
  if (etcd) return { kind: "etcd", setup: etcd.setup, evidence: [etcd.why, "no kube-apiserver runs here"] };
  const kubeletConf = join(r.kubeconfigDir, "kubelet.conf");
  const kubeletEvidence = [
    existsSync(kubeletConf) ? `${kubeletConf} is there` : "",
    r.kubeletKubeconfig ? `the kubelet unit's --kubeconfig names ${r.kubeletKubeconfig}` : "",
    r.kubelet ? "the kubelet has a configuration file" : "",
  ].filter(Boolean);
  if (kubeletEvidence.length) {
    return { kind: "worker", setup: unit("kubelet") && !existsSync(kubeletConf) ? "hard-way" : "kubeadm", evidence: [...kubeletEvidence, "no kube-apiserver or etcd runs here"] };
  }
  if (r.pkiDirGiven && existsSync(r.pkiDir)) return { kind: "control-plane", setup: detectProfile(r.pkiDir), evidence: [`--pki-dir ${r.pkiDir} was given`] };
  return undefined;
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
          fix: `fix the YAML in ${join(dir, n)} (the kubelet cannot start this pod either)`, commands: [],
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
    notes.push({ id: "file-invalid", severity: "error", file: path, message: `the kubelet config cannot be parsed: ${yamlErrorLine(err)}`, fix: `fix the YAML in ${path}`, commands: [] });
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
  // A --kubeconfig flag names the kubeconfig that embeds the certificate: that file is its own row, not a PEM file.
  const candidates = item.spec.consumers.filter((c) => c.flag !== "--kubeconfig").sort((a, b) => Number(b.flag in KEY_FLAG) - Number(a.flag in KEY_FLAG));
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
 * The node's facts, each from evidence: the cluster record init left, the
 * manifests or units (kube-apiserver flags, etcd --name), admin.conf's server,
 * then --config and flags, later ones winning. What stays unknown is marked,
 * and only for the kind of node that needs it, so that no rule checks against
 * a guess. `facts.from` says where each fact came from.
 */
function describeCluster(pods: StaticPod[], manifestsDir: string, kubeconfigDir: string, profile: ProfileName, kind: NodeKind | undefined, sources: FactSource[], notes: Finding[], parsed: Map<string, Kubeconfig>) {
  const facts: NodeFacts = { sources: [], from: {} };
  const fromNode: ClusterPatch = { profile, firstNode: {} };
  const apiserver = pods.find((m) => m.component === "kube-apiserver");
  const etcd = pods.find((m) => m.component === "etcd");
  if (apiserver) {
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
  // The control-plane images' tags say which kubeadm wrote the node, and so what its certificates should say.
  const version = inferKubernetesVersion(pods);
  if (version) fromNode.kubernetesVersion = formatVersion(version);
  if (etcd?.flags.get("--name")) fromNode.firstNode!.name = etcd.flags.get("--name");
  // kubeadm writes the control-plane endpoint (or the advertise address) as admin.conf's server.
  const server = adminServer(join(kubeconfigDir, "admin.conf"), parsed);
  if (server && !isLoopback(server) && server !== fromNode.firstNode!.address) fromNode.controlPlaneEndpoint = { host: server };
  const nodeSources: FactSource[] = [
    ...(apiserver ? [{ source: apiserver.path, patch: { ...fromNode, firstNode: { address: fromNode.firstNode!.address }, controlPlaneEndpoint: undefined } }] : []),
    ...(etcd?.flags.get("--name") ? [{ source: etcd.path, patch: { firstNode: { name: fromNode.firstNode!.name } } }] : []),
    ...(fromNode.controlPlaneEndpoint ? [{ source: join(kubeconfigDir, "admin.conf"), patch: { controlPlaneEndpoint: fromNode.controlPlaneEndpoint } }] : []),
  ];
  // The record is the weakest evidence: what init was told, which the node may have outgrown.
  const [record, others] = [sources.filter((s) => s.source.startsWith("the cluster record")), sources.filter((s) => !s.source.startsWith("the cluster record"))];
  const ordered = [...record.map(recordAsNode), ...nodeSources, ...others];

  const merged: ClusterPatch = { firstNode: {} };
  const note = (fact: string, source: string) => {
    facts.from[fact] = source;
    if (!facts.sources.includes(source)) facts.sources.push(source);
  };
  for (const { source, patch } of ordered) {
    const first = definedOnly(patch.firstNode ?? {});
    if (first.name !== undefined) note("nodeName", source);
    if (first.address !== undefined) note("advertiseAddress", source);
    for (const k of ["serviceSubnet", "dnsDomain", "controlPlaneEndpoint", "apiServerCertSANs"] as const) if (patch[k] !== undefined) note(k, source);
    Object.assign(merged.firstNode!, first);
    Object.assign(merged, definedOnly({ ...patch, firstNode: undefined }));
  }
  // A record of several control-plane nodes: this one is the node whose address the manifests give.
  if (!merged.firstNode!.name && merged.firstNode!.address) {
    for (const r of record) {
      const match = r.patch.controlPlane?.find((n) => n.address === merged.firstNode!.address);
      if (match) {
        merged.firstNode!.name = match.name;
        note("nodeName", r.source);
      }
    }
  }
  // One node is checked: its profile is the detected (or chosen) one, its node the one found here.
  merged.profile = profile;
  merged.controlPlane = undefined;
  merged.workers = undefined;
  facts.nodeName = merged.firstNode!.name;
  facts.advertiseAddress = merged.firstNode!.address;
  facts.controlPlaneEndpoint = merged.controlPlaneEndpoint?.host;
  facts.serviceSubnet = merged.serviceSubnet;
  facts.dnsDomain = merged.dnsDomain;
  const unknown: string[] = [];
  if (!facts.nodeName) unknown.push("node name (--node-name)");
  if (kind === "control-plane" || kind === undefined) {
    if (!facts.advertiseAddress) unknown.push("advertise address (--apiserver-advertise-address)");
    if (!facts.serviceSubnet) unknown.push("service CIDR (--service-cidr)");
    if (!facts.dnsDomain) unknown.push("DNS domain (--service-dns-domain)");
  }
  if (unknown.length) {
    notes.push({
      id: "cluster-facts-unknown", severity: "info", file: manifestsDir,
      message: `unknown: the ${unknown.join(", the ")}; no manifest, unit, cluster record or config gave ${unknown.length > 1 ? "them" : "it"}, so the checks that need ${unknown.length > 1 ? "them" : "it"} were skipped instead of judged against a default`,
      fix: `pass ${unknown.map((u) => u.replace(/.*\((.*)\)/, "$1")).join(", ")} or --config with the kubeadm config, to check those too`,
      commands: [],
    });
  }
  const cluster = mergeClusterPatches([
    { ...merged, firstNode: { name: facts.nodeName ?? UNKNOWN_NODE, address: facts.advertiseAddress ?? UNKNOWN_ADDRESS } },
  ]);
  return { cluster, facts };
}

/** A record's cluster-wide facts, and its node when it names only one. */
function recordAsNode({ source, patch }: FactSource): FactSource {
  const nodes = [...(patch.controlPlane ?? []), ...(patch.workers ?? [])];
  return { source, patch: { ...patch, controlPlane: undefined, workers: undefined, profile: undefined, firstNode: nodes.length === 1 ? nodes[0] : undefined } };
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
  pods: StaticPod[],
  hasKubelet: boolean,
  kubeletKubeconfig: string | undefined,
  flagPath: (p: StaticPod, f: string) => string | undefined,
  trustFor: (caId: string) => TrustRef | undefined,
  notes: Finding[],
): CertItem[] {
  const controlPlane = pods.some((m) => m.component === "kube-apiserver");
  const items: CertItem[] = [];
  for (const plan of plans) {
    const component = plan.spec.consumers[0]?.component ?? "kubectl";
    const pod = pods.find((m) => m.component === component);
    const kubelet = component === "kubelet";
    const fromFlag = (kubelet && kubeletKubeconfig) || (pod && flagPath(pod, "--kubeconfig"));
    const file = fromFlag || join(dir, plan.path);
    const required = Boolean(fromFlag) || (plan.spec.name === "admin.conf" && controlPlane) || (kubelet && hasKubelet);
    if (!required && !existsSync(file)) continue;
    // A per-node file whose node is unknown is named by the file the kubelet reads.
    const id = plan.path.includes(UNKNOWN_NODE) ? basename(file) : basename(plan.path);
    items.push({
      id, component, role: "client", file, kubeconfig: true, embeds: plan.certificateId,
      via: fromFlag ? `${component} --kubeconfig` : `${plans[0].spec.name.endsWith(".conf") ? "kubeadm" : "hard-way"} default`,
      required, keyRequired: true, expected: expectationFromKubeconfig(plan), caId: plan.caId, trust: trustFor(plan.caId), checkChain: true,
    });
  }
  if (items.length === 0) {
    notes.push({
      id: "file-missing", severity: "info", file: dir,
      message: "no kubeconfig was found and no manifest or kubelet config asks for one, so kubeconfigs were not checked",
      fix: "pass --kubeconfig-dir DIR if the kubeconfigs are elsewhere", commands: [],
    });
  }
  return items;
}

/**
 * The kubelet's serving certificate: on kubeadm self-signed by default (trusted
 * by nobody on purpose, so not an error), from the CSR API with
 * serverTLSBootstrap; on the hard way signed by the cluster CA (tlsCertFile).
 */
function kubeletServing(root: string, kubelet: KubeletConfig | undefined, profile: ProfileName, toLocal: (p: string) => string, trustFor: (caId: string) => TrustRef | undefined): CertItem | undefined {
  if (!kubelet) return undefined;
  const file = kubelet.tlsCertFile
    ? toLocal(kubelet.tlsCertFile)
    : rooted(root, `${HOST_KUBELET}/pki/${kubelet.serverTLSBootstrap ? "kubelet-server-current.pem" : "kubelet.crt"}`);
  // The kubelet writes it on start; until then its absence is normal.
  if (!existsSync(file)) return undefined;
  const keyFile = kubelet.tlsPrivateKeyFile ? toLocal(kubelet.tlsPrivateKeyFile) : file.endsWith(".pem") ? file : file.replace(/\.crt$/, ".key");
  const signed = profile === "hard-way" || kubelet.serverTLSBootstrap === true;
  return {
    id: "kubelet-serving", component: "kubelet", role: "server", file, keyFile,
    via: kubelet.tlsCertFile ? "kubelet tlsCertFile" : "kubelet default",
    required: false, keyRequired: true, checkChain: signed, caId: signed ? "ca" : undefined, trust: signed ? trustFor("ca") : undefined,
    expected: { isCA: false, extKeyUsage: ["serverAuth"], requiredSANs: new Map(), usualSANs: new Map() },
  };
}
