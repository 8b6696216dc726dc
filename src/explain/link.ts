/**
 * Which connection failed: who was the TLS client, who the server. Worked out
 * from the layers of the line (the port dialed, the wrapper, who logged it),
 * because the core x509 text is the same on every link.
 */
import type { Unwrapped } from "./unwrap.js";

export type LinkId =
  | "kubectl-apiserver" | "kubelet-apiserver" | "component-apiserver" | "apiserver-etcd" | "etcdctl-etcd" | "client-etcd" | "etcd-peer"
  | "apiserver-kubelet" | "metrics-server-kubelet" | "apiserver-webhook" | "aggregation" | "kubeadm-join";

export interface Link {
  id: LinkId;
  client: string;
  server: string;
  /** "kubectl → kube-apiserver" */
  label: string;
  /** The certificates on this link, by kubepki check row id: what --root looks at first. */
  serverCerts: string[];
  clientCerts: string[];
}

const LINKS: Record<LinkId, Omit<Link, "id" | "label">> = {
  "kubectl-apiserver": { client: "kubectl", server: "kube-apiserver", serverCerts: ["apiserver"], clientCerts: ["admin.conf", "super-admin.conf"] },
  "kubelet-apiserver": { client: "kubelet", server: "kube-apiserver", serverCerts: ["apiserver"], clientCerts: ["kubelet.conf"] },
  "component-apiserver": { client: "a client (kubectl, a controller, the kubelet)", server: "kube-apiserver", serverCerts: ["apiserver"], clientCerts: ["admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf"] },
  "apiserver-etcd": { client: "kube-apiserver", server: "etcd", serverCerts: ["etcd-server"], clientCerts: ["apiserver-etcd-client"] },
  "etcdctl-etcd": { client: "etcdctl", server: "etcd", serverCerts: ["etcd-server"], clientCerts: ["etcd-healthcheck-client", "apiserver-etcd-client"] },
  "client-etcd": { client: "kube-apiserver or etcdctl", server: "etcd", serverCerts: ["etcd-server"], clientCerts: ["apiserver-etcd-client", "etcd-healthcheck-client"] },
  "etcd-peer": { client: "etcd", server: "etcd (peer)", serverCerts: ["etcd-peer"], clientCerts: ["etcd-peer"] },
  "apiserver-kubelet": { client: "kube-apiserver", server: "kubelet", serverCerts: ["kubelet-serving"], clientCerts: ["apiserver-kubelet-client"] },
  "metrics-server-kubelet": { client: "metrics-server", server: "kubelet", serverCerts: ["kubelet-serving"], clientCerts: [] },
  "apiserver-webhook": { client: "kube-apiserver", server: "webhook", serverCerts: [], clientCerts: [] },
  aggregation: { client: "kube-apiserver (front-proxy)", server: "extension API server", serverCerts: [], clientCerts: ["front-proxy-client"] },
  "kubeadm-join": { client: "kubeadm join", server: "kube-apiserver", serverCerts: ["ca"], clientCerts: [] },
};

export function linkById(id: LinkId): Link {
  const l = LINKS[id];
  return { id, ...l, label: `${l.client} → ${l.server}` };
}

/** The link a line is about, or undefined when nothing on the line tells. */
export function inferLink(u: Unwrapped): Link | undefined {
  const id = inferId(u);
  return id && linkById(id);
}

function inferId(u: Unwrapped): LinkId | undefined {
  const t = u.text;
  const port = u.url?.port;
  if (/failed calling (?:admission )?webhook|failed to call webhook/.test(t)) return "apiserver-webhook";
  if (/front-proxy-ca|requestheader|subject with cn=\S* is not in the allowed list|failing or missing response from/.test(t)) return "aggregation";
  if (/cluster-info|discovery-token-ca-cert-hash/.test(t)) return "kubeadm-join";
  if (u.logger === "metrics-server" || /Failed to scrape node|unable to fully scrape metrics/.test(t)) return "metrics-server-kubelet";
  if (port === 10250 || /error dialing backend|unable to upgrade connection|the server has asked for the client to provide credentials/.test(t)) return "apiserver-kubelet";
  if (port === 2380 || /on peer endpoint|peer/.test(u.serverName ?? "") || (u.logger === "etcd" && /peer/i.test(t) && !/rejected connection on client/.test(t))) return "etcd-peer";
  if (u.logger === "etcdctl") return "etcdctl-etcd";
  if (u.logger === "etcd" || port === 2379 || /transport: authentication handshake failed|createTransport|etcd-servers/.test(t)) {
    // etcd logs the client's address only: kube-apiserver and etcdctl look alike from there.
    return u.logger === "etcd" ? "client-etcd" : "apiserver-etcd";
  }
  if (u.logger === "kubelet") {
    // The kubelet is a server for kube-apiserver (logs, exec) and a client of it (everything else).
    return u.role === "server" ? "apiserver-kubelet" : "kubelet-apiserver";
  }
  if (u.logger === "kubectl" || /Unable to connect to the server|You must be logged in to the server \(Unauthorized\)|Error from server \(Forbidden\)/.test(t)) return "kubectl-apiserver";
  if (u.logger === "kube-apiserver" && u.role === "server") return "component-apiserver";
  if (/Unable to authenticate the request/.test(t)) return "component-apiserver";
  if (port === 6443 || (u.url && /^(?:kubernetes(?:\.default)?(?:\.svc)?|10\.96\.0\.1)$/.test(u.url.host))) return "component-apiserver";
  if (u.logger === "kube-controller-manager" || u.logger === "kube-scheduler") return "component-apiserver";
  return undefined;
}
