import type { CSRModel } from "../pki/csr.js";
import { KEY_USAGE_VALUES, MIN_EXPIRATION_SECONDS } from "../kube/csr.js";

/**
 * The built-in Kubernetes signers and the rules kube-controller-manager's
 * csrsigning controller checks before it signs (pkg/controller/certificates/
 * signer/signer.go and pkg/apis/certificates/helpers.go). A request outside
 * them gets the Failed condition, reason SignerValidationFailure.
 */

export const KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client";
export const KUBE_APISERVER_CLIENT_KUBELET = "kubernetes.io/kube-apiserver-client-kubelet";
export const KUBELET_SERVING = "kubernetes.io/kubelet-serving";
export const LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown";
/** kubepki's own signer for what no Kubernetes signer issues (API server, etcd, front-proxy…): `--signer local`. */
export const LOCAL = "local";

/** The usages the local signer can put in a certificate: a TLS leaf's, never a CA's. */
export const LOCAL_USAGES = ["digital signature", "key encipherment", "server auth", "client auth"];

/** Signers that issue client certificates only: a request with SANs or asking for server auth does not belong there. */
export const CLIENT_ONLY_SIGNERS = [KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET];

export interface SignerInfo {
  name: string;
  /** One line: what certificates it issues and who approves them. */
  description: string;
  /** kubepki can sign for it (legacy-unknown exists only in v1beta1 and no controller signs it). */
  signable: boolean;
  /** spec.usages a well-behaved client sends, for a PEM request that carries none (none: --usages is required). */
  defaultUsages(key: CSRModel["key"]): string[];
  /** Violations of the signer's rules, one sentence each; empty when it would sign. */
  validate(csr: CSRModel, usages: string[]): string[];
}

const sameSet = (a: string[], b: string[]) => new Set(a).size === new Set(b).size && b.every((x) => a.includes(x));
const NODE_PREFIX = "system:node:";

/** Kubelet's own usages: key encipherment only for RSA keys (DefaultKubeletClientGetUsages). */
function kubeletUsages(key: CSRModel["key"], auth: string): string[] {
  return key.type === "RSA" ? ["digital signature", "key encipherment", auth] : ["digital signature", auth];
}

/** ValidateKubeletClientCSR / ValidateKubeletServingCSR: the node subject both kubelet signers require. */
function nodeSubject(csr: CSRModel): string[] {
  const out: string[] = [];
  const o = csr.subject.organization;
  if (!(o.length === 1 && o[0] === "system:nodes")) out.push(`the organization (O) must be exactly [system:nodes], got [${o.join(", ")}]`);
  if (!csr.subject.commonName?.startsWith(NODE_PREFIX)) out.push(`the common name (CN) must start with "${NODE_PREFIX}", got "${csr.subject.commonName ?? ""}"`);
  return out;
}

function exactUsages(usages: string[], sets: string[][]): string[] {
  return sets.some((s) => sameSet(usages, s)) ? [] : [`usages must be exactly [${sets[0].join(", ")}] or [${sets[1].join(", ")}], got [${usages.join(", ")}]`];
}

const SIGNERS: SignerInfo[] = [
  {
    name: KUBE_APISERVER_CLIENT,
    description: "client certificates for the API server (users, components); never auto-approved",
    signable: true,
    // What the issue and kubeadm ask of every client certificate, whatever the key type.
    defaultUsages: () => ["digital signature", "key encipherment", "client auth"],
    validate(_csr, usages) {
      // validAPIServerClientUsages: digital signature and key encipherment optional, client auth required, nothing else.
      const out = usages.filter((u) => !["digital signature", "key encipherment", "client auth"].includes(u)).map((u) => `usage "${u}" is not allowed for a client certificate`);
      if (!usages.includes("client auth")) out.push(`usages must include "client auth"`);
      return out;
    },
  },
  {
    name: KUBE_APISERVER_CLIENT_KUBELET,
    description: "kubelet client certificates (CN system:node:<name>, O system:nodes); auto-approved by kube-controller-manager",
    signable: true,
    defaultUsages: (key) => kubeletUsages(key, "client auth"),
    validate(csr, usages) {
      const out = nodeSubject(csr);
      const sans = [...csr.dnsNames.map((d) => `DNS:${d}`), ...csr.ipAddresses.map((i) => `IP:${i}`), ...csr.emailAddresses.map((e) => `email:${e}`), ...csr.uris.map((u) => `URI:${u}`)];
      if (sans.length) out.push(`subject alternative names are not allowed, got ${sans.join(", ")}`);
      out.push(...exactUsages(usages, [["digital signature", "key encipherment", "client auth"], ["digital signature", "client auth"]]));
      return out;
    },
  },
  {
    name: KUBELET_SERVING,
    description: "kubelet serving certificates (CN system:node:<name>, O system:nodes, DNS/IP SANs); never auto-approved",
    signable: true,
    defaultUsages: (key) => kubeletUsages(key, "server auth"),
    validate(csr, usages) {
      const out = nodeSubject(csr);
      if (csr.dnsNames.length + csr.ipAddresses.length === 0) out.push("at least one DNS or IP subject alternative name is required");
      if (csr.emailAddresses.length) out.push("email subject alternative names are not allowed");
      if (csr.uris.length) out.push("URI subject alternative names are not allowed");
      out.push(...exactUsages(usages, [["digital signature", "key encipherment", "server auth"], ["digital signature", "server auth"]]));
      return out;
    },
  },
  {
    name: LOCAL,
    description: "kubepki's local CA signer: the --usages given, subject and SANs copied, never a CA (openssl x509 -req -extfile in one step)",
    signable: true,
    // Never guessed: what a certificate may do is the caller's decision.
    defaultUsages: () => [],
    validate(_csr, usages) {
      const out = usages.filter((u) => !LOCAL_USAGES.includes(u)).map((u) => `usage "${u}" is not issued by the local signer (it issues ${LOCAL_USAGES.join(", ")}; never a CA)`);
      if (!usages.includes("server auth") && !usages.includes("client auth")) out.push(`usages must include "server auth" or "client auth"`);
      return out;
    },
  },
  {
    name: LEGACY_UNKNOWN,
    description: "certificates.k8s.io/v1beta1's default; no built-in controller signs it and v1 refuses new requests for it",
    signable: false,
    defaultUsages: (key) => kubeletUsages(key, "client auth"),
    validate: () => [],
  },
];

export const SIGNER_NAMES = SIGNERS.map((s) => s.name);

/** A signer by full name, or by its short name ("kube-apiserver-client"); "local" is kubepki's own. */
export function findSigner(name: string): SignerInfo | undefined {
  return SIGNERS.find((s) => s.name === name || s.name === `kubernetes.io/${name}`);
}

/**
 * What the API server's validation refuses when the object is created, before
 * any signer sees it: unknown or repeated usages, a too-short expirationSeconds.
 * (Admission — system:masters through kube-apiserver-client — is the privilege
 * guard's business.)
 */
export function apiServerRules(usages: string[], expirationSeconds: number | undefined): string[] {
  const out: string[] = [];
  for (const u of usages) if (!(KEY_USAGE_VALUES as readonly string[]).includes(u)) out.push(`usage "${u}" is not a Kubernetes key usage`);
  if (new Set(usages).size !== usages.length) out.push("usages lists a value twice");
  if (expirationSeconds !== undefined && expirationSeconds < MIN_EXPIRATION_SECONDS) out.push(`expirationSeconds must be at least ${MIN_EXPIRATION_SECONDS}, got ${expirationSeconds}`);
  return out;
}
