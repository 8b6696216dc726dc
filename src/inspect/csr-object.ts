import { inputError } from "../errors.js";
import { decodePem } from "../pki/pem.js";
import type { CSRObjectInfo } from "./types.js";

/**
 * The parts of a certificates.k8s.io CertificateSigningRequest that inspect
 * shows. Kept small on purpose: src/kube/csr.ts owns the CSR API for the
 * commands that create and sign them.
 */
export interface CSRObject {
  info: CSRObjectInfo;
  /** DER of spec.request (a PEM CERTIFICATE REQUEST, base64-encoded in the object). */
  request: Buffer;
  /** status.certificate as PEM text, when the signer has issued it. */
  certificatePem?: string;
}

function base64Field(value: unknown, where: string): Buffer {
  const text = String(value ?? "").replace(/\s+/g, "");
  if (!text || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw inputError(`${where}: invalid base64`);
  return Buffer.from(text, "base64");
}

export function readCSRObject(doc: Record<string, unknown>, where: string): CSRObject {
  const metadata = (doc.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === "string" ? metadata.name : "(unnamed)";
  const at = `${where}: CertificateSigningRequest ${name}`;
  const spec = (doc.spec ?? {}) as Record<string, unknown>;
  const status = (doc.status ?? {}) as Record<string, unknown>;
  if (spec.request === undefined) throw inputError(`${at}: spec.request is missing`);
  const pem = base64Field(spec.request, `${at}: spec.request`).toString("latin1");
  const block = decodePem(pem, `${at}: spec.request`).find((b) => b.label === "CERTIFICATE REQUEST" || b.label === "NEW CERTIFICATE REQUEST");
  if (!block) throw inputError(`${at}: spec.request holds no PEM CERTIFICATE REQUEST`);
  const conditions = Array.isArray(status.conditions)
    ? (status.conditions as Record<string, unknown>[]).map((c) => ({
        type: String(c?.type ?? ""),
        reason: typeof c?.reason === "string" ? c.reason : undefined,
        message: typeof c?.message === "string" ? c.message : undefined,
      }))
    : [];
  const certificatePem = status.certificate ? base64Field(status.certificate, `${at}: status.certificate`).toString("latin1") : undefined;
  const decided = conditions.find((c) => c.type === "Denied" || c.type === "Failed") ?? conditions.find((c) => c.type === "Approved");
  const state = certificatePem ? "Issued" : decided ? decided.type : "Pending";
  return {
    request: block.der,
    certificatePem,
    info: {
      name,
      signerName: typeof spec.signerName === "string" ? spec.signerName : undefined,
      usages: Array.isArray(spec.usages) ? spec.usages.map(String) : [],
      expirationSeconds: typeof spec.expirationSeconds === "number" ? spec.expirationSeconds : undefined,
      username: typeof spec.username === "string" ? spec.username : undefined,
      groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [],
      state,
      conditions,
    },
  };
}
