import { serviceIP, type ClusterDescription } from "../cluster/description.js";
import { mergeAltNames, splitSANs } from "./altnames.js";
import type { CertSpec, KeyPairSpec, KubeconfigSpec, Profile, Spec, SpecContext } from "./types.js";

/**
 * The "hard way" set from the study note this project grew from: one CA signs
 * everything, file names as in its tables, one flat pki directory. Per-node
 * files get the node's name (or number, for etcd) when there are several.
 */

/** "etcdserver" for a single member, "etcdserver1", "etcdserver2"… for several. */
const numbered = (stem: string) => (ctx: SpecContext) => (ctx.nodeCount > 1 ? `${stem}${ctx.nodeIndex}` : stem);
/** "kubelet" for a single node, "kubelet-node01"… for several. */
const perNode = (stem: string) => (ctx: SpecContext) => (ctx.nodeCount > 1 ? `${stem}-${ctx.node.name}` : stem);

const client = (name: string, longName: string, baseName: string, commonName: string, consumers: CertSpec["consumers"], organization?: string[]): CertSpec => ({
  kind: "certificate", name, longName, baseName, ca: "ca", commonName, organization, extKeyUsage: ["clientAuth"], scope: "cluster", consumers,
});

export const ca: CertSpec = {
  kind: "certificate", name: "ca", longName: "cluster CA", baseName: "ca", commonName: "KUBERNETES-CA", extKeyUsage: [], scope: "cluster",
  consumers: [
    { component: "kube-apiserver", flag: "--client-ca-file" },
    { component: "kube-controller-manager", flag: "--cluster-signing-cert-file" },
    { component: "kubelet", flag: "authentication.x509.clientCAFile" },
    { component: "etcd", flag: "--trusted-ca-file" },
  ],
};

export const apiserver: CertSpec = {
  kind: "certificate", name: "apiserver", longName: "kube-apiserver serving certificate", baseName: "apiserver", ca: "ca",
  commonName: "kube-apiserver", extKeyUsage: ["serverAuth"], scope: "cluster",
  altNames: ({ cluster }) =>
    mergeAltNames(
      {
        dnsNames: ["kubernetes", "kubernetes.default", "kubernetes.default.svc", `kubernetes.default.svc.${cluster.dnsDomain}`],
        ipAddresses: [serviceIP(cluster), ...cluster.controlPlane.map((n) => n.address), "127.0.0.1"],
      },
      splitSANs(cluster.controlPlaneEndpoint ? [cluster.controlPlaneEndpoint.host] : []),
      splitSANs(cluster.apiServerCertSANs),
    ),
  consumers: [{ component: "kube-apiserver", flag: "--tls-cert-file" }],
};

export const etcdServer: CertSpec = {
  kind: "certificate", name: "etcd-server", longName: "etcd server certificate (one per member)", baseName: numbered("etcdserver"), ca: "ca",
  commonName: "etcd-server", extKeyUsage: ["serverAuth", "clientAuth"], scope: "control-plane",
  altNames: ({ cluster, node }) =>
    mergeAltNames(
      { dnsNames: [node.name, "localhost"], ipAddresses: [node.address, "127.0.0.1"] },
      splitSANs(cluster.etcd.serverCertSANs),
      splitSANs(cluster.etcd.peerCertSANs),
    ),
  consumers: [
    { component: "etcd", flag: "--cert-file" },
    { component: "etcd", flag: "--peer-cert-file" },
  ],
};

export const kubeletServing: CertSpec = {
  kind: "certificate", name: "kubelet", longName: "kubelet serving certificate (one per node)", baseName: perNode("kubelet"), ca: "ca",
  commonName: ({ node }) => node.name, extKeyUsage: ["serverAuth"], scope: "node",
  altNames: ({ node }) => mergeAltNames({ dnsNames: [node.name], ipAddresses: [node.address] }),
  consumers: [{ component: "kubelet", flag: "tlsCertFile" }],
};

export const kubeletClient: CertSpec = {
  kind: "certificate", name: "kubelet-client", longName: "kubelet client certificate (one per node)", baseName: perNode("kubelet-client"), ca: "ca",
  commonName: ({ node }) => `system:node:${node.name}`, organization: ["system:nodes"], extKeyUsage: ["clientAuth"], scope: "node",
  consumers: [{ component: "kubelet", flag: "--kubeconfig" }],
};

export const admin = client("admin", "cluster administrator client certificate", "admin", "kube-admin", [{ component: "kubectl", flag: "--kubeconfig" }], ["system:masters"]);
export const scheduler = client("scheduler", "kube-scheduler client certificate", "scheduler", "system:kube-scheduler", [{ component: "kube-scheduler", flag: "--kubeconfig" }]);
export const controllerManager = client("controller-manager", "kube-controller-manager client certificate", "controller-manager", "system:kube-controller-manager", [{ component: "kube-controller-manager", flag: "--kubeconfig" }]);
export const kubeProxy = client("kube-proxy", "kube-proxy client certificate", "kube-proxy", "system:kube-proxy", [{ component: "kube-proxy", flag: "--kubeconfig" }]);
export const apiserverEtcdClient = client("apiserver-etcd-client", "certificate the apiserver uses to access etcd", "apiserver-etcd-client", "kube-apiserver-etcd-client", [{ component: "kube-apiserver", flag: "--etcd-certfile" }]);
// system:masters as in the docs' table: a hard-way cluster has no kubeadm:cluster-admins binding.
export const apiserverKubeletClient = client("apiserver-kubelet-client", "certificate for the API server to connect to kubelet", "apiserver-kubelet-client", "kube-apiserver-kubelet-client", [{ component: "kube-apiserver", flag: "--kubelet-client-certificate" }], ["system:masters"]);

export const serviceAccountKey: KeyPairSpec = {
  kind: "keypair", name: "sa", longName: "service account token signing key pair", baseName: "sa", scope: "cluster",
  consumers: [
    { component: "kube-apiserver", flag: "--service-account-key-file" },
    { component: "kube-controller-manager", flag: "--service-account-private-key-file" },
  ],
};

export function hardWaySpecs(cluster: ClusterDescription): Spec[] {
  const etcd = cluster.etcd.external ? [] : [etcdServer];
  return [ca, apiserver, ...etcd, kubeletServing, kubeletClient, admin, scheduler, controllerManager, kubeProxy, apiserverEtcdClient, apiserverKubeletClient, serviceAccountKey];
}

/**
 * Kubernetes the Hard Way's kubeconfigs (docs/05), built from this catalog's
 * certificates: each embeds the CA and its component's certificate and key, as
 * `kubectl config set-credentials --embed-certs=true` does, context "default".
 * The server is the control-plane URL (KTHW: https://server.kubernetes.local:6443),
 * except admin's, which talks to the local API server on 127.0.0.1 as in KTHW.
 */
const hardWayKubeconfig = (name: string, certificate: string, server: KubeconfigSpec["server"], consumers: KubeconfigSpec["consumers"]): KubeconfigSpec => ({
  kind: "kubeconfig", name, longName: `kubeconfig embedding the ${certificate} certificate`, fileName: name, ca: "ca", client: { certificate },
  server, context: "default", scope: "cluster", consumers,
});

export const adminKubeconfig = hardWayKubeconfig("admin.kubeconfig", "admin", "loopback", [{ component: "kubectl", flag: "--kubeconfig" }]);
export const controllerManagerKubeconfig = hardWayKubeconfig("kube-controller-manager.kubeconfig", "controller-manager", "control-plane", [{ component: "kube-controller-manager", flag: "--kubeconfig" }]);
export const schedulerKubeconfig = hardWayKubeconfig("kube-scheduler.kubeconfig", "scheduler", "control-plane", [{ component: "kube-scheduler", flag: "--kubeconfig" }]);
export const kubeProxyKubeconfig = hardWayKubeconfig("kube-proxy.kubeconfig", "kube-proxy", "control-plane", [{ component: "kube-proxy", flag: "--kubeconfig" }]);
export const nodeKubeconfig: KubeconfigSpec = {
  kind: "kubeconfig", name: "node.kubeconfig", longName: "the kubelet's kubeconfig (one per node), embedding its kubelet-client certificate",
  fileName: ({ node }) => `${node.name}.kubeconfig`, ca: "ca", client: { certificate: "kubelet-client" },
  server: "control-plane", context: "default", scope: "node",
  consumers: [{ component: "kubelet", flag: "--kubeconfig" }],
};

export function hardWayKubeconfigs(): KubeconfigSpec[] {
  return [adminKubeconfig, controllerManagerKubeconfig, schedulerKubeconfig, kubeProxyKubeconfig, nodeKubeconfig];
}

export const hardWayProfile: Profile = {
  name: "hard-way",
  description: "the by-hand set: one CA, one flat directory, per-node kubelet and etcd certificates",
  specs: hardWaySpecs,
  kubeconfigs: hardWayKubeconfigs,
  nodeDir: () => "",
};
