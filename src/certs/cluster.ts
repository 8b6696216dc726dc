import { join } from "node:path";
import { formatVersion, parseKubernetesVersion } from "../catalog/versions.js";
import type { ClusterDescription } from "../cluster/description.js";
import { mergeClusterPatches, type ClusterPatch } from "../cluster/patch.js";
import type { CertsDirs } from "./targets.js";

/** What every `kubepki certs` subcommand takes, as kubeadm names it. */
export interface CertsInput {
  /** --config: a kubeadm InitConfiguration/ClusterConfiguration (or a kubepki ClusterPKI). */
  config?: string;
  kubernetesVersion?: string;
  certDir?: string;
  kubeconfigDir?: string;
  /** More cluster facts, as init's flags give them (generate-csr: node name, addresses, SANs). */
  patch?: ClusterPatch;
}

/**
 * The cluster kubeadm's certs commands would see: --config (read like init
 * reads it) over kubeadm's defaults, --kubernetes-version last. kubeadm also
 * reads the kubeadm-config ConfigMap through --kubeconfig when there is no
 * --config; kubepki talks to no API server, so without --config the defaults
 * apply (RSA-2048, 8760h) and the command says so.
 */
export async function certsCluster(input: CertsInput): Promise<ClusterDescription> {
  const patches: ClusterPatch[] = [];
  if (input.config !== undefined) {
    const { readClusterConfig } = await import("../cluster/config-file.js");
    patches.push(await readClusterConfig(input.config));
  }
  if (input.patch) patches.push(input.patch);
  if (input.kubernetesVersion !== undefined) patches.push({ kubernetesVersion: formatVersion(parseKubernetesVersion(input.kubernetesVersion)) });
  return mergeClusterPatches(patches);
}

/** --cert-dir, else the config's certificatesDir, else kubeadm's /etc/kubernetes/pki; kubeconfigs in /etc/kubernetes. */
export function certsDirs(input: CertsInput, cluster?: ClusterDescription): CertsDirs {
  return {
    certDir: input.certDir ?? cluster?.certificatesDir ?? join("/etc/kubernetes", "pki"),
    kubeconfigDir: input.kubeconfigDir ?? "/etc/kubernetes",
  };
}
