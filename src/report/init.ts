import { join, relative } from "node:path";
import { controlPlaneURL } from "../cluster/description.js";
import { formatGoDuration, shortHumanDuration } from "../cluster/duration.js";
import type { ItemOutcome, InitResult } from "../issue/init.js";
import type { KubeconfigOutcome } from "../issue/kubeconfigs.js";
import type { Style } from "../style.js";
import { table } from "../style.js";
import { shellCommand, terminalSafe, terminalSafeDeep } from "../text.js";
import { restartLines } from "./restarts.js";

const PAST: Record<ItemOutcome["action"], string> = {
  create: "created", keep: "kept", copy: "copied", replace: "replaced", conflict: "CONFLICT", blocked: "BLOCKED", external: "external",
};

/** The documented `-o json|yaml` shape of init (docs/init.md). Never contains key material. */
export function initReportData(result: InitResult, outDir: string) {
  const { cluster } = result;
  return {
    kind: "InitResult",
    apiVersion: "kubepki.io/v1alpha1",
    dryRun: result.dryRun,
    outDir,
    profile: cluster.profile,
    cluster: {
      name: cluster.clusterName,
      controlPlaneURL: controlPlaneURL(cluster),
      controlPlane: cluster.controlPlane,
      workers: cluster.workers,
      serviceSubnet: cluster.serviceSubnet,
      dnsDomain: cluster.dnsDomain,
      encryptionAlgorithm: cluster.encryptionAlgorithm,
      certificateValidityPeriod: formatGoDuration(cluster.certValidityMs),
      caCertificateValidityPeriod: formatGoDuration(cluster.caValidityMs),
    },
    backupDir: result.backupDir ?? null,
    recovered: result.recovered ?? null,
    restarts: result.restarts,
    items: result.outcomes.map((o) => {
      const { item, certificate: c } = o;
      const base = { id: item.id, name: item.spec.name, kind: item.kind, action: o.action, reasons: o.reasons, paths: item.paths, files: o.files.map((f) => relative(result.outDir, f)) };
      if (item.kind === "keypair") return base;
      return {
        ...base,
        isCA: item.isCA,
        ca: item.caId ?? null,
        node: item.node?.name ?? null,
        subject: { commonName: item.subject.commonName, organization: item.subject.organization ?? [] },
        dnsNames: item.altNames.dnsNames,
        ipAddresses: item.altNames.ipAddresses,
        keyUsage: item.keyUsage,
        extKeyUsage: item.extKeyUsage,
        serial: c?.serial ?? null,
        notBefore: (c?.notBefore ?? o.notBefore)?.toISOString() ?? null,
        notAfter: (c?.notAfter ?? o.notAfter)?.toISOString() ?? null,
        consumers: item.spec.consumers,
      };
    }),
    kubeconfigs: result.kubeconfigs.map((o) => kubeconfigData(o, result.outDir)),
  };
}

/** One kubeconfig in init's JSON/YAML (docs/init.md): names, server, client identity; never the key. */
function kubeconfigData(o: KubeconfigOutcome, outDir: string) {
  const { item, certificate: c } = o;
  return {
    id: item.id, name: item.spec.name, action: o.action, reasons: o.reasons,
    path: item.path, files: o.action === "keep" || o.action === "conflict" || o.action === "blocked" ? [] : [relative(outDir, o.file)],
    node: item.node.name, cluster: item.clusterName, context: item.contextName, user: item.userName, server: item.server, ca: item.caId,
    subject: { commonName: item.subject.commonName, organization: item.subject.organization ?? [] },
    embeds: item.certificateId ?? null,
    serial: c?.serial ?? null,
    notBefore: (c?.notBefore ?? o.notBefore)?.toISOString() ?? null,
    notAfter: (c?.notAfter ?? o.notAfter)?.toISOString() ?? null,
    consumers: item.spec.consumers,
  };
}

const kubeconfigSubject = (o: KubeconfigOutcome) => [...(o.item.subject.organization ?? []).map((x) => `O=${x}`), `CN=${o.item.subject.commonName}`].join(", ");

const day = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : "");
const subjectText = (o: ItemOutcome) =>
  o.item.kind === "keypair" ? o.item.spec.longName : [...(o.item.subject.organization ?? []).map((x) => `O=${x}`), `CN=${o.item.subject.commonName}`].join(", ");

function fileLabel(o: ItemOutcome): string {
  const extra = o.item.paths.length > 1 ? ` (+${o.item.paths.length - 1} copies)` : "";
  return `${o.item.paths[0]}${o.item.kind === "keypair" ? "{.key,.pub}" : ".crt"}${extra}`;
}

function actionLabel(o: { action: ItemOutcome["action"] }, style: Style): string {
  const label = PAST[o.action];
  if (o.action === "conflict" || o.action === "blocked") return style.red(label);
  if (o.action === "replace") return style.yellow(label);
  if (o.action === "create") return style.green(label);
  return label;
}

/** The human summary after issuing: a table, the serving certificates' SANs, problems, what to do next. */
export function renderInitText(raw: InitResult, rawOutDir: string, seconds: number, style: Style): string {
  // Node names, SANs and paths come from flags and config files: escaped once, before colours are added.
  const result = terminalSafeDeep(raw);
  const outDir = terminalSafe(rawOutDir);
  const { cluster, outcomes } = result;
  const now = Date.now();
  const header = `kubepki init: profile ${cluster.profile}, cluster "${cluster.clusterName}", ${cluster.controlPlane.length} control-plane node(s) ` +
    `[${cluster.controlPlane.map((n) => `${n.name} ${n.address}`).join(", ")}], ${cluster.encryptionAlgorithm} keys, into ${outDir}`;
  const rows = [["ACTION", "FILE", "SUBJECT", "ISSUER", "EXPIRES"]];
  for (const o of outcomes) {
    const c = o.certificate;
    const issuer = o.item.kind === "keypair" ? "" : o.item.isCA ? "self-signed" : o.item.caId!;
    const expires = c ? `${day(c.notAfter)} (${shortHumanDuration(c.notAfter.getTime() - now)})` : "";
    rows.push([actionLabel(o, style), fileLabel(o), subjectText(o), issuer, expires]);
  }
  for (const o of result.kubeconfigs) {
    const c = o.certificate;
    const expires = c ? `${day(c.notAfter)} (${shortHumanDuration(c.notAfter.getTime() - now)})` : "";
    rows.push([actionLabel(o, style), o.item.path, kubeconfigSubject(o), o.item.caId, expires]);
  }
  const lines = [header, "", table(rows)];
  if (result.recovered) {
    const how = result.recovered.endsWith(".kubepki-journal.json") ? "the files it had created were removed" : `what it had replaced was put back from ${result.recovered}`;
    lines.unshift(style.yellow(`An interrupted run was rolled back first (${how}); then this run went ahead.`), "");
  }

  const serving = outcomes.filter((o) => o.item.kind === "certificate" && o.item.extKeyUsage.includes("serverAuth") && (o.action === "create" || o.action === "replace"));
  if (serving.length) {
    lines.push("");
    for (const o of serving) {
      if (o.item.kind !== "certificate") continue;
      lines.push(`${o.item.paths[0]} serving cert is signed for DNS names [${o.item.altNames.dnsNames.join(" ")}] and IPs [${o.item.altNames.ipAddresses.join(" ")}]`);
    }
  }
  const problems = [...outcomes, ...result.kubeconfigs].filter((o) => o.reasons.length);
  if (problems.length) {
    lines.push("");
    for (const o of problems) for (const r of o.reasons) lines.push(`${o.action === "conflict" || o.action === "blocked" ? style.red("!") : "-"} ${o.item.id}: ${r}`);
  }
  const counts = (["create", "replace", "keep", "external", "copy", "conflict", "blocked"] as const)
    .map((a) => [[...outcomes, ...result.kubeconfigs].filter((o) => o.action === a).length, a === "external" ? "external CA" : PAST[a].toLowerCase()] as const)
    .filter(([n]) => n > 0)
    .map(([n, label]) => `${n} ${label}`);
  lines.push("");
  lines.push(`${counts.join(", ")} (${seconds.toFixed(2)} s).`);
  if (result.backupDir) lines.push(`Replaced files were copied first to ${result.backupDir} (undo: ${shellCommand(["kubepki", "renew", "--restore", result.backupDir, "--kubeconfig-dir", result.outDir])}).`);
  if ([...outcomes, ...result.kubeconfigs].some((o) => o.action === "conflict")) lines.push(`Conflicting files were left alone: fix them, or run again with --force to back them up and issue new ones.`);
  const pki = outcomes[0]?.item.paths[0].replace(/\/ca$/, "") ?? "pki";
  const admin = result.kubeconfigs.find((o) => o.item.spec.client && ["admin.conf", "admin.kubeconfig"].includes(o.item.spec.name) && o.action !== "conflict" && o.action !== "blocked");
  if (result.restarts.length) {
    lines.push(style.bold("If this tree is in use on a node, restart what reads the replaced files:"));
    lines.push(...restartLines(result.restarts, style));
  }
  if (admin) lines.push(`Use the cluster: ${shellCommand(["kubectl", "--kubeconfig", join(outDir, admin.item.path), "get", "nodes"])}    (server ${admin.item.server})`);
  const file = (name: string) => join(outDir, pki, name);
  lines.push(`Next: ${shellCommand(["kubepki", "inspect", file("apiserver.crt")])}    or    ${shellCommand(["openssl", "verify", "-CAfile", file("ca.crt"), file("apiserver.crt")])}`);
  return lines.join("\n");
}

/** --dry-run: every certificate with subject, SANs, issuer, validity and files. */
export function renderInitPlan(raw: InitResult, rawOutDir: string, style: Style): string {
  const result = terminalSafeDeep(raw);
  const outDir = terminalSafe(rawOutDir);
  const lines = [`Plan for ${outDir} (dry run: nothing is written)`, ""];
  if (result.recovered) lines.push(style.yellow("An earlier run was interrupted here: the real run first rolls it back (the tree as it was before that run), then plans again."), "");
  for (const o of result.outcomes) {
    const { item } = o;
    lines.push(`${style.bold(item.id)}: ${PAST[o.action] === "created" ? "would create" : o.action === "replace" ? "would replace" : PAST[o.action]}`);
    if (item.kind === "keypair") {
      lines.push(`  ${item.spec.longName}`, `  files     ${item.paths.map((p) => `${p}.key ${p}.pub`).join(", ")}`);
    } else {
      const c = o.certificate;
      lines.push(`  subject   ${subjectText(o)}`);
      lines.push(`  issuer    ${item.isCA ? "self-signed (CA)" : item.caId}`);
      if (item.altNames.dnsNames.length + item.altNames.ipAddresses.length) {
        lines.push(`  SANs      ${[...item.altNames.dnsNames.map((d) => `DNS:${d}`), ...item.altNames.ipAddresses.map((i) => `IP:${i}`)].join(", ")}`);
      }
      lines.push(`  usages    ${[...item.keyUsage, ...item.extKeyUsage].join(", ")}`);
      const nb = c?.notBefore ?? o.notBefore;
      const na = c?.notAfter ?? o.notAfter;
      lines.push(`  validity  ${nb?.toISOString()} to ${na?.toISOString()}`);
      lines.push(`  files     ${item.paths.map((p) => `${p}.crt ${p}.key`).join(", ")}`);
    }
    for (const r of o.reasons) lines.push(`  ${style.red("!")} ${r}`);
  }
  for (const o of result.kubeconfigs) {
    const { item } = o;
    lines.push(`${style.bold(item.id)}: ${o.action === "create" ? "would create" : o.action === "replace" ? "would replace" : PAST[o.action]}`);
    lines.push(`  file      ${item.path}`);
    lines.push(`  server    ${item.server}    context ${item.contextName}`);
    lines.push(`  user      ${kubeconfigSubject(o)}${item.certificateId ? ` (embeds ${item.certificateId})` : ""}, signed by ${item.caId}`);
    if (o.notBefore && o.notAfter) lines.push(`  validity  ${o.notBefore.toISOString()} to ${o.notAfter.toISOString()}`);
    for (const r of o.reasons) lines.push(`  ${style.red("!")} ${r}`);
  }
  return lines.join("\n");
}
