import { terminalSafeDeep } from "../text.js";
import type { CertificateRow, CheckResult } from "../check/index.js";
import { overallStatus } from "./check-data.js";

/**
 * One self-contained HTML page (no scripts, no external files, so it can be
 * mailed or archived): the CA → leaf tree, an expiry timeline, the findings
 * and the full table.
 */

const esc = (s: string | number | undefined | null) =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const day = (iso?: string) => (iso ? iso.slice(0, 10) : "—");

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#1b1f24}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
.facts{color:#555}.badge{display:inline-block;padding:0 .5em;border-radius:3px;font-weight:600;font-size:.85em}
.OK{background:#d8f5d8;color:#145214}.WARN,.warning{background:#fff0c2;color:#6b4e00}.FAIL,.error{background:#fbd5d5;color:#8a1111}.info{background:#e3ecf7;color:#234}
ul.tree,ul.tree ul{list-style:none;padding-left:1.4em;margin:.2em 0}ul.tree li{margin:.25em 0}
ul.tree li.ca>.name{font-weight:600}.muted{color:#777}code{font-size:.92em}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border-bottom:1px solid #eee;padding:.3em .4em;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.fix code{white-space:pre-wrap;word-break:break-all}
svg text{font:11px system-ui,sans-serif}`;

function badge(status: string): string {
  return `<span class="badge ${esc(status)}">${esc(status)}</span>`;
}

function treeItem(r: CertificateRow, children: string): string {
  const what = r.missing ? "missing" : `CN=${esc(r.commonName ?? "")}${r.organization.length ? `, O=${esc(r.organization.join(","))}` : ""}, expires ${day(r.notAfter)} (${esc(r.residual)})`;
  return `<li class="${r.role === "CA" ? "ca" : "leaf"}" data-certificate="${esc(r.id)}">${badge(r.status)} <span class="name">${esc(r.id)}</span> <span class="muted">${esc(r.role)} · ${esc(r.component)} · ${what}</span>${children}</li>`;
}

function tree(result: CheckResult): string {
  const rows = result.certificates;
  const cas = rows.filter((r) => r.role === "CA");
  const caIds = new Set(cas.map((r) => r.id));
  const under = (ca: string) => rows.filter((r) => r.role !== "CA" && r.issuer === ca);
  const orphans = rows.filter((r) => r.role !== "CA" && !caIds.has(r.issuer ?? ""));
  const items = cas.map((ca) => {
    const leaves = under(ca.id);
    return treeItem(ca, leaves.length ? `<ul>${leaves.map((l) => treeItem(l, "")).join("")}</ul>` : "");
  });
  if (orphans.length) {
    items.push(`<li class="orphans"><span class="name">not signed by a CA on this node</span><ul>${orphans.map((l) => treeItem(l, ` <span class="muted">issuer: ${esc(l.issuer ?? "unknown")}</span>`)).join("")}</ul></li>`);
  }
  return `<ul class="tree" id="ca-tree">${items.join("")}</ul>`;
}

/** Bars from notBefore to notAfter on one time axis, with a line at the check's "now". */
function timeline(result: CheckResult): string {
  const rows = result.certificates.filter((r) => r.notBefore && r.notAfter);
  if (!rows.length) return `<p class="muted">No readable certificate.</p>`;
  const now = result.now.getTime();
  const t = (iso: string) => Date.parse(iso);
  const min = Math.min(now, ...rows.map((r) => t(r.notBefore!)));
  const max = Math.max(now, ...rows.map((r) => t(r.notAfter!)));
  const label = 190, width = 900, bar = 16, gap = 6, top = 24;
  const x = (ms: number) => label + ((ms - min) / (max - min || 1)) * (width - label - 10);
  const colour = { OK: "#3a9d3a", WARN: "#d9a400", FAIL: "#c62828" } as const;
  const height = top + rows.length * (bar + gap) + 10;
  const parts = rows.map((r, i) => {
    const y = top + i * (bar + gap);
    const x1 = x(t(r.notBefore!)), x2 = x(t(r.notAfter!));
    return `<g data-certificate="${esc(r.id)}"><text x="0" y="${y + 12}">${esc(r.id)}</text>` +
      `<rect x="${x1.toFixed(1)}" y="${y}" width="${Math.max(2, x2 - x1).toFixed(1)}" height="${bar}" fill="${colour[r.status]}"><title>${esc(r.id)}: ${day(r.notBefore)} → ${day(r.notAfter)} (${esc(r.residual)})</title></rect>` +
      `<text x="${Math.min(x2 + 4, width - 70).toFixed(1)}" y="${y + 12}">${day(r.notAfter)}</text></g>`;
  });
  const nx = x(now).toFixed(1);
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="expiry timeline">` +
    `<text x="${label}" y="12">${day(new Date(min).toISOString())}</text><text x="${width - 80}" y="12">${day(new Date(max).toISOString())}</text>` +
    parts.join("") +
    `<line x1="${nx}" x2="${nx}" y1="16" y2="${height}" stroke="#1565c0" stroke-dasharray="4 3"/><text x="${nx}" y="${height - 1}" fill="#1565c0">now</text></svg>`;
}

function findings(result: CheckResult): string {
  if (!result.findings.length) return `<p id="no-findings">No findings: every certificate passed every rule.</p>`;
  const rows = result.findings.map((f) =>
    `<tr class="finding" data-rule="${esc(f.id)}"><td>${badge(f.severity)}</td><td><code>${esc(f.id)}</code></td><td><code>${esc(f.file)}</code></td><td>${esc(f.message)}</td><td class="fix">${esc(f.fix)}${f.commands.map((c) => `<br><code>${esc(c)}</code>`).join("")}</td></tr>`);
  return `<table id="findings-table"><thead><tr><th>severity</th><th>rule</th><th>file</th><th>what is wrong</th><th>fix</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function certTable(result: CheckResult): string {
  const rows = result.certificates.map((r) =>
    `<tr data-certificate="${esc(r.id)}"><td>${esc(r.component)}</td><td>${esc(r.role)}</td><td>${esc(r.id)}</td><td><code>${esc(r.file)}</code>${r.kubeconfigUser ? ` (${esc(r.kubeconfigUser)})` : ""}</td><td>${r.missing ? "!MISSING!" : esc(r.commonName)}</td><td>${esc(r.organization.join(", "))}</td><td>${esc(r.sans.join(", "))}</td><td>${esc(r.issuer)}</td><td>${day(r.notAfter)}</td><td>${esc(r.residual)}</td><td>${badge(r.status)}</td></tr>`);
  return `<table id="certificates-table"><thead><tr><th>component</th><th>role</th><th>certificate</th><th>file</th><th>CN</th><th>O</th><th>SANs</th><th>issuer</th><th>expires</th><th>residual</th><th>status</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

export function renderCheckHTML(raw: CheckResult): string {
  // Names and paths read from the node: control characters shown as escapes, as in the text report (issue 11).
  const result = terminalSafeDeep(raw);
  const status = overallStatus(result);
  const f = result.facts;
  const { error, warning, info } = result.summary;
  const title = `kubepki check: ${f.nodeName ?? result.root}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head><body>
<h1>${esc(title)} ${badge(status)}</h1>
<p class="facts" id="summary">${error} error(s), ${warning} warning(s), ${info} info · ${result.certificates.length} certificates · profile ${esc(result.profile)} · node ${esc(f.nodeName ?? "unknown")}${f.advertiseAddress ? ` (${esc(f.advertiseAddress)})` : ""}${f.controlPlaneEndpoint ? ` · endpoint ${esc(f.controlPlaneEndpoint)}` : ""} · pki <code>${esc(result.pkiDir)}</code> · checked at ${esc(result.now.toISOString())}</p>
<h2>CA → leaf tree</h2>
${tree(result)}
<h2>Expiry timeline</h2>
${timeline(result)}
<h2>Findings</h2>
${findings(result)}
<h2>Certificates</h2>
${certTable(result)}
</body></html>
`;
}
