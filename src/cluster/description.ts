import { hostname, networkInterfaces } from "node:os";
import { KEY_ALGORITHMS, type KeyAlgorithm } from "../pki/keys.js";
import { inputError } from "../errors.js";
import { defaultKubernetesVersion, formatVersion, kubeadmFacts, parseKubernetesVersion } from "../catalog/versions.js";
import { firstServiceIP, httpsURL } from "./net.js";

export type ProfileName = "kubeadm" | "hard-way";
export const PROFILES: readonly ProfileName[] = ["kubeadm", "hard-way"];

export interface NodeSpec {
  name: string;
  /** The node's IP: the API server's advertise address on a control-plane node. */
  address: string;
}

/**
 * Everything kubepki needs to know about a cluster to issue its PKI, after
 * defaults are applied. It is filled from flags, kubeadm's config or kubepki's
 * own file (see config-file.ts), and read by the catalog.
 */
export interface ClusterDescription {
  profile: ProfileName;
  clusterName: string;
  /** Control-plane nodes, at least one; the first is the one `kubeadm init` ran on. */
  controlPlane: NodeSpec[];
  workers: NodeSpec[];
  bindPort: number;
  controlPlaneEndpoint?: { host: string; port?: number };
  /** Comma-separated CIDRs, as in networking.serviceSubnet. */
  serviceSubnet: string;
  dnsDomain: string;
  apiServerCertSANs: string[];
  etcd: { external: boolean; serverCertSANs: string[]; peerCertSANs: string[] };
  encryptionAlgorithm: KeyAlgorithm;
  certValidityMs: number;
  caValidityMs: number;
  /**
   * The kubeadm release whose rules apply ("v1.34.8"): --kubernetes-version or
   * kubernetesVersion in the ClusterConfiguration; unset = the newest kubepki
   * knows (see src/catalog/versions.ts).
   */
  kubernetesVersion?: string;
  /** kubeadm's certificatesDir (default /etc/kubernetes/pki), for the commands that read a node: --cert-dir wins. */
  certificatesDir?: string;
}

export const DEFAULTS = {
  profile: "kubeadm" as ProfileName,
  clusterName: "kubernetes",
  bindPort: 6443,
  serviceSubnet: "10.96.0.0/12",
  dnsDomain: "cluster.local",
  encryptionAlgorithm: "RSA-2048" as KeyAlgorithm,
  certValidity: "8760h",
  caValidity: "87600h",
};

/** kubeadm's default node name: the host name, lower-cased. */
export function defaultNodeName(): string {
  return hostname().toLowerCase();
}

/** kubeadm's default advertise address: the first non-loopback IPv4, else 127.0.0.1. */
export function defaultAdvertiseAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === "IPv4" && !a.internal) return a.address;
    }
  }
  return "127.0.0.1";
}

/** The `kubernetes` Service's ClusterIP: first IP of the first service CIDR. */
export function serviceIP(cluster: ClusterDescription): string {
  return firstServiceIP(cluster.serviceSubnet.split(",")[0].trim());
}

/** The URL kubeconfigs use: the control-plane endpoint if set, else the first node's address (kubeadm's rule). */
export function controlPlaneURL(cluster: ClusterDescription): string {
  const ep = cluster.controlPlaneEndpoint;
  if (ep) return httpsURL(ep.host, ep.port ?? cluster.bindPort);
  return httpsURL(cluster.controlPlane[0].address, cluster.bindPort);
}

/** The URL a control-plane node's own components use (controller-manager.conf, scheduler.conf). */
export function localAPIURL(cluster: ClusterDescription, node: NodeSpec): string {
  return httpsURL(node.address, cluster.bindPort);
}

export function parseKeyAlgorithm(text: string, what: string): KeyAlgorithm {
  const found = KEY_ALGORITHMS.find((a) => a.toLowerCase() === text.toLowerCase());
  if (!found) throw inputError(`${what}: unknown algorithm "${text}"`, `choose one of ${KEY_ALGORITHMS.join(", ")}`);
  return found;
}

export function parseProfile(text: string, what: string): ProfileName {
  if (!(PROFILES as readonly string[]).includes(text)) {
    throw inputError(`${what}: unknown profile "${text}"`, `choose one of ${PROFILES.join(", ")}`);
  }
  return text as ProfileName;
}

/** The kubeadm release a description speaks for: its own, or the newest kubepki knows. */
export function clusterVersion(cluster: ClusterDescription): string {
  return cluster.kubernetesVersion ?? formatVersion(defaultKubernetesVersion());
}

/** Checks what types cannot: unique node names and addresses, an algorithm the version's kubeadm accepts. */
export function validateCluster(cluster: ClusterDescription): ClusterDescription {
  if (cluster.controlPlane.length === 0) throw inputError("controlPlane: at least one control-plane node is needed");
  const version = parseKubernetesVersion(clusterVersion(cluster));
  if (cluster.encryptionAlgorithm === "ECDSA-P384" && !kubeadmFacts(version).ecdsaP384) {
    throw inputError(`encryptionAlgorithm: ECDSA-P384 is not valid for kubeadm ${formatVersion(version)}`, "kubeadm accepts ECDSA-P384 from v1.34.0; choose ECDSA-P256 or RSA-2048, or a newer --kubernetes-version");
  }
  const seen = new Set<string>();
  for (const node of [...cluster.controlPlane, ...cluster.workers]) {
    if (seen.has(node.name)) throw inputError(`nodes: node name "${node.name}" is used twice`);
    seen.add(node.name);
  }
  return cluster;
}
