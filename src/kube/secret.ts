import { inputError } from "../errors.js";

/** A Kubernetes Secret's data, decoded: `data` is base64 in the object, `stringData` plain text. */
export interface SecretData {
  name: string;
  namespace?: string;
  /** kubernetes.io/tls, Opaque… */
  type?: string;
  /** key → bytes, `stringData` winning over `data` as the API server merges them. */
  entries: Map<string, Buffer>;
}

/** The keys a kubernetes.io/tls Secret holds (and cert-manager's ca.crt). */
export const TLS_CERT_KEY = "tls.crt";
export const TLS_KEY_KEY = "tls.key";
export const CA_CERT_KEY = "ca.crt";

/** Reads an already-parsed Secret object (YAML or JSON); `where` names it in errors. */
export function readSecret(doc: Record<string, unknown>, where: string): SecretData {
  if (doc.kind !== "Secret") throw inputError(`${where}: kind is "${String(doc.kind)}", not Secret`);
  const metadata = (doc.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === "string" ? metadata.name : "(unnamed)";
  const entries = new Map<string, Buffer>();
  const data = doc.data ?? {};
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw inputError(`${where}: Secret ${name}: data is not a mapping`);
  for (const [key, value] of Object.entries(data)) {
    if (value === null || value === undefined) continue;
    const text = String(value).replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw inputError(`${where}: Secret ${name}: data[${key}] is not valid base64`);
    entries.set(key, Buffer.from(text, "base64"));
  }
  const stringData = doc.stringData ?? {};
  if (typeof stringData === "object" && stringData !== null) {
    for (const [key, value] of Object.entries(stringData)) if (typeof value === "string") entries.set(key, Buffer.from(value, "utf8"));
  }
  return {
    name,
    namespace: typeof metadata.namespace === "string" ? metadata.namespace : undefined,
    type: typeof doc.type === "string" ? doc.type : undefined,
    entries,
  };
}
