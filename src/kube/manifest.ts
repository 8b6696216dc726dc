import { basename } from "node:path";
import { parseYAML } from "../yaml.js";
import { inputError } from "../errors.js";
import { readText } from "../store/files.js";

/** A static pod manifest's container command line, as flags. */
export interface StaticPod {
  path: string;
  /** kube-apiserver, kube-controller-manager, kube-scheduler, etcd… (the container or pod name). */
  component: string;
  /** --flag → value, for every `--flag=value` or `--flag value` in command and args. */
  flags: Map<string, string>;
  /** hostPath volumes: mount path in the container → path on the host. */
  hostPaths: Map<string, string>;
  /** The main container's image ("registry.k8s.io/kube-apiserver:v1.34.8"): its tag is the Kubernetes version. */
  image?: string;
}

const KNOWN = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"];

/** Parses a static pod manifest (YAML or JSON); `path` names it in errors. */
export function parseStaticPod(text: string, path: string): StaticPod {
  const doc = parseYAML(text, path);
  const pod = doc as { kind?: string; metadata?: { name?: string }; spec?: { containers?: unknown[]; volumes?: unknown[] } };
  if (!pod || typeof pod !== "object" || pod.kind !== "Pod" || !Array.isArray(pod.spec?.containers)) {
    throw inputError(`${path}: not a static pod manifest (kind: Pod with containers)`);
  }
  // Only what has the right shape counts: a hand-edited manifest may hold anything.
  type Container = { name?: unknown; image?: unknown; command?: unknown; args?: unknown; volumeMounts?: unknown };
  const containers = (pod.spec!.containers as unknown[]).filter((c): c is Container => isObject(c));
  if (containers.length === 0) throw inputError(`${path}: not a static pod manifest (no container)`);
  const main = containers.find((c) => KNOWN.includes(String(c.name))) ?? containers[0];
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  const flags = flagsOf([...list(main.command), ...list(main.args)].map(String));
  const volumes = new Map<string, string>();
  for (const v of list(pod.spec!.volumes) as { name?: unknown; hostPath?: { path?: unknown } }[]) {
    if (isObject(v) && typeof v.name === "string" && isObject(v.hostPath) && typeof v.hostPath.path === "string") volumes.set(v.name, v.hostPath.path);
  }
  const hostPaths = new Map<string, string>();
  for (const m of list(main.volumeMounts) as { name?: unknown; mountPath?: unknown }[]) {
    const host = isObject(m) && typeof m.name === "string" ? volumes.get(m.name) : undefined;
    if (host && typeof m.mountPath === "string") hostPaths.set(m.mountPath, host);
  }
  const podName = typeof pod.metadata?.name === "string" ? pod.metadata.name.replace(/-[^-]+$/, "") : undefined;
  const component = KNOWN.find((k) => k === main.name || k === podName || basename(path) === `${k}.yaml`) ?? String(main.name ?? basename(path));
  return { path, component, flags, hostPaths, image: typeof main.image === "string" ? main.image : undefined };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export async function loadStaticPod(path: string): Promise<StaticPod> {
  return parseStaticPod(await readText(path), path);
}

/**
 * Where a path seen inside the container lives on the host, following the
 * hostPath mounts (kubeadm mounts /etc/kubernetes/pki at the same path).
 */
export function hostPathOf(pod: StaticPod, containerPath: string): string {
  let best = "";
  for (const mount of pod.hostPaths.keys()) {
    if ((containerPath === mount || containerPath.startsWith(mount.endsWith("/") ? mount : `${mount}/`)) && mount.length > best.length) best = mount;
  }
  return best ? pod.hostPaths.get(best)! + containerPath.slice(best.length) : containerPath;
}

/** Command-line words as the components read them: --flag=value, --flag value, or a bare --flag ("true"). */
export function flagsOf(words: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith("--")) continue;
    const eq = w.indexOf("=");
    if (eq > 0) flags.set(w.slice(0, eq), w.slice(eq + 1));
    else if (i + 1 < words.length && !words[i + 1].startsWith("--")) flags.set(w, words[++i]);
    else flags.set(w, "true");
  }
  return flags;
}
