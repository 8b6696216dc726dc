import type { Entry, ExplainResult } from "../explain/index.js";

/** The documented `-o json|yaml` shape of explain (docs/explain.md). Never contains key material. */
export function explainReportData(result: ExplainResult, root?: string) {
  return {
    kind: "Explanation",
    apiVersion: "kubepki.io/v1alpha1",
    root: root ?? null,
    lines: result.lines,
    recognised: result.recognised,
    entries: result.entries.map(entryData),
  };
}

function entryData(e: Entry) {
  return {
    id: e.id,
    ref: e.ref ?? null,
    title: e.title,
    confidence: e.confidence,
    count: e.count,
    firstLine: e.firstLine,
    lastLine: e.lastLine,
    sample: e.sample,
    core: e.core,
    layers: e.layers,
    logger: e.logger ?? null,
    link: e.link ? { id: e.link.id, client: e.link.client, server: e.link.server, label: e.link.label } : null,
    target: e.target ?? null,
    peer: e.peer ?? null,
    fault: e.fault,
    hint: e.hint ?? null,
    meaning: e.meaning,
    causes: e.causes,
    checks: e.checks,
    fix: e.fix,
    also: e.also.map((a) => ({ id: a.id, ref: a.ref ?? null, title: a.title })),
    quoted: e.quoted,
    files: e.files ?? null,
    unmatched: e.unmatched ?? null,
  };
}
