import { shellCommand } from "../text.js";
import type { CertItem, NodeInventory } from "./discover.js";
import { rotatedByKubelet, type LoadedCert } from "./load.js";

/**
 * Every finding's fix: a sentence for a person and the shell commands that,
 * pasted as they are, clear exactly that finding. The commands touch only the
 * files of the finding (reissue one certificate, rewrite one kubeconfig's CA,
 * regenerate sa.pub, chmod a key), never create or replace a CA, never run
 * init --force on a tree, and point at the paths check really read. When a
 * person must decide (a CA that is not a CA, a lost key), the list is empty.
 */
export interface Fix {
  fix: string;
  commands: string[];
  /** The CA the commands sign with or copy: they are withheld while it cannot sign (check/index.ts). */
  signedBy?: string;
}

/** A fix only a person can carry out: what to do, no command. */
export const decide = (fix: string): Fix => ({ fix, commands: [] });

/** How a component picks up a new file: static pods restart when their manifest moves. */
export function restartHint(item: CertItem): string {
  switch (item.component) {
    case "kube-apiserver":
    case "kube-controller-manager":
    case "kube-scheduler":
    case "etcd":
      return `then restart ${item.component} (move its manifest out of the manifests folder and back)`;
    case "kubelet":
      return "then restart the kubelet (systemctl restart kubelet)";
    default:
      return "";
  }
}

/** "A; B" without an empty B: no sentence ends in ", " or "; ". */
export const sentence = (...parts: (string | undefined)[]) => parts.filter(Boolean).join("; ");

/** The flags that point a kubepki command at exactly the files check read, never at an assumed layout. */
export function nodeFlags(inv: NodeInventory): string[] {
  const words: string[] = [];
  if (inv.root !== "/") words.push("--root", inv.root);
  words.push("--cert-dir", inv.pkiDir, "--kubeconfig-dir", inv.kubeconfigDir, "--manifests-dir", inv.manifestsDir);
  if (inv.profile !== "kubeadm") words.push("--profile", inv.profile);
  return words;
}

/** `kubepki renew NAME` for this node: a new key and certificate with the current identity and SANs, signed by its catalog CA. */
export function renewCommand(c: LoadedCert, inv: NodeInventory, extra: string[] = []): string {
  return shellCommand(["kubepki", "renew", c.item.id, ...nodeFlags(inv), ...extra]);
}

/**
 * Whether `kubepki renew` can reissue this certificate here: it needs the
 * certificate (it copies its identity), the key of its CA, and a file of its
 * own (the kubelet rotates the client certificate kubelet.conf points at).
 */
export function renewable(c: LoadedCert, cas: LoadedCert[]): boolean {
  if (!c.cert || c.item.role === "CA" || c.item.id === "kubelet-serving") return false;
  if (rotatedByKubelet(c)) return false;
  if (!c.item.kubeconfig && !c.keyFile) return false;
  const ca = cas.find((x) => x.item.id === c.item.caId);
  return Boolean(ca?.cert && ca.key);
}

/** Why renew cannot run here, in words a person can act on. */
function whyNotRenewable(c: LoadedCert, cas: LoadedCert[]): string {
  if (rotatedByKubelet(c)) return `the kubelet rotates ${c.certFile} itself; if it has expired, the kubelet must be bootstrapped again (kubeadm join, or a new kubelet.conf made on a control-plane node)`;
  const ca = cas.find((x) => x.item.id === c.item.caId);
  if (!ca?.cert) return `its CA (${c.item.caId ?? "unknown"}) is not on this node: re-issue it where that CA's key is`;
  if (!ca.key) return `the key of its CA (${ca.certFile.replace(/\.crt$/, ".key")}) is not on this node: re-issue it where that key is`;
  return "re-issue it with the same CN, O and SANs";
}

/**
 * Reissue one certificate, keeping its identity and SANs (and adding `extra`
 * flags, e.g. --add-san): the fix for expiry, a wrong key, a wrong signer, a
 * weak key, a SHA-1 signature, CA:TRUE on a leaf.
 */
export function reissue(c: LoadedCert, inv: NodeInventory, cas: LoadedCert[], what = "reissue it", extra: string[] = []): Fix {
  if (c.item.id === "kubelet-serving") return kubeletServingFix(c);
  if (!renewable(c, cas)) return decide(whyNotRenewable(c, cas));
  const command = renewCommand(c, inv, extra);
  const kubeadm = inv.profile === "kubeadm" && !c.item.kubeconfig && extra.length === 0
    ? ` (kubeadm's own: kubeadm certs renew ${c.item.id}${inv.pkiDir === "/etc/kubernetes/pki" ? "" : ` --cert-dir ${shellCommand([inv.pkiDir])}`})`
    : "";
  return { fix: sentence(`${what} with kubepki renew, which keeps its CN, O and SANs and backs up the old files${kubeadm}`, restartHint(c.item)), commands: [command], signedBy: c.item.caId };
}

/**
 * The kubelet's serving certificate: kubeadm's kubelet makes its own
 * self-signed one when the file is absent; with serverTLSBootstrap or a
 * tlsCertFile, someone else issues it.
 */
function kubeletServingFix(c: LoadedCert): Fix {
  if (c.item.via === "kubelet default" && /\/kubelet\.crt$/.test(c.certFile) && c.keyFile) {
    return {
      fix: "remove the kubelet's self-signed serving certificate and its key; the kubelet writes new ones when it restarts (systemctl restart kubelet)",
      commands: [shellCommand(["rm", "-f", "--", c.certFile, c.keyFile])],
    };
  }
  return decide(`the kubelet's serving certificate comes from ${c.item.via}: re-issue it there (with serverTLSBootstrap, approve the kubelet's new CSR: kubectl get csr)`);
}
