import { inputError } from "../errors.js";
import {
  DEFAULTS, defaultAdvertiseAddress, defaultNodeName, validateCluster,
  type ClusterDescription, type NodeSpec,
} from "./description.js";
import { parsePositiveDuration } from "./duration.js";
import { isDNSSan, isDNSSubdomain, parseIP, parseServiceSubnet, splitHostPort } from "./net.js";

/**
 * Part of a cluster description, as one source (kubeadm config, kubepki file,
 * flags) gives it. Sources are merged in order, later ones winning field by
 * field, over kubeadm's defaults.
 */
export interface ClusterPatch extends Partial<Omit<ClusterDescription, "controlPlane" | "workers" | "etcd">> {
  controlPlane?: NodeSpec[];
  workers?: NodeSpec[];
  /** The node init runs on (kubeadm's nodeRegistration.name and localAPIEndpoint; --node-name…). */
  firstNode?: Partial<NodeSpec>;
  etcd?: Partial<ClusterDescription["etcd"]>;
}

export function mergeClusterPatches(patches: ClusterPatch[]): ClusterDescription {
  const p: ClusterPatch = {};
  for (const patch of patches) {
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      if (k === "etcd" || k === "firstNode") Object.assign(((p as Record<string, object>)[k] ??= {}), definedOnly(v as object));
      else (p as Record<string, unknown>)[k] = v;
    }
  }
  const controlPlane = p.controlPlane?.length ? [...p.controlPlane] : [{ name: defaultNodeName(), address: "" }];
  controlPlane[0] = { ...controlPlane[0], ...definedOnly(p.firstNode ?? {}) };
  if (!controlPlane[0].address) controlPlane[0].address = defaultAdvertiseAddress();
  return validateCluster({
    profile: p.profile ?? DEFAULTS.profile,
    clusterName: p.clusterName ?? DEFAULTS.clusterName,
    controlPlane,
    workers: p.workers ?? [],
    bindPort: p.bindPort ?? DEFAULTS.bindPort,
    controlPlaneEndpoint: p.controlPlaneEndpoint,
    serviceSubnet: p.serviceSubnet ?? DEFAULTS.serviceSubnet,
    dnsDomain: p.dnsDomain ?? DEFAULTS.dnsDomain,
    apiServerCertSANs: p.apiServerCertSANs ?? [],
    etcd: { external: false, serverCertSANs: [], peerCertSANs: [], ...definedOnly(p.etcd ?? {}) },
    encryptionAlgorithm: p.encryptionAlgorithm ?? DEFAULTS.encryptionAlgorithm,
    certValidityMs: p.certValidityMs ?? parsePositiveDuration(DEFAULTS.certValidity, "default"),
    caValidityMs: p.caValidityMs ?? parsePositiveDuration(DEFAULTS.caValidity, "default"),
    kubernetesVersion: p.kubernetesVersion,
    certificatesDir: p.certificatesDir,
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// Field validators shared by the flag and config-file readers; `what` is the flag or field name.

export function checkNodeName(name: string, what: string): string {
  if (!isDNSSubdomain(name)) throw inputError(`${what}: "${name}" is not a valid node name (lower-case RFC 1123 DNS name)`);
  return name;
}

export function checkSANs(entries: string[], what: string): string[] {
  for (const e of entries) {
    if (!e) throw inputError(`${what}: empty SAN entry`);
    try {
      parseIP(e, what);
    } catch {
      // "10.0.0.300" passes as a DNS name but is a mistyped address: no client would ever dial it by name.
      if (/^[\d.]+$/.test(e)) throw inputError(`${what}: "${e}" looks like an IPv4 address but is not one`);
      if (!isDNSSan(e)) throw inputError(`${what}: "${e}" is neither an IP address nor a valid DNS name`);
    }
  }
  return entries;
}

export function checkPort(value: number | string, what: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || String(value).trim() === "") {
    throw inputError(`${what}: "${value}" is not a port number (1-65535)`);
  }
  return port;
}

export function checkEndpoint(value: string, what: string): ClusterDescription["controlPlaneEndpoint"] {
  return splitHostPort(value, what);
}

export function checkServiceSubnet(value: string, what: string): string {
  return parseServiceSubnet(value, what).join(",");
}

export function checkNode(node: { name: string; address: string }, what: string): NodeSpec {
  return { name: checkNodeName(node.name, `${what}.name`), address: parseIP(node.address, `${what}.address`) };
}
