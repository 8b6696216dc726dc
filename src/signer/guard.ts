import type { CSRModel } from "../pki/csr.js";
import { KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING } from "./signers.js";

/**
 * The privilege guard: what a certificate for this subject would let its
 * holder do, said before anyone approves or signs it. A client certificate
 * cannot be revoked in Kubernetes — it is valid until it expires — so granting
 * too much by accident is the costly mistake this catches.
 */

export interface PrivilegeWarning {
  /**
   * privileged: review exits 1 and sign refuses without --allow-privileged.
   * problem: review exits 1 and sign refuses (weak-key: unless --allow-weak).
   * note: said, not blocking.
   */
  level: "privileged" | "problem" | "note";
  message: string;
  /** Which problem, for the flag that may accept it. */
  code?: "weak-key" | "client-only";
}

const KUBELET_SIGNERS = [KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING];

/** Who would be named: a request's subject, or the identity a kubeconfig is being made for. */
export type Identity = { subject: Pick<CSRModel["subject"], "commonName" | "organization">; requestsCA?: boolean };

export function privilegeWarnings(csr: Identity, signerName: string): PrivilegeWarning[] {
  const out: PrivilegeWarning[] = [];
  const warn = (message: string) => out.push({ level: "privileged", message });
  const note = (message: string) => out.push({ level: "note", message });
  const cn = csr.subject.commonName ?? "";
  const groups = csr.subject.organization;
  const explained = new Set<string>();

  if (groups.includes("system:masters")) {
    explained.add("system:masters");
    warn(
      "group system:masters: unrestricted superuser. The API server lets this group do anything without asking RBAC, " +
        "so no binding can limit or withdraw it, and the certificate cannot be revoked before it expires" +
        (signerName === KUBE_APISERVER_CLIENT ? " (a real cluster's CertificateSubjectRestriction admission plugin refuses this request)" : ""),
    );
  }
  if (groups.includes("kubeadm:cluster-admins")) {
    explained.add("kubeadm:cluster-admins");
    warn("group kubeadm:cluster-admins: kubeadm binds it to the cluster-admin ClusterRole — full control of the cluster (admin.conf's group)");
  }
  const nodeIdentity = cn.startsWith("system:node:") || groups.includes("system:nodes");
  if (nodeIdentity) {
    explained.add("system:nodes");
    if (!KUBELET_SIGNERS.includes(signerName)) {
      warn(`node identity (${cn.startsWith("system:node:") ? `CN ${cn}` : "group system:nodes"}) asked through ${signerName}: node credentials come from the kubelet signers; the holder could act as a kubelet and read the secrets of the pods on that node`);
    } else {
      note(`node identity: the holder acts as kubelet "${cn.slice("system:node:".length)}" (the Node authorizer limits it to that node's objects); make sure the node is yours`);
    }
  }
  if (/^system:kube-/.test(cn)) {
    warn(`user ${cn}: the name of a control-plane component; its built-in ClusterRole (e.g. system:kube-controller-manager can read every secret) comes with the name`);
  }
  if (cn.startsWith("system:serviceaccount:") || groups.some((g) => g.startsWith("system:serviceaccounts"))) {
    explained.add("system:serviceaccounts");
    warn("service-account identity: RBAC bindings to service accounts match this name, so the holder acts as that service account without its token");
  }
  if (csr.requestsCA) {
    warn("asks to be a CA (basicConstraints CA:TRUE): Kubernetes signers never issue CA certificates (request extensions are dropped), but the request shows what its author was after");
  }
  for (const g of groups) {
    if (g.startsWith("system:") && ![...explained].some((e) => g.startsWith(e))) note(`group ${g}: system: names are reserved for Kubernetes itself`);
  }
  if (cn.startsWith("system:") && !nodeIdentity && !/^system:(kube-|serviceaccount:)/.test(cn)) note(`user ${cn}: system: names are reserved for Kubernetes itself`);
  if (!cn) note("no common name: the API server would authenticate it as an empty user name and refuse it");
  return out;
}
