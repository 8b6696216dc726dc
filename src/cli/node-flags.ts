import { formatVersion, parseKubernetesVersion } from "../catalog/versions.js";
import type { DiscoverOptions } from "../check/discover.js";
import { parseProfile } from "../cluster/description.js";
import { isDNSSubdomain, parseIP } from "../cluster/net.js";
import { checkEndpoint, checkNodeName, checkSANs, checkServiceSubnet, type ClusterPatch } from "../cluster/patch.js";
import { inputError } from "../errors.js";
import { commaList } from "./args.js";

/** kubeadm's flags for the node, its network and its release, shared by the commands that describe a cluster (init, check, serve). */
export const NODE_FLAGS = {
  "node-name": { type: "string" },
  "apiserver-advertise-address": { type: "string" },
  "control-plane-endpoint": { type: "string" },
  "apiserver-cert-extra-sans": { type: "string", multiple: true },
  "service-cidr": { type: "string" },
  "service-dns-domain": { type: "string" },
  "kubernetes-version": { type: "string" },
} as const;

export interface NodeFlagValues {
  "node-name"?: string;
  "apiserver-advertise-address"?: string;
  "control-plane-endpoint"?: string;
  "apiserver-cert-extra-sans"?: string[];
  "service-cidr"?: string;
  "service-dns-domain"?: string;
  "kubernetes-version"?: string;
}

/** Those flags as a cluster patch; each value is checked here so that the error names the flag. */
export function nodePatchFromFlags(v: NodeFlagValues): ClusterPatch {
  const domain = v["service-dns-domain"];
  if (domain !== undefined && !isDNSSubdomain(domain)) throw inputError(`--service-dns-domain: "${domain}" is not a valid DNS domain`);
  const extra = commaList(v["apiserver-cert-extra-sans"]);
  return {
    firstNode: {
      name: v["node-name"] !== undefined ? checkNodeName(v["node-name"], "--node-name") : undefined,
      address: v["apiserver-advertise-address"] !== undefined ? parseIP(v["apiserver-advertise-address"], "--apiserver-advertise-address") : undefined,
    },
    controlPlaneEndpoint: v["control-plane-endpoint"] !== undefined ? checkEndpoint(v["control-plane-endpoint"], "--control-plane-endpoint") : undefined,
    apiServerCertSANs: extra ? checkSANs(extra, "--apiserver-cert-extra-sans") : undefined,
    serviceSubnet: v["service-cidr"] !== undefined ? checkServiceSubnet(v["service-cidr"], "--service-cidr") : undefined,
    dnsDomain: domain,
    kubernetesVersion: v["kubernetes-version"] !== undefined ? formatVersion(parseKubernetesVersion(v["kubernetes-version"])) : undefined,
  };
}

// Where a node's files are: the flags of the commands that read or write a node. Each table keeps
// the order its commands always had (the "did you mean" hint reads the keys in order). explain
// declares its own (no --profile): importing this module would load the cluster modules at its start-up.
const ROOT = { root: { type: "string" } } as const;
/** --pki-dir: check's first name for --cert-dir, still taken by check and serve. */
const PKI_DIR = { "pki-dir": { type: "string" } } as const;
const DIRS = {
  "cert-dir": { type: "string" },
  "kubeconfig-dir": { type: "string" },
  "manifests-dir": { type: "string" },
} as const;
const PROFILE = { profile: { type: "string" } } as const;

/** renew, rotate-ca. */
export const LOCATION_FLAGS = { ...ROOT, ...DIRS, ...PROFILE } as const;
/** check, serve. */
export const LOCATION_FLAGS_WITH_PKI_DIR = { ...ROOT, ...PKI_DIR, ...DIRS, ...PROFILE } as const;

export interface LocationFlagValues {
  root?: string;
  "pki-dir"?: string;
  "cert-dir"?: string;
  "kubeconfig-dir"?: string;
  "manifests-dir"?: string;
  profile?: string;
}

export type NodeLocation = Pick<DiscoverOptions, "root" | "pkiDir" | "kubeconfigDir" | "manifestsDir" | "profile">;

/** Any of those tables' values as discover's options; `command` names the one that refuses --pki-dir with --cert-dir. */
export function nodeLocation(command: string, v: LocationFlagValues): NodeLocation {
  if (v["pki-dir"] !== undefined && v["cert-dir"] !== undefined) throw inputError(`${command}: --pki-dir and --cert-dir are the same flag; give one`);
  return {
    root: v.root,
    pkiDir: v["pki-dir"] ?? v["cert-dir"],
    kubeconfigDir: v["kubeconfig-dir"],
    manifestsDir: v["manifests-dir"],
    profile: v.profile !== undefined ? parseProfile(v.profile, "--profile") : undefined,
  };
}
