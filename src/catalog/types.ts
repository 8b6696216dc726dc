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

/**
 * A kubeconfig a component or an administrator uses: server URL, the CA that
 * verifies it, and a client certificate signed by `ca`, all embedded. Kept
 * apart from `Spec` because it is a file of its own kind, issued after the
 * certificates it may embed.
 */
export interface KubeconfigSpec {
  kind: "kubeconfig";
  /** kubeadm's id, the file name ("admin.conf"), used by check, renew and in messages. */
  name: string;
  longName: string;
  /** File relative to the node's tree (kubeadm: /etc/kubernetes/admin.conf → "admin.conf"). */
  fileName: string | ((ctx: SpecContext) => string);
  /** `name` of the CA that signs the client certificate and verifies the server. */
  ca: string;
  /**
   * The client certificate: its own, living only inside the kubeconfig
   * (kubeadm), or a catalog certificate embedded as it is (the hard way:
   * `kubectl config set-credentials --client-certificate=admin.crt --embed-certs`).
   */
  client: { commonName: string | ((ctx: SpecContext) => string); organization?: string[] } | { certificate: string };
  /**
   * kubeadm's rule: `control-plane` is controlPlaneEndpoint or else the first
   * node's address; `local` is the node's own API server (the components next to
   * it); `loopback` is https://127.0.0.1:port (the hard way's admin.kubeconfig).
   */
  server: "control-plane" | "local" | "loopback";
  /** Context name: kubeadm's "<user>@<cluster>", or the hard way's "default". */
  context: "user@cluster" | "default";
  /** `cluster`: one, on the first control-plane node (super-admin.conf); otherwise as for certificates. */
  scope: Scope;
  consumers: Consumer[];
  /**
   * The kubelet rotates this client certificate itself (kubelet.conf), so
   * `kubeadm certs renew` and `check-expiration` leave the file out.
   */
  kubeletRotates?: boolean;
}

export interface Profile {
  name: ClusterDescription["profile"];
  description: string;
  specs: (cluster: ClusterDescription) => Spec[];
  kubeconfigs: (cluster: ClusterDescription) => KubeconfigSpec[];
  /** Directory, relative to --out, of a node's tree ("" for a flat layout). */
  nodeDir: (cluster: ClusterDescription, node: NodeSpec) => string;
}
