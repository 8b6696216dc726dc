import { posix } from "node:path";
import { clusterVersion, controlPlaneURL, localAPIURL, type ClusterDescription, type NodeSpec, type ProfileName } from "../cluster/description.js";
import { httpsURL } from "../cluster/net.js";
import type { ExtKeyUsage, KeyUsageName, Subject } from "../pki/certificate.js";
import { hardWayProfile } from "./hard-way.js";
import { kubeadmProfile } from "./kubeadm.js";
import type { AltNames, CertSpec, KeyPairSpec, KubeconfigSpec, Profile, Scope, SpecContext } from "./types.js";
import { KUBEADM_RULES, kubeadmFacts, parseKubernetesVersion } from "./versions.js";

export type { AltNames, CertSpec, Consumer, KeyPairSpec, KubeconfigSpec, Profile, Spec, SpecContext } from "./types.js";

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
  /** How the CA's subject key id is computed, as the Go behind that kubeadm release does (CAs only). */
  subjectKeyIdHash?: "sha1" | "sha256";
}

export interface PlannedKeyPair {
  kind: "keypair";
  id: string;
  spec: KeyPairSpec;
  paths: string[];
  /** Mode of the public half (sa.pub): kubeadm writes it 0600 like a key. */
  publicKeyMode: number;
}

export type PlannedItem = PlannedCertificate | PlannedKeyPair;

// kubeadm's NewSignedCert / NewSelfSignedCACert key usages, for every key type.
const LEAF_KEY_USAGE: KeyUsageName[] = ["digitalSignature", "keyEncipherment"];
export const CA_KEY_USAGE: KeyUsageName[] = ["digitalSignature", "keyEncipherment", "keyCertSign"];

function nodesFor(spec: { scope: Scope }, cluster: ClusterDescription): NodeSpec[] {
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
  const facts = kubeadmFacts(parseKubernetesVersion(clusterVersion(cluster)));
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
        // kubeadm writes sa.pub 0600 like a key; the hard way's openssl leaves a public key 0644.
        items.push({ kind: "keypair", id, spec, paths, publicKeyMode: cluster.profile === "kubeadm" ? KUBEADM_RULES.saPubMode.before : 0o644 });
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
        // The hard way's CAs come from openssl or cfssl, which hash with SHA-1.
        subjectKeyIdHash: isCA && cluster.profile === "kubeadm" ? facts.subjectKeyIdHash : undefined,
      });
    });
  }
  return items;
}

/** A kubeconfig resolved against a cluster: its file, names, server and client identity. */
export interface PlannedKubeconfig {
  kind: "kubeconfig";
  /** Unique in the plan: the spec name, with "@node" for per-node copies ("admin.conf@cp2"). */
  id: string;
  spec: KubeconfigSpec;
  node: NodeSpec;
  /** File relative to --out ("admin.conf", "cp2/admin.conf"). */
  path: string;
  clusterName: string;
  contextName: string;
  /** users[].name: the client certificate's CN. */
  userName: string;
  server: string;
  /** id of the CA that signs the client certificate and is embedded as certificate-authority-data. */
  caId: string;
  /** The client certificate's subject (its own, or the embedded catalog certificate's). */
  subject: Subject;
  /** Set when the kubeconfig embeds a catalog certificate (hard way); otherwise it has its own. */
  certificateId?: string;
  keyUsage: KeyUsageName[];
  extKeyUsage: ExtKeyUsage[];
  validityMs: number;
}

/**
 * Resolves a profile's kubeconfigs against a cluster. Each lives in its node's
 * tree next to pki/ (DIR/<node>/admin.conf when there are several
 * control-plane nodes), as /etc/kubernetes holds them.
 */
export function planKubeconfigs(cluster: ClusterDescription): PlannedKubeconfig[] {
  const profile = PROFILES[cluster.profile];
  const certificates = planCatalog(cluster).filter((i): i is PlannedCertificate => i.kind === "certificate");
  const out: PlannedKubeconfig[] = [];
  for (const spec of profile.kubeconfigs(cluster)) {
    const nodes = nodesFor(spec, cluster);
    nodes.forEach((node, i) => {
      const ctx: SpecContext = { cluster, node, nodeIndex: i + 1, nodeCount: nodes.length };
      const id = nodes.length === 1 ? spec.name : `${spec.name}@${node.name}`;
      let subject: Subject;
      let certificateId: string | undefined;
      if ("certificate" in spec.client) {
        const ref = spec.client.certificate;
        const cert = certificates.find((c) => c.spec.name === ref && (c.node === undefined || c.node.name === node.name));
        if (!cert) throw new Error(`catalog: kubeconfig ${spec.name} embeds unknown certificate ${ref}`);
        subject = cert.subject;
        certificateId = cert.id;
      } else {
        subject = { commonName: resolve(spec.client.commonName, ctx), organization: spec.client.organization };
      }
      const server = spec.server === "local" ? localAPIURL(cluster, node) : spec.server === "loopback" ? httpsURL("127.0.0.1", cluster.bindPort) : controlPlaneURL(cluster);
      out.push({
        kind: "kubeconfig", id, spec, node,
        path: posix.join(profile.nodeDir(cluster, node), resolve(spec.fileName, ctx)),
        clusterName: cluster.clusterName,
        contextName: spec.context === "default" ? "default" : `${subject.commonName}@${cluster.clusterName}`,
        userName: subject.commonName,
        server, caId: spec.ca, subject, certificateId,
        keyUsage: LEAF_KEY_USAGE, extKeyUsage: ["clientAuth"],
        validityMs: cluster.certValidityMs,
      });
    });
  }
  return out;
}
