import { existsSync } from "node:fs";
import { join } from "node:path";
import { planCatalog, planKubeconfigs, type PlannedCertificate } from "../catalog/index.js";
import type { ClusterDescription } from "../cluster/description.js";
import { inputError } from "../errors.js";
import { createCSR, csrToPEM } from "../pki/csr.js";
import { generatePrivateKey, privateKeyToPEM } from "../pki/keys.js";
import { KEY_MODE, PUBLIC_MODE, writeFileAtomic } from "../store/files.js";
import { toYAML } from "../yaml.js";
import type { CertsDirs } from "./targets.js";

/**
 * `kubepki certs generate-csr`: kubeadm's external-CA mode
 * (phases/certs CreateDefaultKeysAndCSRFiles and phases/kubeconfig
 * CreateDefaultKubeConfigsAndCSRFiles). For every leaf certificate a key and a
 * CSR in --cert-dir (CAs are the external CA's business); for every kubeconfig
 * the file with its user's client-key-data only — no certificate, no CA data —
 * and NAME.csr beside it. Nothing that exists is overwritten.
 */

export interface GeneratedFile {
  path: string;
  kind: "key" | "csr" | "kubeconfig";
}

export interface GenerateCSRResult {
  certDir: string;
  kubeconfigDir: string;
  /** kubeadm's names in the order they are reported: certificate base names, then kubeconfig files. */
  certificates: string[];
  kubeconfigs: string[];
  files: GeneratedFile[];
}

const pkiStem = (path: string) => path.replace(/^(?:.*\/)?pki\//, "");

export async function generateCSRs(cluster: ClusterDescription, dirs: CertsDirs): Promise<GenerateCSRResult> {
  const one: ClusterDescription = { ...cluster, profile: "kubeadm", controlPlane: [cluster.controlPlane[0]], workers: [] };
  const leaves = planCatalog(one).filter((i): i is PlannedCertificate => i.kind === "certificate" && !i.isCA);
  const kubeconfigs = planKubeconfigs(one);

  const planned = [
    ...leaves.flatMap((l) => [join(dirs.certDir, `${pkiStem(l.paths[0])}.key`), join(dirs.certDir, `${pkiStem(l.paths[0])}.csr`)]),
    ...kubeconfigs.flatMap((k) => [join(dirs.kubeconfigDir, k.path), join(dirs.kubeconfigDir, `${k.path}.csr`)]),
  ];
  // kubeadm's CSROrKeyExist and its kubeconfig check: refuse before writing anything.
  const existing = planned.filter((p) => existsSync(p));
  if (existing.length) {
    throw inputError(`certs generate-csr: ${existing[0]} already exists${existing.length > 1 ? ` (and ${existing.length - 1} more)` : ""}; nothing was written`, "generate-csr makes a fresh set for an external CA; move the old files away first");
  }

  const keys = await Promise.all([...leaves, ...kubeconfigs].map(() => generatePrivateKey(cluster.encryptionAlgorithm)));
  const writes: { path: string; data: string; mode: number }[] = [];
  const files: GeneratedFile[] = [];
  const add = (path: string, data: string, mode: number, kind: GeneratedFile["kind"]) => {
    writes.push({ path, data, mode });
    files.push({ path, kind });
  };

  leaves.forEach((leaf, i) => {
    const stem = join(dirs.certDir, pkiStem(leaf.paths[0]));
    const csr = createCSR({ subject: leaf.subject, dnsNames: leaf.altNames.dnsNames, ipAddresses: leaf.altNames.ipAddresses }, keys[i]);
    add(`${stem}.key`, privateKeyToPEM(keys[i]), KEY_MODE, "key");
    add(`${stem}.csr`, csrToPEM(csr), PUBLIC_MODE, "csr");
  });
  kubeconfigs.forEach((k, j) => {
    const key = keys[leaves.length + j];
    const file = join(dirs.kubeconfigDir, k.path);
    add(file, toYAML(partialKubeconfig(k.server, k.clusterName, k.userName, privateKeyToPEM(key))), KEY_MODE, "kubeconfig");
    add(`${file}.csr`, csrToPEM(createCSR({ subject: k.subject }, key)), PUBLIC_MODE, "csr");
  });

  for (const w of writes) await writeFileAtomic(w.path, w.data, w.mode);
  return {
    certDir: dirs.certDir, kubeconfigDir: dirs.kubeconfigDir,
    certificates: leaves.map((l) => pkiStem(l.paths[0])), kubeconfigs: kubeconfigs.map((k) => k.path), files,
  };
}

/**
 * kubeconfigutil.CreateWithCerts with an empty CA and an empty client
 * certificate, as kubeadm writes it: the server, the user's key, nothing else
 * to trust yet. Keys in the order client-go writes them.
 */
function partialKubeconfig(server: string, clusterName: string, userName: string, keyPEM: string): Record<string, unknown> {
  const context = `${userName}@${clusterName}`;
  return {
    apiVersion: "v1",
    clusters: [{ cluster: { server }, name: clusterName }],
    contexts: [{ context: { cluster: clusterName, user: userName }, name: context }],
    "current-context": context,
    kind: "Config",
    preferences: {},
    users: [{ name: userName, user: { "client-key-data": Buffer.from(keyPEM).toString("base64") } }],
  };
}

/** kubeadm's report: "generating keys and CSRs in DIR" and each name, for the certificates then the kubeconfigs. */
export function renderGenerateCSRText(r: GenerateCSRResult): string {
  return [
    `generating keys and CSRs in ${r.certDir}`,
    ...r.certificates.map((c) => `  ${c}`),
    `generating keys and CSRs in ${r.kubeconfigDir}`,
    ...r.kubeconfigs.map((k) => `  ${k}`),
  ].join("\n");
}
