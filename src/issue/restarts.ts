import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { hardWayKubeconfigs } from "../catalog/hard-way.js";
import { kubeadmKubeconfigs } from "../catalog/kubeadm.js";
import type { ProfileName } from "../cluster/description.js";
import { loadStaticPod } from "../kube/manifest.js";
import { restartPlan, STATIC_PODS, type NodeLayout, type Restart } from "../renew/restart.js";

/** A replaced file and the components that read it (from the catalog's consumers). */
export interface ReplacedFile {
  id: string;
  components: string[];
}

/**
 * Who must restart after init --force or a kubeconfig rewrite replaced files in
 * a kubernetes folder: renew's plan, asked with the only facts it reads (each
 * file's id and component, the profile, and the static pod manifests in the
 * folder's manifests/, if any: without one, the plan says so instead of
 * guessing where the component runs).
 */
export async function restartsAfterReplace(profile: ProfileName, replaced: ReplacedFile[], kubernetesDir: string): Promise<Restart[]> {
  const manifestsDir = join(kubernetesDir, "manifests");
  const manifests = [];
  for (const component of STATIC_PODS) {
    const file = join(manifestsDir, `${component}.yaml`);
    if (existsSync(file)) manifests.push(await loadStaticPod(file).catch(() => undefined));
  }
  const inventory: NodeLayout = { root: "/", manifests: manifests.filter((m) => m !== undefined), manifestsDir, profile };
  const rows = replaced.flatMap((r) => [...new Set(r.components)].map((component) => ({ id: r.id, component })));
  return restartPlan(inventory, rows);
}

/**
 * After a kubeconfig was rewritten: who reads it, when its file name is one a
 * component reads (kubeadm's controller-manager.conf, the hard way's
 * kube-scheduler.kubeconfig…). Any other name is nobody's we know: no plan.
 */
export async function restartsForKubeconfig(file: string): Promise<Restart[]> {
  const name = basename(file);
  for (const [profile, specs] of [["kubeadm", kubeadmKubeconfigs()], ["hard-way", hardWayKubeconfigs()]] as const) {
    const spec = specs.find((s) => s.fileName === name);
    if (spec) return restartsAfterReplace(profile, [{ id: spec.name, components: spec.consumers.map((c) => c.component) }], dirname(file));
  }
  return [];
}
