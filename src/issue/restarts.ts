import { basename } from "node:path";
import { hardWayKubeconfigs } from "../catalog/hard-way.js";
import { kubeadmKubeconfigs } from "../catalog/kubeadm.js";
import type { NodeInventory } from "../check/discover.js";
import type { ProfileName } from "../cluster/description.js";
import { restartPlan, type Restart } from "../renew/restart.js";

/** A replaced file and the components that read it (from the catalog's consumers). */
export interface ReplacedFile {
  id: string;
  components: string[];
}

/**
 * Who must restart after init --force or a kubeconfig rewrite replaced files
 * on a node laid out like /etc/kubernetes: renew's plan, asked with the only
 * facts it reads (each file's id and component, the profile, no manifests
 * seen, so kubeadm's host paths).
 */
export function restartsAfterReplace(profile: ProfileName, replaced: ReplacedFile[]): Restart[] {
  const inventory = { root: "/", manifests: [], profile } as unknown as NodeInventory;
  const rows = replaced.flatMap((r) => [...new Set(r.components)].map((component) => ({ id: r.id, component })));
  return restartPlan(inventory, rows);
}

/**
 * After a kubeconfig was rewritten: who reads it, when its file name is one a
 * component reads (kubeadm's controller-manager.conf, the hard way's
 * kube-scheduler.kubeconfig…). Any other name is nobody's we know: no plan.
 */
export function restartsForKubeconfig(file: string): Restart[] {
  const name = basename(file);
  for (const [profile, specs] of [["kubeadm", kubeadmKubeconfigs()], ["hard-way", hardWayKubeconfigs()]] as const) {
    const spec = specs.find((s) => s.fileName === name);
    if (spec) return restartsAfterReplace(profile, [{ id: spec.name, components: spec.consumers.map((c) => c.component) }]);
  }
  return [];
}
