import { clusterVersion, serviceIP, type ClusterDescription } from "../cluster/description.js";
import { mergeAltNames, splitSANs } from "./altnames.js";
import type { AltNames, CertSpec, KeyPairSpec, KubeconfigSpec, Profile, Spec, SpecContext } from "./types.js";
import { kubeadmFacts, parseKubernetesVersion } from "./versions.js";

/**
 * kubeadm v1.31+'s certificate list (cmd/kubeadm/app/phases/certs/certlist.go),
 * as data. File names, CN, O, SANs and usages follow kubeadm's code; where the
 * docs say otherwise (CA common names, etcd CNs) kubeadm wins. What changed
 * between kubeadm releases is data in versions.ts, applied in kubeadmSpecs.
 */

/** kubeadm GetAPIServerAltNames: node name, kubernetes.default…, service IP, advertise address, endpoint, certSANs. */
export function apiServerAltNames({ cluster, node }: SpecContext): AltNames {
  const names: AltNames = {
    dnsNames: [node.name, "kubernetes", "kubernetes.default", "kubernetes.default.svc", `kubernetes.default.svc.${cluster.dnsDomain}`],
    ipAddresses: [serviceIP(cluster), node.address],
  };
  const endpoint = cluster.controlPlaneEndpoint ? [cluster.controlPlaneEndpoint.host] : [];
  return mergeAltNames(names, splitSANs(endpoint), splitSANs(cluster.apiServerCertSANs));
}

/** kubeadm getEtcdAltNames: node name and localhost, the node IP, loopback v4 and v6, plus extra SANs. */
export function etcdAltNames({ node }: SpecContext, extra: string[]): AltNames {
  return mergeAltNames(
    { dnsNames: [node.name, "localhost"], ipAddresses: [node.address, "127.0.0.1", "::1"] },
    splitSANs(extra),
  );
}

const nodeName = ({ node }: SpecContext) => node.name;

export const ca: CertSpec = {
  kind: "certificate", name: "ca", longName: "self-signed Kubernetes CA to provision identities for other Kubernetes components",
  baseName: "ca", commonName: "kubernetes", extKeyUsage: [], scope: "cluster",
  consumers: [
    { component: "kube-apiserver", flag: "--client-ca-file" },
    { component: "kube-controller-manager", flag: "--client-ca-file" },
    { component: "kube-controller-manager", flag: "--root-ca-file" },
    { component: "kube-controller-manager", flag: "--cluster-signing-cert-file" },
    { component: "kubelet", flag: "authentication.x509.clientCAFile" },
  ],
};

export const apiserver: CertSpec = {
  kind: "certificate", name: "apiserver", longName: "certificate for serving the Kubernetes API",
  baseName: "apiserver", ca: "ca", commonName: "kube-apiserver", extKeyUsage: ["serverAuth"],
  altNames: apiServerAltNames, scope: "control-plane",
  consumers: [{ component: "kube-apiserver", flag: "--tls-cert-file" }],
};

/** Its O depends on the kubeadm release (versions.ts apiserverKubeletClientOrganization): see kubeadmSpecs. */
export const apiserverKubeletClient: CertSpec = {
  kind: "certificate", name: "apiserver-kubelet-client", longName: "certificate for the API server to connect to kubelet",
  baseName: "apiserver-kubelet-client", ca: "ca", commonName: "kube-apiserver-kubelet-client",
  extKeyUsage: ["clientAuth"], scope: "control-plane",
  consumers: [{ component: "kube-apiserver", flag: "--kubelet-client-certificate" }],
};

export const frontProxyCA: CertSpec = {
  kind: "certificate", name: "front-proxy-ca", longName: "self-signed CA to provision identities for front proxy",
  baseName: "front-proxy-ca", commonName: "front-proxy-ca", extKeyUsage: [], scope: "cluster",
  consumers: [
    { component: "kube-apiserver", flag: "--requestheader-client-ca-file" },
    { component: "kube-controller-manager", flag: "--requestheader-client-ca-file" },
  ],
};

export const frontProxyClient: CertSpec = {
  kind: "certificate", name: "front-proxy-client", longName: "certificate for the front proxy client",
  baseName: "front-proxy-client", ca: "front-proxy-ca", commonName: "front-proxy-client", extKeyUsage: ["clientAuth"],
  scope: "control-plane",
  consumers: [{ component: "kube-apiserver", flag: "--proxy-client-cert-file" }],
};

export const etcdCA: CertSpec = {
  kind: "certificate", name: "etcd-ca", longName: "self-signed CA to provision identities for etcd",
  baseName: "etcd/ca", commonName: "etcd-ca", extKeyUsage: [], scope: "cluster",
  consumers: [
    { component: "etcd", flag: "--trusted-ca-file" },
    { component: "etcd", flag: "--peer-trusted-ca-file" },
    { component: "kube-apiserver", flag: "--etcd-cafile" },
  ],
};

export const etcdServer: CertSpec = {
  kind: "certificate", name: "etcd-server", longName: "certificate for serving etcd",
  baseName: "etcd/server", ca: "etcd-ca", commonName: nodeName,
  // ClientAuth too: etcd 3.2 requires it (etcd-io/etcd#9785), as kubeadm notes.
  extKeyUsage: ["serverAuth", "clientAuth"],
  altNames: (ctx) => etcdAltNames(ctx, ctx.cluster.etcd.serverCertSANs), scope: "control-plane",
  consumers: [{ component: "etcd", flag: "--cert-file" }],
};

export const etcdPeer: CertSpec = {
  kind: "certificate", name: "etcd-peer", longName: "certificate for etcd nodes to communicate with each other",
  baseName: "etcd/peer", ca: "etcd-ca", commonName: nodeName, extKeyUsage: ["serverAuth", "clientAuth"],
  altNames: (ctx) => etcdAltNames(ctx, ctx.cluster.etcd.peerCertSANs), scope: "control-plane",
  consumers: [{ component: "etcd", flag: "--peer-cert-file" }],
};

export const etcdHealthcheckClient: CertSpec = {
  kind: "certificate", name: "etcd-healthcheck-client", longName: "certificate for liveness probes to healthcheck etcd",
  baseName: "etcd/healthcheck-client", ca: "etcd-ca", commonName: "kube-etcd-healthcheck-client", extKeyUsage: ["clientAuth"],
  scope: "control-plane",
  consumers: [{ component: "etcdctl", flag: "--cert" }],
};

export const apiserverEtcdClient: CertSpec = {
  kind: "certificate", name: "apiserver-etcd-client", longName: "certificate the apiserver uses to access etcd",
  baseName: "apiserver-etcd-client", ca: "etcd-ca", commonName: "kube-apiserver-etcd-client", extKeyUsage: ["clientAuth"],
  scope: "control-plane",
  consumers: [{ component: "kube-apiserver", flag: "--etcd-certfile" }],
};

export const serviceAccountKey: KeyPairSpec = {
  kind: "keypair", name: "sa", longName: "service account token signing key pair", baseName: "sa", scope: "cluster",
  consumers: [
    { component: "kube-apiserver", flag: "--service-account-key-file" },
    { component: "kube-apiserver", flag: "--service-account-signing-key-file" },
    { component: "kube-controller-manager", flag: "--service-account-private-key-file" },
  ],
};

/** apiserver-kubelet-client as the cluster's kubeadm release issues it. */
function kubeletClientFor(cluster: ClusterDescription): CertSpec {
  const organization = kubeadmFacts(parseKubernetesVersion(clusterVersion(cluster))).apiserverKubeletClientOrganization;
  return organization.length ? { ...apiserverKubeletClient, organization } : apiserverKubeletClient;
}

/** GetDefaultCertList, or GetCertsWithoutEtcd with external etcd; then the sa key pair. */
export function kubeadmSpecs(cluster: ClusterDescription): Spec[] {
  const core: Spec[] = [ca, apiserver, kubeletClientFor(cluster), frontProxyCA, frontProxyClient];
  const etcd: Spec[] = [etcdCA, etcdServer, etcdPeer, etcdHealthcheckClient, apiserverEtcdClient];
  return [...core, ...(cluster.etcd.external ? [] : etcd), serviceAccountKey];
}

// kubeadm's kubeconfig files (phases/kubeconfig/kubeconfig.go), written next to pki/.

export const adminConf: KubeconfigSpec = {
  kind: "kubeconfig", name: "admin.conf", longName: "kubeconfig for the cluster administrator (RBAC-bound cluster-admin) and kubeadm",
  fileName: "admin.conf", ca: "ca", client: { commonName: "kubernetes-admin", organization: ["kubeadm:cluster-admins"] },
  server: "control-plane", context: "user@cluster", scope: "control-plane",
  consumers: [{ component: "kubectl", flag: "--kubeconfig" }],
};

export const superAdminConf: KubeconfigSpec = {
  kind: "kubeconfig", name: "super-admin.conf", longName: "break-glass kubeconfig for the super-user (system:masters, bypasses RBAC)",
  // Only on the node init ran on, like kubeadm: join --control-plane does not write it.
  fileName: "super-admin.conf", ca: "ca", client: { commonName: "kubernetes-super-admin", organization: ["system:masters"] },
  server: "control-plane", context: "user@cluster", scope: "cluster",
  consumers: [{ component: "kubectl", flag: "--kubeconfig" }],
};

export const controllerManagerConf: KubeconfigSpec = {
  kind: "kubeconfig", name: "controller-manager.conf", longName: "kubeconfig for the controller manager to use",
  fileName: "controller-manager.conf", ca: "ca", client: { commonName: "system:kube-controller-manager" },
  server: "local", context: "user@cluster", scope: "control-plane",
  consumers: [
    { component: "kube-controller-manager", flag: "--kubeconfig" },
    { component: "kube-controller-manager", flag: "--authentication-kubeconfig" },
    { component: "kube-controller-manager", flag: "--authorization-kubeconfig" },
  ],
};

export const schedulerConf: KubeconfigSpec = {
  kind: "kubeconfig", name: "scheduler.conf", longName: "kubeconfig for the scheduler manager to use",
  fileName: "scheduler.conf", ca: "ca", client: { commonName: "system:kube-scheduler" },
  server: "local", context: "user@cluster", scope: "control-plane",
  consumers: [
    { component: "kube-scheduler", flag: "--kubeconfig" },
    { component: "kube-scheduler", flag: "--authentication-kubeconfig" },
    { component: "kube-scheduler", flag: "--authorization-kubeconfig" },
  ],
};

export const kubeletConf: KubeconfigSpec = {
  kind: "kubeconfig", name: "kubelet.conf", longName: "kubeconfig for the kubelet to use (the node's first client certificate; the kubelet rotates it)",
  fileName: "kubelet.conf", ca: "ca", client: { commonName: ({ node }) => `system:node:${node.name}`, organization: ["system:nodes"] },
  server: "control-plane", context: "user@cluster", scope: "control-plane",
  consumers: [{ component: "kubelet", flag: "--kubeconfig" }],
  // renewal/manager.go lists every kubeconfig but this one.
  kubeletRotates: true,
};

/** kubeadm init's kubeconfig phase: admin, super-admin, kubelet, controller-manager, scheduler. */
export function kubeadmKubeconfigs(): KubeconfigSpec[] {
  return [adminConf, superAdminConf, controllerManagerConf, schedulerConf, kubeletConf];
}

export const kubeadmProfile: Profile = {
  name: "kubeadm",
  description: "what kubeadm writes to /etc/kubernetes/pki, v1.31 to the newest (--kubernetes-version)",
  specs: kubeadmSpecs,
  kubeconfigs: kubeadmKubeconfigs,
  // One tree per control-plane node when there are several, as `kubeadm join --control-plane` leaves them.
  nodeDir: (cluster, node) => (cluster.controlPlane.length > 1 ? node.name : ""),
};
