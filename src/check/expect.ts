import type { PlannedCertificate, PlannedKubeconfig } from "../catalog/index.js";
import { serviceIP, type ClusterDescription } from "../cluster/description.js";

/**
 * Sentinels for facts discovery could not find; expectations built from them
 * are dropped. The address must still parse as an IP (the catalog normalises
 * SANs), and 0.0.0.0 is never an advertise address.
 */
export const UNKNOWN_NODE = "<unknown-node>";
export const UNKNOWN_ADDRESS = "0.0.0.0";

/** The groups that make a client certificate a cluster admin on a kubeadm cluster. */
export const ADMIN_GROUPS = ["kubeadm:cluster-admins", "system:masters"];

/**
 * What one certificate must say for its consumer to accept it. Only what
 * matters to Kubernetes is here: a different CN on a CA is harmless, a
 * different CN on controller-manager.conf breaks RBAC.
 */
export interface Expectation {
  isCA: boolean;
  /** Exact CN; absent when any CN works. */
  commonName?: string;
  /** How bad a CN mismatch is: an identity (client) or cosmetic (server). */
  commonNameSeverity?: "error" | "info";
  /** O must include every group of one of these sets (extra groups are reported as info); absent when O is not checked here. */
  organizationAnyOf?: string[][];
  /** Checked by admin-group-missing: O must hold a cluster-admin group. */
  adminGroup?: boolean;
  /** Checked by kubelet-identity: CN system:node:<node>, O system:nodes. */
  kubeletNode?: boolean;
  /** Checked by front-proxy-name-not-allowed. */
  frontProxy?: boolean;
  /** Extended key usages the certificate must allow. */
  extKeyUsage: string[];
  /** SANs clients rely on: missing one is an error. "DNS:x" / "IP:y" → why it is needed. */
  requiredSANs: Map<string, string>;
  /** SANs kubeadm would add but few clients use: missing one is info. */
  usualSANs: Map<string, string>;
}

const known = (v: string) => v !== UNKNOWN_NODE && v !== UNKNOWN_ADDRESS;

/** Turns a catalog plan into the checks that matter, labelling why each SAN is there. */
export function expectationFromPlan(plan: PlannedCertificate, cluster: ClusterDescription): Expectation {
  const name = plan.spec.name;
  const node = cluster.controlPlane[0];
  const client = plan.extKeyUsage.length === 1 && plan.extKeyUsage[0] === "clientAuth";
  const e: Expectation = { isCA: plan.isCA, extKeyUsage: [...plan.extKeyUsage], requiredSANs: new Map(), usualSANs: new Map() };
  if (plan.isCA) return e;

  const cn = plan.subject.commonName;
  if (!cn.includes(UNKNOWN_NODE)) {
    e.commonName = cn;
    e.commonNameSeverity = client ? "error" : "info";
  }
  if (client) e.organizationAnyOf = [plan.subject.organization ?? []];
  // Where kubeadm changed O over releases, both are right (kubernetes-pki.md §1 notes).
  if (name === "apiserver-kubelet-client") {
    // kubeadm binds the kubelet API to an admin group; the hard way binds it to the user by name (RBAC we cannot see).
    // kubeadm's own O (none from v1.33.12/v1.34.8/v1.35.5/v1.36.1/v1.37.0, see catalog/versions.ts) is the one to expect.
    e.adminGroup = cluster.profile === "kubeadm" && Boolean(plan.subject.organization?.length);
    e.organizationAnyOf = undefined;
    e.commonNameSeverity = "info";
  }
  if (name === "apiserver-etcd-client" || name === "etcd-healthcheck-client") {
    // etcd authenticates these by chain only; the CN and O are cosmetic.
    e.organizationAnyOf = undefined;
    e.commonNameSeverity = "info";
  }
  if (name === "front-proxy-client") {
    // The API server accepts any CN in --requestheader-allowed-names: that rule judges it.
    e.frontProxy = true;
    e.commonNameSeverity = "info";
  }
  if (name === "kubelet-client") {
    e.kubeletNode = true;
    e.commonName = undefined;
    e.organizationAnyOf = undefined;
  }
  if (name === "admin") {
    e.adminGroup = true;
    e.commonName = undefined;
    e.organizationAnyOf = undefined;
  }

  const why = sanReasons(name, cluster, node);
  for (const d of plan.altNames.dnsNames) addSAN(e, `DNS:${d}`, why);
  for (const ip of plan.altNames.ipAddresses) addSAN(e, `IP:${ip}`, why);
  return e;
}

function addSAN(e: Expectation, san: string, why: (san: string) => { reason: string; required: boolean }) {
  if (!known(san.slice(san.indexOf(":") + 1))) return;
  const { reason, required } = why(san);
  (required ? e.requiredSANs : e.usualSANs).set(san, reason);
}

/**
 * Why a planned SAN is there, and whether clients need it: the kubernetes.default
 * names, the service IP, the advertise address and the endpoint for the API
 * server; loopback and the node IP for etcd.
 */
function sanReasons(name: string, cluster: ClusterDescription, node: { name: string; address: string }) {
  const svc = `IP:${serviceIP(cluster)}`;
  const endpoint = cluster.controlPlaneEndpoint?.host;
  return (san: string): { reason: string; required: boolean } => {
    const value = san.slice(san.indexOf(":") + 1);
    const etcd = name.startsWith("etcd");
    if (etcd) {
      if (value === "localhost" || value === "127.0.0.1") return { reason: "loopback, how the API server reaches local etcd", required: true };
      if (san === `IP:${node.address}`) return { reason: "the node IP, how peers and remote clients reach etcd", required: true };
      if (value === "::1") return { reason: "IPv6 loopback", required: false };
      if (value === node.name) return { reason: "the node name", required: false };
      return { reason: "an extra etcd SAN from the cluster config", required: true };
    }
    if (/^DNS:kubernetes(\.default(\.svc(\..+)?)?)?$/.test(san)) return { reason: "the in-cluster name of the kubernetes Service", required: true };
    if (san === svc) return { reason: "the service IP, how pods reach the API server", required: true };
    if (san === `IP:${node.address}`) return { reason: "the advertise address", required: true };
    if (endpoint && value === endpoint) return { reason: "the control-plane endpoint", required: true };
    if (value === node.name) return { reason: "the node name", required: false };
    if (value === "127.0.0.1") return { reason: "loopback", required: false };
    if (cluster.apiServerCertSANs.includes(value)) return { reason: "an extra SAN from apiServer.certSANs", required: true };
    return { reason: "a control-plane node address", required: true };
  };
}

/**
 * What a kubeconfig's client certificate must say, from the catalog's client
 * identity: a node identity for the kubelet, an admin group for admins (and
 * exactly system:masters for the break-glass one), else the exact user name
 * RBAC binds.
 */
export function expectationFromKubeconfig(plan: PlannedKubeconfig): Expectation {
  const e: Expectation = { isCA: false, extKeyUsage: ["clientAuth"], requiredSANs: new Map(), usualSANs: new Map() };
  const cn = plan.subject.commonName;
  const o = plan.subject.organization ?? [];
  if (cn.startsWith("system:node:")) e.kubeletNode = true;
  else if (o.some((g) => ADMIN_GROUPS.includes(g))) {
    e.adminGroup = true;
    if (o.includes("system:masters")) e.organizationAnyOf = [["system:masters"]];
  } else {
    e.commonName = cn;
    e.commonNameSeverity = "error";
    if (o.length) e.organizationAnyOf = [o];
  }
  return e;
}
