import { basename, dirname, resolve } from "node:path";
import { discoverNode, nodeHome } from "../check/discover.js";
import { parseKeyAlgorithm } from "../cluster/description.js";
import { parseDuration, parsePositiveDuration, shortHumanDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { renewCertificates, type RenewResult } from "../renew/index.js";
import { restartPlan, type Restart } from "../renew/restart.js";
import { parseSANChange } from "../renew/sans.js";
import { treeLockPath, withLock } from "../store/lock.js";
import { commitFiles, restoreWrites } from "../store/transaction.js";
import { shellCommand, terminalSafe, terminalSafeLines } from "../text.js";
import { commaList, outputFormat, parseFlags, parseNow } from "./args.js";
import { LOCATION_FLAGS, nodeLocation } from "./node-flags.js";
import { printData } from "./output.js";
import { styleFor, table, type Style } from "../style.js";
import { restartLines } from "../report/restarts.js";

export const help = `Usage: kubepki renew NAME... | all [flags]
       kubepki renew NAME... --add-san IP_OR_NAME[,...] [--remove-san ...] [--config FILE]
       kubepki renew --restore BACKUP [flags]

Renew leaf certificates like 'kubeadm certs renew': each new certificate keeps
the subject (CN, O), SANs and every extended key usage of the one on disk, is
signed by the same CA and gets a fresh validity; a new key by default.
Certificates embedded in kubeconfigs are renewed in place, the rest of the file
untouched. CAs are never renewed here; without a CA's key (external CA), or
with a CA that has expired or is not yet valid, renew refuses and changes
nothing. A validity that would outlive the CA is cut to the CA's expiry, with a
warning (--dry-run shows the dates that will really be written).

--add-san / --remove-san change the names of serving certificates (apiserver,
etcd-server, etcd-peer; the hard way's apiserver, etcd-server, kubelet):
reissued by the same CA, everything else kept. With --config, the kubeadm
config file's apiServer.certSANs / etcd.local.serverCertSANs / peerCertSANs
follow, so the next 'kubeadm upgrade' keeps the names; the in-cluster copy
(kubectl -n kube-system edit cm kubeadm-config) needs the same change.

Every replaced file is first copied, byte-identical and with its mode, to
KUBECONFIG_DIR/kubepki-backup/<time>/ with a manifest (kubepki-backup.json) of
what was replaced; the renewal is all-or-nothing (an interrupted one is rolled
back on the next run). At the end it says which components must restart, and
how: renewing without restarting is the trap. See docs/renew.md.

Names: kubeadm's (apiserver, apiserver-kubelet-client, front-proxy-client,
etcd-server, etcd-peer, etcd-healthcheck-client, apiserver-etcd-client,
admin.conf, super-admin.conf, controller-manager.conf, scheduler.conf,
kubelet.conf when it embeds its credentials), the hard way's (admin, scheduler,
controller-manager, kube-proxy, kubelet, kubelet-client, etcd-server,
admin.kubeconfig, kube-*.kubeconfig, <node>.kubeconfig), or the file itself
(apiserver.crt, etcd/server.crt, a path).

Flags:
  --root DIR                    the node's filesystem root (default /)
  --cert-dir DIR                the certificates folder (default ROOT/etc/kubernetes/pki)
  --kubeconfig-dir DIR          the kubeconfigs folder (default ROOT/etc/kubernetes)
  --manifests-dir DIR           static pod manifests (default ROOT/etc/kubernetes/manifests)
  --profile kubeadm|hard-way    the layout (default: detected)
  --node-name NAME              this node's name, for the hard way's per-node files (default: from <node>.kubeconfig)
  --expiring-within DURATION    renew only certificates expiring within it ("30d", "720h")
  --reuse-key                   keep each certificate's key
  --encryption-algorithm ALG    key type of new keys (default: the old key's type)
  --cert-validity DURATION      validity of the new certificates (default 8760h, never past the CA's)
  --add-san LIST                IPs and DNS names to add to the named serving certificates
  --remove-san LIST             IPs and DNS names to remove from them
  --config FILE                 the kubeadm config file to update with the SAN change
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

  # A load balancer's address and name for the API server, kept by kubeadm upgrade
  sudo kubepki renew apiserver --add-san 10.0.0.50,lb.example.com --config /root/kubeadm-config.yaml

  # Undo a renewal
  sudo kubepki renew --restore /etc/kubernetes/kubepki-backup/20261128T180405Z
`;

const options = {
  ...LOCATION_FLAGS,
  "node-name": { type: "string" },
  "expiring-within": { type: "string" },
  "reuse-key": { type: "boolean" },
  "encryption-algorithm": { type: "string" },
  "cert-validity": { type: "string" },
  "add-san": { type: "string", multiple: true },
  "remove-san": { type: "string", multiple: true },
  config: { type: "string" },
  "dry-run": { type: "boolean" },
  restore: { type: "string" },
  now: { type: "string" },
  output: { type: "string", short: "o" },
} as const;

type Values = ReturnType<typeof parseFlags<typeof options>>["values"];

/** Where the node's files are, as the flags say: the same for renew and --restore. */
const location = (values: Values) => nodeLocation("renew", values);

/** The location flags as given, to repeat them in a printed command. */
function locationFlags(values: Values): string[] {
  return (Object.keys(LOCATION_FLAGS) as (keyof typeof LOCATION_FLAGS)[]).flatMap((f) => (values[f] !== undefined ? [`--${f}`, resolveIfPath(f, values[f]!)] : []));
}
const resolveIfPath = (flag: string, v: string) => (flag === "profile" ? v : resolve(v));

/** The tree a run writes into: the one a backup was taken from, for --restore. */
function treeHome(values: Values): string {
  const backup = values.restore !== undefined ? resolve(values.restore) : undefined;
  if (backup && basename(dirname(backup)) === "kubepki-backup") return dirname(dirname(backup));
  return nodeHome(values.root, values["kubeconfig-dir"]);
}

/** One writer per tree: the whole run (the roll-back of an interrupted one included) holds the tree's lock. */
export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags("renew", argv, options, true);
  const { values } = flags;
  if (values["dry-run"] && values.restore === undefined) return runLocked(flags);
  return withLock(treeLockPath(treeHome(values)), "kubepki renew", () => runLocked(flags));
}

async function runLocked({ values, positionals }: ReturnType<typeof parseFlags<typeof options>>): Promise<number> {
  const format = outputFormat(values.output, "renew");
  const add = commaList(values["add-san"]) ?? [];
  const remove = commaList(values["remove-san"]) ?? [];
  if (values.restore !== undefined) {
    if (positionals.length) throw inputError("renew: --restore takes no certificate names");
    // A flag that would change what --restore does must not be silently ignored (a --dry-run that restores).
    const renewOnly = (["dry-run", "add-san", "remove-san", "config", "reuse-key", "expiring-within", "cert-validity", "encryption-algorithm", "node-name", "now"] as const).filter((f) => values[f] !== undefined);
    if (renewOnly.length) throw inputError(`renew: --restore does not take --${renewOnly.join(", --")}`, "it puts the whole backup back; look inside the backup folder's kubepki-backup.json to see what it holds");
    return restore(values.restore, values, format);
  }
  if (values.config !== undefined && !add.length && !remove.length) throw inputError("renew: --config is read to update its SAN lists; give --add-san or --remove-san too");
  if ((values["add-san"] || values["remove-san"]) && !add.length && !remove.length) throw inputError("--add-san/--remove-san: no SAN given");
  const within = values["expiring-within"];
  const result = await renewCertificates({
    names: positionals,
    ...location(values),
    // The config reader (and its schema library) loads only when a config is given.
    clusterPatches: values.config !== undefined ? [await (await import("../cluster/config-file.js")).readClusterConfig(values.config)] : undefined,
    nodeName: values["node-name"],
    expiringWithinMs: within !== undefined ? parseDuration(within, "--expiring-within") : undefined,
    reuseKey: values["reuse-key"],
    algorithm: values["encryption-algorithm"] !== undefined ? parseKeyAlgorithm(values["encryption-algorithm"], "--encryption-algorithm") : undefined,
    validityMs: values["cert-validity"] !== undefined ? parsePositiveDuration(values["cert-validity"], "--cert-validity") : undefined,
    sanChange: add.length || remove.length ? parseSANChange(add, remove) : undefined,
    configFile: values.config !== undefined ? resolve(values.config) : undefined,
    dryRun: values["dry-run"],
    now: parseNow(values.now),
  });
  if (format === "text") process.stdout.write(terminalSafeLines(renderText(result, locationFlags(values))) + "\n");
  else await printData(format, reportData(result));
  return result.items.some((i) => i.action === "skip" && !i.reason?.startsWith("not due") && !i.reason?.startsWith("the kubelet rotates")) ? 1 : 0;
}

/**
 * Puts a backup back. The backup folder sits in the tree it belongs to
 * (<kubeconfig dir>/kubepki-backup/<time>), so the files it replaces are
 * backed up next to it, and the restart plan comes from that node's layout.
 */
async function restore(backup: string, values: Values, format: "text" | "json" | "yaml"): Promise<number> {
  const dir = resolve(backup);
  const writes = await restoreWrites(dir);
  const home = treeHome(values);
  const inventory = await discoverNode({ ...location(values), kubeconfigDir: values["kubeconfig-dir"] ?? home });
  const saved = await commitFiles(writes, { home, root: inventory.root, reason: `kubepki renew --restore ${dir}`, now: new Date() });
  const restored = new Set(writes.map((w) => w.path));
  const restarts = restartPlan(inventory, inventory.certs.filter((c) => restored.has(c.file) || (c.keyFile !== undefined && restored.has(c.keyFile))));
  if (format === "text") {
    const style = styleFor(process.stdout);
    const lines = [`Restored ${writes.length} files from ${terminalSafe(dir)}:`, ...writes.map((w) => `  ${terminalSafe(w.path)}`)];
    if (saved) lines.push(`The files they replaced were backed up to ${terminalSafe(saved)}.`);
    lines.push(...renderRestarts(restarts, style, "You must restart these components so that they use the restored files:"));
    const known = new Set(inventory.certs.flatMap((c) => [c.file, c.keyFile]));
    // Certificates, keys and kubeconfigs are read by components; a kubeadm config file that --config edited is not.
    const unknown = writes.map((w) => w.path).filter((p) => /\.(crt|key|pem|pub|conf|kubeconfig)$/.test(p) && !known.has(p));
    if (unknown.length) lines.push("", `kubepki does not know what reads ${unknown.map(terminalSafe).join(", ")} on this node (pass --root or the folder flags of its tree): restart what reads them.`);
    process.stdout.write(lines.join("\n") + "\n");
  } else {
    await printData(format, { kind: "RenewRestore", apiVersion: "kubepki.io/v1alpha1", restored: writes.map((w) => w.path), backupDir: saved ?? null, restarts });
  }
  return 0;
}

function renderRestarts(restarts: Restart[], style: Style, title: string): string[] {
  if (!restarts.length) return [];
  return ["", title, ...restartLines(restarts, style)];
}

const day = (d?: Date) => (d ? d.toISOString().slice(0, 16).replace("T", " ") : "");

function renderText(result: RenewResult, flags: string[]): string {
  const style = styleFor(process.stdout);
  const now = result.now.getTime();
  const rows = [["CERTIFICATE", "ACTION", "EXPIRES NOW", "AFTER", "KEY", "FILE"]];
  for (const i of result.items) {
    const left = (d?: Date) => (d ? `${day(d)} (${shortHumanDuration(d.getTime() - now)})` : "");
    const action = i.action === "renew" ? (result.dryRun ? "would renew" : style.green("renewed")) : "skipped";
    const after = i.action === "renew" ? left(i.notAfter) + (i.cutToCA ? " (CA's expiry)" : "") : i.reason ?? "";
    rows.push([i.name, action, left(i.old?.notAfter), terminalSafe(after), i.action === "renew" ? (i.newKey ? "new" : "kept") : "", terminalSafe(i.file)]);
  }
  const lines: string[] = [];
  if (result.recovered) lines.push(style.yellow(`An interrupted renewal was rolled back first, from ${terminalSafe(result.recovered)}.`), "");
  lines.push(table(rows));
  for (const w of result.warnings) lines.push(style.yellow(`warning: ${terminalSafe(w)}`));
  const renewed = result.items.filter((i) => i.action === "renew");
  for (const i of renewed) {
    if (i.addedSANs?.length) lines.push(`${i.name}: ${result.dryRun ? "would add" : "added"} SANs ${i.addedSANs.join(", ")}`);
    if (i.removedSANs?.length) lines.push(`${i.name}: ${result.dryRun ? "would remove" : "removed"} SANs ${i.removedSANs.join(", ")}`);
  }
  if (result.config) {
    const what = result.config.fields.map((f) => `${f.field}: [${f.values.join(", ")}]`).join("; ");
    const file = result.config.file;
    lines.push(terminalSafe(result.config.changed ? `${result.dryRun ? "Would update" : "Updated"} ${file}: ${what}` : `${file} already lists them (${what})`));
  }
  if (result.clusterConfigSteps.length) {
    lines.push("", "kubeadm upgrade reads the cluster's copy of the kubeadm config: make the same change there.");
    lines.push(...result.clusterConfigSteps.map((s) => `  ${s}`));
  }
  if (result.backupDir) lines.push("", `The previous files are in ${terminalSafe(result.backupDir)} (undo: ${terminalSafe(shellCommand(["kubepki", "renew", "--restore", result.backupDir, ...flags]))}).`);
  if (result.configBackupDir) lines.push(`The previous ${terminalSafe(result.config!.file)} is in ${terminalSafe(result.configBackupDir)} (undo: ${terminalSafe(shellCommand(["kubepki", "renew", "--restore", result.configBackupDir]))}).`);
  if (renewed.length) {
    lines.push(...renderRestarts(result.restarts, style, result.dryRun ? "After renewing, restart:" : style.bold("You must restart these components so that they use the new certificates:")));
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
    warnings: result.warnings,
    items: result.items.map((i) => ({
      name: i.name, action: i.action, reason: i.reason ?? null, file: i.file, keyFile: i.keyFile ?? null, kubeconfigUser: i.kubeconfigUser ?? null,
      ca: i.caId ?? null, newKey: i.action === "renew" ? i.newKey : null,
      old: i.old ? { serial: i.old.serial, notAfter: i.old.notAfter.toISOString() } : null,
      // The validity that is (or, in a dry run, will be) written.
      validity: i.notAfter ? { notBefore: i.notBefore!.toISOString(), notAfter: i.notAfter.toISOString(), cutToCA: Boolean(i.cutToCA) } : null,
      renewed: i.renewed ? { serial: i.renewed.serial, notBefore: i.renewed.notBefore.toISOString(), notAfter: i.renewed.notAfter.toISOString() } : null,
      addedSANs: i.addedSANs ?? [], removedSANs: i.removedSANs ?? [],
      embeddedIn: i.embeddedIn ?? null,
    })),
    config: result.config ? { file: result.config.file, changed: result.config.changed, fields: result.config.fields } : null,
    clusterConfigSteps: result.clusterConfigSteps,
    restarts: result.restarts,
  };
}
