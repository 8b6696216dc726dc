import { firstServiceIP } from "../cluster/net.js";
import type { CertificateFacts } from "../pki/x509-fast.js";
import { matchCatalog, type CatalogMatch } from "./catalog-match.js";

/** What a certificate means to Kubernetes: its role, identity, names, what it looks like, what is wrong. */
export interface KubernetesView {
  /** CA, server, client, server+client; "any" for a leaf without extended key usage (Go accepts it for every use). */
  kind: "CA" | "server" | "client" | "server+client" | "any";
  selfSigned: boolean;
  /** For client certificates: the API server's x509 authenticator takes CN as the user and O as groups. */
  user?: string;
  groups?: string[];
  /** For server certificates: every DNS name and IP it is valid for. */
  validFor?: string[];
  /** The usual names of its kind (kubernetes.default.svc…, the service IP, localhost) it lacks. */
  missingNames?: string[];
  looksLike: CatalogMatch[];
  notes: string[];
  warnings: Warning[];
}

export interface Warning {
  /** Stable identifier for scripts: expired, not-yet-valid, expires-soon, weak-key, weak-signature, ca-leaf, ca-without-certsign, no-sans, no-ip-sans, no-common-name, node-without-group. */
  code: string;
  severity: "error" | "warning";
  message: string;
}

export interface ViewOptions {
  now: Date;
  /** kubeadm's --service-cidr: its first IP is the `kubernetes` Service's ClusterIP, which apiserver certificates need. */
  serviceCidr: string;
  /** kubeadm's --service-dns-domain. */
  dnsDomain: string;
  /** Warn when fewer than this many ms are left (30 days). */
  soonMs: number;
}

const DAY = 86_400_000;

/** Notes on the identities Kubernetes gives meaning to, by user (CN) or group (O). */
export function identityNotes(user: string, groups: string[], issuerCN: string): { notes: string[]; warnings: Warning[] } {
  const notes: string[] = [];
  const warnings: Warning[] = [];
  if (!user) warnings.push({ code: "no-common-name", severity: "warning", message: "no CN: the API server authenticates no user from this certificate" });
  if (groups.includes("system:masters")) notes.push("system:masters is the superuser group: it bypasses RBAC and every authorization webhook, and a certificate in it cannot be revoked short of replacing the CA");
  if (groups.includes("kubeadm:cluster-admins")) notes.push("kubeadm:cluster-admins is bound to ClusterRole cluster-admin by kubeadm's ClusterRoleBinding of the same name (RBAC, so it can be revoked by deleting the binding)");
  const node = /^system:node:(.+)$/.exec(user);
  if (node) {
    if (groups.includes("system:nodes")) notes.push(`a kubelet identity: the Node authorizer and the NodeRestriction admission plugin limit it to node "${node[1]}" and the objects bound to it`);
    else warnings.push({ code: "node-without-group", severity: "warning", message: `CN ${user} without O=system:nodes: the Node authorizer does not treat it as a node` });
  } else if (groups.includes("system:nodes")) notes.push("O=system:nodes without a CN of the form system:node:<name>: the Node authorizer grants it nothing");
  const components: Record<string, string> = {
    "system:kube-controller-manager": "kube-controller-manager's identity: default RBAC binds it to ClusterRole system:kube-controller-manager",
    "system:kube-scheduler": "kube-scheduler's identity: default RBAC binds it to ClusterRole system:kube-scheduler",
    "system:kube-proxy": "kube-proxy's identity: ClusterRoleBinding system:node-proxier binds it to ClusterRole system:node-proxier",
    "kube-apiserver-kubelet-client": "the API server's identity towards kubelets (--kubelet-client-certificate); kubelets authorise it through the API server's RBAC",
    "front-proxy-client": "the API server's identity towards aggregated API servers, which accept it when its CN is in --requestheader-allowed-names",
    kubernetes: "the hard way's API server identity towards kubelets: ClusterRoleBinding system:kube-apiserver grants it the kubelet API",
  };
  if (components[user]) notes.push(components[user]);
  if (user.startsWith("system:serviceaccount:")) notes.push("the CN claims a ServiceAccount name: the API server accepts it as that user name, but it gets only what RBAC grants that name");
  if (groups.includes("system:bootstrappers") || groups.some((g) => g.startsWith("system:bootstrappers:"))) notes.push("a bootstrap group: it may create CertificateSigningRequests for node client certificates");
  if (/etcd/i.test(issuerCN)) notes.push(`issued by ${issuerCN}: an etcd client identity; the API server accepts it only if --client-ca-file trusts that CA`);
  return { notes, warnings };
}

function kindOf(f: CertificateFacts): KubernetesView["kind"] {
  if (f.isCA) return "CA";
  const server = f.extKeyUsage.includes("serverAuth") || f.extKeyUsage.includes("any");
  const client = f.extKeyUsage.includes("clientAuth") || f.extKeyUsage.includes("any");
  if (f.extKeyUsage.length === 0) return "any";
  if (server && client) return "server+client";
  if (server) return "server";
  if (client) return "client";
  return "any";
}

/** The `kubernetes` Service's IP for a CIDR (dual-stack: the first family's). */
function serviceIPOf(cidr: string): string | undefined {
  try {
    return firstServiceIP(cidr.split(",")[0].trim());
  } catch {
    return undefined;
  }
}

/** The names a serving certificate of this sort is expected to carry. */
function usualNames(f: CertificateFacts, looksLike: CatalogMatch[], o: ViewOptions): string[] {
  const names = looksLike.map((m) => m.name);
  const all = [...f.dnsNames, ...f.ipAddresses];
  if (names.includes("apiserver") || f.subject.commonName === "kube-apiserver" || all.includes("kubernetes.default")) {
    const serviceIP = serviceIPOf(o.serviceCidr);
    return ["kubernetes", "kubernetes.default", "kubernetes.default.svc", `kubernetes.default.svc.${o.dnsDomain}`, ...(serviceIP ? [serviceIP] : [])];
  }
  if (names.some((n) => n === "etcd-server" || n === "etcd-peer")) return ["localhost", "127.0.0.1"];
  return [];
}

export function kubernetesView(f: CertificateFacts, o: ViewOptions, path?: string): KubernetesView {
  const kind = kindOf(f);
  const looksLike = matchCatalog(f, path);
  const view: KubernetesView = { kind, selfSigned: f.subject.text === f.issuer.text, looksLike, notes: [], warnings: [] };
  const w = view.warnings;
  const left = f.notAfter.getTime() - o.now.getTime();
  if (left < 0) w.push({ code: "expired", severity: "error", message: `expired ${Math.floor(-left / DAY)} days ago (${f.notAfter.toISOString()})` });
  else if (left < o.soonMs) w.push({ code: "expires-soon", severity: "warning", message: `expires in ${Math.floor(left / DAY)} days` });
  if (f.notBefore.getTime() > o.now.getTime()) w.push({ code: "not-yet-valid", severity: "error", message: `not valid before ${f.notBefore.toISOString()} (clock skew, or issued with a future date)` });
  if ((f.key.type === "RSA" && (f.key.bits ?? 0) < 2048) || (f.key.type === "ECDSA" && (f.key.bits ?? 256) < 256)) {
    w.push({ code: "weak-key", severity: "warning", message: `weak key (${f.key.type} ${f.key.bits}): use RSA 2048+ or ECDSA P-256+` });
  }
  if (/sha1|md5/i.test(f.signatureAlgorithm)) w.push({ code: "weak-signature", severity: "error", message: `${f.signatureAlgorithm}: Go (and so Kubernetes) rejects SHA-1 and MD5 signatures since Go 1.18` });
  if (f.isCA && (f.extKeyUsage.includes("serverAuth") || f.extKeyUsage.includes("clientAuth"))) {
    w.push({ code: "ca-leaf", severity: "warning", message: "CA:TRUE on a certificate that also serves or authenticates: a leaf should not be able to sign certificates" });
  }
  if (f.isCA && f.keyUsage.length > 0 && !f.keyUsage.includes("keyCertSign")) {
    w.push({ code: "ca-without-certsign", severity: "warning", message: "a CA whose key usage lacks keyCertSign: OpenSSL and Go reject what it signs" });
  }
  if (kind === "client" || kind === "server+client" || kind === "any") {
    view.user = f.subject.commonName ?? "";
    view.groups = f.subject.organization;
    const { notes, warnings } = identityNotes(view.user, view.groups, f.issuer.commonName ?? "");
    view.notes.push(...notes);
    // A leaf without usages may not be meant as a client at all: show the identity, spare the warnings.
    if (kind !== "any") w.push(...warnings);
  }
  if (kind === "server" || kind === "server+client" || kind === "any") {
    view.validFor = [...f.dnsNames, ...f.ipAddresses];
    const usual = usualNames(f, looksLike, o);
    if (usual.length) view.missingNames = usual.filter((n) => !view.validFor!.includes(n));
    if (kind !== "any" && view.validFor.length === 0) {
      w.push({ code: "no-sans", severity: "warning", message: "a serving certificate without SANs: Go clients ignore the CN since Go 1.15, so it is valid for no name" });
    } else if (kind !== "any" && f.ipAddresses.length === 0 && /^system:node:/.test(f.subject.commonName ?? "")) {
      w.push({ code: "no-ip-sans", severity: "warning", message: "a kubelet serving certificate without IP SANs: metrics-server and the API server reach kubelets by IP and fail with \"doesn't contain any IP SANs\"" });
    }
  }
  if (view.selfSigned && !f.isCA && kind !== "any") view.notes.push("self-signed: clients trust it only if they have this very certificate as a CA");
  return view;
}
