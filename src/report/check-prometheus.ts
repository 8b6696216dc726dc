import type { CheckResult } from "../check/index.js";
import { SEVERITIES } from "../check/findings.js";

export type Labels = Record<string, string | undefined>;

/** Label values in the text exposition format escape backslash, quote and newline. */
const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
// An undefined or empty value is no label at all, as Prometheus itself reads it.
const labelText = (l: Labels) => {
  const pairs = Object.entries(l).filter(([, v]) => v !== undefined && v !== "");
  return pairs.length ? `{${pairs.map(([k, v]) => `${k}="${esc(v!)}"`).join(",")}}` : "";
};

/**
 * Builds one text exposition: a HELP and TYPE line per metric, then its
 * samples. `common` labels (cluster, node) are added to every sample, so a
 * fleet's series stay apart wherever they are scraped from.
 */
export class Exposition {
  private readonly lines: string[] = [];
  constructor(private readonly common: Labels = {}) {}

  gauge(name: string, help: string, samples: [Labels, number][]): this {
    return this.metric(name, "gauge", help, samples);
  }

  counter(name: string, help: string, samples: [Labels, number][]): this {
    return this.metric(name, "counter", help, samples);
  }

  text(): string {
    return this.lines.join("\n") + "\n";
  }

  private metric(name: string, type: "gauge" | "counter", help: string, samples: [Labels, number][]): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) this.lines.push(`${name}${labelText({ ...l, ...this.common })} ${v}`);
    return this;
  }
}

/**
 * The metrics of one check, shared by `check --prometheus` (node_exporter's
 * textfile collector) and `serve` (/metrics): expiry per certificate (alert
 * on `- time() < 30*86400`), status per certificate, and finding counts by
 * severity, by rule, and by rule and file.
 */
export function renderCheckPrometheus(result: CheckResult): string {
  const out = new Exposition();
  appendCheckMetrics(out, result);
  return out.text();
}

/**
 * The check's metrics, appended to an exposition that may carry more (serve
 * adds its own). `fileLabel` spells the file label (serve: the path on the
 * node, without --root).
 */
export function appendCheckMetrics(out: Exposition, result: CheckResult, options: { fileLabel?: (path: string) => string } = {}): void {
  const { fileLabel = (p: string) => p } = options;
  const certLabels = (r: CheckResult["certificates"][number]) => ({ certificate: r.id, component: r.component, role: r.role, file: fileLabel(r.certFile), cn: r.commonName ?? "", issuer: r.issuer ?? "" });
  const present = result.certificates.filter((r) => r.notAfter);
  out.gauge("kubepki_certificate_expiry_timestamp_seconds", "When the certificate expires (notAfter), in seconds since the epoch.",
    present.map((r) => [certLabels(r), Math.floor(Date.parse(r.notAfter!) / 1000)]));
  out.gauge("kubepki_certificate_not_before_timestamp_seconds", "When the certificate becomes valid (notBefore), in seconds since the epoch.",
    present.map((r) => [certLabels(r), Math.floor(Date.parse(r.notBefore!) / 1000)]));
  out.gauge("kubepki_certificate_ok", "1 when the certificate has no error and no warning, 0 otherwise (including missing).",
    result.certificates.map((r) => [{ certificate: r.id, component: r.component, role: r.role, file: fileLabel(r.certFile), status: r.status }, r.status === "OK" ? 1 : 0]));
  out.gauge("kubepki_check_findings", "Findings of the last check, by severity.",
    SEVERITIES.map((s) => [{ severity: s }, result.summary[s]]));
  out.gauge("kubepki_check_rule_findings", "Findings of the last check, by rule id and severity (only rules that fired).",
    countBy(result.findings, (f) => [f.id, f.severity]).map(([[rule, severity], n]) => [{ rule, severity }, n]));
  // Each finding names one file: this is where an alert finds what to fix. Bounded by rules × the node's files.
  out.gauge("kubepki_check_file_findings", "Findings of the last check, by rule id, severity and the file they are about (only rules that fired).",
    countBy(result.findings, (f) => [f.id, f.severity, f.file, f.certificate ?? ""]).map(([[rule, severity, file, certificate], n]) => [{ rule, severity, certificate, file: fileLabel(file) }, n]));
  out.gauge("kubepki_check_timestamp_seconds", "When the check ran (its clock, --now if given).", [[{}, Math.floor(result.now.getTime() / 1000)]]);
  const rotations = result.rotations ?? [];
  if (rotations.length) {
    out.gauge("kubepki_rotation_phase", "The phase number of each CA rotation under way: 1 begun (old and new trusted), 2 reissued (present only while a rotation is under way).",
      rotations.map((r) => [{ ca: r.ca, phase: r.phase }, r.phaseNumber]));
  }
}

/** Counts items by a key of several strings, in first-seen order. */
function countBy<T>(items: T[], key: (item: T) => string[]): [string[], number][] {
  const counts = new Map<string, [string[], number]>();
  for (const item of items) {
    const k = key(item);
    const id = k.join("\0");
    const entry = counts.get(id);
    if (entry) entry[1]++;
    else counts.set(id, [k, 1]);
  }
  return [...counts.values()];
}
