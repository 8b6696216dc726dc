import type { KeyObject } from "node:crypto";
import { statSync } from "node:fs";
import { dirname, relative } from "node:path";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as asn from "@peculiar/asn1-x509";
import { sameKey } from "../check/certs.js";
import { discoverNode, type DiscoverOptions, type NodeInventory } from "../check/discover.js";
import { loadNode, rotatedByKubelet, type LoadedCert } from "../check/load.js";
import { isIP } from "../cluster/net.js";
import { inputError } from "../errors.js";
import { loadKubeconfig } from "../kube/kubeconfig.js";
import { setClusterCA, stringifyKubeconfig } from "../kube/kubeconfig-write.js";
import { assertCAUsable } from "../pki/ca-validity.js";
import { certificateToPEM, createCertificate, kubeadmValidity, randomSerial63 } from "../pki/certificate.js";
import { generatePrivateKey, keyAlgorithmOf, privateKeyToPEM, type KeyAlgorithm } from "../pki/keys.js";
import { parseCertificate, type CertificateModel } from "../pki/model.js";
import { EKU_NAMES } from "../pki/x509-fast.js";
import { KEY_MODE, PUBLIC_MODE } from "../store/files.js";
import { commitFiles, recoverInterrupted, type FileWrite } from "../store/transaction.js";
import { configSANField, editKubeadmConfigSANs, type ConfigEdit } from "./kubeadm-config.js";
import { restartPlan, type Restart } from "./restart.js";
import { applySANChange, type SANChange } from "./sans.js";
import { hardWayNodeNames, perNodeFiles, selectTargets } from "./targets.js";

/**
 * `kubepki renew`: like `kubeadm certs renew`, a renewed certificate keeps the
 * identity of the one on disk (subject, SANs, every extended key usage), is
 * signed by the same local CA and gets a fresh validity. CAs are never renewed
 * here, and a CA outside its validity is refused: it would only sign dead
 * certificates. `--add-san`/`--remove-san` change a server certificate's names
 * and nothing else.
 */

export interface RenewOptions extends DiscoverOptions {
  /** kubeadm's names ("apiserver", "admin.conf"…), file names or paths, or ["all"]. */
  names: string[];
  /** The hard way's per-node files (`<node>.kubeconfig`, kubelet-<node>.crt) are this node's. */
  nodeName?: string;
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
  /** SANs to add to / remove from the named server certificates. */
  sanChange?: SANChange;
  /** A kubeadm config file whose SAN lists follow the change. */
  configFile?: string;
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
  /** The new certificate's validity (also in a dry run, where none is made): what will really be written. */
  notBefore?: Date;
  notAfter?: Date;
  /** The requested validity ran past the CA's expiry, so it was cut to it. */
  cutToCA?: boolean;
  newKey: boolean;
  /** SANs `--add-san` added and `--remove-san` removed. */
  addedSANs?: string[];
  removedSANs?: string[];
  /** A hard-way kubeconfig that embeds this renewed certificate (the same certificate and key). */
  embeddedIn?: string;
}

export interface RenewResult {
  items: RenewItem[];
  restarts: Restart[];
  /** What the user should know: validity cut to a CA's expiry, SAN steps outside this node. */
  warnings: string[];
  /** The kubeadm config file edited with --config. */
  config?: ConfigEdit;
  /** The in-cluster kubeadm-config also holds the SAN lists (kubeadm upgrade reads it). */
  clusterConfigSteps: string[];
  backupDir?: string;
  /** The backup of a --config file outside the tree, beside it. */
  configBackupDir?: string;
  /** A previous renewal that was interrupted and rolled back first. */
  recovered?: string;
  dryRun: boolean;
  /** The clock the run judged expiry by (--now). */
  now: Date;
  inventory: NodeInventory;
}

const DEFAULT_VALIDITY_MS = 8760 * 3600_000;
/** The hard way's names that stand for a different file on each node. */
const PER_NODE = ["kubelet", "kubelet-client", "etcd-server", "etcdserver"];
const EKU_OIDS: Record<string, string> = Object.fromEntries(Object.entries(EKU_NAMES).map(([oid, name]) => [name, oid]));

export async function renewCertificates(options: RenewOptions): Promise<RenewResult> {
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const inventory = await discoverHardWayAware(options);
  const home = inventory.kubeconfigDir;
  // An interrupted renewal is rolled back before anything is read: the files must be a consistent set.
  const recovered = options.dryRun ? undefined : await recoverInterrupted(home);
  const model = loadNode(inventory);
  const byId = new Map(model.certs.map((c) => [c.item.id, c]));
  const targets = withEmbeddingKubeconfigs(selectTargets(options.names, model.certs, inventory.pkiDir), model.certs);
  if (options.sanChange) checkSANTargets(options, targets, inventory);

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
    // A CA key that is not ca.crt's would sign certificates that verify against nothing.
    if (!sameKey(ca.key, ca.cert)) throw inputError(`${item.name}: ${ca.keyFile ?? "the CA key"} does not belong to ${ca.certFile} (${ca.item.id}); a certificate it signed would not verify`, "nothing was changed; find which of the two files is the CA's (kubepki check says which leaves each verifies), put the pair back, and run renew again");
    assertCAUsable(ca.cert, now, ca.item.id, item.name);
    item.action = "renew";
    work.push({ item, loaded, ca });
  }

  const warnings: string[] = [];
  const writes: FileWrite[] = [];
  // A hard-way kubeconfig embedding a certificate renewed in this run gets that same certificate and key.
  const issued = new Map<string, { der: Buffer; key: KeyObject }>();
  for (const { item, loaded, ca } of work) {
    const old = loaded.cert!;
    const { notBefore, notAfter, cappedByCA } = kubeadmValidity(now, options.validityMs ?? DEFAULT_VALIDITY_MS, ca.cert!.notAfter);
    Object.assign(item, { notBefore, notAfter, cutToCA: cappedByCA });
    if (cappedByCA) warnings.push(`${item.name}: valid only until ${notAfter.toISOString()}, when its CA ${ca.item.id} expires; rotate that CA before then`);
    const sans = options.sanChange ? applySANChange(old, options.sanChange, item.name) : { dnsNames: old.dnsNames, ipAddresses: old.ipAddresses, added: [], removed: [] };
    if (options.sanChange) Object.assign(item, { addedSANs: sans.added, removedSANs: sans.removed });
    const linked = linkedSource(loaded, work.map((w) => w.loaded));
    const source = linked && work.find((w) => w.loaded === linked)!.item;
    if (source) {
      item.newKey = source.newKey;
      source.embeddedIn = item.name;
    }
    if (options.dryRun) continue;
    let der: Buffer;
    let key: KeyObject;
    if (linked) {
      ({ der, key } = issued.get(linked.item.id)!);
    } else {
      key = options.reuseKey ? loaded.key!.keyObject : await generatePrivateKey(options.algorithm ?? keyAlgorithmOf(loaded.key?.publicKey.description ?? old.key) ?? "RSA-2048");
      der = reissue(old, key, sans, { notBefore, notAfter }, ca);
      issued.set(loaded.item.id, { der, key });
    }
    item.renewed = parseCertificate(der, item.name);
    if (loaded.item.kubeconfig && !rotatedByKubelet(loaded)) {
      writes.push({ path: loaded.item.file, data: await kubeconfigWithCredentials(loaded, der, key, options.resetKubeconfigCA ? ca.cert!.der : undefined), mode: KEY_MODE });
    } else {
      if (!options.reuseKey) writes.push({ path: loaded.keyFile!, data: privateKeyToPEM(key), mode: KEY_MODE });
      writes.push({ path: loaded.certFile, data: certificateToPEM(der), mode: PUBLIC_MODE });
    }
  }

  const renewed = items.filter((i) => i.action === "renew");
  let config: ConfigEdit | undefined;
  let configWrite: FileWrite | undefined;
  if (options.configFile && options.sanChange && renewed.length) {
    config = await editKubeadmConfigSANs(options.configFile, renewed.map((i) => ({ certificate: i.name, change: options.sanChange! })));
    if (config.changed) configWrite = { path: config.file, data: config.text, mode: statSync(config.file).mode & 0o777 };
  }
  // A config inside the tree goes in the tree's backup; one elsewhere gets a backup beside it: a backup
  // restores only inside its own tree (store/transaction.ts), so each undo stays where it belongs.
  const configElsewhere = configWrite && relative(home, configWrite.path).startsWith("..");
  if (configWrite && !configElsewhere) writes.push(configWrite);
  const clusterConfigSteps = options.sanChange && inventory.profile === "kubeadm" && renewed.length ? inClusterConfigSteps(renewed, options.sanChange) : [];
  const restarts = restartPlan(inventory, work.map((w) => w.loaded.item));
  const result = { items, restarts, warnings, config, clusterConfigSteps, dryRun: Boolean(options.dryRun), recovered, now, inventory };
  if (options.dryRun || (writes.length === 0 && !configWrite)) return result;
  const reason = `kubepki renew ${renewed.map((i) => i.name).join(" ")}`;
  const backupDir = writes.length ? await commitFiles(writes, { home, root: inventory.root, reason, now }) : undefined;
  const configBackupDir = configElsewhere ? await commitFiles([configWrite!], { home: dirname(configWrite!.path), root: dirname(configWrite!.path), reason, now }) : undefined;
  return { ...result, backupDir, configBackupDir };
}

/**
 * Discovery, plus the hard way's node name: `--node-name`, else the name in
 * the one `<node>.kubeconfig` there (or the one the command names), so that
 * `renew all` includes that kubeconfig and the node's kubelet files.
 */
async function discoverHardWayAware(options: RenewOptions): Promise<NodeInventory> {
  const withName = (name: string | undefined): DiscoverOptions => ({ ...options, clusterPatches: [...(options.clusterPatches ?? []), ...(name ? [{ firstNode: { name } }] : [])] });
  let inventory = await discoverNode(withName(options.nodeName));
  if (inventory.profile !== "hard-way") return inventory;
  let node = options.nodeName ?? inventory.facts.nodeName;
  if (!node) {
    const nodes = hardWayNodeNames(inventory.kubeconfigDir);
    const named = nodes.filter((n) => options.names.some((x) => x === `${n}.kubeconfig` || x.endsWith(`/${n}.kubeconfig`)));
    if (named.length === 1 || nodes.length === 1) node = named[0] ?? nodes[0];
    else if (nodes.length > 1 && options.names.some((n) => n === "all" || PER_NODE.includes(n.replace(/\.(crt|key)$/, "")))) {
      throw inputError(`renew: ${inventory.kubeconfigDir} holds the kubeconfigs of several nodes (${nodes.join(", ")}), and nothing says which is this one`, "pass --node-name NAME");
    }
    if (node) inventory = await discoverNode(withName(node));
  }
  if (node) perNodeFiles(inventory, node);
  return inventory;
}

/**
 * The hard way embeds a catalog certificate in a kubeconfig (`kubectl config
 * set-credentials --embed-certs`): when the two hold the same certificate,
 * renewing one renews both, or they would part ways.
 */
function withEmbeddingKubeconfigs(targets: LoadedCert[], all: LoadedCert[]): LoadedCert[] {
  const out = [...targets];
  for (const t of targets) {
    const partner = all.find((c) => c !== t && c.cert && t.cert && c.cert.der.equals(t.cert.der) && (c.item.embeds === t.item.id || t.item.embeds === c.item.id));
    if (partner && !out.includes(partner)) out.push(partner);
  }
  // Certificate files first, so that a kubeconfig can embed what was just issued.
  return out.sort((a, b) => Number(Boolean(a.item.kubeconfig)) - Number(Boolean(b.item.kubeconfig)));
}

/** For a kubeconfig that embeds a certificate renewed in the same run: that certificate's work. */
function linkedSource(c: LoadedCert, renewing: LoadedCert[]): LoadedCert | undefined {
  if (!c.item.kubeconfig || !c.item.embeds) return undefined;
  return renewing.find((r) => r.item.id === c.item.embeds && r.cert && c.cert && r.cert.der.equals(c.cert.der));
}

/** `--add-san` is for serving certificates, named one by one, renewed now. */
function checkSANTargets(options: RenewOptions, targets: LoadedCert[], inventory: NodeInventory): void {
  if (options.names.includes("all")) throw inputError("--add-san/--remove-san: name the serving certificates to change (apiserver, etcd-server, etcd-peer), not all");
  if (options.expiringWithinMs !== undefined) throw inputError("--add-san/--remove-san: a SAN change renews now; drop --expiring-within");
  for (const t of targets) {
    if (t.item.role !== "server" && t.item.role !== "peer") {
      throw inputError(`--add-san/--remove-san: ${t.item.id} is a client certificate; SANs name a server`, "name apiserver, etcd-server or etcd-peer (or the hard way's apiserver, etcd-server, kubelet)");
    }
    for (const e of options.sanChange!.remove) {
      const why = t.item.expected?.requiredSANs.get(`${isIP(e) ? "IP" : "DNS"}:${e}`);
      if (why) throw inputError(`--remove-san: ${t.item.id} needs ${e}: ${why}`, "removing it would break those clients; nothing was changed");
    }
    if (options.configFile && inventory.profile === "kubeadm" && !configSANField(t.item.id)) {
      throw inputError(`--config: kubeadm's config has no SAN list for ${t.item.id}`, "drop --config for it");
    }
  }
  if (options.configFile && inventory.profile !== "kubeadm") throw inputError(`--config: this node is ${inventory.profile}, not kubeadm; there is no kubeadm config to update`);
}

/** What to change in the cluster's own copy of the kubeadm config (kubeadm upgrade reads that one, not the file). */
function inClusterConfigSteps(renewed: RenewItem[], change: SANChange): string[] {
  const lines: string[] = [];
  for (const i of renewed) {
    const field = configSANField(i.name);
    if (!field) continue;
    if (change.add.length) lines.push(`add ${change.add.join(", ")} to ClusterConfiguration ${field}`);
    if (change.remove.length) lines.push(`remove ${change.remove.join(", ")} from ClusterConfiguration ${field}`);
  }
  return lines.length ? ["kubectl -n kube-system edit cm kubeadm-config", ...lines.map((l) => `#   ${l}`)] : [];
}

function skipReason(c: LoadedCert, options: RenewOptions, now: Date): string | undefined {
  if (c.noCertificate) return c.noCertificate;
  // The kubelet's self-signed serving certificate: the kubelet makes its own, and no CA signs it.
  if (!c.item.caId && !c.item.checkChain) return "the kubelet makes its own serving certificate (self-signed)";
  if (!c.cert) return c.problems[0]?.message ?? `${c.item.file} is missing`;
  if (rotatedByKubelet(c)) return `the kubelet rotates its own client certificate (${c.certFile})`;
  if (!c.item.kubeconfig && !c.keyFile) return "no key file is known for it";
  if (options.reuseKey && !c.key) return `--reuse-key: ${c.keyFile ?? "its key"} cannot be read`;
  if (options.expiringWithinMs !== undefined && c.cert.notAfter.getTime() - now.getTime() > options.expiringWithinMs) {
    return `not due: expires ${c.cert.notAfter.toISOString()}`;
  }
  return undefined;
}

/**
 * The old certificate signed again: its subject as it was encoded (so C, ST,
 * L… are not lost), every EKU in its order (kubeadm's certToConfig copies
 * ExtKeyUsage whole), the given SANs, kubeadm's leaf key usages, a new serial.
 */
function reissue(old: CertificateModel, key: KeyObject, sans: { dnsNames: string[]; ipAddresses: string[] }, validity: { notBefore: Date; notAfter: Date }, ca: LoadedCert): Buffer {
  return createCertificate(
    {
      subject: { commonName: old.subject.commonName ?? "" },
      subjectName: AsnConvert.parse(old.der, asn.Certificate).tbsCertificate.subject,
      serial: distinctSerial(old.serial), ...validity,
      publicKey: key, isCA: false, keyUsage: ["digitalSignature", "keyEncipherment"],
      extKeyUsage: [], extKeyUsageOids: old.extKeyUsage.map((u) => EKU_OIDS[u] ?? u),
      dnsNames: sans.dnsNames, ipAddresses: sans.ipAddresses, emailAddresses: old.emailAddresses, uris: old.uris,
    },
    { key: ca.key!.keyObject, certificateDER: ca.cert!.der },
  );
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
  if (caDER) setClusterCA(doc, c.kubeconfig!.cluster, certificateToPEM(caDER));
  const users = doc.users as { name: string; user: Record<string, unknown> }[];
  const user = users.find((u) => u.name === c.kubeconfig!.user)!;
  user.user["client-certificate-data"] = Buffer.from(certificateToPEM(der)).toString("base64");
  user.user["client-key-data"] = Buffer.from(privateKeyToPEM(key)).toString("base64");
  return stringifyKubeconfig(doc);
}
