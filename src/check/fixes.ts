import { dirname } from "node:path";
import type { CertItem, NodeInventory } from "./discover.js";
import type { LoadedCert } from "./load.js";

/**
 * The exact fix for a certificate: kubepki renew for expiry (it keeps the
 * identity, backs up and prints the restarts; kubeadm's own command is named
 * too), kubectl for kubeconfig edits, kubepki init --force where it must be
 * re-issued from the catalog.
 */

/** How a component picks up a new file: static pods restart when their manifest moves. */
export function restartHint(item: CertItem): string {
  switch (item.component) {
    case "kube-apiserver":
    case "kube-controller-manager":
    case "kube-scheduler":
    case "etcd":
      return `then restart ${item.component} (move its manifest out of /etc/kubernetes/manifests and back)`;
    case "kubelet":
      return "then restart the kubelet (systemctl restart kubelet)";
    default:
      return "";
  }
}

const join = (...parts: string[]) => parts.filter(Boolean).join(", ");

/** Renewal with the same names: what fixes expiry. */
export function renewFix(c: LoadedCert, inv: NodeInventory): string {
  const { item } = c;
  if (item.role === "CA") {
    return `plan a CA rotation before it expires: every certificate it signed must be re-issued (https://kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates/)`;
  }
  if (item.id === "kubelet.conf") {
    return `enable rotateCertificates in /var/lib/kubelet/config.yaml; if the certificate already expired: kubeadm kubeconfig user --client-name system:node:${inv.facts.nodeName ?? "<node>"} --org system:nodes > ${item.file}, ${restartHint(item)}`;
  }
  if (item.embeds) return embedFix(c, inv);
  if (item.id === "kubelet-serving") return `delete ${c.certFile} and its key; the kubelet writes a new one when it restarts (systemctl restart kubelet)`;
  // kubepki renew keeps the identity, backs up first and prints the restart commands.
  return renewCommand(c, inv);
}

function renewCommand(c: LoadedCert, inv: NodeInventory): string {
  const where = [
    inv.root !== "/" ? `--root ${inv.root}` : "",
    inv.pkiDir !== `${inv.root === "/" ? "" : inv.root}/etc/kubernetes/pki` ? `--cert-dir ${inv.pkiDir}` : "",
    inv.profile !== "kubeadm" ? `--profile ${inv.profile}` : "",
  ].filter(Boolean);
  const kubeadm = inv.profile === "kubeadm" && !c.item.kubeconfig ? ` (or: kubeadm certs renew ${c.item.id}${kubeadmCertDir(inv)}, ${restartHint(c.item)})` : "";
  return `kubepki renew ${[c.item.id, ...where].join(" ")}${kubeadm}`;
}

/** Re-issuing with different contents (SANs, names, usages, signer): renewal would copy the mistake. */
export function reissueFix(c: LoadedCert, inv: NodeInventory): string {
  const { item } = c;
  if (item.embeds) return embedFix(c, inv);
  if (item.id === "kubelet.conf" || item.id === "kubelet-serving") return renewFix(c, inv);
  const f = inv.facts;
  const flags = [
    `--out ${dirname(inv.pkiDir)}`,
    inv.profile !== "kubeadm" ? `--profile ${inv.profile}` : "",
    f.nodeName ? `--node-name ${f.nodeName}` : "",
    f.advertiseAddress ? `--apiserver-advertise-address ${f.advertiseAddress}` : "",
    f.controlPlaneEndpoint ? `--control-plane-endpoint ${f.controlPlaneEndpoint}` : "",
    inv.cluster.serviceSubnet !== "10.96.0.0/12" ? `--service-cidr ${inv.cluster.serviceSubnet}` : "",
    inv.cluster.dnsDomain !== "cluster.local" ? `--service-dns-domain ${inv.cluster.dnsDomain}` : "",
    inv.cluster.apiServerCertSANs.length ? `--apiserver-cert-extra-sans ${inv.cluster.apiServerCertSANs.join(",")}` : "",
  ].filter(Boolean);
  // init --force replaces exactly the files that differ from the catalog, after a backup.
  return join(`kubepki init ${flags.join(" ")} --force`, restartHint(item));
}

/** A hard-way kubeconfig holds a copy of a catalog certificate: fix that one, then embed it again. */
function embedFix(c: LoadedCert, inv: NodeInventory): string {
  const source = inv.certs.find((i) => i.id === c.item.embeds);
  const user = c.kubeconfig?.user ?? c.item.embeds;
  const crt = source?.file ?? `${inv.pkiDir}/${c.item.embeds}.crt`;
  const key = source?.keyFile ?? crt.replace(/\.crt$/, ".key");
  return `make ${crt} right first (see its own findings), then embed it again: kubectl config set-credentials ${user} --kubeconfig ${c.item.file} --client-certificate ${crt} --client-key ${key} --embed-certs`;
}

function kubeadmCertDir(inv: NodeInventory): string {
  return inv.pkiDir === "/etc/kubernetes/pki" ? "" : ` --cert-dir ${inv.pkiDir}`;
}

