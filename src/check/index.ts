import type { ProfileName } from "../cluster/description.js";
import { shortHumanDuration } from "../cluster/duration.js";
import type { ClusterPatch } from "../cluster/patch.js";
import { inputError } from "../errors.js";
import { keyLabel } from "../pki/keys.js";
import { sameKey, signedBy } from "./certs.js";
import type { Fix } from "./fixes.js";
import { rotationsUnderWay, type RotationUnderWay } from "./rotation.js";
import { discoverNode, type FactSource, type NodeFacts, type NodeRole, type Role } from "./discover.js";
import { sortFindings, countBySeverity, type Finding, type Severity } from "./findings.js";
import { loadNode, type LoadedCert, type NodeModel } from "./load.js";
import { RULES } from "./rules/index.js";
import { signingCA } from "./rules/trust.js";

export type { Finding, Severity } from "./findings.js";
export type { NodeInventory, CertItem, Role, NodeRole, NodeKind } from "./discover.js";

const DAY = 86_400_000;

export interface CheckOptions {
  /** The node's filesystem root (default "/"). */
  root?: string;
  pkiDir?: string;
  kubeconfigDir?: string;
  manifestsDir?: string;
  profile?: ProfileName;
  /** A kubeadm config file (InitConfiguration/ClusterConfiguration) or kubepki ClusterPKI. */
  configFile?: string;
  /** Facts from flags (--node-name…); they win over the config file and the manifests. */
  cluster?: ClusterPatch;
  /** The clock the validity rules use (default: now). */
  now?: Date;
  /** Warn when a leaf expires within this window (default 30 days). */
  warnWithinMs?: number;
  /** Warn when a CA expires within this window (default 365 days). */
  warnWithinCAMs?: number;
}

/** One row of the table: the seed note's spreadsheet, filled in. */
export interface CertificateRow {
  id: string;
  component: string;
  role: Role;
  /** The PEM file, or the kubeconfig. */
  file: string;
  /** For a kubeconfig: its user; the certificate may live in another file (certFile). */
  kubeconfigUser?: string;
  certFile: string;
  keyFile?: string;
  /** Where the path came from: a manifest flag, or the profile's default. */
  via: string;
  /** Present when the certificate could be read. */
  commonName?: string;
  organization: string[];
  sans: string[];
  /** The CA row that signed it (checked by signature), "self-signed", or the issuer's DN. */
  issuer?: string;
  /** The CA row id the catalog says should sign it. */
  expectedIssuer?: string;
  notBefore?: string;
  notAfter?: string;
  /** kubeadm's RESIDUAL TIME ("364d", "<invalid>"). */
  residual?: string;
  residualSeconds?: number;
  key?: string;
  signatureAlgorithm?: string;
  serial?: string;
  status: "OK" | "WARN" | "FAIL";
  missing: boolean;
}

export interface CheckResult {
  now: Date;
  /** What the node is and why: the first thing the report says. */
  role: NodeRole;
  root: string;
  pkiDir: string;
  kubeconfigDir: string;
  manifestsDir: string;
  profile: ProfileName;
  facts: NodeFacts;
  certificates: CertificateRow[];
  findings: Finding[];
  summary: Record<Severity, number>;
  /** CA rotations under way on the node (rotate-ca's state), by CA. */
  rotations: RotationUnderWay[];
}

/**
 * The health check of one node: discover its files, read them, run every
 * rule, and return the table and the findings. Pure data in and out, so the
 * CLI, renew and explain share it.
 */
export async function checkNode(options: CheckOptions = {}): Promise<CheckResult> {
  const now = options.now ?? new Date();
  const sources: FactSource[] = [];
  if (options.configFile !== undefined) {
    // zod and the config schema load only when a config is given.
    const { readClusterConfig } = await import("../cluster/config-file.js");
    sources.push({ source: `--config ${options.configFile}`, patch: await readClusterConfig(options.configFile) });
  }
  if (options.cluster) sources.push({ source: "flags", patch: options.cluster });
  const inventory = await discoverNode({ ...options, clusterSources: sources });
  if (!inventory.role) {
    throw inputError(
      `${inventory.root} is not a Kubernetes node: no static pod manifest in ${inventory.manifestsDir}, no kubelet.conf in ${inventory.kubeconfigDir}, no kubelet config or systemd unit, no certificates in ${inventory.pkiDir}`,
      "pass --root for a copy of a node, or --pki-dir / --kubeconfig-dir / --manifests-dir where the files are",
    );
  }
  const model = loadNode(inventory);
  const ctx = { model, now, warnWithinMs: options.warnWithinMs ?? 30 * DAY, warnWithinCAMs: options.warnWithinCAMs ?? 365 * DAY };
  const findings = sortFindings(withoutUnsafeFixes([...inventory.notes, ...RULES.flatMap((rule) => rule.run(ctx))], model, now));
  const certificates = model.certs.filter((c) => c.cert || c.item.required || c.problems.length).map((c) => rowOf(c, model, findings, now));
  return {
    now, role: inventory.role, root: inventory.root, pkiDir: inventory.pkiDir, kubeconfigDir: inventory.kubeconfigDir, manifestsDir: inventory.manifestsDir,
    profile: inventory.profile, facts: inventory.facts, certificates, findings, summary: countBySeverity(findings),
    rotations: rotationsUnderWay(inventory.pkiDir),
  };
}

function rowOf(c: LoadedCert, model: NodeModel, findings: Finding[], now: Date): CertificateRow {
  const mine = findings.filter((f) => f.certificate === c.item.id);
  const status = mine.some((f) => f.severity === "error") ? "FAIL" : mine.some((f) => f.severity === "warning") ? "WARN" : "OK";
  const row: CertificateRow = {
    id: c.item.id, component: c.item.component, role: c.item.role, file: c.item.file, kubeconfigUser: c.kubeconfig?.user,
    certFile: c.certFile, keyFile: c.keyFile, via: c.item.via, organization: [], sans: [], expectedIssuer: c.item.caId,
    status: c.noCertificate ? "OK" : status, missing: c.problems.some((p) => p.state === "missing" && p.file === c.certFile),
  };
  const cert = c.cert;
  if (!cert) return row;
  const left = cert.notAfter.getTime() - now.getTime();
  const selfSigned = cert.subject.text === cert.issuer.text && signedBy(cert, cert);
  const signer = signingCA(cert, model.certs);
  return {
    ...row,
    commonName: cert.subject.commonName,
    organization: cert.subject.organization,
    sans: [...cert.dnsNames.map((d) => `DNS:${d}`), ...cert.ipAddresses.map((ip) => `IP:${ip}`)],
    issuer: selfSigned || signer?.item.id === c.item.id ? "self-signed" : signer ? signer.item.id : cert.issuer.text,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    residual: shortHumanDuration(left),
    residualSeconds: Math.floor(left / 1000),
    key: keyLabel(cert.key),
    signatureAlgorithm: cert.signatureAlgorithm,
    serial: cert.serial,
  };
}

/**
 * A fix that signs with a CA, or copies a CA into a kubeconfig, is no fix while
 * that CA cannot be trusted to do it: the CA has expired or is not valid yet
 * (renew would refuse), or its key and certificate are not a pair (a certificate
 * signed now, or a CA copied now, would spread the stranger). Those findings
 * keep their text, lose their commands, and say why.
 */
function withoutUnsafeFixes(findings: Finding[], model: NodeModel, now: Date): Finding[] {
  // The rules tag each fix with the CA it signs with (fixes.ts Fix.signedBy); the tag stays internal.
  const byId = new Map(model.certs.map((c) => [c.item.id, c]));
  const unusable = (ca: LoadedCert | undefined): string | undefined => {
    if (!ca?.cert) return undefined;
    if (ca.cert.notAfter <= now) return `its CA ${ca.item.id} has expired: rotate the CA first (kubepki rotate-ca, docs/rotate-ca.md), which reissues this too`;
    if (ca.cert.notBefore > now) return `its CA ${ca.item.id} is not valid yet: check the clock first`;
    if (ca.key && !sameKey(ca.key, ca.cert)) return `${ca.keyFile ?? "the CA key"} and ${ca.certFile} are not a pair: settle which one is the CA's first (see the key-mismatch finding)`;
    return undefined;
  };
  return findings.map((finding) => {
    const { signedBy: caId, ...f } = finding as Finding & Pick<Fix, "signedBy">;
    const why = caId !== undefined && f.commands.length ? unusable(byId.get(caId)) : undefined;
    return why ? { ...f, fix: `${f.fix.replace(/\.$/, "")}; but not yet: ${why}`, commands: [] } : f;
  });
}
