import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseKubeconfig, resolveContext } from "../kube/kubeconfig.js";

// The kubeconfigs kubeadm writes on a node, most telling first: every one
// names the cluster (kubeadm's ClusterConfiguration.clusterName, "kubernetes"
// unless set). A worker has only kubelet.conf.
const KUBECONFIGS = ["admin.conf", "super-admin.conf", "kubelet.conf", "controller-manager.conf", "scheduler.conf"];

/**
 * The cluster's name as the node's own kubeconfigs spell it (the current
 * context's cluster), or undefined when none can be read: then the label is
 * left out rather than guessed.
 */
export async function clusterNameFromKubeconfigs(kubeconfigDir: string): Promise<string | undefined> {
  for (const name of KUBECONFIGS) {
    const path = join(kubeconfigDir, name);
    try {
      const { context } = resolveContext(parseKubeconfig(await readFile(path, "utf8"), path));
      if (context.cluster) return context.cluster;
    } catch {
      // Missing, unreadable or broken: check reports that file; try the next one.
    }
  }
  return undefined;
}
