import { createPublicKey, type KeyObject } from "node:crypto";
import { promises as fs } from "node:fs";
import { join, posix, relative, resolve } from "node:path";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as asn from "@peculiar/asn1-x509";
import { sameKey, signedBy } from "../check/certs.js";
import { discoverNode, type DiscoverOptions, type NodeInventory } from "../check/discover.js";
import { loadNode, rotatedByKubelet, type LoadedCert, type NodeModel } from "../check/load.js";
import { inputError } from "../errors.js";
import { loadKubeconfig } from "../kube/kubeconfig.js";
import { setClusterCA, stringifyKubeconfig } from "../kube/kubeconfig-write.js";
import { hostPathOf } from "../kube/manifest.js";
import { CA_KEY_USAGE } from "../catalog/index.js";
import { BACKDATE_MS, certificateToPEM, createCertificate, randomSerial63 } from "../pki/certificate.js";
import { generatePrivateKey, keyAlgorithmOf, keysMatch, parsePrivateKey, privateKeyToPEM, publicKeyToPEM } from "../pki/keys.js";
import { parseCertificate, type CertificateModel } from "../pki/model.js";
import { decodePem } from "../pki/pem.js";
import { renewCertificates } from "../renew/index.js";
import { restartComponents, type Restart } from "../renew/restart.js";
import { readIfExists, writeFileAtomic, KEY_MODE, PUBLIC_MODE } from "../store/files.js";
import { commitFiles, recoverInterrupted, restoreWrites, type FileWrite } from "../store/transaction.js";
import { shellCommand } from "../text.js";
import { rotationDir, rotationStateFile as stateFile } from "../check/rotation.js";
import { caOf, readState, removeRotationDir, type Phase, type Rotatable, type RotationState } from "./state.js";

/**
 * `kubepki rotate-ca`: replace a CA without downtime, in phases run on every
 * node in turn with restarts in between — trust old and new (begin), reissue
 * every leaf from the new CA (reissue), trust the new CA only (finish). Each
 * phase is journaled and backed up like renew, and the phase is read from the
 * files themselves, so a run that was interrupted continues where it stopped.
 */

export type Step = "begin" | "reissue" | "finish" | "abort";

export interface RotateOptions extends DiscoverOptions {
  ca: Rotatable;
  /** begin on the other nodes: the certificates folder of the node where begin ran first. */
  from?: string;
  reuseKey?: boolean;
  /** Validity of a new CA (default 10 years, kubeadm's). */
  caValidityMs?: number;
  dryRun?: boolean;
  now?: Date;
}

export interface StepResult {
  ca: Rotatable;
  step: Step;
  /** The phase the node is in afterwards ("none" after finish or abort). */
  phase: Phase | "none" | "finished";
  /** Files written or to be written (dry run). */
  files: string[];
  /** Leaves reissued by the new CA (reissue). */
  reissued: string[];
  backupDir?: string;
  restarts: Restart[];
  /** What the node cannot do by itself: steps in the live cluster, as commands. */
  cluster: string[];
  notes: string[];
  dryRun: boolean;
  alreadyDone?: boolean;
  /** The next phase on this node, as a command (begin and reissue). */
  next?: string;
}

const TEN_YEARS_MS = 87600 * 3600_000;

const pemOf = (certs: CertificateModel[]) => certs.map((c) => certificateToPEM(c.der)).join("");
const sameCert = (a: CertificateModel, b: CertificateModel) => a.fingerprintSHA256 === b.fingerprintSHA256;
const keyPEMs = (keys: KeyObject[]) => keys.map((k) => publicKeyToPEM(k)).join("");

interface Node {
  inventory: NodeInventory;
  model: NodeModel;
  now: Date;
}

async function readNode(options: RotateOptions): Promise<Node> {
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  let inventory = await discoverNode(options);
  // A phase killed mid-commit is rolled back before the files are judged, or they would be judged half-written.
  if (!options.dryRun && (await recoverInterrupted(inventory.kubeconfigDir))) inventory = await discoverNode(options);
  return { inventory, model: loadNode(inventory), now };
}

/** Runs one phase for one CA (or the sa key pair) on this node. */
export async function rotateStep(step: Step, options: RotateOptions): Promise<StepResult> {
  const node = await readNode(options);
  const phases = { begin, reissue, finish, abort };
  const done = options.ca === "sa" ? await saStep(step, node, options) : await phases[step](node, options);
  const following = step === "begin" ? "reissue" : step === "reissue" ? "finish" : undefined;
  return following ? { ...done, next: again(options, following, "--ca", options.ca) } : done;
}

// ---- certificate CAs -------------------------------------------------------

/**
 * Who reads each CA's trust files (kubernetes-pki.md §1.3), whatever the
 * manifests say: they restart after begin and finish. The hard way's one CA is
 * also etcd's.
 */
const TRUSTED_BY: Record<Rotatable, Record<string, string>> = {
  ca: { "kube-apiserver": "--client-ca-file", "kube-controller-manager": "--root-ca-file", kubelet: "clientCAFile" },
  "etcd-ca": { etcd: "--trusted-ca-file, --peer-trusted-ca-file", "kube-apiserver": "--etcd-cafile" },
  "front-proxy-ca": { "kube-apiserver": "--requestheader-client-ca-file" },
  sa: { "kube-apiserver": "--service-account-key-file" },
};

function trustReaders(ca: Rotatable, inventory: NodeInventory): Map<string, Set<string>> {
  const readers = { ...TRUSTED_BY[ca], ...(ca === "ca" && inventory.profile === "hard-way" ? TRUSTED_BY["etcd-ca"] : {}) };
  return new Map(Object.entries(readers).map(([component, flag]) => [component, new Set([flag])]));
}

/** Every file that trusts the CA besides the CA file itself, and the kubeconfigs that embed it. */
function trustPoints(model: NodeModel, ca: Rotatable, caFile: string, old: CertificateModel) {
  const files = new Set<string>();
  const components = trustReaders(ca, model.inventory);
  const note = (component: string, file: string) => components.set(component, (components.get(component) ?? new Set()).add(file));
  for (const c of model.certs) {
    const t = c.item.trust;
    if (!t) continue;
    const bundle = model.bundles.get(t.file);
    if (!bundle?.certs.some((b) => sameCert(b, old))) continue;
    if (t.file !== caFile) files.add(t.file);
  }
  const kubeconfigs = model.certs.filter((c) => c.item.kubeconfig && c.kubeconfig?.caSource.includes("certificate-authority-data") && c.kubeconfig.caCerts.some((b) => sameCert(b, old)));
  for (const k of kubeconfigs) note(k.item.component, k.item.file);
  return { files: [...files], kubeconfigs, components };
}

async function kubeconfigWithCA(k: LoadedCert, certs: CertificateModel[]): Promise<string> {
  const doc = (await loadKubeconfig(k.item.file)).raw;
  setClusterCA(doc, k.kubeconfig!.cluster, pemOf(certs));
  return stringifyKubeconfig(doc);
}

/** kube-controller-manager signs CSRs with exactly one certificate: a bundle in --cluster-signing-cert-file stops it. */
function signingFlag(inventory: NodeInventory, caFile: string) {
  const pod = inventory.manifests.find((m) => m.component === "kube-controller-manager");
  const value = pod?.flags.get("--cluster-signing-cert-file");
  if (!pod || !value) return undefined;
  const hostCA = hostPathOf(pod, value);
  const local = inventory.root === "/" ? hostCA : join(inventory.root, hostCA);
  const sameFile = local === caFile || relative(inventory.pkiDir, caFile) === relative(posix.dirname(hostCA), hostCA);
  return sameFile ? { pod, value } : undefined;
}

async function manifestWithFlag(path: string, flag: string, from: string, to: string): Promise<string> {
  const text = (await fs.readFile(path)).toString();
  const line = `${flag}=${from}`;
  if (!text.includes(line)) throw inputError(`${path}: expected "${line}" to change it`, "edit the manifest by hand, or run the phase again once it says so");
  return text.split(line).join(`${flag}=${to}`);
}

async function newCA(old: LoadedCert, options: RotateOptions, now: Date): Promise<{ cert: CertificateModel; key: KeyObject; pem: { cert: string; key: string } }> {
  const algorithm = keyAlgorithmOf(old.key?.publicKey.description ?? old.cert!.key) ?? "RSA-2048";
  const key = await generatePrivateKey(algorithm);
  const der = createCertificate(
    {
      subject: { commonName: old.cert!.subject.commonName ?? "" },
      // The same name as the old CA: components and people know the CA by it; the key id tells them apart.
      subjectName: AsnConvert.parse(old.cert!.der, asn.Certificate).tbsCertificate.subject,
      serial: randomSerial63(), notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + (options.caValidityMs ?? TEN_YEARS_MS)),
      publicKey: key, isCA: true, keyUsage: CA_KEY_USAGE, extKeyUsage: [], dnsNames: [], ipAddresses: [],
    },
    { key },
  );
  return { cert: parseCertificate(der, "new CA"), key, pem: { cert: certificateToPEM(der), key: privateKeyToPEM(key) } };
}

/** The new CA that `begin` made on the first node, checked against this node's CA. */
async function newCAFrom(from: string, ca: Rotatable, old: CertificateModel): Promise<{ cert: CertificateModel; key: KeyObject; pem: { cert: string; key: string } }> {
  const dir = rotationDir(from, ca);
  const certPEM = await readIfExists(join(dir, "new.crt"));
  const keyPEM = await readIfExists(join(dir, "new.key"));
  if (!certPEM || !keyPEM) throw inputError(`--from ${from}: no new ${ca} there (${join(dir, "new.crt")} and new.key)`, `run 'kubepki rotate-ca begin --ca ${ca}' on the first node, then give its certificates folder`);
  const state = await readState(from, ca);
  if (state && state.old !== old.fingerprintSHA256) throw inputError(`--from ${from}: its rotation replaces another ${ca} (fingerprint ${state.old}) than this node's (${old.fingerprintSHA256})`, "both nodes must belong to the same cluster");
  const [block] = decodePem(certPEM.toString(), join(dir, "new.crt"));
  const cert = parseCertificate(block.der, join(dir, "new.crt"));
  const key = parsePrivateKey(keyPEM, join(dir, "new.key"));
  if (!cert.isCA) throw inputError(`--from ${from}: ${join(dir, "new.crt")} is not a CA`);
  if (!keysMatch(key, cert.publicKey)) throw inputError(`--from ${from}: new.key does not belong to new.crt`);
  return { cert, key, pem: { cert: certPEM.toString(), key: keyPEM.toString() } };
}

/** A rotate-ca command for this node, with the folder flags this run was given: ready to paste, never another tree. */
function again(options: RotateOptions, ...words: string[]): string {
  const where = ([["--root", options.root], ["--cert-dir", options.pkiDir], ["--kubeconfig-dir", options.kubeconfigDir], ["--manifests-dir", options.manifestsDir]] as const)
    .flatMap(([flag, value]) => (value === undefined ? [] : [flag, resolve(value)]));
  return shellCommand(["kubepki", "rotate-ca", ...words, ...where]);
}

function result(ca: Rotatable, step: Step, phase: StepResult["phase"], dryRun: boolean, rest: Partial<StepResult> = {}): StepResult {
  return { ca, step, phase, files: [], reissued: [], restarts: [], cluster: [], notes: [], dryRun, ...rest };
}

/** A replaced file keeps its mode (kubeadm's 0600 manifests, a 0644 or 0600 sa.pub): only new files take the given one. */
async function keepModes(writes: FileWrite[]): Promise<FileWrite[]> {
  return Promise.all(writes.map(async (w) => ({ ...w, mode: await fs.stat(w.path).then((s) => s.mode & 0o777, () => w.mode) })));
}

/** The state file as a write (in a phase's commit), or saved on its own once a commit has named its backup. */
const stateWrite = (pkiDir: string, state: RotationState): FileWrite => ({ path: stateFile(pkiDir, state.ca), data: JSON.stringify(state, null, 2) + "\n", mode: 0o600 });
async function saveState(pkiDir: string, state: RotationState): Promise<void> {
  const w = stateWrite(pkiDir, state);
  await writeFileAtomic(w.path, w.data, w.mode);
}

function restartsFor(node: Node, components: Map<string, Set<string>>, extra: [string, string][] = []): Restart[] {
  const byComponent = new Map<string, string[]>();
  for (const [component, what] of components) byComponent.set(component, [...what].map((f) => (f.startsWith("/") ? relative(node.inventory.kubeconfigDir, f) : f)));
  for (const [component, file] of extra) byComponent.set(component, [...(byComponent.get(component) ?? []), file]);
  return restartComponents(node.inventory, byComponent);
}

/** What the node cannot do for the cluster CA: the API objects and clients that carry it. */
function clusterSteps(ca: Rotatable, step: Step): string[] {
  if (ca !== "ca") return [];
  const check = "kubectl -n kube-system get configmap kube-root-ca.crt -o jsonpath='{.data.ca\\.crt}' | grep -c 'BEGIN CERTIFICATE'";
  const restartPods = "for ns in $(kubectl get ns -o jsonpath='{.items[*].metadata.name}'); do kubectl -n \"$ns\" rollout restart deployment,daemonset,statefulset; done";
  if (step === "begin") {
    return [
      `${check}    # 2 once kube-controller-manager restarted: every namespace's kube-root-ca.crt trusts old and new`,
      `${restartPods}    # Pods read the CA of in-cluster config at start`,
      "kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations,apiservices -o yaml | grep -c caBundle    # a caBundle holding the cluster CA must get the new one too",
      "kubectl config set-cluster CLUSTER --kubeconfig USER.kubeconfig --certificate-authority /etc/kubernetes/pki/ca.crt --embed-certs    # each user's kubeconfig: trust old and new",
    ];
  }
  if (step === "finish") {
    return [
      `${check}    # 1 once kube-controller-manager restarted`,
      `${restartPods}`,
      "kubectl config set-cluster CLUSTER --kubeconfig USER.kubeconfig --certificate-authority /etc/kubernetes/pki/ca.crt --embed-certs    # each user's kubeconfig: the new CA only; their client certificates must be reissued by the new CA too",
    ];
  }
  return [];
}

async function begin(node: Node, options: RotateOptions): Promise<StepResult> {
  const ca = options.ca as Exclude<Rotatable, "sa">;
  const { inventory, model, now } = node;
  const loaded = caOf(model, ca);
  const state = await readState(inventory.pkiDir, ca);
  if (state) throw inputError(`rotate-ca begin: the rotation of ${ca} has already begun on this node (phase ${state.phase})`, `'${again(options, "status", "--ca", ca)}' shows where it stands; '${again(options, "abort", "--ca", ca)}' goes back`);
  if (loaded.extra.length) throw inputError(`rotate-ca begin: ${loaded.certFile} holds ${loaded.extra.length + 1} certificates; a rotation starts from one CA`, "a rotation begun by hand or by another tool must be finished first");
  if (!loaded.key) throw inputError(`rotate-ca begin: ${ca}'s key ${loaded.keyFile ?? ""} is not on this node (external CA)`, "rotate an external CA with the tool that holds its key");
  if (!sameKey(loaded.key, loaded.cert!)) throw inputError(`rotate-ca begin: ${loaded.keyFile} does not belong to ${loaded.certFile}`, "put the CA's own pair back first; nothing was changed");
  const old = loaded.cert!;
  const made = options.from ? await newCAFrom(options.from, ca, old) : await newCA(loaded, options, now);
  const trust = trustPoints(model, ca, loaded.certFile, old);
  const dir = rotationDir(inventory.pkiDir, ca);
  const writes: FileWrite[] = [
    { path: join(dir, "new.key"), data: made.pem.key, mode: KEY_MODE },
    { path: join(dir, "new.crt"), data: made.pem.cert, mode: PUBLIC_MODE },
    { path: loaded.certFile, data: pemOf([old, made.cert]), mode: PUBLIC_MODE },
  ];
  for (const file of trust.files) writes.push({ path: file, data: pemOf([...(model.bundles.get(file)?.certs ?? []), made.cert]), mode: PUBLIC_MODE });
  for (const k of trust.kubeconfigs) writes.push({ path: k.item.file, data: await kubeconfigWithCA(k, [...k.kubeconfig!.caCerts, made.cert]), mode: KEY_MODE });
  const extraRestarts: [string, string][] = [];
  const signing = ca === "ca" ? signingFlag(inventory, loaded.certFile) : undefined;
  const signingFile = signing && posix.join(posix.dirname(signing.value), "rotation", ca, "signing.crt");
  if (signing && signingFile) {
    // The signer keeps one certificate: the old CA until reissue, then the new one.
    writes.push({ path: join(dir, "signing.crt"), data: certificateToPEM(old.der), mode: PUBLIC_MODE });
    writes.push({ path: signing.pod.path, data: await manifestWithFlag(signing.pod.path, "--cluster-signing-cert-file", signing.value, signingFile), mode: 0o600 });
    extraRestarts.push(["kube-controller-manager", "--cluster-signing-cert-file"]);
  }
  const next: RotationState = { kind: "KubepkiRotation", apiVersion: "kubepki.io/v1alpha1", ca, phase: "begun", started: now.toISOString(), old: old.fingerprintSHA256, new: made.cert.fingerprintSHA256, backups: [], ...(signing && signingFile ? { signingFlag: { from: signing.value, to: signingFile } } : {}) };
  const restarts = restartsFor(node, trust.components, extraRestarts);
  const files = [...writes.map((w) => w.path), stateFile(inventory.pkiDir, ca)];
  if (options.dryRun) return result(ca, "begin", "begun", true, { files, restarts, cluster: clusterSteps(ca, "begin") });
  const backupDir = await commitFiles(await keepModes([...writes, stateWrite(inventory.pkiDir, next)]), { home: inventory.kubeconfigDir, root: inventory.root, reason: `kubepki rotate-ca begin --ca ${ca}`, now });
  await saveState(inventory.pkiDir, { ...next, backups: backupDir ? [backupDir] : [] });
  const notes = options.from ? [] : [`the new ${ca} is in ${dir}: on every other node run 'kubepki rotate-ca begin --ca ${ca} --from DIR' with a copy of this node's ${inventory.pkiDir} (keep new.key 0600 on the way)`];
  return result(ca, "begin", "begun", false, { files, restarts, backupDir, cluster: clusterSteps(ca, "begin"), notes });
}

/** The leaves of the node that the old CA signed and that renew can reissue. */
function oldLeaves(model: NodeModel, ca: string, old: CertificateModel) {
  const leaves = model.certs.filter((c) => c.item.caId === ca && c.item.role !== "CA" && c.cert && signedBy(c.cert, old));
  return { renewable: leaves.filter((c) => !rotatedByKubelet(c)), kubelet: leaves.filter(rotatedByKubelet) };
}

async function reissue(node: Node, options: RotateOptions): Promise<StepResult> {
  const ca = options.ca as Exclude<Rotatable, "sa">;
  const { inventory, model, now } = node;
  const state = await readState(inventory.pkiDir, ca);
  if (!state) throw inputError(`rotate-ca reissue: no rotation of ${ca} has begun on this node`, `run '${again(options, "begin", "--ca", ca)}' first, and restart what it says`);
  const loaded = caOf(model, ca);
  const dir = rotationDir(inventory.pkiDir, ca);
  const inFile = [loaded.cert!, ...loaded.extra];
  const old = inFile.find((c) => c.fingerprintSHA256 === state.old);
  const fresh = inFile.find((c) => c.fingerprintSHA256 === state.new);
  if (!old || !fresh) throw inputError(`rotate-ca reissue: ${loaded.certFile} no longer holds both the old and the new ${ca}`, `'${again(options, "status", "--ca", ca)}' shows what it holds`);
  const files: string[] = [];
  const backups = [...state.backups];
  const extraRestarts: [string, string][] = [];
  // 1. The signing switch: the CA file leads with the new CA and the key is the new key.
  if (!sameCert(loaded.cert!, fresh)) {
    const newKey = await fs.readFile(join(dir, "new.key"));
    const writes: FileWrite[] = [
      { path: loaded.certFile, data: pemOf([fresh, old]), mode: PUBLIC_MODE },
      { path: loaded.keyFile!, data: newKey, mode: KEY_MODE },
    ];
    if (state.signingFlag) {
      writes.push({ path: join(dir, "signing.crt"), data: certificateToPEM(fresh.der), mode: PUBLIC_MODE });
      extraRestarts.push(["kube-controller-manager", "--cluster-signing-cert-file"]);
    }
    files.push(...writes.map((w) => w.path));
    const backup = options.dryRun ? undefined : await commitFiles(await keepModes(writes), { home: inventory.kubeconfigDir, root: inventory.root, reason: `kubepki rotate-ca reissue --ca ${ca} (signing key)`, now });
    if (backup) backups.push(backup);
  }
  // 2. Every leaf the old CA signed, reissued by the new one with the same identity (renew's rules).
  const { renewable, kubelet } = oldLeaves(model, ca, old);
  let restarts: Restart[] = [];
  const reissued = renewable.map((c) => c.item.id);
  if (reissued.length && !options.dryRun) {
    const renewed = await renewCertificates({ ...options, names: reissued, reuseKey: options.reuseKey, now });
    if (renewed.backupDir) backups.push(renewed.backupDir);
    files.push(...renewed.items.filter((i) => i.action === "renew").flatMap((i) => (i.newKey && i.keyFile ? [i.keyFile, i.file] : [i.file])));
    restarts = renewed.restarts;
  } else if (reissued.length) {
    files.push(...renewable.map((c) => c.certFile));
  }
  if (extraRestarts.length) restarts = [...restarts, ...restartComponents(inventory, new Map(extraRestarts.map(([c, f]) => [c, [f]])))];
  const notes = kubelet.map((c) => `${c.certFile}: the kubelet's own client certificate, still from the old CA; the kubelet renews it through the CSR API (now signed by the new CA) as it nears expiry — finish waits for it`);
  if (!options.dryRun) await saveState(inventory.pkiDir, { ...state, phase: "reissued", backups });
  return result(ca, "reissue", "reissued", Boolean(options.dryRun), { files, reissued, restarts, notes, backupDir: backups.at(-1), alreadyDone: files.length === 0 });
}

async function finish(node: Node, options: RotateOptions): Promise<StepResult> {
  const ca = options.ca as Exclude<Rotatable, "sa">;
  const { inventory, model, now } = node;
  const state = await readState(inventory.pkiDir, ca);
  if (!state) throw inputError(`rotate-ca finish: no rotation of ${ca} is under way on this node`);
  if (state.phase !== "reissued") throw inputError(`rotate-ca finish: ${ca} is in phase ${state.phase}; reissue comes first`, `run '${again(options, "reissue", "--ca", ca)}' on every node, restart what it says, then finish`);
  const loaded = caOf(model, ca);
  const old = [loaded.cert!, ...loaded.extra].find((c) => c.fingerprintSHA256 === state.old);
  const fresh = [loaded.cert!, ...loaded.extra].find((c) => c.fingerprintSHA256 === state.new);
  if (!fresh) throw inputError(`rotate-ca finish: ${loaded.certFile} does not hold the new ${ca}`);
  if (old) {
    const { renewable, kubelet } = oldLeaves(model, ca, old);
    const left = [...renewable, ...kubelet].map((c) => c.certFile);
    if (left.length) throw inputError(`rotate-ca finish: still signed by the old ${ca}: ${left.join(", ")}`, `run '${again(options, "reissue", "--ca", ca)}' (the kubelet renews its own client certificate); nothing was changed`);
  }
  const trust = old ? trustPoints(model, ca, loaded.certFile, old) : { files: [], kubeconfigs: [], components: new Map<string, Set<string>>() };
  const writes: FileWrite[] = [{ path: loaded.certFile, data: pemOf([fresh]), mode: PUBLIC_MODE }];
  for (const file of trust.files) writes.push({ path: file, data: pemOf((model.bundles.get(file)?.certs ?? []).filter((c) => !sameCert(c, old!))), mode: PUBLIC_MODE });
  for (const k of trust.kubeconfigs) writes.push({ path: k.item.file, data: await kubeconfigWithCA(k, k.kubeconfig!.caCerts.filter((c) => !sameCert(c, old!))), mode: KEY_MODE });
  const extraRestarts: [string, string][] = [];
  if (state.signingFlag) {
    const pod = inventory.manifests.find((m) => m.component === "kube-controller-manager");
    if (pod) writes.push({ path: pod.path, data: await manifestWithFlag(pod.path, "--cluster-signing-cert-file", state.signingFlag.to, state.signingFlag.from), mode: 0o600 });
    extraRestarts.push(["kube-controller-manager", "--cluster-signing-cert-file"]);
  }
  // The rotation folder (new CA copy, state) goes into the backup with the old CA.
  const dir = rotationDir(inventory.pkiDir, ca);
  const leftovers = (await fs.readdir(dir)).map((f) => join(dir, f));
  const restarts = restartsFor(node, trust.components, extraRestarts);
  const files = writes.map((w) => w.path);
  if (options.dryRun) return result(ca, "finish", "finished", true, { files, restarts, cluster: clusterSteps(ca, "finish") });
  const backupDir = await commitFiles([...await keepModes(writes), ...await Promise.all(leftovers.map(async (path) => ({ path, data: await fs.readFile(path), mode: 0o600 })))], { home: inventory.kubeconfigDir, root: inventory.root, reason: `kubepki rotate-ca finish --ca ${ca}`, now });
  await removeRotationDir(inventory.pkiDir, ca);
  return result(ca, "finish", "finished", false, { files, restarts, backupDir, cluster: clusterSteps(ca, "finish"), notes: [`the old ${ca} is kept in ${backupDir} (with begin's backups: ${state.backups.join(", ")})`] });
}

async function abort(node: Node, options: RotateOptions): Promise<StepResult> {
  const { inventory, now } = node;
  const state = await readState(inventory.pkiDir, options.ca);
  if (!state) throw inputError(`rotate-ca abort: no rotation of ${options.ca} is under way on this node`, "after finish, the old CA is in the backup that finish named: 'kubepki renew --restore' puts it back");
  // Put the backups back newest first: each holds the files as they were before its phase.
  const writes = new Map<string, FileWrite>();
  for (const backup of [...state.backups].reverse()) for (const w of await restoreWrites(backup)) writes.set(w.path, w);
  const files = [...writes.keys()];
  // Who reads what goes back: the CA's trust files' readers, and each restored kubeconfig's component.
  const readers = trustReaders(options.ca, inventory);
  for (const c of node.model.certs) if (c.item.kubeconfig && files.includes(c.item.file)) readers.set(c.item.component, (readers.get(c.item.component) ?? new Set()).add(c.item.file));
  const restarts = restartsFor(node, readers);
  if (options.dryRun) return result(options.ca, "abort", "none", true, { files, restarts });
  const backupDir = await commitFiles([...writes.values()], { home: inventory.kubeconfigDir, root: inventory.root, reason: `kubepki rotate-ca abort --ca ${options.ca}`, now });
  await removeRotationDir(inventory.pkiDir, options.ca);
  return result(options.ca, "abort", "none", false, { files, restarts, backupDir, notes: ["every other node must be aborted too, and every component restarted, before the old CA alone is trusted again"] });
}

// ---- the service-account key pair ------------------------------------------

function publicKeysIn(pem: string, what: string): KeyObject[] {
  return decodePem(pem, what).map((b) => createPublicKey({ key: b.der, format: "der", type: b.label === "RSA PUBLIC KEY" ? "pkcs1" : "spki" }));
}

const keyId = (k: KeyObject) => (k.type === "private" ? createPublicKey(k) : k).export({ type: "spki", format: "der" }).toString("base64");

/**
 * sa: the API server verifies tokens with every key of --service-account-key-file
 * (sa.pub may hold several), and kube-controller-manager / the API server sign
 * with one private key. So: sa.pub holds old and new (begin), the signing key
 * switches (reissue), sa.pub holds the new key only (finish).
 */
async function saStep(step: Step, node: Node, options: RotateOptions): Promise<StepResult> {
  const { inventory, model, now } = node;
  const pair = model.keypairs.find((k) => k.item.id === "sa");
  if (!pair || !pair.privateKey) throw inputError(`sa: ${pair?.item.privateFile ?? "sa.key"} cannot be read on this node`);
  if (step === "abort") return abort(node, options);
  const state = await readState(inventory.pkiDir, "sa");
  const dir = rotationDir(inventory.pkiDir, "sa");
  const pubPEM = (await fs.readFile(pair.item.publicFile)).toString();
  const pubs = publicKeysIn(pubPEM, pair.item.publicFile);
  const current = createPublicKey(pair.privateKey.keyObject);
  const components = trustReaders("sa", inventory);
  const signers = new Map([["kube-apiserver", new Set(["--service-account-signing-key-file"])], ["kube-controller-manager", new Set(["--service-account-private-key-file"])]]);
  const commit = async (writes: FileWrite[], reason: string) => commitFiles(await keepModes(writes), { home: inventory.kubeconfigDir, root: inventory.root, reason, now });
  if (step === "begin") {
    if (state) throw inputError(`rotate-ca begin: the rotation of sa has already begun on this node (phase ${state.phase})`);
    let key: KeyObject;
    if (options.from) {
      const pem = await readIfExists(join(rotationDir(options.from, "sa"), "new.key"));
      if (!pem) throw inputError(`--from ${options.from}: no new sa key there (${join(rotationDir(options.from, "sa"), "new.key")})`);
      key = parsePrivateKey(pem, join(rotationDir(options.from, "sa"), "new.key"));
    } else {
      key = await generatePrivateKey(keyAlgorithmOf(pair.privateKey.publicKey.description) ?? "RSA-2048");
    }
    const writes: FileWrite[] = [
      { path: join(dir, "new.key"), data: privateKeyToPEM(key), mode: KEY_MODE },
      { path: pair.item.publicFile, data: keyPEMs([...pubs, createPublicKey(key)]), mode: KEY_MODE },
    ];
    const next: RotationState = { kind: "KubepkiRotation", apiVersion: "kubepki.io/v1alpha1", ca: "sa", phase: "begun", started: now.toISOString(), old: keyId(current), new: keyId(key), backups: [] };
    const restarts = restartsFor(node, components);
    if (options.dryRun) return result("sa", step, "begun", true, { files: writes.map((w) => w.path), restarts });
    const backupDir = await commit([...writes, stateWrite(inventory.pkiDir, next)], "kubepki rotate-ca begin --ca sa");
    await saveState(inventory.pkiDir, { ...next, backups: backupDir ? [backupDir] : [] });
    return result("sa", step, "begun", false, { files: writes.map((w) => w.path), restarts, backupDir, notes: ["kube-apiserver now accepts tokens signed by the old and the new key once restarted"] });
  }
  if (!state) throw inputError(`rotate-ca ${step}: no rotation of sa has begun on this node`, `run '${again(options, "begin", "--ca", "sa")}' first`);
  if (step === "reissue") {
    const newKey = await fs.readFile(join(dir, "new.key"));
    const done = keyId(current) === state.new;
    const restarts = restartsFor(node, signers);
    if (done || options.dryRun) return result("sa", step, "reissued", Boolean(options.dryRun), { files: done ? [] : [pair.item.privateFile], restarts, alreadyDone: done });
    const backupDir = await commit([{ path: pair.item.privateFile, data: newKey, mode: KEY_MODE }], "kubepki rotate-ca reissue --ca sa");
    await saveState(inventory.pkiDir, { ...state, phase: "reissued", backups: backupDir ? [...state.backups, backupDir] : state.backups });
    return result("sa", step, "reissued", false, { files: [pair.item.privateFile], restarts, backupDir, notes: ["new tokens are signed with the new key; tokens signed with the old one stay valid until finish"] });
  }
  // finish
  if (state.phase !== "reissued") throw inputError(`rotate-ca finish: sa is in phase ${state.phase}; reissue comes first`);
  const writes: FileWrite[] = [{ path: pair.item.publicFile, data: keyPEMs(pubs.filter((k) => keyId(k) !== state.old)), mode: KEY_MODE }];
  const restarts = restartsFor(node, components);
  if (options.dryRun) return result("sa", step, "finished", true, { files: [pair.item.publicFile], restarts });
  const leftovers = (await fs.readdir(dir)).map((f) => join(dir, f));
  const backupDir = await commit([...writes, ...await Promise.all(leftovers.map(async (path) => ({ path, data: await fs.readFile(path), mode: 0o600 })))], "kubepki rotate-ca finish --ca sa");
  await removeRotationDir(inventory.pkiDir, "sa");
  return result("sa", step, "finished", false, {
    files: [pair.item.publicFile], restarts, backupDir,
    cluster: ["kubectl delete pods -A --field-selector status.phase=Running --dry-run=client -o name    # Pods holding tokens from the old key: projected tokens refresh within an hour; restart the rest"],
  });
}

// ---- status ----------------------------------------------------------------

export interface CAStatus {
  ca: Rotatable;
  /** From the state file, checked against the files: none, begun, reissued. */
  phase: Phase | "none";
  caFile: string;
  /** The CA file's certificates, "old"/"new"/"other", in order. */
  caFileHolds: string[];
  oldLeaves: string[];
  newLeaves: string[];
  /** Trust files and kubeconfigs, and which of old/new each trusts. */
  trust: { file: string; trusts: string[] }[];
}

export async function rotationStatus(options: DiscoverOptions & { cas: Rotatable[] }): Promise<CAStatus[]> {
  const inventory = await discoverNode(options);
  const model = loadNode(inventory);
  const out: CAStatus[] = [];
  for (const ca of options.cas) {
    const state = await readState(inventory.pkiDir, ca);
    if (ca === "sa") {
      const pair = model.keypairs.find((k) => k.item.id === "sa");
      const pem = pair && (await readIfExists(pair.item.publicFile));
      const pubs = pem ? publicKeysIn(pem.toString(), pair!.item.publicFile).map(keyId) : [];
      const label = (id: string) => (id === state?.old ? "old" : id === state?.new ? "new" : "current");
      out.push({ ca, phase: state?.phase ?? "none", caFile: pair?.item.publicFile ?? "", caFileHolds: pubs.map(label), oldLeaves: [], newLeaves: [], trust: [] });
      continue;
    }
    const loaded = model.certs.find((c) => c.item.id === ca && c.item.role === "CA");
    if (!loaded?.cert) continue;
    const all = [loaded.cert, ...loaded.extra];
    const label = (c: CertificateModel) => (c.fingerprintSHA256 === state?.old ? "old" : c.fingerprintSHA256 === state?.new ? "new" : state ? "other" : "current");
    const old = state ? all.find((c) => c.fingerprintSHA256 === state.old) : undefined;
    const fresh = state ? all.find((c) => c.fingerprintSHA256 === state.new) : undefined;
    const leaves = model.certs.filter((c) => c.item.caId === ca && c.item.role !== "CA" && c.cert);
    const trust = [...new Set(model.certs.flatMap((c) => (c.item.trust ? [c.item.trust.file] : [])))]
      .map((file) => ({ file, certs: model.bundles.get(file)?.certs ?? [] }))
      .concat(model.certs.filter((c) => c.kubeconfig?.caSource.includes("certificate-authority-data")).map((c) => ({ file: c.item.file, certs: c.kubeconfig!.caCerts })))
      .filter((t) => t.certs.some((c) => all.some((a) => sameCert(a, c))))
      .map((t) => ({ file: relative(inventory.kubeconfigDir, t.file), trusts: t.certs.filter((c) => all.some((a) => sameCert(a, c))).map(label) }));
    out.push({
      ca, phase: state?.phase ?? "none", caFile: loaded.certFile, caFileHolds: all.map(label),
      oldLeaves: old ? leaves.filter((c) => signedBy(c.cert!, old)).map((c) => c.item.id) : [],
      newLeaves: fresh ? leaves.filter((c) => signedBy(c.cert!, fresh)).map((c) => c.item.id) : [],
      trust,
    });
  }
  return out;
}

