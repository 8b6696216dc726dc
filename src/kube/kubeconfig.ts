import { dirname, isAbsolute, resolve } from "node:path";
import { parseYAML } from "../yaml.js";
import { inputError } from "../errors.js";
import { readText } from "../store/files.js";

/** A kubeconfig's TLS material, resolved: embedded data decoded, file references kept with absolute paths. */
export interface KubeconfigCluster {
  name: string;
  server?: string;
  /** PEM of certificate-authority-data, or undefined. */
  caData?: Buffer;
  /** certificate-authority, resolved against the kubeconfig's folder. */
  caFile?: string;
  tlsServerName?: string;
  insecureSkipTLSVerify?: boolean;
}

export interface KubeconfigUser {
  name: string;
  certData?: Buffer;
  certFile?: string;
  keyData?: Buffer;
  keyFile?: string;
  hasToken: boolean;
  hasExec: boolean;
}

export interface KubeconfigContext {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

export interface Kubeconfig {
  /** The file it came from, if any. */
  path?: string;
  clusters: KubeconfigCluster[];
  users: KubeconfigUser[];
  contexts: KubeconfigContext[];
  currentContext?: string;
  /** The document as parsed, for writers that must keep every other field. */
  raw: Record<string, unknown>;
}

type Named = { name?: unknown; [k: string]: unknown };

function decodeBase64(value: unknown, field: string): Buffer | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const text = String(value).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw inputError(`${field}: invalid base64`);
  return Buffer.from(text, "base64");
}

function list(doc: Record<string, unknown>, key: string, inner: string, where: string): { name: string; body: Record<string, unknown> }[] {
  const value = doc[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw inputError(`${where}: ${key} is not a list`);
  return value.map((entry: Named, i) => {
    if (!entry || typeof entry !== "object" || typeof entry.name !== "string") throw inputError(`${where}: ${key}[${i}] has no name`);
    const body = entry[inner];
    if (body !== undefined && (typeof body !== "object" || body === null)) throw inputError(`${where}: ${key}[${entry.name}].${inner} is not a mapping`);
    return { name: entry.name, body: (body ?? {}) as Record<string, unknown> };
  });
}

/**
 * Parses a kubeconfig (YAML or JSON). `path` names it in errors and anchors
 * relative file references, as kubectl resolves them against the file's folder.
 */
export function parseKubeconfig(text: string, path: string): Kubeconfig {
  const doc = parseYAML(text, path);
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw inputError(`${path}: not a kubeconfig (expected a mapping)`);
  const raw = doc as Record<string, unknown>;
  if (raw.kind !== undefined && raw.kind !== "Config") throw inputError(`${path}: kind is "${raw.kind}", not a kubeconfig (kind: Config)`);
  const base = dirname(resolve(path));
  const file = (v: unknown) => (typeof v === "string" && v ? (isAbsolute(v) ? v : resolve(base, v)) : undefined);
  return {
    path,
    raw,
    currentContext: typeof raw["current-context"] === "string" && raw["current-context"] ? raw["current-context"] : undefined,
    clusters: list(raw, "clusters", "cluster", path).map(({ name, body }) => ({
      name,
      server: typeof body.server === "string" ? body.server : undefined,
      caData: decodeBase64(body["certificate-authority-data"], `${path}: clusters[${name}].certificate-authority-data`),
      caFile: file(body["certificate-authority"]),
      tlsServerName: typeof body["tls-server-name"] === "string" ? body["tls-server-name"] : undefined,
      insecureSkipTLSVerify: body["insecure-skip-tls-verify"] === true,
    })),
    users: list(raw, "users", "user", path).map(({ name, body }) => ({
      name,
      certData: decodeBase64(body["client-certificate-data"], `${path}: users[${name}].client-certificate-data`),
      certFile: file(body["client-certificate"]),
      keyData: decodeBase64(body["client-key-data"], `${path}: users[${name}].client-key-data`),
      keyFile: file(body["client-key"]),
      hasToken: Boolean(body.token || body.tokenFile),
      hasExec: Boolean(body.exec || body["auth-provider"]),
    })),
    contexts: list(raw, "contexts", "context", path).map(({ name, body }) => ({
      name,
      cluster: String(body.cluster ?? ""),
      user: String(body.user ?? ""),
      namespace: typeof body.namespace === "string" ? body.namespace : undefined,
    })),
  };
}

export async function loadKubeconfig(path: string): Promise<Kubeconfig> {
  return parseKubeconfig(await readText(path), path);
}

/** The cluster and user a context (default: current-context) points at. */
export function resolveContext(config: Kubeconfig, contextName?: string): { context: KubeconfigContext; cluster?: KubeconfigCluster; user?: KubeconfigUser } {
  const name = contextName ?? config.currentContext;
  const where = config.path ?? "kubeconfig";
  if (!name) throw inputError(`${where}: no current-context set`, "pass --context NAME");
  const context = config.contexts.find((c) => c.name === name);
  if (!context) throw inputError(`${where}: context "${name}" not found`);
  return { context, cluster: config.clusters.find((c) => c.name === context.cluster), user: config.users.find((u) => u.name === context.user) };
}
