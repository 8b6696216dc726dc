import { posix } from "node:path";
import type { ClusterDescription, NodeSpec, ProfileName } from "../cluster/description.js";
import type { ExtKeyUsage, KeyUsageName, Subject } from "../pki/certificate.js";
import { hardWayProfile } from "./hard-way.js";
import { kubeadmProfile } from "./kubeadm.js";
import type { AltNames, CertSpec, KeyPairSpec, Profile, Spec, SpecContext } from "./types.js";

export type { AltNames, CertSpec, Consumer, KeyPairSpec, Profile, Spec, SpecContext } from "./types.js";

export const PROFILES: Record<ProfileName, Profile> = { kubeadm: kubeadmProfile, "hard-way": hardWayProfile };

/** A catalog entry resolved against a cluster: exactly what one certificate must say, and where it lives. */
export interface PlannedCertificate {
  kind: "certificate";
  /** Unique in the plan: the spec name, with "@node" for per-node copies. */
  id: string;
  spec: CertSpec;
  node?: NodeSpec;
  /** File stems relative to --out ("pki/apiserver", "cp2/pki/etcd/ca"); several when a shared file is copied into each node's tree. */
  paths: string[];
  subject: Subject;
  altNames: AltNames;
  keyUsage: KeyUsageName[];
  extKeyUsage: ExtKeyUsage[];
  isCA: boolean;
  /** id of the CA that signs it. */
  caId?: string;
  validityMs: number;
}

export interface PlannedKeyPair {
  kind: "keypair";
  id: string;
  spec: KeyPairSpec;
  paths: string[];
}

export type PlannedItem = PlannedCertificate | PlannedKeyPair;

// kubeadm's NewSignedCert / NewSelfSignedCACert key usages, for every key type.
const LEAF_KEY_USAGE: KeyUsageName[] = ["digitalSignature", "keyEncipherment"];
const CA_KEY_USAGE: KeyUsageName[] = ["digitalSignature", "keyEncipherment", "keyCertSign"];

function nodesFor(spec: Spec, cluster: ClusterDescription): NodeSpec[] {
  if (spec.scope === "control-plane") return cluster.controlPlane;
  if (spec.scope === "node") return [...cluster.controlPlane, ...cluster.workers];
  return [cluster.controlPlane[0]];
}

const resolve = <T>(v: T | ((ctx: SpecContext) => T), ctx: SpecContext): T => (typeof v === "function" ? (v as (ctx: SpecContext) => T)(ctx) : v);

/**
 * Resolves a profile's catalog against a cluster description: the list of
 * every certificate and key pair to have, CAs first, in catalog order.
 */
export function planCatalog(cluster: ClusterDescription): PlannedItem[] {
  const profile = PROFILES[cluster.profile];
  const items: PlannedItem[] = [];
  for (const spec of profile.specs(cluster)) {
    const nodes = nodesFor(spec, cluster);
    nodes.forEach((node, i) => {
      const ctx: SpecContext = { cluster, node, nodeIndex: i + 1, nodeCount: nodes.length };
      const baseName = resolve(spec.baseName, ctx);
      // Cluster-wide files go into every control-plane node's tree; per-node files into their node's.
      const trees = spec.scope === "cluster" ? cluster.controlPlane : spec.scope === "control-plane" ? [node] : [cluster.controlPlane[0]];
      const paths = [...new Set(trees.map((n) => posix.join(profile.nodeDir(cluster, n), "pki", baseName)))];
      const id = spec.scope === "cluster" || nodes.length === 1 ? spec.name : `${spec.name}@${node.name}`;
      if (spec.kind === "keypair") {
        items.push({ kind: "keypair", id, spec, paths });
        return;
      }
      const isCA = spec.ca === undefined;
      items.push({
        kind: "certificate", id, spec, node: spec.scope === "cluster" ? undefined : node, paths,
        subject: { commonName: resolve(spec.commonName, ctx), organization: spec.organization },
        // kubeadm gives a CA its own CN as its only DNS SAN.
        altNames: isCA ? { dnsNames: [resolve(spec.commonName, ctx)], ipAddresses: [] } : spec.altNames?.(ctx) ?? { dnsNames: [], ipAddresses: [] },
        keyUsage: isCA ? CA_KEY_USAGE : LEAF_KEY_USAGE,
        extKeyUsage: spec.extKeyUsage,
        isCA,
        caId: spec.ca,
        validityMs: isCA ? cluster.caValidityMs : cluster.certValidityMs,
      });
    });
  }
  return items;
}
