import { shortHumanDuration } from "../cluster/duration.js";
import { keyLabel } from "../pki/keys.js";
import { table, type Style } from "../style.js";
import { terminalSafeDeep } from "../text.js";
import type { CertificateReport, EndpointReport, KeyReport, RequestReport } from "./report.js";

const DAY_S = 86_400;
const SOON_S = 30 * DAY_S;

/** "2027-11-28 18:19 UTC": minutes are enough to read; JSON has the exact time. */
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
const hexId = (h: string | null) => (h ? h.replace(/(..)(?!$)/g, "$1:") : "none");

function timeLeft(c: CertificateReport, s: Style): string {
  if (c.secondsLeft < 0) return s.red(`expired ${shortHumanDuration(-c.secondsLeft * 1000)} ago`);
  const text = `${shortHumanDuration(c.secondsLeft * 1000)} left`;
  return c.secondsLeft < SOON_S ? s.yellow(text) : text;
}

function looksLike(c: CertificateReport): string | undefined {
  const m = c.kubernetes.looksLike;
  if (m.length === 0) return undefined;
  return m.map((x) => `${x.profile} ${x.name}`).join(" or ");
}

/** Label / value rows, with continuation lines for long lists. */
function rows(pairs: [string, string | string[] | undefined][], indent: string): string {
  const out: string[][] = [];
  for (const [label, value] of pairs) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const values = Array.isArray(value) ? value : [value];
    values.forEach((v, i) => out.push([indent + (i === 0 ? label : ""), v]));
  }
  return table(out);
}

/** Splits a long comma list into lines of about `width` characters. */
function wrapList(items: string[], width = 72): string[] {
  const lines: string[] = [];
  let line = "";
  for (const item of items) {
    if (line && line.length + item.length + 2 > width) {
      lines.push(line + ",");
      line = item;
    } else line = line ? `${line}, ${item}` : item;
  }
  if (line) lines.push(line);
  return lines;
}

export function renderCertificate(raw: CertificateReport, s: Style): string {
  const c = terminalSafeDeep(raw); // subjects, SANs, file names and host:port came from input
  const kind = c.kind === "any" ? "no extended key usage (any use)" : c.kind;
  const like = looksLike(c);
  const sans = [
    ...(c.sans.dns.length ? wrapList(c.sans.dns.map((d) => `DNS:${d}`)) : []),
    ...(c.sans.ip.length ? wrapList(c.sans.ip.map((d) => `IP:${d}`)) : []),
    ...(c.sans.email.length ? wrapList(c.sans.email.map((d) => `email:${d}`)) : []),
    ...(c.sans.uri.length ? wrapList(c.sans.uri.map((d) => `URI:${d}`)) : []),
  ];
  const ca = c.isCA === null ? "no basicConstraints" : c.isCA ? `yes${c.pathLen !== null ? `, path length ${c.pathLen}` : ""}` : "no";
  const head = `${s.bold(c.source.label)}\n`;
  const main = rows(
    [
      ["Certificate", `${kind}${like ? `  (looks like ${like})` : ""}${c.selfSigned ? ", self-signed" : ""}`],
      ["Subject", c.subject.text || "(empty)"],
      ["Issuer", c.issuer.text || "(empty)"],
      ["Serial", c.serial],
      ["Validity", `${when(c.notBefore)} → ${when(c.notAfter)}  (${timeLeft(c, s)})`],
      ["Key", keyLabel(c.key)],
      ["Signature", c.signatureAlgorithm],
      ["SANs", sans.length ? sans : "none"],
      ["Key usage", c.keyUsage.join(", ") || "none"],
      ["Ext. key usage", c.extKeyUsage.join(", ") || "none"],
      ["CA", ca],
      ["Subject key ID", hexId(c.subjectKeyId)],
      ["Authority key ID", hexId(c.authorityKeyId)],
      ["SHA-256", c.fingerprintSHA256],
      ["Used as", c.usedAs ?? undefined],
    ],
    "  ",
  );
  const k = c.kubernetes;
  const kube: [string, string | string[] | undefined][] = [];
  for (const m of k.looksLike) {
    kube.push(["looks like", `${m.profile} ${m.name}: ${m.description}`]);
    if (m.usedBy.length) kube.push(["", wrapList(m.usedBy.map((u, i) => (i === 0 ? `read by ${u}` : u)))]);
    for (const d of m.differences) kube.push(["", s.yellow(`differs: ${d}`)]);
  }
  if (k.looksLike.length === 0 && c.kind !== "CA") kube.push(["looks like", "no kubeadm or hard-way catalog entry"]);
  if (k.user !== null) {
    kube.push(["user", k.user ? `"${k.user}"  (the API server takes the CN as the user name)` : "(none)"]);
    kube.push(["groups", `${k.groups && k.groups.length ? k.groups.map((g) => `"${g}"`).join(", ") : "(none)"} + "system:authenticated"  (from O)`]);
  }
  if (k.validFor) kube.push(["valid for", k.validFor.length ? wrapList(k.validFor) : "no name (no SANs)"]);
  if (k.missingNames && k.missingNames.length) kube.push(["lacks", wrapList(k.missingNames).map((l) => s.yellow(l))]);
  for (const n of k.notes) kube.push(["note", n]);
  let text = `${head}${main}\n  ${s.bold("Kubernetes")}\n${rows(kube, "    ")}\n`;
  if (c.warnings.length) {
    text += `  ${s.bold("Warnings")}\n`;
    for (const w of c.warnings) text += `    ${w.severity === "error" ? s.red(`✗ ${w.message}`) : s.yellow(`! ${w.message}`)}\n`;
  }
  return text;
}

export function renderRequest(raw: RequestReport, s: Style): string {
  const r = terminalSafeDeep(raw); // subjects, SANs, file names and host:port came from input
  const o = r.object;
  const sans = [...r.sans.dns.map((d) => `DNS:${d}`), ...r.sans.ip.map((d) => `IP:${d}`), ...r.sans.email.map((d) => `email:${d}`), ...r.sans.uri.map((d) => `URI:${d}`)];
  const pairs: [string, string | string[] | undefined][] = [
    ["Request", o ? `CertificateSigningRequest ${o.name}, ${o.state}` : "PKCS#10 certificate signing request"],
    ["Subject", r.subject.text || "(empty)"],
    ["Key", keyLabel(r.key)],
    ["Signature", `${r.signatureAlgorithm}, ${r.signatureValid ? "verifies" : s.red("does NOT verify")}`],
    ["SANs", sans.length ? wrapList(sans) : "none"],
    ["Key usage", r.keyUsage.join(", ") || undefined],
    ["Ext. key usage", r.extKeyUsage.join(", ") || undefined],
  ];
  if (o) {
    pairs.push(["Signer", o.signerName ?? "(none)"], ["Usages", o.usages.join(", ") || "(none)"]);
    if (o.expirationSeconds !== undefined) pairs.push(["Expiration", `${o.expirationSeconds}s (${shortHumanDuration(o.expirationSeconds * 1000)})`]);
    if (o.username) pairs.push(["Requested by", `${o.username}${o.groups.length ? ` (${o.groups.join(", ")})` : ""}`]);
    for (const c of o.conditions) pairs.push(["Condition", `${c.type}${c.reason ? ` ${c.reason}` : ""}${c.message ? `: ${c.message}` : ""}`]);
  }
  const kube: [string, string | string[] | undefined][] = [
    ["user", r.kubernetes.user ? `"${r.kubernetes.user}"  (once issued, the API server takes the CN as the user name)` : "(none)"],
    ["groups", `${r.kubernetes.groups.length ? r.kubernetes.groups.map((g) => `"${g}"`).join(", ") : "(none)"} + "system:authenticated"`],
    ...r.kubernetes.notes.map((n): [string, string] => ["note", n]),
  ];
  return `${s.bold(r.source.label)}\n${rows(pairs, "  ")}\n  ${s.bold("Kubernetes")}\n${rows(kube, "    ")}\n`;
}

export function renderKey(raw: KeyReport, s: Style): string {
  const k = terminalSafeDeep(raw); // subjects, SANs, file names and host:port came from input
  const what = k.form === "encrypted" ? "encrypted private key (not opened)" : `${k.form} key, ${k.key ? keyLabel(k.key) : "unknown type"}  (key material not shown)`;
  const matches = k.form === "encrypted" ? undefined : k.matches.length ? k.matches : s.yellow("no certificate or key found with this key's public half (among the inputs and beside the file)");
  return `${s.bold(k.source.label)}\n${rows([["Key", what], ["Matches", matches]], "  ")}\n`;
}

export function renderEndpoint(raw: EndpointReport, s: Style): string {
  const e = terminalSafeDeep(raw); // subjects, SANs, file names and host:port came from input
  const verified = e.verified ? s.green(`yes, against ${e.trust}`) : s.red(`NO against ${e.trust}: ${e.verifyError}`);
  const name = e.nameValid ? s.green(`yes, valid for ${e.checkedName}`) : s.red(`NO: ${e.nameError}`);
  const client: Record<EndpointReport["clientCertificate"], string> = {
    none: "none offered, none required",
    offered: s.green("offered and accepted"),
    "required-missing": s.red(`the server requires one (${e.clientCertificateError}); pass --cert and --key`),
    rejected: s.red(`offered and rejected (${e.clientCertificateError})`),
  };
  return `${s.bold(e.source.label)}\n${rows(
    [
      ["Endpoint", `${e.host}:${e.port}${e.serverName ? `, SNI ${e.serverName}` : ", no SNI"}${e.protocol ? `, ${e.protocol}` : ""}${e.cipher ? ` ${e.cipher}` : ""}`],
      ["Chain sent", `${e.chainLength} certificate${e.chainLength === 1 ? "" : "s"} (shown above)`],
      ["Verified", verified],
      ["Name", name],
      ["Client cert", client[e.clientCertificate]],
    ],
    "  ",
  )}\n`;
}

/** `--short`: one line per item. */
export function shortRow(raw: CertificateReport | RequestReport | KeyReport | EndpointReport, type: string, s: Style): string[] {
  const item = terminalSafeDeep(raw);
  if (type === "certificate") {
    const c = item as CertificateReport;
    const warn = c.warnings.filter((w) => w.code !== "expired" && w.code !== "expires-soon").map((w) => w.code);
    return [c.source.label, c.kind, c.subject.text, `until ${when(c.notAfter)}`, timeLeft(c, s), looksLike(c) ?? "-", warn.length ? s.yellow(warn.join(",")) : ""];
  }
  if (type === "request") {
    const r = item as RequestReport;
    return [r.source.label, "request", r.subject.text, r.object ? r.object.state : "", "", r.object?.signerName ?? "", ""];
  }
  if (type === "key") {
    const k = item as KeyReport;
    return [k.source.label, `${k.form} key`, k.key ? keyLabel(k.key) : "", "", "", k.matches.length ? `matches ${k.matches[0]}` : k.form === "encrypted" ? "" : "no match", ""];
  }
  const e = item as EndpointReport;
  return [e.source.label, "endpoint", e.verified ? "verified" : s.red(`not verified: ${e.verifyError}`), "", "", e.nameValid ? `valid for ${e.checkedName}` : s.red(`not valid for ${e.checkedName}`), `client cert: ${e.clientCertificate}`];
}
