import { readFileSync } from "node:fs";
import { inputError } from "../errors.js";
import type { SANChange } from "./sans.js";

/**
 * `renew --add-san --config F`: the kubeadm config keeps the SAN too, or the
 * next `kubeadm upgrade` (which reissues from the config) drops it again.
 * kubeadm's fields (ClusterConfiguration v1beta3 and v1beta4):
 */
const SAN_FIELD: Record<string, string[]> = {
  apiserver: ["apiServer", "certSANs"],
  "etcd-server": ["etcd", "local", "serverCertSANs"],
  "etcd-peer": ["etcd", "local", "peerCertSANs"],
};

export const configSANField = (certificate: string): string | undefined => SAN_FIELD[certificate]?.join(".");

export interface ConfigEdit {
  file: string;
  /** The whole new file; comments, order and every other field kept. */
  text: string;
  /** "apiServer.certSANs" and what it holds after the edit, per certificate. */
  fields: { certificate: string; field: string; values: string[] }[];
  changed: boolean;
}

/**
 * The config file with each certificate's SAN list changed: added entries
 * appended when absent, removed ones dropped. The YAML library that keeps
 * comments and layout (`yaml`) is loaded only here: nothing else writes YAML
 * that a person maintains.
 */
export async function editKubeadmConfigSANs(file: string, changes: { certificate: string; change: SANChange }[]): Promise<ConfigEdit> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw inputError(`--config: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const { parseAllDocuments, isMap, isSeq, isScalar } = await import("yaml");
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw inputError(`--config: ${file}: not a YAML stream`);
  for (const d of docs) if (d.errors.length) throw inputError(`--config: ${file}: invalid YAML: ${d.errors[0].message.split("\n")[0]}`);
  const cluster = docs.find((d) => {
    const kind = d.get("kind");
    const apiVersion = d.get("apiVersion");
    return kind === "ClusterConfiguration" && typeof apiVersion === "string" && apiVersion.startsWith("kubeadm.k8s.io/");
  });
  if (!cluster) {
    throw inputError(`--config: ${file} has no kubeadm ClusterConfiguration document`, "add one (apiVersion: kubeadm.k8s.io/v1beta4, kind: ClusterConfiguration), or renew without --config");
  }
  if (cluster.hasIn(["etcd", "external"]) && changes.some((c) => c.certificate.startsWith("etcd-"))) {
    throw inputError(`--config: ${file} configures an external etcd; its certificates are not kubeadm's to change`);
  }
  const fields: ConfigEdit["fields"] = [];
  let changed = false;
  for (const { certificate, change } of changes) {
    const path = SAN_FIELD[certificate];
    if (!path) throw inputError(`--config: kubeadm's config has no SAN list for ${certificate}`, `only ${Object.keys(SAN_FIELD).join(", ")} have one`);
    const node = cluster.getIn(path, true);
    if (node !== undefined && node !== null && !isSeq(node) && !(isScalar(node) && node.value === null)) {
      throw inputError(`--config: ${file}: ${path.join(".")} is not a list`);
    }
    const current = isSeq(node) ? node.items.map((i) => String(isScalar(i) ? i.value : i)) : [];
    const isRemoved = (v: string) => change.remove.includes(v.toLowerCase()) || change.remove.includes(v);
    const kept = current.filter((v) => !isRemoved(v));
    const next = [...kept, ...change.add.filter((a) => !kept.some((v) => v.toLowerCase() === a))];
    if (next.length !== current.length || next.some((v, i) => v !== current[i])) {
      changed = true;
      if (isSeq(node)) {
        // Edit the existing sequence in place so its comments and style stay.
        for (let i = node.items.length - 1; i >= 0; i--) {
          const item = node.items[i];
          if (isRemoved(String(isScalar(item) ? item.value : item))) node.items.splice(i, 1);
        }
        for (const v of next.slice(kept.length)) node.add(cluster.createNode(v));
      } else {
        if (!isMap(cluster.contents)) throw inputError(`--config: ${file}: the ClusterConfiguration is not a mapping`);
        cluster.setIn(path, cluster.createNode(next));
      }
    }
    fields.push({ certificate, field: path.join("."), values: next });
  }
  // Keep the file's list style; without a list to learn from, kubeadm's and kubectl's: "- item" at the key's indentation.
  const indentSeq = /^( *)[^\s#-][^\n]*:[ \t]*\n\1 +- /m.test(text);
  return { file, text: changed ? docs.map((d) => d.toString({ indentSeq })).join("") : text, fields, changed };
}
