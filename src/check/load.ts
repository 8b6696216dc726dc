import type { KeyObject } from "node:crypto";
import { createPublicKey } from "node:crypto";
import { lstatSync, readlinkSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { isKubepkiError } from "../errors.js";
import { parseKubeconfig, resolveContext, type Kubeconfig } from "../kube/kubeconfig.js";
import type { CertificateModel } from "../pki/model.js";
import { parseCertificate } from "../pki/model.js";
import { decodeCertificates, decodePem } from "../pki/pem.js";
import { readPrivateKey, type PrivateKeyInfo } from "../pki/public-key.js";
import { readInputFile } from "../store/files.js";
import type { CertItem, KeyPairItem, NodeInventory } from "./discover.js";

/** What reading a file gave: the state names the file rule that reports it. */
export type FileState = "ok" | "missing" | "unreadable" | "invalid";

export interface FileProblem {
  state: Exclude<FileState, "ok">;
  file: string;
  message: string;
}

export interface LoadedCert {
  item: CertItem;
  /** Where the certificate really is: the PEM file, the kubeconfig, or a file it references. */
  certFile: string;
  cert?: CertificateModel;
  /** Certificates after the first in the same file (an intermediate chain). */
  extra: CertificateModel[];
  key?: PrivateKeyInfo;
  keyFile?: string;
  /** Permission bits of the file holding the key (a kubeconfig, for embedded keys). */
  keyMode?: number;
  /** Set for a kubeconfig: the context it resolves to and its CA data. */
  kubeconfig?: { user: string; cluster: string; server?: string; caCerts: CertificateModel[]; caSource: string };
  /** A kubeconfig whose user authenticates without a certificate (token, exec). */
  noCertificate?: string;
  problems: FileProblem[];
}

export interface LoadedKeyPair {
  item: KeyPairItem;
  privateKey?: PrivateKeyInfo;
  publicKey?: KeyObject;
  keyMode?: number;
  problems: FileProblem[];
}

/** A CA bundle a consumer trusts. */
export interface Bundle {
  file: string;
  certs: CertificateModel[];
  problem?: FileProblem;
}

export interface NodeModel {
  inventory: NodeInventory;
  certs: LoadedCert[];
  keypairs: LoadedKeyPair[];
  /** Trust files by path, each read once. */
  bundles: Map<string, Bundle>;
}

class Problem extends Error {
  constructor(readonly problem: FileProblem) {
    super(problem.message);
  }
}

/**
 * Reads a file of the node. Under --root, an absolute symlink (the kubelet's
 * kubelet-client-current.pem → /var/lib/kubelet/pki/…) points at the host, so
 * it is followed inside the root instead.
 */
function read(file: string, root: string): Buffer {
  try {
    return readInputFile(file);
  } catch (err) {
    if (isKubepkiError(err)) throw new Problem({ state: "unreadable", file, message: err.message }); // a device, a FIFO, too large
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && root !== "/") {
      try {
        if (lstatSync(file).isSymbolicLink()) {
          const target = readlinkSync(file);
          if (isAbsolute(target)) return read(rerooted(root, target), "/");
        }
      } catch {
        // not a symlink, or a dangling one: report the file as missing
      }
    }
    if (code === "ENOENT" || code === "ENOTDIR") throw new Problem({ state: "missing", file, message: `${file} does not exist` });
    throw new Problem({ state: "unreadable", file, message: `${file} cannot be read (${code ?? (err as Error).message})` });
  }
}

/**
 * A kubeconfig that points at a certificate file instead of embedding one (kubelet.conf →
 * kubelet-client-current.pem): the kubelet rotates that certificate itself, so renew and
 * rotate-ca leave it to the kubelet.
 */
export function rotatedByKubelet(c: LoadedCert): boolean {
  return Boolean(c.item.kubeconfig) && c.certFile !== c.item.file;
}

/** Permission bits of a file of the node; an absolute symlink is followed inside --root, as read() does. */
function modeOf(file: string, root: string): number | undefined {
  try {
    return statSync(file).mode & 0o777;
  } catch {
    if (root === "/") return undefined;
  }
  try {
    const target = readlinkSync(file);
    return isAbsolute(target) ? modeOf(rerooted(root, target), "/") : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a parser, turning its input error into an "invalid" problem about `file`. */
function parsed<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Problem) throw err;
    throw new Problem({ state: "invalid", file, message: (err as Error).message });
  }
}

function certificates(pem: Buffer | string, file: string, what = file): CertificateModel[] {
  return parsed(file, () => decodeCertificates(pem.toString(), what).map((der, i) => parseCertificate(der, i ? `${what} (certificate ${i + 1})` : what)));
}

/** The private key in a PEM that may also hold certificates (the kubelet's *-current.pem). */
function privateKey(pem: Buffer | string, file: string, what = file): PrivateKeyInfo {
  return parsed(file, () => {
    const block = decodePem(pem.toString(), what).find((b) => b.label.endsWith("PRIVATE KEY"));
    if (!block) throw new Problem({ state: "invalid", file, message: `${what}: no PEM PRIVATE KEY block found` });
    return readPrivateKey(block, what);
  });
}

/** Collects a step's problem instead of throwing, so one bad file never hides the others. */
function attempt(problems: FileProblem[], fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof Problem)) throw err;
    problems.push(err.problem);
  }
}

/** A path from inside a kubeconfig, moved under --root like every host path. */
function rerooted(root: string, path: string): string {
  return root === "/" || path.startsWith(`${root}/`) ? path : join(root, path);
}

function loadPemItem(item: CertItem, root: string): LoadedCert {
  const out: LoadedCert = { item, certFile: item.file, extra: [], problems: [] };
  attempt(out.problems, () => {
    const [cert, ...extra] = certificates(read(item.file, root), item.file);
    out.cert = cert;
    out.extra = extra;
  });
  if (item.keyFile) {
    const keyFile = item.keyFile;
    out.keyFile = keyFile;
    attempt(out.problems, () => {
      let pem: Buffer;
      try {
        pem = read(keyFile, root);
      } catch (err) {
        // A CA without its key is kubeadm's external CA mode, not a fault.
        if (!item.keyRequired && err instanceof Problem && err.problem.state === "missing") return;
        throw err;
      }
      out.keyMode = modeOf(keyFile, root);
      out.key = privateKey(pem, keyFile);
    });
  }
  return out;
}

function loadKubeconfigItem(item: CertItem, root: string, parsedAlready: Map<string, Kubeconfig>): LoadedCert {
  const out: LoadedCert = { item, certFile: item.file, extra: [], problems: [] };
  attempt(out.problems, () => {
    const config = parsedAlready.get(item.file) ?? parsed(item.file, () => parseKubeconfig(read(item.file, root).toString(), item.file));
    const { context, cluster, user } = parsed(item.file, () => resolveContext(config));
    if (!user) throw new Problem({ state: "invalid", file: item.file, message: `${item.file}: context "${context.name}" names user "${context.user}", which is not defined` });
    out.keyMode = modeOf(item.file, root);
    out.kubeconfig = { user: user.name, cluster: context.cluster, server: cluster?.server, caCerts: [], caSource: "" };
    if (cluster?.caData) {
      out.kubeconfig.caSource = `${item.file} clusters[${cluster.name}].certificate-authority-data`;
      out.kubeconfig.caCerts = certificates(cluster.caData, item.file, out.kubeconfig.caSource);
    } else if (cluster?.caFile) {
      const caFile = rerooted(root, cluster.caFile);
      out.kubeconfig.caSource = caFile;
      attempt(out.problems, () => (out.kubeconfig!.caCerts = certificates(read(caFile, root), caFile)));
    }
    if (!user.certData && !user.certFile) {
      out.noCertificate = user.hasToken ? "a token" : user.hasExec ? "an exec plugin" : "no credentials";
      return;
    }
    if (user.certData) {
      const [cert, ...extra] = certificates(user.certData, item.file, `${item.file} users[${user.name}].client-certificate-data`);
      Object.assign(out, { cert, extra });
    } else {
      out.certFile = rerooted(root, user.certFile!);
      const [cert, ...extra] = certificates(read(out.certFile, root), out.certFile);
      Object.assign(out, { cert, extra });
    }
    if (user.keyData) {
      out.key = privateKey(user.keyData, item.file, `${item.file} users[${user.name}].client-key-data`);
    } else if (user.keyFile) {
      out.keyFile = rerooted(root, user.keyFile);
      out.keyMode = modeOf(out.keyFile, root);
      out.key = privateKey(read(out.keyFile, root), out.keyFile);
    } else {
      throw new Problem({ state: "invalid", file: item.file, message: `${item.file}: user "${user.name}" has a client certificate but no client key` });
    }
  });
  return out;
}

function loadKeyPair(item: KeyPairItem, root: string): LoadedKeyPair {
  const out: LoadedKeyPair = { item, problems: [] };
  attempt(out.problems, () => {
    const pem = read(item.privateFile, root);
    out.keyMode = modeOf(item.privateFile, root);
    out.privateKey = privateKey(pem, item.privateFile);
  });
  attempt(out.problems, () => {
    const pem = read(item.publicFile, root).toString();
    out.publicKey = parsed(item.publicFile, () => {
      try {
        return createPublicKey(pem);
      } catch {
        throw new Problem({ state: "invalid", file: item.publicFile, message: `${item.publicFile}: not a readable public key` });
      }
    });
  });
  return out;
}

function loadBundle(file: string, root: string): Bundle {
  const out: Bundle = { file, certs: [] };
  const problems: FileProblem[] = [];
  attempt(problems, () => (out.certs = certificates(read(file, root), file)));
  out.problem = problems[0];
  return out;
}

/** Reads every file discovery named. Never throws for a bad file: problems are data for the rules. */
export function loadNode(inventory: NodeInventory): NodeModel {
  const certs = inventory.certs.map((item) => (item.kubeconfig ? loadKubeconfigItem(item, inventory.root, inventory.parsedKubeconfigs) : loadPemItem(item, inventory.root)));
  const keypairs = inventory.keypairs.map((k) => loadKeyPair(k, inventory.root));
  const bundles = new Map<string, Bundle>();
  for (const c of certs) {
    const file = c.item.trust?.file;
    if (file && !bundles.has(file)) {
      // A trust file that is also a checked CA row is read once.
      const row = certs.find((r) => r.item.file === file && r.cert);
      bundles.set(file, row ? { file, certs: [row.cert!, ...row.extra] } : loadBundle(file, inventory.root));
    }
  }
  return { inventory, certs, keypairs, bundles };
}
