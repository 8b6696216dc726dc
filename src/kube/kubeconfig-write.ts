import { toYAML } from "../yaml.js";
import { dirname } from "node:path";
import { KEY_MODE, readIfExists, removeStaleTempsOf } from "../store/files.js";
import { fileLockPath, treeLockPath, withLocks } from "../store/lock.js";
import { replaceFile } from "../store/replace.js";
import { sweepBackupTemps } from "../store/transaction.js";
import { parseKubeconfig } from "./kubeconfig.js";

/**
 * Writing kubeconfigs: a new one as kubeadm writes it, or one cluster, user and
 * context set into an existing one the way `kubectl config set-cluster`,
 * `set-credentials` and `set-context` do — every other entry and field kept.
 * (Reading is kubeconfig.ts.)
 */

export interface KubeconfigEntry {
  clusterName: string;
  server: string;
  /** The CA that verifies the API server: PEM embedded, or a file path. */
  ca: { data: string | Buffer } | { file: string };
  userName: string;
  /** Client certificate and key: PEM embedded, or file paths. */
  credentials: { certData: string | Buffer; keyData: string | Buffer } | { certFile: string; keyFile: string };
  contextName: string;
}

export type EntryChange = "added" | "updated" | "unchanged";

export interface MergeResult {
  doc: Record<string, unknown>;
  cluster: EntryChange;
  user: EntryChange;
  context: EntryChange;
  currentContext: string | undefined;
}

const b64 = (v: string | Buffer) => Buffer.from(v).toString("base64");
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function clusterFields(entry: KubeconfigEntry): Json {
  // Keys in the order kubectl writes them (alphabetical, as Go's yaml marshals maps).
  return "data" in entry.ca
    ? { "certificate-authority-data": b64(entry.ca.data), server: entry.server }
    : { "certificate-authority": entry.ca.file, server: entry.server };
}

function userFields(entry: KubeconfigEntry): Json {
  const c = entry.credentials;
  return "certData" in c
    ? { "client-certificate-data": b64(c.certData), "client-key-data": b64(c.keyData) }
    : { "client-certificate": c.certFile, "client-key": c.keyFile };
}

/** A fresh kubeconfig with one cluster, user and context, current-context set: what kubeadm writes. */
export function buildKubeconfig(entry: KubeconfigEntry): Json {
  return {
    apiVersion: "v1",
    clusters: [{ cluster: clusterFields(entry), name: entry.clusterName }],
    contexts: [{ context: { cluster: entry.clusterName, user: entry.userName }, name: entry.contextName }],
    "current-context": entry.contextName,
    kind: "Config",
    preferences: {},
    users: [{ name: entry.userName, user: userFields(entry) }],
  };
}

/** Fields that conflict with what is being set: embedded data replaces a file reference and vice versa. */
const CLUSTER_REPLACES = ["certificate-authority", "certificate-authority-data", "insecure-skip-tls-verify"];
const USER_REPLACES = ["client-certificate", "client-certificate-data", "client-key", "client-key-data"];

/**
 * Sets one named entry of a list (clusters, users, contexts) like kubectl
 * config set-*: an existing entry keeps every field not being set, a missing
 * one is appended.
 */
function setEntry(doc: Json, listKey: string, inner: string, name: string, fields: Json, replaces: string[]): EntryChange {
  if (!Array.isArray(doc[listKey])) doc[listKey] = [];
  const list = doc[listKey] as Json[];
  const found = list.find((e) => isObject(e) && e.name === name);
  if (!found) {
    list.push(inner === "user" ? { name, [inner]: fields } : { [inner]: fields, name });
    return "added";
  }
  const body: Json = isObject(found[inner]) ? (found[inner] as Json) : (found[inner] = {});
  const before = JSON.stringify(body);
  for (const k of replaces) if (!(k in fields)) delete body[k];
  Object.assign(body, fields);
  return JSON.stringify(body) === before ? "unchanged" : "updated";
}

/**
 * Merges an entry into an existing kubeconfig document (as parsed; `undefined`
 * for none). current-context is set when asked or when the file had none,
 * never silently switched otherwise.
 */
export function mergeKubeconfig(existing: Json | undefined, entry: KubeconfigEntry, options: { useContext?: boolean } = {}): MergeResult {
  if (!existing || Object.keys(existing).length === 0) {
    return { doc: buildKubeconfig(entry), cluster: "added", user: "added", context: "added", currentContext: entry.contextName };
  }
  const doc = structuredClone(existing);
  doc.apiVersion ??= "v1";
  doc.kind ??= "Config";
  const cluster = setEntry(doc, "clusters", "cluster", entry.clusterName, clusterFields(entry), CLUSTER_REPLACES);
  const user = setEntry(doc, "users", "user", entry.userName, userFields(entry), USER_REPLACES);
  const context = setEntry(doc, "contexts", "context", entry.contextName, { cluster: entry.clusterName, user: entry.userName }, []);
  if (options.useContext || !doc["current-context"]) doc["current-context"] = entry.contextName;
  return { doc, cluster, user, context, currentContext: typeof doc["current-context"] === "string" ? doc["current-context"] : undefined };
}

/**
 * Sets the CA a kubeconfig's cluster trusts, as embedded PEM data; a file reference goes, since data
 * and a reference together are an error to client-go. A cluster not in the document is left alone.
 */
export function setClusterCA(doc: Json, clusterName: string, pem: string): void {
  const clusters = (Array.isArray(doc.clusters) ? doc.clusters : []) as { name?: unknown; cluster?: Json }[];
  const cluster = clusters.find((c) => c.name === clusterName)?.cluster;
  if (!cluster) return;
  delete cluster["certificate-authority"];
  cluster["certificate-authority-data"] = Buffer.from(pem).toString("base64");
}

export function stringifyKubeconfig(doc: Json): string {
  return toYAML(doc);
}

export interface KubeconfigFileResult extends MergeResult {
  path: string;
  created: boolean;
  /** Where the previous file was copied first. */
  backup?: string;
}

/**
 * The locks a write of kubeconfig `path` takes, in this order: its folder's
 * (the one init and renew take for a tree whose kubeconfigs live there, and
 * which guards the folder's backups) and kubectl's `<path>.lock`.
 */
export function kubeconfigLocks(path: string): string[] {
  return [treeLockPath(dirname(path)), fileLockPath(path)];
}

/**
 * Sets an entry into the kubeconfig at `path` (created if missing): under its
 * locks, the file is read and validated first, backed up if it changes, then
 * replaced atomically with mode 0600 (it holds a private key). Two merges at
 * once are serialised, so each sees the other's entries.
 */
export async function updateKubeconfigFile(path: string, entry: KubeconfigEntry, options: { useContext?: boolean; now: Date }): Promise<KubeconfigFileResult> {
  return withLocks(kubeconfigLocks(path), `kubepki kubeconfig (${entry.userName})`, async () => {
    await removeStaleTempsOf(path);
    await sweepBackupTemps(dirname(path));
    return mergeIntoFile(path, entry, options);
  });
}

async function mergeIntoFile(path: string, entry: KubeconfigEntry, options: { useContext?: boolean; now: Date }): Promise<KubeconfigFileResult> {
  const text = await readIfExists(path);
  // Validates the existing file the way the reader does, so a broken one is refused before anything is written.
  const existing = text !== undefined && text.toString().trim() !== "" ? parseKubeconfig(text.toString(), path).raw : undefined;
  const merged = mergeKubeconfig(existing, entry, options);
  const backup = await replaceFile(path, stringifyKubeconfig(merged.doc), KEY_MODE, options.now, `kubepki kubeconfig: set user ${entry.userName} in ${path}`);
  return { ...merged, path, created: text === undefined, backup };
}
