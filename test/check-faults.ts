// The check fault corpus: one broken copy of a healthy openssl-made node per
// rule, shared by the detection tests (check.test.ts) and the fix tests
// (check-fixes.test.ts), so that every fault is both found and fixed.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openssl } from "./helpers.ts";
import { KUBECONFIG_USERS, leafWithDates, NODE, opensslSigner, pkiOf, writeKubeconfig, writeManifests } from "./fixtures-openssl.ts";

const S = opensslSigner();

/** One broken copy of the healthy node per rule: what to break, which rule must catch it, and which file it must name. */
export interface Fault {
  name: string;
  rule: string;
  severity?: "error" | "warning";
  /** Breaks the copy at `root`; returns the file the finding must name. */
  breakIt(root: string, pki: string): string;
  /** Other error rules the same fault may legitimately trigger. */
  alsoAllowed?: string[];
  /** How its finding is fixed: by its commands (the default), or by a person (commands [], with why). */
  fix?: { decide: string };
}

const leafSpec = {
  apiserver: (pki: string) => ({
    cn: "kube-apiserver", ca: join(pki, "ca"), eku: ["serverAuth" as const],
    dns: [NODE.name, "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", NODE.endpoint],
    ips: [NODE.serviceIP, NODE.address],
  }),
  etcd: (pki: string, ca = join(pki, "etcd/ca")) => ({ cn: NODE.name, ca, eku: ["serverAuth" as const, "clientAuth" as const], dns: [NODE.name, "localhost"], ips: [NODE.address, "127.0.0.1", "::1"] }),
};

/** Re-issues a kubeconfig's client certificate with openssl, signed by `ca`, and rewrites the kubeconfig. */
function kubeconfigWith(root: string, file: keyof typeof KUBECONFIG_USERS, o: { cn?: string; org?: string[]; ca?: string; kubeconfigCA?: string; otherKey?: boolean }): string {
  const pki = pkiOf(root);
  const u = KUBECONFIG_USERS[file];
  const stem = join(root, ".fixture", `broken-${file}`);
  S.leaf(stem, { cn: o.cn ?? u.cn, o: o.org ?? [...u.o], ca: o.ca ?? join(pki, "ca"), eku: ["clientAuth"] });
  let key = `${stem}.key`;
  if (o.otherKey) {
    key = `${stem}.other.key`;
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
  }
  const target = join(root, "etc/kubernetes", file);
  writeKubeconfig(target, { server: `https://${NODE.endpoint}:6443`, ca: o.kubeconfigCA ?? join(pki, "ca.crt"), user: u.user, cert: `${stem}.crt`, key });
  return target;
}

export const FAULTS: Fault[] = [
  { name: "apiserver.crt deleted", rule: "file-missing", fix: { decide: "a missing certificate has no identity to copy: restore it or re-issue it with the tool that made it" }, breakIt: (_r, pki) => (rmSync(join(pki, "apiserver.crt")), join(pki, "apiserver.crt")) },
  {
    name: "a directory where a certificate should be", rule: "file-unreadable", fix: { decide: "why a directory is there is for a person to find out" },
    breakIt: (_r, pki) => {
      const f = join(pki, "apiserver-kubelet-client.crt");
      rmSync(f);
      mkdirSync(f);
      return f;
    },
  },
  {
    name: "a truncated PEM", rule: "file-invalid", fix: { decide: "an unreadable certificate has no identity to copy" },
    breakIt: (_r, pki) => {
      const f = join(pki, "front-proxy-client.crt");
      writeFileSync(f, readFileSync(f, "utf8").slice(0, 200));
      return f;
    },
  },
  {
    name: "apiserver.key replaced by another key", rule: "key-mismatch",
    breakIt: (_r, pki) => {
      const f = join(pki, "apiserver.key");
      openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f]);
      chmodSync(f, 0o600);
      return f;
    },
  },
  {
    name: "etcd server certificate signed by the cluster CA instead of the etcd CA", rule: "chain-untrusted",
    breakIt: (_r, pki) => (S.leaf(join(pki, "etcd/server"), leafSpec.etcd(pki, join(pki, "ca"))), join(pki, "etcd/server.crt")),
  },
  {
    name: "etcd peer signed by an impostor CA with the same name (CN=etcd-ca)", rule: "chain-untrusted",
    breakIt: (root, pki) => {
      S.ca(join(root, ".evil/etcd-ca"), "etcd-ca");
      S.leaf(join(pki, "etcd/peer"), leafSpec.etcd(pki, join(root, ".evil/etcd-ca")));
      return join(pki, "etcd/peer.crt");
    },
  },
  {
    name: "kube-apiserver --requestheader-client-ca-file points at the cluster CA", rule: "chain-untrusted",
    breakIt: (root, pki) => (writeManifests(root, { "--requestheader-client-ca-file": "/etc/kubernetes/pki/ca.crt" }), join(pki, "front-proxy-client.crt")),
  },
  {
    name: "admin.conf's client certificate signed by another CA named kubernetes", rule: "chain-untrusted",
    breakIt: (root) => {
      S.ca(join(root, ".evil/ca"), "kubernetes");
      return kubeconfigWith(root, "admin.conf", { ca: join(root, ".evil/ca") });
    },
  },
  {
    // One root cause, one finding: the kubeconfigs hold the bytes of ca.crt, so they are not blamed for this leaf.
    name: "apiserver.crt signed by a foreign CA also named kubernetes", rule: "chain-untrusted",
    breakIt: (root, pki) => {
      S.ca(join(root, ".evil/ca"), "kubernetes");
      S.leaf(join(pki, "apiserver"), { ...leafSpec.apiserver(pki), ca: join(root, ".evil/ca") });
      return join(pki, "apiserver.crt");
    },
  },
  {
    name: "ca.key gone while kube-controller-manager --cluster-signing-key-file names it", rule: "ca-key-missing",
    fix: { decide: "the CA key must be found where it is kept; a new one would be a new CA" },
    breakIt: (_r, pki) => (rmSync(join(pki, "ca.key")), join(pki, "ca.key")),
  },
  { name: "admin.conf's client key is not its certificate's", rule: "key-mismatch", breakIt: (root) => kubeconfigWith(root, "admin.conf", { otherKey: true }) },
  {
    name: "scheduler.conf trusts the etcd CA", rule: "kubeconfig-ca-mismatch",
    breakIt: (root, pki) => kubeconfigWith(root, "scheduler.conf", { kubeconfigCA: join(pki, "etcd/ca.crt") }),
  },
  {
    name: "a certificate that expired yesterday", rule: "expired",
    breakIt: (_r, pki) => {
      leafWithDates(join(pki, "apiserver-kubelet-client"), { cn: "kube-apiserver-kubelet-client", o: ["kubeadm:cluster-admins"], ca: join(pki, "ca"), eku: ["clientAuth"] }, "20200101000000Z", stamp(-1));
      return join(pki, "apiserver-kubelet-client.crt");
    },
  },
  {
    name: "a certificate from a clock a day ahead", rule: "not-yet-valid",
    breakIt: (_r, pki) => {
      leafWithDates(join(pki, "etcd/healthcheck-client"), { cn: "kube-etcd-healthcheck-client", ca: join(pki, "etcd/ca"), eku: ["clientAuth"] }, stamp(1), stamp(366));
      return join(pki, "etcd/healthcheck-client.crt");
    },
  },
  {
    name: "a certificate expiring in 10 days", rule: "expiring-soon", severity: "warning",
    breakIt: (_r, pki) => (S.leaf(join(pki, "front-proxy-client"), { cn: "front-proxy-client", ca: join(pki, "front-proxy-ca"), eku: ["clientAuth"], days: 10 }), join(pki, "front-proxy-client.crt")),
  },
  { name: "controller-manager.conf with the wrong CN", rule: "subject-mismatch", breakIt: (root) => kubeconfigWith(root, "controller-manager.conf", { cn: "system:kube-controller" }) },
  { name: "admin.conf without an admin group", rule: "admin-group-missing", breakIt: (root) => kubeconfigWith(root, "admin.conf", { org: ["developers"] }) },
  {
    name: "the kubelet's client certificate is another node's", rule: "kubelet-identity", fix: { decide: "the node's name must be confirmed and the kubelet bootstrapped again" },
    breakIt: (root, pki) => {
      const stem = join(root, ".fixture/other-node");
      S.leaf(stem, { cn: "system:node:cp2", o: ["system:nodes"], ca: join(pki, "ca"), eku: ["clientAuth"] });
      writeFileSync(join(root, "var/lib/kubelet/pki/kubelet-client-2026-01-01-00-00-00.pem"), readFileSync(`${stem}.crt`, "utf8") + readFileSync(`${stem}.key`, "utf8"));
      return join(root, "var/lib/kubelet/pki/kubelet-client-current.pem");
    },
  },
  {
    name: "front-proxy-client with a CN the API server does not allow", rule: "front-proxy-name-not-allowed", fix: { decide: "the certificate or the flag may be the wrong one" },
    breakIt: (_r, pki) => (S.leaf(join(pki, "front-proxy-client"), { cn: "aggregator", ca: join(pki, "front-proxy-ca"), eku: ["clientAuth"] }), join(pki, "front-proxy-client.crt")),
  },
  {
    name: "apiserver.crt without the service IP", rule: "san-missing",
    breakIt: (_r, pki) => (S.leaf(join(pki, "apiserver"), { ...leafSpec.apiserver(pki), ips: [NODE.address] }), join(pki, "apiserver.crt")),
  },
  {
    name: "etcd server without 127.0.0.1", rule: "san-missing",
    breakIt: (_r, pki) => (S.leaf(join(pki, "etcd/server"), { ...leafSpec.etcd(pki), ips: [NODE.address] }), join(pki, "etcd/server.crt")),
  },
  {
    name: "etcd peer without clientAuth", rule: "eku-wrong", fix: { decide: "renew copies the usages: no kubepki command reissues with other usages yet" },
    breakIt: (_r, pki) => (S.leaf(join(pki, "etcd/peer"), { ...leafSpec.etcd(pki), eku: ["serverAuth"] }), join(pki, "etcd/peer.crt")),
  },
  {
    name: "front-proxy-ca re-made with CA:FALSE (same key)", rule: "ca-not-ca", fix: { decide: "a CA made again is a rotation a person plans" },
    breakIt: (_r, pki) => (S.ca(join(pki, "front-proxy-ca"), "front-proxy-ca", { notCA: true, reuseKey: join(pki, "front-proxy-ca.key") }), join(pki, "front-proxy-ca.crt")),
  },
  {
    name: "apiserver-etcd-client with CA:TRUE", rule: "leaf-is-ca",
    breakIt: (_r, pki) => (S.leaf(join(pki, "apiserver-etcd-client"), { cn: "kube-apiserver-etcd-client", ca: join(pki, "etcd/ca"), eku: ["clientAuth"], isCA: true }), join(pki, "apiserver-etcd-client.crt")),
  },
  {
    name: "apiserver-kubelet-client with an RSA 1024 key", rule: "weak-key",
    breakIt: (_r, pki) => (S.leaf(join(pki, "apiserver-kubelet-client"), { cn: "kube-apiserver-kubelet-client", o: ["kubeadm:cluster-admins"], ca: join(pki, "ca"), eku: ["clientAuth"], key: "rsa1024" }), join(pki, "apiserver-kubelet-client.crt")),
  },
  {
    name: "etcd healthcheck client signed with SHA-1", rule: "sha1-signature",
    breakIt: (_r, pki) => (S.leaf(join(pki, "etcd/healthcheck-client"), { cn: "kube-etcd-healthcheck-client", ca: join(pki, "etcd/ca"), eku: ["clientAuth"], sha1: true }), join(pki, "etcd/healthcheck-client.crt")),
  },
  { name: "etcd/peer.key readable by everyone", rule: "key-permissions", breakIt: (_r, pki) => (chmodSync(join(pki, "etcd/peer.key"), 0o644), join(pki, "etcd/peer.key")) },
  {
    name: "sa.pub from another key", rule: "sa-keypair-mismatch",
    breakIt: (root, pki) => {
      const other = join(root, ".fixture/other-sa.key");
      openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", other]);
      openssl(["pkey", "-in", other, "-pubout", "-out", join(pki, "sa.pub")]);
      return join(pki, "sa.pub");
    },
  },
  {
    name: "apiserver-etcd-client signed for apiserver.key", rule: "key-reused", severity: "warning",
    breakIt: (_r, pki) => (S.leaf(join(pki, "apiserver-etcd-client"), { cn: "kube-apiserver-etcd-client", ca: join(pki, "etcd/ca"), eku: ["clientAuth"], reuseKey: join(pki, "apiserver.key") }), join(pki, "apiserver-etcd-client.crt")),
  },
];

/** openssl's YYYYMMDDHHMMSSZ, `days` from now. */
export function stamp(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "Z");
}

