import { relative } from "node:path";
import type { CheckResult, CertificateRow } from "../check/index.js";
import type { Style } from "../style.js";
import { table } from "../style.js";
import { overallStatus } from "./check-data.js";
import { terminalSafeDeep } from "../text.js";

/** Paths relative to the pki or kubeconfig folder: the header says where those are. */
function shortFile(r: CertificateRow, result: CheckResult, withUser = true): string {
  const under = (dir: string, f: string) => (f.startsWith(`${dir}/`) ? relative(dir, f) : f);
  if (r.kubeconfigUser !== undefined || r.file.endsWith(".conf")) {
    const file = under(result.kubeconfigDir, r.file);
    return r.kubeconfigUser && withUser ? `${file} (${r.kubeconfigUser})` : file;
  }
  const file = under(result.pkiDir, r.file);
  // Elsewhere under --root: the path as the node sees it (/var/lib/kubelet/pki/kubelet.crt).
  return result.root !== "/" && file.startsWith(`${result.root}/`) ? `/${relative(result.root, file)}` : file;
}

/** Who the certificate says it is: CN, and O when it has one. */
const identity = (r: CertificateRow) => (r.missing ? "!MISSING!" : `${r.commonName ?? ""}${r.organization.length ? ` (${r.organization.join(",")})` : ""}`);

/** The first SANs and a count: the full list is in -o json and --html. */
const sansCell = (sans: string[]) => (sans.length > 4 ? `${sans.slice(0, 4).join(",")},+${sans.length - 4}` : sans.join(",") || "-");

const dateOf = (iso?: string) => (iso ? iso.slice(0, 16).replace("T", " ") : "");

/**
 * The report as text. The table fits 120 columns (file, identity, expiry,
 * status); `wide` adds component, role, row id, SANs and issuer, like kubectl's
 * `-o wide`.
 */
export function renderCheckText(raw: CheckResult, style: Style, wide = false): string {
  const result = terminalSafeDeep(raw); // names, SANs and paths read from the node, escaped once (issue 11)
  const f = result.facts;
  const paint = (status: string) => (status === "FAIL" ? style.red(status) : status === "WARN" ? style.yellow(status) : style.green(status));
  const node = [f.nodeName ?? "(name unknown)", f.advertiseAddress, f.controlPlaneEndpoint && `endpoint ${f.controlPlaneEndpoint}`].filter(Boolean).join(", ");
  const role = result.role;
  const facts = Object.entries(f.from).map(([fact, source]) => `${fact} from ${source}`);
  const lines = [
    `kubepki check: ${role.setup} ${role.kind} node ${node}; pki ${result.pkiDir}, kubeconfigs ${result.kubeconfigDir}; at ${result.now.toISOString().replace(/\.\d+Z$/, "Z")}`,
    `why ${role.kind}: ${role.evidence.join("; ")}`,
    ...(facts.length ? [`facts: ${facts.join("; ")}`] : []),
    "",
  ];
  const rows = wide
    ? [["COMPONENT", "ROLE", "CERTIFICATE", "FILE", "CN", "O", "SANS", "ISSUER", "EXPIRES", "RESIDUAL", "STATUS"]]
    : [["FILE", "IDENTITY", "EXPIRES", "STATUS"]];
  for (const r of result.certificates) {
    rows.push(wide ? [
      r.component, r.role, r.id, shortFile(r, result),
      r.missing ? "!MISSING!" : r.commonName ?? "", r.organization.join(",") || "-", sansCell(r.sans),
      r.issuer ?? "", dateOf(r.notAfter), r.residual ?? "", paint(r.status),
    ] : [shortFile(r, result, false), identity(r), r.notAfter ? `${r.notAfter.slice(0, 10)} (${r.residual})` : "", paint(r.status)]);
  }
  lines.push(table(rows, "  "));
  const { error, warning, info } = result.summary;
  if (result.findings.length) {
    lines.push("", style.bold(`Findings: ${error} error(s), ${warning} warning(s), ${info} info`));
    for (const x of result.findings) {
      const sev = x.severity === "error" ? style.red("ERROR") : x.severity === "warning" ? style.yellow("WARN ") : style.dim("INFO ");
      lines.push("", `${sev}  ${x.id}  ${x.file}`, `       ${x.message}`, `       ${style.dim("fix:")} ${x.fix}`);
      // Commands are printed exactly as they must be pasted: their paths are already shell-quoted.
      for (const command of x.commands) lines.push(`       ${style.dim("$")} ${command}`);
    }
  }
  const status = overallStatus(result);
  lines.push("", `${paint(status)}: ${result.certificates.length} certificates checked, ${error} error(s), ${warning} warning(s).`);
  return lines.join("\n");
}
