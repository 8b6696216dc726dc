import { basename, dirname, relative } from "node:path";
import type { CertItem, NodeInventory } from "../check/discover.js";
import { shellCommand, shellQuote } from "../text.js";

/** A component that must restart to use renewed files, and how. */
export interface Restart {
  component: string;
  /** The renewed certificates it reads. */
  certificates: string[];
  /** Commands to paste as they are; empty when kubepki cannot know how this component runs (the note says so). */
  commands: string[];
  note?: string;
}

/** What a restart plan needs to know of a node: where it is, how its components run. */
export type NodeLayout = Pick<NodeInventory, "root" | "manifests" | "manifestsDir" | "profile">;

export const STATIC_PODS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"];
// Kubernetes the Hard Way runs every component as a systemd unit of its own name.
const HARD_WAY_UNITS = [...STATIC_PODS, "kubelet", "kube-proxy"];

/**
 * Who reads each renewed file and how to make them read it again. Components
 * load certificates at start: renewing without restarting is the classic trap
 * (the old certificate keeps being served until it expires). Used after
 * `renew` and after `renew --restore`.
 */
export function restartPlan(inventory: NodeLayout, renewed: Pick<CertItem, "id" | "component">[]): Restart[] {
  const byComponent = new Map<string, string[]>();
  for (const c of renewed) byComponent.set(c.component, [...(byComponent.get(c.component) ?? []), c.id]);
  return restartComponents(inventory, byComponent);
}

/** How to restart each component so that it reads the changed files (named per component) again. */
export function restartComponents(inventory: NodeLayout, byComponent: Map<string, string[]>): Restart[] {
  // Commands run on the node itself: paths under --root are shown as the node sees them.
  const hostPath = (local: string) => (inventory.root === "/" ? local : `/${relative(inventory.root, local)}`);
  const restarts: Restart[] = [];
  for (const [component, certificates] of byComponent) {
    const pod = inventory.manifests.find((m) => m.component === component);
    if (component === "kubectl") {
      restarts.push({ component, certificates, commands: [], note: "nothing to restart: kubectl reads the file on each call (copy it to ~/.kube/config again if you use a copy)" });
    } else if (component === "etcdctl") {
      restarts.push({ component, certificates, commands: [], note: "nothing to restart: read by etcdctl and health checks on each call" });
    } else if (pod) {
      const manifest = hostPath(pod.path);
      // Out of the manifests folder, and back: the kubelet stops the pod, then starts it anew (the kubeadm docs' way).
      const parked = `${dirname(dirname(manifest))}/${basename(manifest)}`;
      restarts.push({
        component, certificates,
        commands: [shellCommand(["mv", manifest, parked]), `sleep 20    # until: crictl ps --name ${shellQuote(component)} lists nothing`, shellCommand(["mv", parked, manifest])],
        note: `or stop its pod and let the kubelet recreate it: crictl pods --name ${shellQuote(component)} -q | xargs -r crictl stopp`,
      });
    } else if (component === "kubelet" || (inventory.profile === "hard-way" && HARD_WAY_UNITS.includes(component))) {
      restarts.push({ component, certificates, commands: [shellCommand(["systemctl", "restart", component])] });
    } else if (STATIC_PODS.includes(component)) {
      restarts.push({
        component, certificates, commands: [],
        note: `no static pod manifest for ${component} was found in ${hostPath(inventory.manifestsDir)}: restart it however it runs on this node (pass --manifests-dir if its manifest is elsewhere)`,
      });
    } else {
      restarts.push({ component, certificates, commands: [], note: `restart ${component} however it runs on this node: it reads the renewed files only at start` });
    }
  }
  return restarts;
}
