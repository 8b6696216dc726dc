import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { NodeInventory } from "../check/discover.js";
import type { LoadedCert } from "../check/load.js";
import { inputError } from "../errors.js";
import { parseCertificate } from "../pki/model.js";
import { decodeCertificates } from "../pki/pem.js";

/**
 * Which certificates the names on the command line mean. A name is kubeadm's
 * ("apiserver", "admin.conf"), the same with its file's extension or stem
 * ("apiserver.crt", "etcd/server"), or a path to the file: what users copy
 * from `ls` or from a fix that `check` printed. A name that could mean two
 * certificates is refused rather than guessed.
 */
export function selectTargets(names: string[], certs: LoadedCert[], pkiDir: string): LoadedCert[] {
  const leaves = certs.filter((c) => c.item.role !== "CA");
  const known = () => `one of: ${leaves.map((c) => c.item.id).join(", ")}, all`;
  if (names.length === 0) throw inputError("renew: name the certificates to renew, or all", known());
  if (names.includes("all")) {
    if (names.length > 1) throw inputError(`renew: "all" already names every certificate; drop ${names.filter((n) => n !== "all").join(", ")}`);
    return leaves;
  }
  const out: LoadedCert[] = [];
  for (const name of names) {
    const found = matches(name, certs, pkiDir);
    if (found.length === 0) throw inputError(`renew: unknown certificate "${name}"`, known());
    if (found.length > 1) throw inputError(`renew: "${name}" could mean ${found.map((c) => c.item.id).join(" or ")}`, "use one of those names");
    const [c] = found;
    if (c.item.role === "CA") throw inputError(`renew: ${c.item.id} is a CA; CAs are not renewed here`, "see the Kubernetes docs on manual CA rotation");
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

const stripExt = (s: string) => s.replace(/\.(crt|key|pem|conf|kubeconfig)$/, "");

function matches(name: string, certs: LoadedCert[], pkiDir: string): LoadedCert[] {
  const byId = certs.filter((c) => c.item.id === name);
  if (byId.length) return byId;
  const byStem = certs.filter((c) => c.item.id === stripExt(name) && !c.item.kubeconfig);
  if (byStem.length) return byStem;
  // A path, absolute or relative to here, or relative to the pki folder ("etcd/server.crt").
  const files = (c: LoadedCert) => [c.item.file, c.certFile, c.keyFile].filter((f): f is string => f !== undefined);
  for (const candidate of [resolve(name), join(pkiDir, name)]) {
    const hit = certs.filter((c) => files(c).some((f) => f === candidate || stripExt(f) === stripExt(candidate)));
    if (hit.length) return hit;
  }
  // A bare file name ("server.crt") only when one certificate has it.
  if (!name.includes("/")) return certs.filter((c) => files(c).some((f) => basename(f) === name));
  return [];
}

/** kubeconfigs in the folder that the hard way's fixed names do not explain: `<node>.kubeconfig`. */
const HARD_WAY_SHARED = ["admin.kubeconfig", "kube-controller-manager.kubeconfig", "kube-scheduler.kubeconfig", "kube-proxy.kubeconfig"];

/**
 * The hard way names the kubelet's kubeconfig after its node. When no flag or
 * manifest gave the node name, the one `<node>.kubeconfig` in the folder does
 * (init writes exactly one per node); several mean several nodes' files, and
 * then only --node-name can say which is this node's.
 */
export function hardWayNodeNames(kubeconfigDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(kubeconfigDir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(".kubeconfig") && !HARD_WAY_SHARED.includes(n)).map((n) => n.slice(0, -".kubeconfig".length)).sort();
}

/**
 * In a flat hard-way folder issued for several nodes, per-node files carry
 * the node's name (kubelet-<node>.crt) or, for etcd, the member's number
 * (etcdserver2.crt); discovery, which looks at one node, expects the
 * single-node name. Point those items at this node's files: the kubelet's by
 * name, etcd's by the one member certificate that names this node in its SANs.
 */
export function perNodeFiles(inventory: NodeInventory, node: string): void {
  for (const item of inventory.certs) {
    if (item.kubeconfig || existsSync(item.file)) continue;
    let file: string | undefined;
    if (item.id === "kubelet" || item.id === "kubelet-client") file = item.file.replace(/\.crt$/, `-${node}.crt`);
    else if (item.id === "etcd-server") file = etcdMemberFile(dirname(item.file), node);
    if (!file || !existsSync(file)) continue;
    if (item.keyFile) item.keyFile = file.replace(/\.crt$/, ".key");
    item.file = file;
  }
}

function etcdMemberFile(dir: string, node: string): string | undefined {
  const members = readdirSync(dir).filter((n) => /^etcdserver\d+\.crt$/.test(n)).map((n) => join(dir, n));
  const mine = members.filter((f) => {
    try {
      const [der] = decodeCertificates(readFileSync(f, "utf8"), f);
      return der !== undefined && parseCertificate(der, f).dnsNames.includes(node);
    } catch {
      return false; // an unreadable member file is not this node's evidence
    }
  });
  return mine.length === 1 ? mine[0] : undefined;
}
