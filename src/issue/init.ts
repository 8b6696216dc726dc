import type { KeyObject } from "node:crypto";
import { dirname, join } from "node:path";
import { planCatalog, planKubeconfigs, type PlannedCertificate, type PlannedItem } from "../catalog/index.js";
import type { ClusterDescription } from "../cluster/description.js";
import { createCertificate, certificateToPEM, kubeadmValidity, randomSerial63 } from "../pki/certificate.js";
import { generatePrivateKey, keysMatch, parsePrivateKey, privateKeyToPEM, publicKeyToPEM } from "../pki/keys.js";
import { isSignedBy, parseCertificate, type CertificateModel } from "../pki/model.js";
import { decodeCertificates } from "../pki/pem.js";
import { assertCAUsable } from "../pki/ca-validity.js";
import type { Restart } from "../renew/restart.js";
import { KEY_MODE, PUBLIC_MODE, readIfExists, removeStaleTemps } from "../store/files.js";
import { treeLockPath, withLock } from "../store/lock.js";
import { commitFiles, interruptedRun, recoverInterrupted, type FileWrite } from "../store/transaction.js";
import { clusterRecordFile } from "../cluster/record.js";
import type { Action } from "./action.js";
import { differencesFromPlan } from "./compare.js";
import { assessKubeconfig, kubeconfigValidity, readKubeconfigWork, renderKubeconfig, type KubeconfigOutcome, type Material } from "./kubeconfigs.js";
import { restartsAfterReplace } from "./restarts.js";

export type { Action } from "./action.js";

export interface ItemOutcome {
  item: PlannedItem;
  action: Action;
  /** Why it is a conflict, replaced or blocked; notes such as a shortened validity. */
  reasons: string[];
  /** The certificate on disk after the run (absent for a dry run's new ones). */
  certificate?: CertificateModel;
  /** Absolute paths written, or that a dry run would write. */
  files: string[];
  /** Validity of a new certificate. */
  notBefore?: Date;
  notAfter?: Date;
}

export interface InitOptions {
  outDir: string;
  force?: boolean;
  dryRun?: boolean;
  now?: Date;
  /** Called as keys are generated: done out of total. */
  onProgress?: (done: number, total: number) => void;
}

export interface InitResult {
  cluster: ClusterDescription;
  outDir: string;
  outcomes: ItemOutcome[];
  /** The kubeconfig files (admin.conf…), after the certificates. */
  kubeconfigs: KubeconfigOutcome[];
  /** Where replaced files were copied first (DIR/kubepki-backup/<time>/, with a manifest), if any were. */
  backupDir?: string;
  /** An interrupted earlier run that was rolled back first (its backup folder or journal); "pending" in a dry run that found one. */
  recovered?: string;
  /** Who must restart to read what --force replaced (empty when nothing was replaced). */
  restarts: Restart[];
  dryRun: boolean;
}

/** One of an item's places (a node tree) and what is there now. */
interface Place {
  stem: string;
  cert?: Buffer;
  key?: Buffer;
  pub?: Buffer;
}

interface Work {
  outcome: ItemOutcome;
  places: Place[];
  /** Stems to write: all of them for new items, the empty ones for copies. */
  writeTo: string[];
  key?: KeyObject;
  fresh: boolean;
}

/** A CA as its leaves see it during the run (`cert` is also set for an unusable one that parsed, and `file` names it). */
type Signer = Material;

/**
 * Issues a cluster's PKI into `outDir` (which mirrors /etc/kubernetes) like
 * `kubeadm init phase certs all`: CAs first, existing good files kept, nothing
 * overwritten without `force` (and then backed up first), every write atomic.
 */
export async function initPKI(cluster: ClusterDescription, options: InitOptions): Promise<InitResult> {
  if (options.dryRun) {
    const plan = await planAndIssue(cluster, options);
    return (await interruptedRun(options.outDir)) ? { ...plan, recovered: "pending" } : plan;
  }
  // One writer per tree: the lock covers the roll-back of an interrupted run, the sweep of its temporary files and the whole write.
  return withLock(treeLockPath(options.outDir), "kubepki init", async () => {
    const recovered = await recoverInterrupted(options.outDir);
    await removeStaleTemps(treeDirs(cluster, options.outDir));
    return { ...(await planAndIssue(cluster, options)), recovered };
  });
}

/** Every folder init writes into: where a killed run's temporary files may lie. */
function treeDirs(cluster: ClusterDescription, outDir: string): string[] {
  const stems = [...planCatalog(cluster).flatMap((i) => i.paths), ...planKubeconfigs(cluster).map((k) => k.path)];
  return [outDir, ...stems.map((s) => dirname(join(outDir, s)))];
}

async function planAndIssue(cluster: ClusterDescription, options: InitOptions): Promise<InitResult> {
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const file = (stem: string, ext: string) => join(options.outDir, `${stem}${ext}`);
  const items = planCatalog(cluster).sort((a, b) => rank(a) - rank(b));
  const works: Work[] = await Promise.all(items.map((item) => readPlaces(item, file)));

  const signers = new Map<string, Signer>();
  for (const work of works) {
    const { item } = work.outcome;
    if (item.kind === "keypair") assessKeyPair(work);
    else assessCertificate(work, item, signers, now);
    if (work.outcome.action === "conflict" && options.force) work.outcome.action = "replace";
    work.fresh = work.outcome.action === "create" || work.outcome.action === "replace";
    if (work.fresh) work.writeTo = work.places.map((p) => p.stem);
    if (item.kind === "certificate" && item.isCA) signers.set(item.id, signerOf(work, file(work.places[0].stem, ".crt")));
    const exts = item.kind === "keypair" ? [".key", ".pub"] : [".crt", ".key"];
    work.outcome.files = work.writeTo.flatMap((stem) => exts.map((ext) => file(stem, ext)));
  }

  // Kubeconfigs after the certificates: they need their CA, and the hard way's embed a catalog certificate.
  const byId = new Map(works.map((w) => [w.outcome.item.id, w]));
  const kubeconfigWorks = await Promise.all(planKubeconfigs(cluster).map((item) => readKubeconfigWork(item, options.outDir)));
  for (const kw of kubeconfigWorks) {
    const { item } = kw.outcome;
    const embedded = item.certificateId ? materialOf(byId.get(item.certificateId)!) : undefined;
    await assessKubeconfig(kw, signers.get(item.caId), embedded, now);
    if (kw.outcome.action === "conflict" && options.force) kw.outcome.action = "replace";
    const ca = signers.get(item.caId);
    // An own client certificate is signed now: never by a CA on disk that is expired or not yet valid.
    if ((kw.outcome.action === "create" || kw.outcome.action === "replace") && !item.certificateId && ca?.cert && ca.state !== "new") assertCAUsable(ca.cert, now, ca.file ?? item.caId);
    kw.fresh = kw.outcome.action === "create" || kw.outcome.action === "replace";
  }
  const newKubeconfigs = kubeconfigWorks.filter((kw) => kw.fresh);
  const ownKeys = newKubeconfigs.filter((kw) => !kw.outcome.item.certificateId);

  const toIssue = works.filter((w) => w.fresh);
  if (options.dryRun) {
    // The validities the real run writes: cut to the CA on disk, or to the new CA this run would make.
    const caNotAfter = (caId?: string) => (caId ? signers.get(caId)?.cert?.notAfter ?? byId.get(caId)?.outcome.notAfter : undefined);
    for (const w of toIssue) if (w.outcome.item.kind === "certificate") setValidity(w.outcome, w.outcome.item, now, caNotAfter(w.outcome.item.caId));
    for (const kw of ownKeys) kubeconfigValidity(kw, now, caNotAfter(kw.outcome.item.caId));
    return { cluster, outDir: options.outDir, outcomes: works.map((w) => w.outcome), kubeconfigs: kubeconfigWorks.map((kw) => kw.outcome), restarts: [], dryRun: true };
  }

  // Keys for everything new at once: generateKeyPair runs on the libuv pool, so every core works.
  let done = 0;
  const total = toIssue.length + ownKeys.length;
  options.onProgress?.(0, total);
  await Promise.all(
    [...toIssue, ...ownKeys].map(async (w) => {
      w.key = await generatePrivateKey(cluster.encryptionAlgorithm);
      options.onProgress?.(++done, total);
    }),
  );

  // In the catalog's order, CAs first, each key before its certificate, kubeconfigs last: the journal rolls back a kill anywhere.
  const writes: FileWrite[] = [];
  for (const w of works) {
    const { item } = w.outcome;
    if (item.kind === "certificate" && w.fresh) issueCertificate(w, item, signers, now);
    for (const stem of w.writeTo) {
      const place = w.places.find((p) => p.stem === stem)!;
      // The key before its certificate: a kill in between leaves no certificate without its key.
      if (w.fresh || !place.key) writes.push({ path: file(stem, ".key"), data: privateKeyToPEM(w.key!), mode: KEY_MODE });
      if (item.kind === "keypair") writes.push({ path: file(stem, ".pub"), data: publicKeyToPEM(w.key!), mode: item.publicKeyMode });
      else writes.push({ path: file(stem, ".crt"), data: certificateToPEM(w.outcome.certificate!.der), mode: PUBLIC_MODE });
    }
  }

  for (const kw of newKubeconfigs) {
    const { item } = kw.outcome;
    const embedded = item.certificateId ? materialOf(byId.get(item.certificateId)!) : undefined;
    writes.push({ path: kw.outcome.file, data: renderKubeconfig(kw, signers.get(item.caId)!, embedded, now), mode: KEY_MODE });
  }

  const replaced = [...works, ...kubeconfigWorks].filter((w) => w.outcome.action === "replace").map((w) => w.outcome.item);
  // The facts this tree was issued with, for check and renew to read as evidence (no secrets in it), in the
  // same commit (backed up, rolled back together); not while files on disk contradict them: the record would
  // then vouch for facts the tree does not have.
  const conflicts = [...works, ...kubeconfigWorks].some((w) => w.outcome.action === "conflict");
  const record = clusterRecordFile(options.outDir, cluster);
  if (!conflicts && (await readIfExists(record.path))?.toString() !== record.data) writes.push({ ...record, mode: PUBLIC_MODE });
  const reason = `kubepki init${options.force ? " --force" : ""}`;
  const backupDir = writes.length ? await commitFiles(writes, { home: options.outDir, root: options.outDir, reason, now }) : undefined;
  const restarts = await restartsAfterReplace(cluster.profile, replaced.map((item) => ({ id: item.id, components: item.spec.consumers.map((c) => c.component) })), options.outDir);
  return { cluster, outDir: options.outDir, outcomes: works.map((w) => w.outcome), kubeconfigs: kubeconfigWorks.map((kw) => kw.outcome), backupDir, restarts, dryRun: false };
}

/** A certificate as a kubeconfig that embeds it sees it: new (issued in this run), ready, or unusable. */
function materialOf(w: Work): Material {
  if (w.fresh) return w.outcome.certificate ? { state: "ready", key: w.key, cert: w.outcome.certificate } : { state: "new" };
  if (w.outcome.action === "keep" || w.outcome.action === "copy") return { state: "ready", key: w.key, cert: w.outcome.certificate };
  return { state: "unusable" };
}

const rank = (item: PlannedItem) => (item.kind === "certificate" && item.isCA ? 0 : 1);

async function readPlaces(item: PlannedItem, file: (stem: string, ext: string) => string): Promise<Work> {
  const places = await Promise.all(
    item.paths.map(async (stem) => ({
      stem,
      cert: item.kind === "certificate" ? await readIfExists(file(stem, ".crt")) : undefined,
      key: await readIfExists(file(stem, ".key")),
      pub: item.kind === "keypair" ? await readIfExists(file(stem, ".pub")) : undefined,
    })),
  );
  return { outcome: { item, action: "create", reasons: [], files: [] }, places, writeTo: [], fresh: false };
}

function signerOf(work: Work, file: string): Signer {
  switch (work.outcome.action) {
    case "create":
    case "replace":
      return { state: "new", file };
    case "keep":
    case "copy":
      return { state: "ready", key: work.key, cert: work.outcome.certificate, file };
    case "external":
      return { state: "external", cert: work.outcome.certificate, file };
    default:
      return { state: "unusable", cert: work.outcome.certificate, file };
  }
}

function issueCertificate(w: Work, item: PlannedCertificate, signers: Map<string, Signer>, now: Date): void {
  const signer = item.caId ? signers.get(item.caId)! : undefined;
  setValidity(w.outcome, item, now, signer?.cert?.notAfter);
  const der = createCertificate(
    {
      subject: item.subject, serial: randomSerial63(), notBefore: w.outcome.notBefore!, notAfter: w.outcome.notAfter!,
      publicKey: w.key!, isCA: item.isCA, keyUsage: item.keyUsage, extKeyUsage: item.extKeyUsage,
      dnsNames: item.altNames.dnsNames, ipAddresses: item.altNames.ipAddresses, subjectKeyIdHash: item.subjectKeyIdHash,
    },
    { key: signer ? signer.key! : w.key!, certificateDER: signer?.cert?.der },
  );
  w.outcome.certificate = parseCertificate(der, item.id);
  if (item.isCA) signers.set(item.id, { state: "ready", key: w.key, cert: w.outcome.certificate, file: signer?.file });
}

function setValidity(outcome: ItemOutcome, item: PlannedCertificate, now: Date, caNotAfter: Date | undefined): void {
  const { notBefore, notAfter, cappedByCA } = kubeadmValidity(now, item.validityMs, caNotAfter);
  Object.assign(outcome, { notBefore, notAfter });
  if (cappedByCA) outcome.reasons.push(`validity cut to the CA's expiry, ${notAfter.toISOString()}`);
}

function conflict(work: Work, reason: string): void {
  work.outcome.action = "conflict";
  work.outcome.reasons.push(reason);
}

function assessCertificate(work: Work, item: PlannedCertificate, signers: Map<string, Signer>, now: Date): void {
  const signer = item.caId ? signers.get(item.caId) : undefined;
  const present = work.places.filter((p) => p.cert || p.key);
  if (present.length === 0) {
    // A missing leaf would be signed now: never by a CA on disk that is expired or not yet valid (refused, exit 2).
    if (signer?.cert && signer.state !== "new" && signer.state !== "external") assertCAUsable(signer.cert, now, signer.file ?? item.caId!);
    if (signer?.state === "external") return block(work, `its CA ${item.caId} has no private key (external CA): sign it with that CA and place it here`);
    if (signer?.state === "unusable") return block(work, `its CA ${item.caId} has a problem (see above)`);
    return;
  }
  const first = present[0];
  const crt = `${first.stem}.crt`;
  if (!first.cert) return conflict(work, `${first.stem}.key exists without ${crt}`);
  let cert: CertificateModel;
  try {
    cert = parseCertificate(decodeCertificates(first.cert.toString("latin1"), crt)[0], crt);
  } catch (err) {
    return conflict(work, (err as Error).message);
  }
  work.outcome.certificate = cert;
  if (first.key) {
    try {
      work.key = parsePrivateKey(first.key, `${first.stem}.key`);
    } catch (err) {
      return conflict(work, (err as Error).message);
    }
    if (!keysMatch(work.key, cert.publicKey)) return conflict(work, `${first.stem}.key does not belong to ${crt}`);
  } else if (!item.isCA) {
    return conflict(work, `${crt} has no ${first.stem}.key beside it`);
  }
  for (const d of differencesFromPlan(cert, item, now)) conflict(work, `${crt} ${d}`);
  if (signer?.state === "new") conflict(work, `${crt} is signed by the old ${item.caId}, which is being replaced`);
  else if (signer?.cert && !isSignedBy(cert, signer.cert)) conflict(work, `${crt} is not signed by ${item.caId}`);
  for (const p of present.slice(1)) {
    if (!p.cert?.equals(first.cert) || !sameOptional(p.key, first.key)) conflict(work, `${p.stem}.crt differs from ${crt}`);
  }
  if (work.outcome.action === "conflict") return;
  if (item.isCA && !first.key) {
    work.outcome.action = "external";
    return;
  }
  work.writeTo = work.places.filter((p) => !p.cert && !p.key).map((p) => p.stem);
  work.outcome.action = work.writeTo.length ? "copy" : "keep";
}

const sameOptional = (a?: Buffer, b?: Buffer) => (a && b ? a.equals(b) : !a && !b);

function block(work: Work, reason: string): void {
  work.outcome.action = "blocked";
  work.outcome.reasons.push(reason);
}

function assessKeyPair(work: Work): void {
  const withKey = work.places.find((p) => p.key);
  if (!withKey) {
    const pubOnly = work.places.find((p) => p.pub);
    if (pubOnly) conflict(work, `${pubOnly.stem}.pub exists without ${pubOnly.stem}.key`);
    return;
  }
  try {
    work.key = parsePrivateKey(withKey.key!, `${withKey.stem}.key`);
  } catch (err) {
    return conflict(work, (err as Error).message);
  }
  const pub = publicKeyToPEM(work.key);
  for (const p of work.places) {
    if (p.key && !p.key.equals(withKey.key!)) conflict(work, `${p.stem}.key differs from ${withKey.stem}.key`);
    if (p.pub && p.pub.toString() !== pub) conflict(work, `${p.stem}.pub is not the public half of ${withKey.stem}.key`);
  }
  if (work.outcome.action === "conflict") return;
  work.writeTo = work.places.filter((p) => !p.key || !p.pub).map((p) => p.stem);
  work.outcome.action = work.writeTo.length ? "copy" : "keep";
}
