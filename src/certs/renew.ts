import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ClusterDescription } from "../cluster/description.js";
import { inputError } from "../errors.js";
import { renewCertificates, type RenewResult } from "../renew/index.js";
import { shellCommand, terminalSafe } from "../text.js";
import { kubeadmTargets, type CertsDirs, type LeafTarget } from "./targets.js";

/**
 * `kubepki certs renew NAME|all`: kubeadm's semantics over kubepki's renew
 * core. The key type and validity come from the cluster configuration
 * (encryptionAlgorithm, certificateValidityPeriod), not from the old key; a
 * renewed kubeconfig's CA data becomes ca.crt; kubelet.conf is never touched; a
 * missing file is reported and skipped, and so is one whose CA has no key
 * (external CA), as kubeadm does.
 */

export type CertsRenewOutcome = "renewed" | "missing" | "external";

export interface CertsRenewLine {
  name: string;
  longName: string;
  outcome: CertsRenewOutcome;
  /** kubeadm's CABaseName ("ca", "etcd/ca") for an external CA. */
  caBaseName?: string;
}

export interface CertsRenewResult {
  lines: CertsRenewLine[];
  all: boolean;
  renew?: RenewResult;
}

const fileOf = (t: LeafTarget) => (t.kind === "certificate" ? t.certFile : t.file);

export async function certsRenew(names: string[], cluster: ClusterDescription, dirs: CertsDirs, now?: Date): Promise<CertsRenewResult> {
  const { leaves, cas } = kubeadmTargets(cluster, dirs);
  const known = leaves.map((l) => l.name);
  if (names.length !== 1) throw inputError(`certs renew: name one certificate, or all`, `one of: ${known.join(", ")}, all`);
  const all = names[0] === "all";
  const chosen = all ? leaves : leaves.filter((l) => l.name === names[0]);
  if (!chosen.length) {
    const hint = names[0] === "kubelet.conf" ? "kubeadm never renews kubelet.conf: the kubelet rotates its own client certificate (/var/lib/kubelet/pki/kubelet-client-current.pem)" : `one of: ${known.join(", ")}, all`;
    throw inputError(`certs renew: unknown certificate "${names[0]}"`, hint);
  }

  const lines: CertsRenewLine[] = [];
  const toRenew: string[] = [];
  for (const leaf of chosen) {
    const ca = cas.find((c) => c.name === leaf.caName);
    if (!existsSync(fileOf(leaf))) lines.push({ name: leaf.name, longName: leaf.longName, outcome: "missing" });
    else if (ca && !existsSync(ca.keyFile)) {
      lines.push({ name: leaf.name, longName: leaf.longName, outcome: "external", caBaseName: ca.certFile.slice(dirs.certDir.length).replace(/^\/+/, "").replace(/\.crt$/, "") });
    } else {
      lines.push({ name: leaf.name, longName: leaf.longName, outcome: "renewed" });
      toRenew.push(leaf.name);
    }
  }
  if (!toRenew.length) return { lines, all };
  const renew = await renewCertificates({
    names: toRenew,
    root: "/",
    pkiDir: dirs.certDir,
    kubeconfigDir: dirs.kubeconfigDir,
    manifestsDir: join(dirs.kubeconfigDir, "manifests"),
    profile: "kubeadm",
    algorithm: cluster.encryptionAlgorithm,
    validityMs: cluster.certValidityMs,
    resetKubeconfigCA: true,
    now,
  });
  return { lines, all, renew };
}

/** kubeadm's lines: "<long name> renewed", "MISSING! <long name>", "Detected external <ca>, <long name> can't be renewed". */
export function renderCertsRenewText(r: CertsRenewResult): string {
  const out = r.lines.map((l) =>
    l.outcome === "renewed" ? `${l.longName} renewed` : l.outcome === "missing" ? `MISSING! ${l.longName}` : `Detected external ${l.caBaseName}, ${l.longName} can't be renewed`,
  );
  if (r.lines.some((l) => l.outcome === "external")) {
    out.push("", "Without the CA's key, renew the external way: 'kubepki certs generate-csr' (into an empty folder) makes keys and CSRs for your CA to sign.");
  }
  const backup = r.renew?.backupDir;
  if (backup) out.push("", terminalSafe(`The replaced files were backed up to ${backup}; to undo: ${shellCommand(["kubepki", "renew", "--restore", backup])}`));
  if (r.all) out.push("", "Done renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.");
  return out.join("\n");
}
