import { basename, relative } from "node:path";
import type { NodeInventory } from "../check/discover.js";
import type { LoadedCert } from "../check/load.js";

/** A component that must restart to use renewed files, and how. */
export interface Restart {
  component: string;
  /** The renewed certificates it reads. */
  certificates: string[];
  commands: string[];
  note?: string;
}

const STATIC_PODS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"];

/**
 * Who reads each renewed file and how to make them read it again. Components
 * load certificates at start: renewing without restarting is the classic trap
 * (the old certificate keeps being served until it expires).
 */
export function restartPlan(inventory: NodeInventory, renewed: LoadedCert[]): Restart[] {
  const byComponent = new Map<string, string[]>();
  for (const c of renewed) {
    const component = c.item.component;
    byComponent.set(component, [...(byComponent.get(component) ?? []), c.item.id]);
  }
  return restartComponents(inventory, byComponent);
}

/** How to restart each component so that it reads the changed files (named per component) again. */
export function restartComponents(inventory: NodeInventory, byComponent: Map<string, string[]>): Restart[] {
  const hostPath = (local: string) => (inventory.root === "/" ? local : `/${relative(inventory.root, local)}`);
  const restarts: Restart[] = [];
  for (const [component, certificates] of byComponent) {
    const pod = inventory.manifests.find((m) => m.component === component);
    if (STATIC_PODS.includes(component) && !pod && inventory.profile === "hard-way") {
      // The hard way runs the control plane as systemd units, not static pods.
      restarts.push({ component, certificates, commands: [`systemctl restart ${component}`] });
    } else if (STATIC_PODS.includes(component)) {
      const manifest = pod ? hostPath(pod.path) : `/etc/kubernetes/manifests/${component}.yaml`;
      const parked = `/etc/kubernetes/${basename(manifest)}`;
      restarts.push({
        component, certificates,
        // Moving the manifest out and back is what the kubeadm docs recommend: the kubelet stops the pod, then starts it anew.
        commands: [`mv ${manifest} ${parked}`, `sleep 20    # until: crictl ps --name ${component} lists nothing`, `mv ${parked} ${manifest}`],
        note: `or stop its pod and let the kubelet recreate it: crictl pods --name ${component} -q | xargs -r crictl stopp`,
      });
    } else if (component === "kubelet") {
      restarts.push({ component, certificates, commands: ["systemctl restart kubelet"] });
    } else if (component === "kubectl") {
      restarts.push({ component, certificates, commands: [], note: "nothing to restart: kubectl reads the file on each call (copy admin.conf to ~/.kube/config again if you use a copy)" });
    } else if (component === "etcdctl") {
      restarts.push({ component, certificates, commands: [], note: "nothing to restart: read by etcdctl and health checks on each call" });
    } else {
      restarts.push({ component, certificates, commands: [`restart ${component} (it reads the renewed files only at start)`] });
    }
  }
  return restarts;
}
