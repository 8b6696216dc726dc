import type { CheckResult } from "../check/index.js";
import { SEVERITIES } from "../check/findings.js";

/** Label values in the text exposition format escape backslash, quote and newline. */
const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string | undefined>) =>
  `{${Object.entries(l).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}="${esc(v!)}"`).join(",")}}`;

/**
 * The Prometheus text exposition format, for node_exporter's textfile
 * collector: expiry per certificate (alert on `- time() < 30*86400`),
 * status per certificate, and finding counts by severity and rule.
 */
export function renderCheckPrometheus(result: CheckResult): string {
  const out: string[] = [];
  const metric = (name: string, help: string, samples: [Record<string, string | undefined>, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [l, v] of samples) out.push(`${name}${Object.keys(l).length ? labels(l) : ""} ${v}`);
  };
  const certLabels = (r: CheckResult["certificates"][number]) => ({ certificate: r.id, component: r.component, role: r.role, file: r.certFile, cn: r.commonName ?? "", issuer: r.issuer ?? "" });
  const present = result.certificates.filter((r) => r.notAfter);
  metric("kubepki_certificate_expiry_timestamp_seconds", "When the certificate expires (notAfter), in seconds since the epoch.",
    present.map((r) => [certLabels(r), Math.floor(Date.parse(r.notAfter!) / 1000)]));
  metric("kubepki_certificate_not_before_timestamp_seconds", "When the certificate becomes valid (notBefore), in seconds since the epoch.",
    present.map((r) => [certLabels(r), Math.floor(Date.parse(r.notBefore!) / 1000)]));
  metric("kubepki_certificate_ok", "1 when the certificate has no error and no warning, 0 otherwise (including missing).",
    result.certificates.map((r) => [{ certificate: r.id, component: r.component, role: r.role, file: r.certFile, status: r.status }, r.status === "OK" ? 1 : 0]));
  metric("kubepki_check_findings", "Findings of the last check, by severity.",
    SEVERITIES.map((s) => [{ severity: s }, result.summary[s]]));
  const byRule = new Map<string, number>();
  for (const f of result.findings) byRule.set(`${f.id}\0${f.severity}`, (byRule.get(`${f.id}\0${f.severity}`) ?? 0) + 1);
  metric("kubepki_check_rule_findings", "Findings of the last check, by rule id and severity (only rules that fired).",
    [...byRule].map(([k, n]) => {
      const [rule, severity] = k.split("\0");
      return [{ rule, severity }, n];
    }));
  metric("kubepki_check_timestamp_seconds", "When the check ran (its clock, --now if given).", [[{}, Math.floor(result.now.getTime() / 1000)]]);
  return out.join("\n") + "\n";
}
