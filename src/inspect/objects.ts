// Kubernetes objects and kubeconfigs in YAML or JSON (JSON is YAML). Loaded only
// for text inputs that are not PEM, so the YAML library never slows a plain
// certificate down.
import { inputError } from "../errors.js";
import { parseYAMLDocuments, yamlErrorLine } from "../yaml.js";
import { readCSRObject } from "./csr-object.js";
import { readPem } from "./pem-input.js";
import { labelOfSource, NOT_RECOGNISED, type ReadContext } from "./context.js";
import { readRequest } from "./request.js";
import type { Source } from "./types.js";

type Doc = Record<string, unknown>;

const isKubeconfig = (d: Doc) => d.kind === "Config" || (d.kind === undefined && (Array.isArray(d.clusters) || Array.isArray(d.users)));

/**
 * Parses YAML/JSON text and reads every object in it (several documents, and
 * the items of a List). Returns false when the text is no object kubepki knows.
 */
export async function readObjects(text: string, source: Source, ctx: ReadContext): Promise<boolean> {
  const what = labelOfSource(source);
  let values: unknown[];
  try {
    values = parseYAMLDocuments(text);
  } catch (err) {
    if (ctx.inDirectory) return false;
    throw inputError(`${what}: ${NOT_RECOGNISED} (YAML: ${yamlErrorLine(err)})`);
  }
  const docs = values.filter((v): v is Doc => v !== null && typeof v === "object" && !Array.isArray(v));
  let found = false;
  for (const doc of docs) if (await readObject(doc, text, source, ctx)) found = true;
  if (!found && !ctx.inDirectory) throw inputError(`${what}: ${NOT_RECOGNISED}`);
  return found;
}

async function readObject(doc: Doc, text: string, source: Source, ctx: ReadContext): Promise<boolean> {
  const what = labelOfSource(source);
  if (Array.isArray(doc.items) && (doc.kind === "List" || String(doc.kind ?? "").endsWith("List"))) {
    let found = false;
    for (const item of doc.items) if (item && typeof item === "object" && (await readObject(item as Doc, text, source, ctx))) found = true;
    return found;
  }
  if (isKubeconfig(doc)) {
    const { readKubeconfigText } = await import("./kubeconfig-input.js");
    await readKubeconfigText(text, source, ctx);
    return true;
  }
  const name = String((doc.metadata as Doc | undefined)?.name ?? "(unnamed)");
  if (doc.kind === "Secret") {
    const { readSecret } = await import("../kube/secret.js");
    const secret = readSecret(doc, what);
    const prefix = `secret/${secret.namespace ? `${secret.namespace}/` : ""}${secret.name}`;
    let found = false;
    for (const [key, bytes] of secret.entries) {
      if (!bytes.includes("-----BEGIN ")) continue;
      if (await readPem(bytes, { ...source, where: `${prefix} data[${key}]` }, undefined, ctx.out)) found = true;
    }
    if (!found) throw inputError(`${what}: ${prefix} holds no certificate or key (looked at: ${[...secret.entries.keys()].join(", ") || "nothing"})`);
    return true;
  }
  if (doc.kind === "CertificateSigningRequest") {
    const csr = readCSRObject(doc, what);
    const where = `csr/${name}`;
    const item = readRequest(csr.request, { ...source, where: `${where} spec.request` }, `${what}: ${where} spec.request`);
    item.object = csr.info;
    ctx.out.items.push(item);
    if (csr.certificatePem) await readPem(Buffer.from(csr.certificatePem, "latin1"), { ...source, where: `${where} status.certificate` }, undefined, ctx.out);
    return true;
  }
  if (doc.kind === "Pod") {
    // A directory walk already sees the files a manifest points at; following them again would show each twice.
    if (ctx.inDirectory) return false;
    const { readManifestText } = await import("./manifest-input.js");
    await readManifestText(text, source, ctx);
    return true;
  }
  return false;
}
