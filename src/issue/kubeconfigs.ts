import type { KeyObject } from "node:crypto";
import { join } from "node:path";
import type { PlannedKubeconfig } from "../catalog/index.js";
import { loadKubeconfig, resolveContext } from "../kube/kubeconfig.js";
import { buildKubeconfig, stringifyKubeconfig } from "../kube/kubeconfig-write.js";
import { certificateToPEM, createCertificate, kubeadmValidity, randomSerial63 } from "../pki/certificate.js";
import { keysMatch, parsePrivateKey, privateKeyToPEM } from "../pki/keys.js";
import { isSignedBy, parseCertificate, type CertificateModel } from "../pki/model.js";
import { assertCAUsable } from "../pki/ca-validity.js";
import { decodeCertificates } from "../pki/pem.js";
import { readIfExists } from "../store/files.js";
import type { Action } from "./action.js";

/**
 * init's kubeconfig pass: after the certificates, each planned kubeconfig is
 * created, kept (an existing one made for the same CA, as kubeadm keeps it),
 * or reported as a conflict — replaced, after a backup, only with --force.
 */

export interface KubeconfigOutcome {
  item: PlannedKubeconfig;
  action: Action;
  /** Why it is a conflict or blocked; notes such as a different server URL. */
  reasons: string[];
  /** Absolute path. */
  file: string;
  /** The client certificate in the file after the run (absent for a dry run's new ones). */
  certificate?: CertificateModel;
  notBefore?: Date;
  notAfter?: Date;
}

/** What the certificate pass knows about a CA or an embedded certificate. */
export interface Material {
  /** new: issued in this run (or about to be); ready: on disk and usable; external: CA without key; unusable: has a problem. */
  state: "new" | "ready" | "external" | "unusable";
  key?: KeyObject;
  cert?: CertificateModel;
  /** The CA's certificate file, to name it in messages. */
  file?: string;
}

export interface KubeconfigWork {
  outcome: KubeconfigOutcome;
  exists: boolean;
  /** The client key to embed: generated for a new own certificate. */
  key?: KeyObject;
  fresh: boolean;
}

export async function readKubeconfigWork(item: PlannedKubeconfig, outDir: string): Promise<KubeconfigWork> {
  const file = join(outDir, item.path);
  const exists = (await readIfExists(file)) !== undefined;
  return { outcome: { item, action: "create", reasons: [], file }, exists, fresh: false };
}

function conflict(work: KubeconfigWork, reason: string): void {
  work.outcome.action = "conflict";
  work.outcome.reasons.push(reason);
}

function blocked(work: KubeconfigWork, reason: string): void {
  work.outcome.action = "blocked";
  work.outcome.reasons.push(reason);
}

async function readPEM(data: Buffer | undefined, file: string | undefined): Promise<Buffer | undefined> {
  if (data) return data;
  return file ? readIfExists(file) : undefined;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Decides what happens to one kubeconfig. `ca` is its CA after the certificate
 * pass; `embedded` the certificate a hard-way kubeconfig embeds.
 */
export async function assessKubeconfig(work: KubeconfigWork, ca: Material | undefined, embedded: Material | undefined, now: Date): Promise<void> {
  const { item } = work.outcome;
  const name = item.path;
  if (!work.exists) {
    // Its own client certificate would be signed now: never by a CA on disk that is expired or not yet valid (exit 2).
    if (!embedded && ca?.cert && ca.state !== "new" && ca.state !== "external") assertCAUsable(ca.cert, now, ca.file ?? item.caId);
    if (!ca || ca.state === "unusable") return blocked(work, `its CA ${item.caId} has a problem (see above)`);
    if (embedded && embedded.state === "unusable") return blocked(work, `the certificate it embeds, ${item.certificateId}, has a problem (see above)`);
    // An own client certificate needs the CA key; an embedded one only the CA certificate.
    if (!embedded && ca.state === "external") return blocked(work, `its CA ${item.caId} has no private key (external CA): sign its client certificate with that CA`);
    return;
  }
  let config;
  try {
    config = await loadKubeconfig(work.outcome.file);
    const { cluster, user } = resolveContext(config);
    if (!cluster) return conflict(work, `${name}: its current context names no existing cluster`);
    if (!user) return conflict(work, `${name}: its current context names no existing user`);
    if (ca?.state === "new") return conflict(work, `${name} was made for the old ${item.caId}, which is being replaced`);
    const caPEM = await readPEM(cluster.caData, cluster.caFile);
    if (!caPEM) return conflict(work, `${name}: cluster ${cluster.name} has no certificate-authority`);
    const caDER = decodeCertificates(caPEM.toString("latin1"), `${name}: certificate-authority`)[0];
    if (ca?.cert && !caDER.equals(ca.cert.der)) return conflict(work, `${name} trusts a different CA than ${item.caId}`);
    const certPEM = await readPEM(user.certData, user.certFile);
    const keyPEM = await readPEM(user.keyData, user.keyFile);
    if (!certPEM || !keyPEM) return conflict(work, `${name}: user ${user.name} has no client certificate and key`);
    const cert = parseCertificate(decodeCertificates(certPEM.toString("latin1"), `${name}: client certificate`)[0], `${name}: client certificate`);
    work.outcome.certificate = cert;
    const key = parsePrivateKey(keyPEM, `${name}: client key`);
    if (!keysMatch(key, cert.publicKey)) return conflict(work, `${name}: the client key does not belong to the client certificate`);
    if (embedded) {
      if (embedded.state === "new") return conflict(work, `${name} embeds the old ${item.certificateId} certificate, which is being issued anew`);
      if (embedded.cert && !cert.der.equals(embedded.cert.der)) return conflict(work, `${name} embeds a certificate other than ${item.certificateId}'s`);
    } else {
      if (ca?.cert && !isSignedBy(cert, ca.cert)) return conflict(work, `${name}: the client certificate is not signed by ${item.caId}`);
      if (cert.subject.commonName !== item.subject.commonName) conflict(work, `${name}: the client certificate's CN is "${cert.subject.commonName ?? ""}", expected "${item.subject.commonName}"`);
      const wantO = item.subject.organization ?? [];
      if (!sameSet(cert.subject.organization, wantO)) conflict(work, `${name}: the client certificate's O is [${cert.subject.organization.join(", ")}], expected [${wantO.join(", ")}]`);
      if (!cert.extKeyUsage.includes("clientAuth")) conflict(work, `${name}: the client certificate lacks the clientAuth usage`);
      if (cert.notAfter <= now) conflict(work, `${name}: the client certificate expired on ${cert.notAfter.toISOString()}`);
      if (work.outcome.action === "conflict") return;
    }
    // kubeadm only warns about another server URL: a load balancer may front the same cluster.
    if (cluster.server !== item.server) work.outcome.reasons.push(`${name} points at ${cluster.server ?? "no server"}, not ${item.server} (kept, as kubeadm does)`);
    work.outcome.action = "keep";
  } catch (err) {
    conflict(work, (err as Error).message);
  }
}

/** Validity of a new own client certificate: from 5 minutes ago, never past the CA. */
export function kubeconfigValidity(work: KubeconfigWork, now: Date, caNotAfter: Date | undefined): void {
  const { outcome } = work;
  const { notBefore, notAfter, cappedByCA } = kubeadmValidity(now, outcome.item.validityMs, caNotAfter);
  Object.assign(outcome, { notBefore, notAfter });
  if (cappedByCA) outcome.reasons.push(`validity cut to the CA's expiry, ${notAfter.toISOString()}`);
}

/**
 * The file's content: a kubeconfig as kubeadm writes it, with the CA, the
 * client certificate (issued now, or the embedded catalog one) and its key.
 */
export function renderKubeconfig(work: KubeconfigWork, ca: Material, embedded: Material | undefined, now: Date): string {
  const { item } = work.outcome;
  let certDER: Buffer;
  let key: KeyObject;
  if (embedded) {
    certDER = embedded.cert!.der;
    key = embedded.key!;
    work.outcome.notBefore = embedded.cert!.notBefore;
    work.outcome.notAfter = embedded.cert!.notAfter;
  } else {
    kubeconfigValidity(work, now, ca.cert?.notAfter);
    key = work.key!;
    certDER = createCertificate(
      {
        subject: item.subject, serial: randomSerial63(), notBefore: work.outcome.notBefore!, notAfter: work.outcome.notAfter!,
        publicKey: key, isCA: false, keyUsage: item.keyUsage, extKeyUsage: item.extKeyUsage, dnsNames: [], ipAddresses: [],
      },
      { key: ca.key!, certificateDER: ca.cert!.der },
    );
  }
  work.outcome.certificate = parseCertificate(certDER, item.id);
  return stringifyKubeconfig(
    buildKubeconfig({
      clusterName: item.clusterName, server: item.server, ca: { data: certificateToPEM(ca.cert!.der) },
      userName: item.userName, credentials: { certData: certificateToPEM(certDER), keyData: privateKeyToPEM(key) }, contextName: item.contextName,
    }),
  );
}
