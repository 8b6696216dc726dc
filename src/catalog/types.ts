import type { ClusterDescription, NodeSpec } from "../cluster/description.js";
import type { ExtKeyUsage } from "../pki/certificate.js";

export interface AltNames {
  dnsNames: string[];
  ipAddresses: string[];
}

/** What a spec's functions see: the cluster, and the node the certificate is for. */
export interface SpecContext {
  cluster: ClusterDescription;
  node: NodeSpec;
  /** 1-based position of the node in its list (etcdserver1, etcdserver2…). */
  nodeIndex: number;
  /** How many nodes share this spec (1 for cluster-wide specs). */
  nodeCount: number;
}

/** A component flag that reads a file. */
export interface Consumer {
  component: "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "etcd" | "kubelet" | "kube-proxy" | "kubectl" | "etcdctl";
  flag: string;
}

/**
 * Which copies of a spec exist:
 * - `cluster`: one, shared by the whole cluster (CAs, the service-account key, hard-way clients);
 * - `control-plane`: one per control-plane node (kubeadm's serving and client certs, hard-way etcd);
 * - `node`: one per node, control plane and workers (hard-way kubelet certificates).
 */
export type Scope = "cluster" | "control-plane" | "node";

/** One certificate Kubernetes needs, declared once; every verb reads it. */
export interface CertSpec {
  kind: "certificate";
  /** kubeadm's id ("apiserver", "etcd-server"), used by `renew` and in messages. */
  name: string;
  /** kubeadm's long name ("certificate for serving the Kubernetes API"). */
  longName: string;
  /** File stem relative to the pki dir, without .crt/.key ("etcd/server"). */
  baseName: string | ((ctx: SpecContext) => string);
  /** `name` of the CA that signs it; absent for a CA. */
  ca?: string;
  commonName: string | ((ctx: SpecContext) => string);
  organization?: string[];
  extKeyUsage: ExtKeyUsage[];
  altNames?: (ctx: SpecContext) => AltNames;
  scope: Scope;
  consumers: Consumer[];
}

/** A key pair without a certificate: the service-account signing key. */
export interface KeyPairSpec {
  kind: "keypair";
  name: string;
  longName: string;
  /** sa → sa.key and sa.pub */
  baseName: string;
  scope: "cluster";
  consumers: Consumer[];
}

export type Spec = CertSpec | KeyPairSpec;

export interface Profile {
  name: ClusterDescription["profile"];
  description: string;
  specs: (cluster: ClusterDescription) => Spec[];
  /** Directory, relative to --out, of a node's tree ("" for a flat layout). */
  nodeDir: (cluster: ClusterDescription, node: NodeSpec) => string;
}
