import type { PlannedCertificate } from "../catalog/index.js";
import type { CertificateModel } from "../pki/model.js";

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
const list = (xs: string[]) => (xs.length ? xs.join(", ") : "none");

/**
 * How an existing certificate differs from its plan, one sentence per
 * difference; empty when it can be kept. Like kubeadm, extra SANs are fine,
 * missing ones are not, and a CA is judged only as a CA: an organisation's own
 * CA may have any name.
 */
export function differencesFromPlan(cert: CertificateModel, plan: PlannedCertificate, now: Date): string[] {
  const out: string[] = [];
  if (!plan.isCA && cert.subject.commonName !== plan.subject.commonName) {
    out.push(`CN is "${cert.subject.commonName ?? ""}", expected "${plan.subject.commonName}"`);
  }
  const wantO = plan.subject.organization ?? [];
  if (!plan.isCA && !sameSet(cert.subject.organization, wantO)) out.push(`O is ${list(cert.subject.organization)}, expected ${list(wantO)}`);
  if (Boolean(cert.isCA) !== plan.isCA) out.push(plan.isCA ? "is not a CA (no CA:TRUE)" : "is a CA but should be a leaf");
  if (plan.isCA && !cert.keyUsage.includes("keyCertSign")) out.push("lacks the keyCertSign key usage");
  if (!plan.isCA && !sameSet(cert.extKeyUsage, plan.extKeyUsage)) {
    out.push(`extended key usage is ${list(cert.extKeyUsage)}, expected ${list(plan.extKeyUsage)}`);
  }
  const missing = [
    ...plan.altNames.dnsNames.filter((d) => !cert.dnsNames.includes(d)).map((d) => `DNS:${d}`),
    ...plan.altNames.ipAddresses.filter((ip) => !cert.ipAddresses.includes(ip)).map((ip) => `IP:${ip}`),
  ];
  if (!plan.isCA && missing.length) out.push(`SANs lack ${missing.join(", ")}`);
  if (cert.notAfter <= now) out.push(`expired on ${cert.notAfter.toISOString()}`);
  else if (cert.notBefore > now) out.push(`not valid before ${cert.notBefore.toISOString()}`);
  return out;
}
