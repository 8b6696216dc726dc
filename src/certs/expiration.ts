import { existsSync } from "node:fs";
import { shortHumanDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { loadKubeconfig, resolveContext } from "../kube/kubeconfig.js";
import { parseCertificate, type CertificateModel } from "../pki/model.js";
import { decodeCertificates } from "../pki/pem.js";
import { readIfExists } from "../store/files.js";
import { terminalSafe } from "../text.js";
import { goTabwriter } from "./tabwriter.js";
import type { CATarget, KubeadmTargets, LeafTarget } from "./targets.js";

/**
 * `kubepki certs check-expiration`: kubeadm's expiration report, the same rows,
 * the same columns and the same JSON (output.kubeadm.k8s.io/v1alpha3
 * CertificateExpirationInfo), from cmd/kubeadm/app/cmd/certs.go.
 */

export interface ExpirationEntry {
  name: string;
  /** Absent for a missing one. */
  expirationDate?: Date;
  /** Whole seconds until expiry, truncated toward zero as Go's int64(d / time.Second). */
  residualSeconds: number;
  /** The signing CA's name; absent for a CA. */
  caName?: string;
  externallyManaged: boolean;
  missing: boolean;
}

export interface ExpirationInfo {
  certificates: ExpirationEntry[];
  certificateAuthorities: ExpirationEntry[];
}

/** The first certificate of a PEM file, or undefined when there is no file. */
async function firstCertificate(file: string): Promise<CertificateModel | undefined> {
  const bytes = await readIfExists(file);
  if (!bytes) return undefined;
  const ders = decodeCertificates(bytes.toString("utf8"), file);
  return parseCertificate(ders[0], file);
}

/** The client certificate of a kubeconfig's current context, as kubeadm's kubeConfigReadWriter reads it. */
export async function kubeconfigClientCertificate(file: string): Promise<CertificateModel | undefined> {
  if (!existsSync(file)) return undefined;
  const config = await loadKubeconfig(file);
  const { user } = resolveContext(config);
  if (!user?.certData) {
    throw inputError(`${file} does not have an embedded client certificate`, "kubeadm's certs commands read only client-certificate-data (see kubepki check for the kubelet's file references)");
  }
  return parseCertificate(decodeCertificates(user.certData.toString("utf8"), `${file}: client-certificate-data`)[0], file);
}

/** A CA is externally managed when its certificate is there and its key is not (kubeadm's UsingExternalCA). */
const external = (ca: CATarget | undefined) => ca !== undefined && existsSync(ca.certFile) && !existsSync(ca.keyFile);

export async function leafCertificate(leaf: LeafTarget): Promise<CertificateModel | undefined> {
  return leaf.kind === "certificate" ? firstCertificate(leaf.certFile) : kubeconfigClientCertificate(leaf.file);
}

export async function checkExpiration(targets: KubeadmTargets, now: Date): Promise<ExpirationInfo> {
  const entry = (name: string, cert: CertificateModel | undefined, externallyManaged: boolean, caName?: string): ExpirationEntry =>
    cert
      ? { name, expirationDate: cert.notAfter, residualSeconds: Math.trunc((cert.notAfter.getTime() - now.getTime()) / 1000), caName, externallyManaged, missing: false }
      : { name, residualSeconds: 0, externallyManaged: false, missing: true };
  const caOf = (name: string) => targets.cas.find((c) => c.name === name);
  const certificates = await Promise.all(targets.leaves.map(async (l) => entry(l.name, await leafCertificate(l), external(caOf(l.caName)), l.caName)));
  const certificateAuthorities = await Promise.all(targets.cas.map(async (ca) => entry(ca.name, await firstCertificate(ca.certFile), external(ca))));
  return { certificates, certificateAuthorities };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** Go's "Jan 02, 2006 15:04 MST" for a UTC time, as a certificate's NotAfter is. */
export function kubeadmDate(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())}, ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}

const yesNo = (b: boolean) => (b ? "yes" : "no");

/** kubeadm's certTextPrinter: two tables through tabwriter(minwidth 10, padding 3). */
export function renderExpirationText(info: ExpirationInfo): string {
  // Names come from the catalog, not from input; terminalSafe keeps that true if that ever changes.
  const name = (c: ExpirationEntry) => terminalSafe(c.name);
  const lines = ["CERTIFICATE\tEXPIRES\tRESIDUAL TIME\tCERTIFICATE AUTHORITY\tEXTERNALLY MANAGED"];
  for (const c of info.certificates) {
    lines.push(
      c.missing
        ? `!MISSING! ${name(c)}\t\t\t\t`
        : `${name(c)}\t${kubeadmDate(c.expirationDate!)}\t${shortHumanDuration(c.residualSeconds * 1000)}\t${c.caName ?? ""}\t${yesNo(c.externallyManaged).padEnd(8)}`,
    );
  }
  lines.push("", "CERTIFICATE AUTHORITY\tEXPIRES\tRESIDUAL TIME\tEXTERNALLY MANAGED");
  for (const c of info.certificateAuthorities) {
    lines.push(c.missing ? `!MISSING! ${name(c)}\t\t\t` : `${name(c)}\t${kubeadmDate(c.expirationDate!)}\t${shortHumanDuration(c.residualSeconds * 1000)}\t${yesNo(c.externallyManaged).padEnd(8)}`);
  }
  return goTabwriter(lines.join("\n") + "\n", 10, 3);
}

/** metav1.Time: RFC 3339 in UTC, whole seconds; the zero time (a missing one) is null. */
const metaTime = (d?: Date) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : null);

/** The JSON/YAML object kubeadm prints with -o json|yaml, fields in its Go struct order. */
export function expirationData(info: ExpirationInfo): Record<string, unknown> {
  const entry = (c: ExpirationEntry) => ({
    name: c.name,
    expirationDate: metaTime(c.expirationDate),
    residualTime: c.residualSeconds,
    externallyManaged: c.externallyManaged,
    ...(c.caName && !c.missing ? { caName: c.caName } : {}),
    missing: c.missing,
  });
  return {
    kind: "CertificateExpirationInfo",
    apiVersion: "output.kubeadm.k8s.io/v1alpha3",
    certificates: info.certificates.map(entry),
    certificateAuthorities: info.certificateAuthorities.map(entry),
  };
}
