import type { Style } from "../style.js";
import type { Entry, ExplainResult, FileMatch } from "../explain/index.js";
import { terminalSafeDeep } from "../text.js";

const INDENT = "   ";

/** Labelled lines: the first after the label, the rest aligned under it. */
function field(label: string, values: string[], style: Style): string[] {
  const pad = " ".repeat(8);
  return values.map((v, i) => `${INDENT}${i === 0 ? style.dim(label.padEnd(8)) : pad}${v}`);
}

function fileLines(f: FileMatch, style: Style): string[] {
  const what = f.as === "issuer" ? "the issuing CA" : f.as === "trust" ? "trusted CA data" : "";
  const head = `${f.file} ${style.dim(`(${f.id}${what ? `, ${what}` : ""})`)}${f.byLinkOnly ? style.dim(" — by link only") : ""}`;
  const out = [head, ...f.reasons.map((r) => style.dim(`  · ${r}`))];
  for (const finding of f.findings) {
    const sev = finding.severity === "error" ? style.red("error") : finding.severity === "warning" ? style.yellow("warning") : style.dim("info");
    out.push(`  ${sev} ${finding.id}: ${finding.message}`);
    out.push(style.dim(`    fix: ${finding.fix}`));
  }
  if (f.findings.length === 0) out.push(style.green("  check: no findings for this file"));
  return out;
}

function entryText(e: Entry, n: number, style: Style): string {
  const times = e.count > 1 ? ` ×${e.count} (lines ${e.firstLine}–${e.lastLine})` : e.firstLine > 1 ? ` (line ${e.firstLine})` : "";
  const lines = [`${style.bold(`${n}. ${e.title}`)} ${style.dim(`[${e.id}${e.ref ? `, ${e.ref}` : ""}]`)}${times}`, `${INDENT}${e.core}`];
  const via = [...e.layers, ...(e.logger ? [`logged by ${e.logger}`] : [])];
  if (via.length) lines.push(...field("via", [via.join(" › ")], style));
  if (e.link) lines.push(...field("link", [`${e.link.label}${e.target ? ` (${e.target})` : e.peer ? ` (client ${e.peer})` : ""}`], style));
  lines.push(...field("fault", [e.fault.summary], style));
  if (e.hint) lines.push(...field("here", [style.bold(e.hint)], style));
  lines.push(...field("means", [e.meaning], style));
  lines.push(...field("causes", e.causes.map((c, i) => `${i + 1}. ${c}`), style));
  lines.push(...field("check", e.checks, style));
  lines.push(...field("fix", e.fix, style));
  if (e.unmatched) lines.push(...field("files", [style.yellow(e.unmatched)], style));
  if (e.files?.length) lines.push(...field(e.unmatched ? "" : "files", e.files.flatMap((f) => fileLines(f, style)), style));
  else if (e.files && !e.unmatched) lines.push(...field("files", [style.dim("no local certificate is on this link")], style));
  return lines.join("\n");
}

/** The human report: one block per distinct problem, then a count line. */
export function renderExplainText(raw: ExplainResult, style: Style): string {
  // Log lines are anyone's text: an OSC 52 (clipboard write) or a cursor move in one is shown, not obeyed.
  const result = terminalSafeDeep(raw);
  const blocks = result.entries.map((e, i) => entryText(e, i + 1, style));
  const problems = result.entries.length;
  const summary = problems
    ? `${problems} problem${problems === 1 ? "" : "s"} in ${result.recognised} of ${result.lines} line${result.lines === 1 ? "" : "s"}`
    : `no certificate error recognised in ${result.lines} line${result.lines === 1 ? "" : "s"}`;
  return [...blocks, style.dim(summary)].join("\n\n");
}
