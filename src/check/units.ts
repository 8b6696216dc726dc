import { readFileSync } from "node:fs";
import { join } from "node:path";
import { flagsOf, type StaticPod } from "../kube/manifest.js";

/** Where a hard-way node keeps its units, and the components whose flags name certificates. */
const UNIT_DIRS = ["/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"];
export const UNIT_COMPONENTS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd", "kubelet", "kube-proxy"];

/**
 * The components a node runs as systemd services (Kubernetes the Hard Way), as
 * flag maps like a static pod's: ExecStart's `--flag=value` and `--flag value`,
 * over `\` continuation lines. Host paths are used as they are (no mounts).
 */
export function readUnits(root: string): StaticPod[] {
  const pods: StaticPod[] = [];
  for (const component of UNIT_COMPONENTS) {
    for (const dir of UNIT_DIRS) {
      const path = join(root, dir, `${component}.service`);
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        continue;
      }
      pods.push({ path, component, flags: execStartFlags(text), hostPaths: new Map() });
      break;
    }
  }
  return pods;
}

/** The flags of a unit's ExecStart line. Quotes are removed; systemd's specifiers are kept as written. */
export function execStartFlags(unit: string): Map<string, string> {
  const joined = unit.replace(/\\\r?\n/g, " ");
  const line = joined.split(/\r?\n/).find((l) => /^\s*ExecStart\s*=/.test(l)) ?? "";
  const words = (line.replace(/^\s*ExecStart\s*=\s*[-@+!:]*/, "").match(/"[^"]*"|'[^']*'|\S+/g) ?? [])
    .map((w) => w.replace(/^(["'])(.*)\1$/, "$2").replace(/^(--[^=]+=)(["'])(.*)\2$/, "$1$3"));
  return flagsOf(words);
}
