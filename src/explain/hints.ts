/**
 * The likely cause on one link, in a sentence: the same x509 text means a
 * stale kubeconfig on kubectl → kube-apiserver, the wrong --etcd-cafile on
 * kube-apiserver → etcd, the kubelet's self-signed certificate on
 * kube-apiserver → kubelet. Data, first match wins; kubeadm's file names.
 */
import type { LinkId } from "./link.js";

interface Hint {
  patterns: string[];
  links: LinkId[];
  /** Whose certificate was refused, when it matters. */
  certificate?: "server" | "client";
  text: string;
}

const TRUST = ["unknown-authority", "unknown-authority-same-name", "missing-issuer", "self-signed", "remote-rejected-client-cert", "client-cert-refused-by-apiserver"];
const EXPIRY = ["expired", "expired-non-go", "not-yet-valid"];
const NAMES = ["name-mismatch", "no-ip-sans", "no-names", "legacy-common-name", "hostname-mismatch-non-go"];
const APISERVER_CLIENTS: LinkId[] = ["kubectl-apiserver", "component-apiserver", "kubelet-apiserver"];
const ETCD: LinkId[] = ["apiserver-etcd", "etcdctl-etcd", "client-etcd"];
const KUBELET: LinkId[] = ["apiserver-kubelet", "metrics-server-kubelet"];

export const HINTS: Hint[] = [
  { patterns: TRUST, links: ["kubectl-apiserver"], certificate: "server", text: "kubectl's kubeconfig trusts another CA than the one that signed apiserver.crt: usually a ~/.kube/config kept from before a kubeadm reset/init or a CA change. Copy /etc/kubernetes/admin.conf to ~/.kube/config again." },
  { patterns: TRUST, links: ["kubelet-apiserver"], certificate: "server", text: "the CA in /etc/kubernetes/kubelet.conf is not the cluster CA any more (the CA was replaced): re-bootstrap the kubelet against the current ca.crt." },
  { patterns: TRUST, links: APISERVER_CLIENTS, certificate: "client", text: "the client certificate is not signed by kube-apiserver's --client-ca-file (kubeadm: pki/ca.crt): a kubeconfig or kubelet certificate from an older cluster. The SN on the line names it; explain --root finds the file." },
  { patterns: TRUST, links: ["apiserver-etcd"], certificate: "server", text: "kube-apiserver --etcd-cafile must be etcd's CA (pki/etcd/ca.crt), the one that signed etcd/server.crt, not the cluster ca.crt." },
  { patterns: TRUST, links: ["etcdctl-etcd", "client-etcd"], certificate: "server", text: "the etcd client was given another CA than etcd-ca (pki/etcd/ca.crt), which signed etcd/server.crt: etcdctl --cacert, kube-apiserver --etcd-cafile." },
  { patterns: TRUST, links: ETCD, certificate: "client", text: "the client certificate is not from etcd's --trusted-ca-file (kubeadm: pki/etcd/ca.crt): apiserver-etcd-client and etcd/healthcheck-client must be signed by etcd-ca, not by the cluster CA." },
  { patterns: TRUST, links: KUBELET, certificate: "server", text: "the kubelet serves its self-signed /var/lib/kubelet/pki/kubelet.crt: enable serverTLSBootstrap and approve its kubelet-serving CSR so that the cluster CA signs it." },
  { patterns: TRUST, links: ["apiserver-webhook"], text: "the webhook configuration's caBundle is not the CA of the certificate the webhook serves: re-inject it (cert-manager cainjector, the operator) and restart the webhook pod." },
  { patterns: TRUST, links: ["aggregation"], text: "front-proxy-client.crt is not signed by the requestheader CA the extension API server reads (front-proxy-ca.crt): one front-proxy CA for every control-plane node, then restart kube-apiserver." },
  { patterns: EXPIRY, links: APISERVER_CLIENTS, certificate: "server", text: "apiserver.crt has expired, or kube-apiserver still serves the old one after a renewal: renew it (kubeadm certs renew apiserver) and restart the kube-apiserver static pod." },
  { patterns: EXPIRY, links: APISERVER_CLIENTS, certificate: "client", text: "a client certificate has expired: admin.conf, controller-manager.conf, scheduler.conf, the kubelet's, or a copied ~/.kube/config. Renew, refresh the copies, restart the components that embed it." },
  { patterns: EXPIRY, links: ETCD, certificate: "server", text: "etcd/server.crt has expired, or etcd still runs with the old one: renew etcd-server and restart the etcd static pod." },
  { patterns: EXPIRY, links: ETCD, certificate: "client", text: "the etcd client certificate has expired (apiserver-etcd-client.crt, etcd/healthcheck-client.crt): renew it and restart kube-apiserver." },
  { patterns: EXPIRY, links: ["etcd-peer"], text: "etcd/peer.crt has expired on a member: renew etcd-peer on every control-plane node and restart etcd." },
  { patterns: EXPIRY, links: KUBELET, certificate: "client", text: "apiserver-kubelet-client.crt has expired, or kube-apiserver was not restarted after its renewal." },
  { patterns: NAMES, links: APISERVER_CLIENTS, text: "apiserver.crt lacks the host of the kubeconfig's server: URL (a VIP, load balancer or new name): add it with --apiserver-cert-extra-sans (certSANs), reissue apiserver.crt, restart kube-apiserver." },
  { patterns: NAMES, links: ETCD, text: "etcd/server.crt lacks the host used in --etcd-servers or --endpoints: reissue it with that name or IP." },
  { patterns: NAMES, links: ["etcd-peer"], text: "etcd/peer.crt lacks the host in the peer URLs (--initial-advertise-peer-urls): reissue it with that IP." },
  { patterns: NAMES, links: KUBELET, text: "the kubelet's serving certificate lacks the node address dialed: with serverTLSBootstrap the CSR carries the node's IPs and names." },
  { patterns: NAMES, links: ["apiserver-webhook"], text: "the webhook certificate lacks DNS:<service>.<namespace>.svc exactly as the webhook configuration names the service." },
  { patterns: ["remote-bad-certificate", "openssl-alert-received"], links: ["apiserver-etcd", "etcdctl-etcd"], certificate: "client", text: "etcd refused the client certificate (--etcd-certfile, etcdctl --cert): missing, expired or not from etcd-ca. etcd's log (rejected connection …) says which." },
  { patterns: ["remote-bad-certificate", "openssl-alert-received"], links: ["client-etcd"], certificate: "server", text: "the etcd client does not trust etcd/server.crt: its CA (--cacert, --etcd-cafile) is not etcd-ca, or the certificate lacks the endpoint's name." },
  { patterns: ["remote-bad-certificate"], links: APISERVER_CLIENTS, certificate: "server", text: "a client does not trust apiserver.crt: its kubeconfig holds another CA (a stale copy). The client's own error says which." },
];

export function hintFor(patternId: string, link: LinkId | undefined, certificate: "server" | "client" | null): string | undefined {
  if (!link) return undefined;
  return HINTS.find((h) => h.patterns.includes(patternId) && h.links.includes(link) && (!h.certificate || h.certificate === certificate))?.text;
}
