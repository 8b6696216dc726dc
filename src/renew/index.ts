import type { KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as asn from "@peculiar/asn1-x509";
import { discoverNode, type DiscoverOptions, type NodeInventory } from "../check/discover.js";
import { loadNode, type LoadedCert } from "../check/load.js";
import { inputError } from "../errors.js";
import { loadKubeconfig } from "../kube/kubeconfig.js";
import { stringifyKubeconfig } from "../kube/kubeconfig-write.js";
import { certificateToPEM, createCertificate, kubeadmValidity, randomSerial63, type ExtKeyUsage } from "../pki/certificate.js";
import { generatePrivateKey, keyAlgorithmOf, privateKeyToPEM, type KeyAlgorithm } from "../pki/keys.js";
import { parseCertificate, type CertificateModel } from "../pki/model.js";
import { KEY_MODE, PUBLIC_MODE } from "../store/files.js";
import { commitFiles, recoverInterrupted, type FileWrite } from "../store/transaction.js";
import { restartPlan, type Restart } from "./restart.js";

/**
 * `kubepki renew`: like `kubeadm certs renew`, a renewed certificate keeps the
 * identity of the one on disk (subject, SANs, extended key usages), is signed
 * by the same local CA and gets a fresh validity. CAs are never renewed here.
 */

export interface RenewOptions extends DiscoverOptions {
  /** kubeadm's names ("apiserver", "admin.conf"…), or ["all"]. */
  names: string[];
  /** Only those expiring within this many ms. */
  expiringWithinMs?: number;
  reuseKey?: boolean;
  /** Key type of new keys; default: the same as the old key's. */
  algorithm?: KeyAlgorithm;
  validityMs?: number;
  /**
   * `kubeadm certs renew`'s rule (renewal/readwriter.go): a renewed kubeconfig's
   * certificate-authority-data becomes the CA certificate on disk.
   */
  resetKubeconfigCA?: boolean;
  dryRun?: boolean;
  now?: Date;
}

export type RenewAction = "renew" | "skip";

export interface RenewItem {
  name: string;
  action: RenewAction;
  /** Why it is skipped: not due, kubelet-managed… */
  reason?: string;
  file: string;
  keyFile?: string;
  kubeconfigUser?: string;
  caId?: string;
  old?: CertificateModel;
  renewed?: CertificateModel;
  /** The new certificate's expiry (also in a dry run, where none is made). */
  notAfter?: Date;
  newKey: boolean;
}

export interface RenewResult {
  items: RenewItem[];
  restarts: Restart[];
  backupDir?: string;
  /** A previous renewal that was interrupted and rolled back first. */
  recovered?: string;
  dryRun: boolean;
  /** The clock the run judged expiry by (--now). */
  now: Date;
  inventory: NodeInventory;
}

const DEFAULT_VALIDITY_MS = 8760 * 3600_000;
const KNOWN_EKU: ExtKeyUsage[] = ["serverAuth", "clientAuth"];

export async function renewCertificates(options: RenewOptions): Promise<RenewResult> {
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const inventory = await discoverNode(options);
  const home = inventory.kubeconfigDir;
  const recovered = options.dryRun ? undefined : await recoverInterrupted(home);
  const model = loadNode(inventory);
  const byId = new Map(model.certs.map((c) => [c.item.id, c]));
  const targets = selectTargets(options.names, model.certs);

  const items: RenewItem[] = [];
  const work: { item: RenewItem; loaded: LoadedCert; ca: LoadedCert }[] = [];
  for (const loaded of targets) {
    const item: RenewItem = { name: loaded.item.id, action: "skip", file: loaded.certFile, keyFile: loaded.keyFile, kubeconfigUser: loaded.kubeconfig?.user, caId: loaded.item.caId, old: loaded.cert, newKey: !options.reuseKey };
    items.push(item);
    const skip = skipReason(loaded, options, now);
    if (skip) {
      item.reason = skip;
      continue;
    }
    const ca = loaded.item.caId ? byId.get(loaded.item.caId) : undefined;
    if (!ca?.cert) throw inputError(`${item.name}: its CA ${loaded.item.caId ?? "(unknown)"} was not found`, "nothing was changed");
    if (!ca.key) {
      throw inputError(`${item.name}: detected external CA ${ca.item.id} (${ca.certFile} has no key), so ${item.name} can't be renewed here`, "nothing was changed; with an external CA, make keys and CSRs with 'kubepki certs generate-csr' (into an empty folder) and have that CA sign them, or name only the certificates whose CA key is on this node");
    }
    item.action = "renew";
    work.push({ item, loaded, ca });
  }

  const writes: FileWrite[] = [];
  for (const { item, loaded, ca } of work) {
    const old = loaded.cert!;
    const { notBefore, notAfter } = kubeadmValidity(now, options.validityMs ?? DEFAULT_VALIDITY_MS, ca.cert!.notAfter);
    item.notAfter = notAfter;
    if (options.dryRun) continue;
    const key: KeyObject = options.reuseKey ? loaded.key!.keyObject : await generatePrivateKey(options.algorithm ?? keyAlgorithmOf(loaded.key?.publicKey.description ?? old.key) ?? "RSA-2048");
    const der = createCertificate(
      {
        subject: { commonName: old.subject.commonName ?? "" },
        // The old subject as it was encoded, so nothing of it (C, ST, L…) is lost.
        subjectName: AsnConvert.parse(old.der, asn.Certificate).tbsCertificate.subject,
        serial: distinctSerial(old.serial), notBefore, notAfter,
        publicKey: key, isCA: false, keyUsage: ["digitalSignature", "keyEncipherment"],
        extKeyUsage: old.extKeyUsage.filter((u): u is ExtKeyUsage => (KNOWN_EKU as string[]).includes(u)),
        dnsNames: old.dnsNames, ipAddresses: old.ipAddresses, emailAddresses: old.emailAddresses, uris: old.uris,
      },
      { key: ca.key!.keyObject, certificateDER: ca.cert!.der },
    );
    item.renewed = parseCertificate(der, item.name);
    if (loaded.item.kubeconfig && loaded.certFile === loaded.item.file) {
      writes.push({ path: loaded.item.file, data: await kubeconfigWithCredentials(loaded, der, key, options.resetKubeconfigCA ? ca.cert!.der : undefined), mode: KEY_MODE });
    } else {
      if (!options.reuseKey) writes.push({ path: loaded.keyFile!, data: privateKeyToPEM(key), mode: KEY_MODE });
      writes.push({ path: loaded.certFile, data: certificateToPEM(der), mode: PUBLIC_MODE });
    }
  }

  const renewed = items.filter((i) => i.action === "renew");
  const restarts = restartPlan(inventory, work.map((w) => w.loaded));
  if (options.dryRun || writes.length === 0) return { items, restarts, dryRun: Boolean(options.dryRun), recovered, now, inventory };
  const backupDir = await commitFiles(writes, { home, root: inventory.root, reason: `kubepki renew ${renewed.map((i) => i.name).join(" ")}`, now });
  return { items, restarts, backupDir, dryRun: false, recovered, now, inventory };
}

/** The certificates a list of names means; errors name what is unknown or not renewable. */
function selectTargets(names: string[], certs: LoadedCert[]): LoadedCert[] {
  const leaves = certs.filter((c) => c.item.role !== "CA");
  if (names.length === 0) throw inputError("renew: name the certificates to renew, or all", `one of: ${leaves.map((c) => c.item.id).join(", ")}`);
  if (names.includes("all")) return leaves;
  return names.map((name) => {
    const found = certs.find((c) => c.item.id === name);
    if (!found) throw inputError(`renew: unknown certificate "${name}"`, `one of: ${leaves.map((c) => c.item.id).join(", ")}, all`);
    if (found.item.role === "CA") throw inputError(`renew: ${name} is a CA; CAs are not renewed here`, "see the Kubernetes docs on manual CA rotation");
    return found;
  });
}

function skipReason(c: LoadedCert, options: RenewOptions, now: Date): string | undefined {
  if (c.noCertificate) return c.noCertificate;
  if (!c.cert) return c.problems[0]?.message ?? `${c.item.file} is missing`;
  if (c.item.kubeconfig && c.certFile !== c.item.file) return `the kubelet rotates its own client certificate (${c.certFile})`;
  if (!c.item.kubeconfig && !c.keyFile) return "no key file is known for it";
  if (options.reuseKey && !c.key) return `--reuse-key: ${c.keyFile ?? "its key"} cannot be read`;
  if (options.expiringWithinMs !== undefined && c.cert.notAfter.getTime() - now.getTime() > options.expiringWithinMs) {
    return `not due: expires ${c.cert.notAfter.toISOString()}`;
  }
  return undefined;
}

/** A fresh random serial, never the old one (kubeadm's renewal test insists on it). */
function distinctSerial(old: string): Buffer {
  for (;;) {
    const serial = randomSerial63();
    if (serial.toString("hex").replace(/^0+/, "").toUpperCase() !== old) return serial;
  }
}

/** The kubeconfig with its user's embedded certificate and key replaced (and with `caDER`, its cluster's CA), everything else as it was. */
async function kubeconfigWithCredentials(c: LoadedCert, der: Buffer, key: KeyObject, caDER?: Buffer): Promise<string> {
  const doc = (await loadKubeconfig(c.item.file)).raw;
  if (caDER) {
    const clusters = doc.clusters as { name: string; cluster: Record<string, unknown> }[];
    const cluster = clusters.find((k) => k.name === c.kubeconfig!.cluster);
    if (cluster) {
      // Data and a file reference together are an error to client-go: the data replaces the reference.
      delete cluster.cluster["certificate-authority"];
      cluster.cluster["certificate-authority-data"] = Buffer.from(certificateToPEM(caDER)).toString("base64");
    }
  }
  const users = doc.users as { name: string; user: Record<string, unknown> }[];
  const user = users.find((u) => u.name === c.kubeconfig!.user)!;
  user.user["client-certificate-data"] = Buffer.from(certificateToPEM(der)).toString("base64");
  user.user["client-key-data"] = Buffer.from(privateKeyToPEM(key)).toString("base64");
  return stringifyKubeconfig(doc);
}
