import { isDNSSubdomain, parseIP } from "../cluster/net.js";
import { checkEndpoint, checkNodeName, checkSANs, checkServiceSubnet, type ClusterPatch } from "../cluster/patch.js";
import { inputError } from "../errors.js";
import { commaList } from "./args.js";

/** kubeadm's flags for the node and its network, shared by the commands that describe a cluster (init, check). */
export const NODE_FLAGS = {
  "node-name": { type: "string" },
  "apiserver-advertise-address": { type: "string" },
  "control-plane-endpoint": { type: "string" },
  "apiserver-cert-extra-sans": { type: "string", multiple: true },
  "service-cidr": { type: "string" },
  "service-dns-domain": { type: "string" },
} as const;

export interface NodeFlagValues {
  "node-name"?: string;
  "apiserver-advertise-address"?: string;
  "control-plane-endpoint"?: string;
  "apiserver-cert-extra-sans"?: string[];
  "service-cidr"?: string;
  "service-dns-domain"?: string;
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
  };
}
