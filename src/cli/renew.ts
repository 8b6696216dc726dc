import { join } from "node:path";
import { parseKeyAlgorithm, parseProfile } from "../cluster/description.js";
import { parseDuration, parsePositiveDuration, shortHumanDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { renewCertificates, type RenewResult } from "../renew/index.js";
import { commitFiles, restoreWrites } from "../store/transaction.js";
import { outputFormat, parseFlags, parseNow } from "./args.js";
import { printData } from "./output.js";
import { styleFor, table } from "./style.js";
import { terminalSafeLines } from "../text.js";

export const help = `Usage: kubepki renew NAME... | all [flags]
       kubepki renew --restore BACKUP [flags]

Renew leaf certificates like 'kubeadm certs renew': each new certificate keeps
the CN, O, SANs and usages of the one on disk, is signed by the same CA and gets
a fresh validity; a new key by default. Certificates embedded in kubeconfigs are
renewed in place, the rest of the file untouched. CAs are never renewed here,
and without a CA's key (external CA) renew refuses and changes nothing.

Every replaced file is first copied, byte-identical and with its mode, to
KUBERNETES_DIR/kubepki-backup/<time>/; the renewal is all-or-nothing (an
interrupted one is rolled back on the next run). At the end it says which
components must restart, and how: renewing without restarting is the trap.

Names (kubeadm's): apiserver, apiserver-kubelet-client, front-proxy-client,
etcd-server, etcd-peer, etcd-healthcheck-client, apiserver-etcd-client,
admin.conf, super-admin.conf, controller-manager.conf, scheduler.conf,
kubelet.conf (when it embeds its credentials); the hard way's for that profile.

Flags:
  --root DIR                    the node's filesystem root (default /)
  --cert-dir DIR                the certificates folder (default ROOT/etc/kubernetes/pki)
  --kubeconfig-dir DIR          the kubeconfigs folder (default ROOT/etc/kubernetes)
  --manifests-dir DIR           static pod manifests (default ROOT/etc/kubernetes/manifests)
  --profile kubeadm|hard-way    the layout (default: detected)
  --expiring-within DURATION    renew only certificates expiring within it ("30d", "720h")
  --reuse-key                   keep each certificate's key
  --encryption-algorithm ALG    key type of new keys (default: the old key's type)
  --cert-validity DURATION      validity of the new certificates (default 8760h, never past the CA's)
  --dry-run                     show what would change; change nothing
  --restore BACKUP              put a backup folder back (the current files are backed up first)
  --now TIME                    judge expiry at this RFC 3339 time
  -o, --output text|json|yaml   output format (default text)

Examples:
  # What would be renewed in the next 30 days on this node
  sudo kubepki renew all --expiring-within 30d --dry-run

  # Renew everything kubeadm would, then restart what the output says
  sudo kubepki renew all

  # The API server's serving certificate only, keeping its key
  sudo kubepki renew apiserver --reuse-key

  # Undo a renewal
  sudo kubepki renew --restore /etc/kubernetes/kubepki-backup/20261128T180405Z
`;

const options = {
  root: { type: "string" },
  "cert-dir": { type: "string" },
  "kubeconfig-dir": { type: "string" },
  "manifests-dir": { type: "string" },
  profile: { type: "string" },
  "expiring-within": { type: "string" },
  "reuse-key": { type: "boolean" },
  "encryption-algorithm": { type: "string" },
  "cert-validity": { type: "string" },
  "dry-run": { type: "boolean" },
  restore: { type: "string" },
  now: { type: "string" },
  output: { type: "string", short: "o" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("renew", argv, options, true);
  const format = outputFormat(values.output, "renew");
  if (values.restore !== undefined) {
    if (positionals.length) throw inputError("renew: --restore takes no certificate names");
    return restore(values.restore, values["kubeconfig-dir"] ?? join(values.root ?? "/", "etc", "kubernetes"), format);
  }
  const within = values["expiring-within"];
  const result = await renewCertificates({
    names: positionals,
    root: values.root,
    pkiDir: values["cert-dir"],
    kubeconfigDir: values["kubeconfig-dir"],
    manifestsDir: values["manifests-dir"],
    profile: values.profile !== undefined ? parseProfile(values.profile, "--profile") : undefined,
    expiringWithinMs: within !== undefined ? parseDuration(within, "--expiring-within") : undefined,
    reuseKey: values["reuse-key"],
    algorithm: values["encryption-algorithm"] !== undefined ? parseKeyAlgorithm(values["encryption-algorithm"], "--encryption-algorithm") : undefined,
    validityMs: values["cert-validity"] !== undefined ? parsePositiveDuration(values["cert-validity"], "--cert-validity") : undefined,
    dryRun: values["dry-run"],
    now: parseNow(values.now),
  });
  if (format === "text") process.stdout.write(terminalSafeLines(renderText(result)) + "\n");
  else {
    await printData(format, reportData(result));
  }
  return result.items.some((i) => i.action === "skip" && !i.reason?.startsWith("not due") && !i.reason?.startsWith("the kubelet rotates")) ? 1 : 0;
}

async function restore(backup: string, home: string, format: "text" | "json" | "yaml"): Promise<number> {
  const writes = await restoreWrites(backup);
  const saved = await commitFiles(writes, { home, root: "/", reason: `kubepki renew --restore ${backup}`, now: new Date() });
  if (format === "text") {
    // The paths come from the backup's manifest, a file anyone with write access to the folder could have shaped.
    process.stdout.write(terminalSafeLines(`Restored ${writes.length} files from ${backup}:\n${writes.map((w) => `  ${w.path}`).join("\n")}\nThe files they replaced were backed up to ${saved}.\nRestart the components that read them (kubepki renew --dry-run lists who reads what).`) + "\n");
  } else {
    await printData(format, { kind: "RenewRestore", restored: writes.map((w) => w.path), backupDir: saved });
  }
  return 0;
}

const day = (d?: Date) => (d ? d.toISOString().slice(0, 16).replace("T", " ") : "");

function renderText(result: RenewResult): string {
  const style = styleFor(process.stdout);
  const now = result.now.getTime();
  const rows = [["CERTIFICATE", "ACTION", "EXPIRES NOW", "AFTER", "KEY", "FILE"]];
  for (const i of result.items) {
    const left = (d?: Date) => (d ? `${day(d)} (${shortHumanDuration(d.getTime() - now)})` : "");
    const action = i.action === "renew" ? (result.dryRun ? "would renew" : style.green("renewed")) : "skipped";
    rows.push([i.name, action, left(i.old?.notAfter), i.action === "renew" ? left(i.notAfter) : i.reason ?? "", i.action === "renew" ? (i.newKey ? "new" : "kept") : "", i.file]);
  }
  const lines: string[] = [];
  if (result.recovered) lines.push(style.yellow(`An interrupted renewal was rolled back first, from ${result.recovered}.`), "");
  lines.push(table(rows));
  const renewed = result.items.filter((i) => i.action === "renew");
  if (result.backupDir) lines.push("", `The previous files are in ${result.backupDir} (undo: kubepki renew --restore ${result.backupDir}).`);
  if (renewed.length && result.restarts.length) {
    lines.push("", result.dryRun ? "After renewing, restart:" : style.bold("You must restart these components so that they use the new certificates:"));
    for (const r of result.restarts) {
      lines.push(`  ${r.component} (${r.certificates.join(", ")})`);
      for (const c of r.commands) lines.push(`    ${c}`);
      if (r.note) lines.push(`    ${r.note}`);
    }
  }
  if (result.dryRun) lines.push("", "Dry run: nothing was changed.");
  else if (!renewed.length) lines.push("", "Nothing was renewed.");
  return lines.join("\n");
}

function reportData(result: RenewResult) {
  return {
    kind: "RenewResult",
    apiVersion: "kubepki.io/v1alpha1",
    dryRun: result.dryRun,
    backupDir: result.backupDir ?? null,
    recovered: result.recovered ?? null,
    items: result.items.map((i) => ({
      name: i.name, action: i.action, reason: i.reason ?? null, file: i.file, keyFile: i.keyFile ?? null, kubeconfigUser: i.kubeconfigUser ?? null,
      ca: i.caId ?? null, newKey: i.action === "renew" ? i.newKey : null,
      old: i.old ? { serial: i.old.serial, notAfter: i.old.notAfter.toISOString() } : null,
      renewed: i.renewed ? { serial: i.renewed.serial, notBefore: i.renewed.notBefore.toISOString(), notAfter: i.renewed.notAfter.toISOString() } : null,
    })),
    restarts: result.restarts,
  };
}
