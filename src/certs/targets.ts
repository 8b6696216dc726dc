import { join } from "node:path";
import { planCatalog, planKubeconfigs, type PlannedCertificate, type PlannedKubeconfig } from "../catalog/index.js";
import type { ClusterDescription } from "../cluster/description.js";

/**
 * What `kubeadm certs` works on, from the catalog: the leaf certificates and
 * the kubeconfigs kubeadm's renewal manager knows (renewal/manager.go), and the
 * CAs that sign them, each with its file under --cert-dir or --kubeconfig-dir.
 * kubeadm's names, sorted by name as its Certificates() and CAs() return them.
 */

export interface CertsDirs {
  certDir: string;
  kubeconfigDir: string;
}

export interface CertificateTarget {
  kind: "certificate";
  /** kubeadm's name: "apiserver", "etcd-server". */
  name: string;
  longName: string;
  plan: PlannedCertificate;
  /** certDir/apiserver.crt, certDir/apiserver.key */
  certFile: string;
  keyFile: string;
  caName: string;
}

export interface KubeconfigTarget {
  kind: "kubeconfig";
  /** kubeadm's name: the file name, "admin.conf". */
  name: string;
  longName: string;
  plan: PlannedKubeconfig;
  file: string;
  caName: string;
}

export type LeafTarget = CertificateTarget | KubeconfigTarget;

export interface CATarget {
  name: string;
  plan: PlannedCertificate;
  certFile: string;
  keyFile: string;
}

export interface KubeadmTargets {
  leaves: LeafTarget[];
  cas: CATarget[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The stem of a planned file relative to the pki folder ("pki/etcd/server" → "etcd/server"). */
const pkiStem = (path: string) => path.replace(/^(?:.*\/)?pki\//, "");

/** kubeadm's targets for one control-plane node of `cluster` (its first), with files in `dirs`. */
export function kubeadmTargets(cluster: ClusterDescription, dirs: CertsDirs): KubeadmTargets {
  const one: ClusterDescription = { ...cluster, profile: "kubeadm", controlPlane: [cluster.controlPlane[0]], workers: [] };
  const certs = planCatalog(one).filter((i): i is PlannedCertificate => i.kind === "certificate");
  const file = (plan: PlannedCertificate, ext: string) => join(dirs.certDir, `${pkiStem(plan.paths[0])}${ext}`);
  const cas: CATarget[] = certs
    .filter((c) => c.isCA)
    .map((plan) => ({ name: plan.spec.name, plan, certFile: file(plan, ".crt"), keyFile: file(plan, ".key") }));
  const leaves: LeafTarget[] = [
    ...certs
      .filter((c) => !c.isCA)
      .map((plan): CertificateTarget => ({
        kind: "certificate", name: plan.spec.name, longName: plan.spec.longName, plan,
        certFile: file(plan, ".crt"), keyFile: file(plan, ".key"), caName: plan.caId!,
      })),
    ...planKubeconfigs(one)
      .filter((k) => !k.spec.kubeletRotates)
      .map((plan): KubeconfigTarget => ({ kind: "kubeconfig", name: plan.spec.name, longName: plan.spec.longName, plan, file: join(dirs.kubeconfigDir, plan.path), caName: plan.caId })),
  ];
  return { leaves: leaves.sort(byName), cas: cas.sort(byName) };
}
