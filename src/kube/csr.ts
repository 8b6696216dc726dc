import { inputError } from "../errors.js";
import { decodeCSRPem } from "../pki/csr.js";
import { decodeCertificates } from "../pki/pem.js";
import { parseYAMLDocuments, toYAML, yamlErrorLine } from "../yaml.js";

/**
 * The Kubernetes CertificateSigningRequest object (certificates.k8s.io/v1):
 * building one for `kubectl apply`, reading what `kubectl get csr -o yaml|json`
 * prints, and filling its status the way kube-controller-manager does.
 */

export const CSR_API_VERSION = "certificates.k8s.io/v1";

/** spec.usages values the API server accepts (certificates/v1 types.go). */
export const KEY_USAGE_VALUES = [
  "signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment",
  "cert sign", "crl sign", "encipher only", "decipher only", "any", "server auth", "client auth", "code signing",
  "email protection", "s/mime", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
  "microsoft sgc", "netscape sgc",
] as const;

/** The API server's lower bound for spec.expirationSeconds. */
export const MIN_EXPIRATION_SECONDS = 600;

export interface CSRCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** One request to review or sign: from a PEM file (no spec) or from an object. */
export interface CSRInput {
  source: "pem" | "object";
  /** metadata.name, or the file name for PEM. */
  name: string;
  /** DER of the PKCS#10 request. */
  der: Buffer;
  signerName?: string;
  usages?: string[];
  expirationSeconds?: number;
  /** Who asked, as the API server recorded it (spec.username, spec.groups). */
  username?: string;
  groups?: string[];
  conditions: CSRCondition[];
  /** status.certificate, decoded (PEM text), when the CSR has been signed. */
  certificate?: string;
  /** The object as read, for writing it back with every other field kept. */
  raw?: Record<string, unknown>;
}

export interface CSRFile {
  format: "pem" | "yaml" | "json";
  /** Set when the file held a List (kubectl get csr a b -o yaml). */
  list?: Record<string, unknown>;
  items: CSRInput[];
}

export function buildCSRObject(options: { name: string; requestPEM: string; signerName: string; usages: string[]; expirationSeconds?: number }) {
  const spec: Record<string, unknown> = {
    request: Buffer.from(options.requestPEM).toString("base64"),
    signerName: options.signerName,
  };
  if (options.expirationSeconds !== undefined) spec.expirationSeconds = options.expirationSeconds;
  spec.usages = options.usages;
  return { apiVersion: CSR_API_VERSION, kind: "CertificateSigningRequest", metadata: { name: options.name }, spec };
}

/** Strict base64 (whitespace allowed, as kubectl wraps nothing but people paste with newlines). */
function decodeBase64(value: unknown, field: string): Buffer {
  if (typeof value !== "string" || value.trim() === "") throw inputError(`${field}: missing or not a string`);
  const text = value.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw inputError(`${field}: invalid base64`);
  return Buffer.from(text, "base64");
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function readObject(obj: Record<string, unknown>, where: string): CSRInput {
  if (obj.kind !== "CertificateSigningRequest") throw inputError(`${where}: kind is "${String(obj.kind ?? "")}", expected CertificateSigningRequest`);
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === "string" && meta.name ? meta.name : typeof meta.generateName === "string" ? `${meta.generateName}…` : "(unnamed)";
  const at = `${where}: CertificateSigningRequest ${name}`;
  if (!isObject(obj.spec)) throw inputError(`${at}: has no spec`);
  const spec = obj.spec;
  const pem = decodeBase64(spec.request, `${at}: spec.request`).toString("latin1");
  const der = decodeCSRPem(pem, `${at}: spec.request`);
  if (spec.usages !== undefined && (!Array.isArray(spec.usages) || spec.usages.some((u) => typeof u !== "string"))) {
    throw inputError(`${at}: spec.usages is not a list of strings`);
  }
  const exp = spec.expirationSeconds;
  if (exp !== undefined && exp !== null && (typeof exp !== "number" || !Number.isInteger(exp))) throw inputError(`${at}: spec.expirationSeconds is not an integer`);
  const status = isObject(obj.status) ? obj.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isObject).map((c) => ({
    type: String(c.type ?? ""), status: String(c.status ?? ""),
    reason: typeof c.reason === "string" ? c.reason : undefined, message: typeof c.message === "string" ? c.message : undefined,
  })) : [];
  const certificate = status.certificate ? decodeBase64(status.certificate, `${at}: status.certificate`).toString("latin1") : undefined;
  return {
    source: "object", name, der,
    signerName: typeof spec.signerName === "string" ? spec.signerName : undefined,
    usages: spec.usages as string[] | undefined,
    expirationSeconds: typeof exp === "number" ? exp : undefined,
    username: typeof spec.username === "string" ? spec.username : undefined,
    groups: Array.isArray(spec.groups) ? spec.groups.map(String) : undefined,
    conditions, certificate, raw: obj,
  };
}

/**
 * Reads a PEM CSR, a CertificateSigningRequest (YAML or JSON), a List of them
 * (what `kubectl get csr -o yaml` prints), or several YAML documents.
 */
export function readCSRFile(text: string, what: string, fileName = what): CSRFile {
  if (/-----BEGIN /.test(text)) {
    return { format: "pem", items: [{ source: "pem", name: fileName, der: decodeCSRPem(text, what), conditions: [] }] };
  }
  const format = /^\s*[{[]/.test(text) ? "json" : "yaml";
  let values: unknown[];
  try {
    values = parseYAMLDocuments(text).filter((v) => v !== null && v !== undefined);
  } catch (err) {
    throw inputError(`${what}: invalid ${format === "json" ? "JSON" : "YAML"}: ${yamlErrorLine(err)}`);
  }
  if (values.length === 0) throw inputError(`${what}: empty file; expected a PEM certificate request or a CertificateSigningRequest`);
  const items: CSRInput[] = [];
  let list: Record<string, unknown> | undefined;
  for (const v of values) {
    if (!isObject(v)) throw inputError(`${what}: not a PEM certificate request nor a CertificateSigningRequest object`);
    if (Array.isArray(v.items) && (v.kind === "List" || v.kind === "CertificateSigningRequestList")) {
      if (values.length === 1) list = v;
      v.items.forEach((item, i) => {
        if (!isObject(item)) throw inputError(`${what}: items[${i}] is not an object`);
        items.push(readObject(item, what));
      });
    } else {
      items.push(readObject(v, what));
    }
  }
  if (items.length === 0) throw inputError(`${what}: the list holds no CertificateSigningRequest`);
  return { format, list, items };
}

/** status.certificate's first certificate (DER): what `kubectl get csr -o jsonpath='{.status.certificate}' | base64 -d` gives. */
export function issuedCertificate(input: CSRInput, what: string): Buffer[] {
  const denied = input.conditions.find((c) => (c.type === "Denied" || c.type === "Failed") && c.status === "True");
  if (!input.certificate) {
    if (denied) throw inputError(`${what}: CertificateSigningRequest ${input.name} was ${denied.type.toLowerCase()}${denied.message ? `: ${denied.message}` : ""}`);
    const approved = input.conditions.some((c) => c.type === "Approved" && c.status === "True");
    throw inputError(
      `${what}: CertificateSigningRequest ${input.name} has no status.certificate yet`,
      approved ? "it is approved but not signed yet: fetch it again in a few seconds" : `approve it first: kubectl certificate approve ${input.name}, then fetch it again`,
    );
  }
  return decodeCertificates(input.certificate, `${what}: status.certificate`);
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d+Z$/, "Z");

/**
 * The object as kube-controller-manager leaves it after approval and signing:
 * an Approved condition and status.certificate (base64 of the PEM). Every
 * other field is kept.
 */
export function withIssuedCertificate(input: CSRInput, certificatePEM: string, now: Date): Record<string, unknown> {
  const obj = structuredClone(input.raw ?? {});
  const status = (isObject(obj.status) ? obj.status : (obj.status = {})) as Record<string, unknown>;
  const conditions = (Array.isArray(status.conditions) ? status.conditions : (status.conditions = [])) as Record<string, unknown>[];
  if (!conditions.some((c) => c.type === "Approved")) {
    conditions.push({
      type: "Approved", status: "True", reason: "KubepkiSign", message: "This CSR was approved and signed by kubepki sign.",
      lastUpdateTime: rfc3339(now), lastTransitionTime: rfc3339(now),
    });
  }
  status.certificate = Buffer.from(certificatePEM).toString("base64");
  return obj;
}

/** Serialises objects in the input's format: YAML, or JSON indented like kubectl. */
export function serializeObject(obj: unknown, format: "yaml" | "json"): string {
  return format === "json" ? JSON.stringify(obj, null, 4) + "\n" : toYAML(obj);
}
