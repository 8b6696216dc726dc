import { dirname, resolve } from "node:path";
import { KubepkiError, inputError } from "../errors.js";
import { parseKubeconfig, resolveContext, type Kubeconfig } from "../kube/kubeconfig.js";
import { readPem } from "./pem-input.js";
import { labelOfSource, readReferencedFile, type ReadContext } from "./context.js";
import type { Source } from "./types.js";

/**
 * Every cluster CA and user client certificate of a kubeconfig (or, with
 * --context, only that context's), embedded or referenced; file references are
 * resolved against the kubeconfig's folder as kubectl does.
 */
export async function readKubeconfigText(text: string, source: Source, ctx: ReadContext): Promise<void> {
  // "(stdin)" resolves against the working directory, as kubectl resolves a piped kubeconfig's references.
  const path = source.file ?? "(stdin)";
  let config: Kubeconfig;
  try {
    config = parseKubeconfig(text, path);
  } catch (err) {
    if (err instanceof KubepkiError) throw err;
    throw inputError(`${labelOfSource(source)}: not a valid kubeconfig (${(err as Error).message})`);
  }
  await readKubeconfig(config, source, ctx);
}

export async function readKubeconfig(config: Kubeconfig, source: Source, ctx: ReadContext): Promise<void> {
  let clusters = config.clusters;
  let users = config.users;
  if (ctx.options.context) {
    const { cluster, user, context } = resolveContext(config, ctx.options.context);
    if (!cluster) throw inputError(`${labelOfSource(source)}: context "${context.name}" names cluster "${context.cluster}", which is not in the file`);
    clusters = [cluster];
    users = user ? [user] : [];
  }
  const beside = config.path ? dirname(resolve(config.path)) : undefined;
  let found = false;
  for (const c of clusters) {
    const where = `clusters[${c.name}]`;
    if (c.caData) found = (await readPem(c.caData, { ...source, where: `${where}.certificate-authority-data` }, undefined, ctx.out)) || found;
    if (c.caFile) {
      await readReferencedFile(c.caFile, { ...source, where: `${where}.certificate-authority` }, ctx);
      found = true;
    }
  }
  for (const u of users) {
    const where = `users[${u.name}]`;
    if (u.certData) found = (await readPem(u.certData, { ...source, where: `${where}.client-certificate-data` }, undefined, ctx.out)) || found;
    if (u.certFile) {
      await readReferencedFile(u.certFile, { ...source, where: `${where}.client-certificate` }, ctx);
      found = true;
    }
    if (u.keyData) await readPem(u.keyData, { ...source, where: `${where}.client-key-data` }, beside, ctx.out);
    if (u.keyFile) await readReferencedFile(u.keyFile, { ...source, where: `${where}.client-key` }, ctx);
  }
  if (!found) throw inputError(`${labelOfSource(source)}: the kubeconfig holds no certificate (its users authenticate with tokens or exec plugins, and no cluster CA is set)`);
}
