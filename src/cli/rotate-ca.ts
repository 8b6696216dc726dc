import { nodeHome } from "../check/discover.js";
import { parsePositiveDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { rotateStep, rotationStatus, type CAStatus, type Step, type StepResult } from "../rotate/index.js";
import { parseRotatable } from "../rotate/state.js";
import { treeLockPath, withLock } from "../store/lock.js";
import { outputFormat, parseFlags, parseNow } from "./args.js";
import { LOCATION_FLAGS, nodeLocation } from "./node-flags.js";
import { printData } from "./output.js";
import { styleFor, table } from "../style.js";
import { restartLines } from "../report/restarts.js";

export const help = `Usage: kubepki rotate-ca begin|reissue|finish|status|abort --ca ca|etcd-ca|front-proxy-ca|sa|all [flags]

Replace a CA (or the service-account key pair) without downtime, in phases.
Run each phase on EVERY node, restart what it says, and only then go on:

  1. begin     make the new CA (on the first node; on the others --from a
               copy of the first node's certificates folder) and make every
               trust point trust old AND new: the CA file becomes a bundle,
               kubeconfigs' certificate-authority-data too. Nothing reissued.
  2. reissue   the new CA signs from now on; every leaf and kubeconfig client
               the old CA signed is reissued by the new one (identity, SANs,
               usages kept; new keys unless --reuse-key).
  3. finish    refuses while anything on the node is still from the old CA;
               then trust points hold the new CA only, and the old CA goes
               to the backup.
  status       the phase, what is still signed by the old CA, who trusts what.
  abort        back to the state before begin (not after finish).

Each phase is journaled and all-or-nothing like renew, backed up to
KUBERNETES_DIR/kubepki-backup/<time>/, and ends with the restart plan and,
for the cluster CA, the kubectl steps the node cannot do by itself. State is
kept in CERT_DIR/rotation/<ca>/ and checked against the files, so a phase
that was interrupted is simply run again.

Flags:
  --ca NAME                     ca, etcd-ca, front-proxy-ca, sa, or all
  --from DIR                    begin: the certificates folder of the node where begin ran first
  --root DIR                    the node's filesystem root (default /)
  --cert-dir DIR                the certificates folder (default ROOT/etc/kubernetes/pki)
  --kubeconfig-dir DIR          the kubeconfigs folder (default ROOT/etc/kubernetes)
  --manifests-dir DIR           static pod manifests (default ROOT/etc/kubernetes/manifests)
  --profile kubeadm|hard-way    the layout (default: detected)
  --reuse-key                   reissue: keep each leaf's key
  --ca-validity DURATION        begin: validity of the new CA (default 87600h)
  --dry-run                     show what the phase would change; change nothing
  --now TIME                    the clock (RFC 3339)
  -o, --output text|json|yaml   output format (default text)

Examples:
  # On cp1, then on cp2 and cp3 with a copy of cp1's /etc/kubernetes/pki in /root/cp1-pki
  sudo kubepki rotate-ca begin --ca etcd-ca
  sudo kubepki rotate-ca begin --ca etcd-ca --from /root/cp1-pki
  # ...restart etcd and kube-apiserver on each node, one node at a time...
  sudo kubepki rotate-ca reissue --ca etcd-ca      # on every node, restarting in between
  sudo kubepki rotate-ca finish --ca etcd-ca       # on every node, restarting in between
  kubepki rotate-ca status --ca all -o json
`;

const options = {
  ca: { type: "string" },
  from: { type: "string" },
  ...LOCATION_FLAGS,
  "reuse-key": { type: "boolean" },
  "ca-validity": { type: "string" },
  "dry-run": { type: "boolean" },
  now: { type: "string" },
  output: { type: "string", short: "o" },
} as const;

const STEPS = ["begin", "reissue", "finish", "abort"];

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("rotate-ca", argv, options, true);
  const format = outputFormat(values.output, "rotate-ca");
  const [step, ...extra] = positionals;
  if (step === undefined) throw inputError("rotate-ca: name a phase: begin, reissue, finish, status or abort", "see 'kubepki rotate-ca --help'");
  if (extra.length) throw inputError(`rotate-ca: unexpected argument "${extra[0]}"`);
  if (values.ca === undefined) throw inputError("rotate-ca: --ca is required", "one of: ca, etcd-ca, front-proxy-ca, sa, all");
  const cas = parseRotatable(values.ca);
  const node = nodeLocation("rotate-ca", values);
  if (step === "status") {
    const status = await rotationStatus({ ...node, cas });
    if (format === "text") process.stdout.write(renderStatus(status) + "\n");
    else await printData(format, { kind: "RotationStatus", apiVersion: "kubepki.io/v1alpha1", cas: status });
    return 0;
  }
  if (!STEPS.includes(step)) throw inputError(`rotate-ca: unknown phase "${step}"`, "one of: begin, reissue, finish, status, abort");
  if (values.from !== undefined && step !== "begin") throw inputError("rotate-ca: --from belongs to begin");
  const results: StepResult[] = [];
  const phase = async () => {
    for (const ca of cas) {
      results.push(await rotateStep(step as Step, {
        ...node, ca, from: values.from, reuseKey: values["reuse-key"], dryRun: values["dry-run"], now: parseNow(values.now),
        caValidityMs: values["ca-validity"] !== undefined ? parsePositiveDuration(values["ca-validity"], "--ca-validity") : undefined,
      }));
    }
  };
  // One writer per tree, as for renew (which a reissue runs inside this lock).
  const home = nodeHome(values.root, values["kubeconfig-dir"]);
  if (values["dry-run"]) await phase();
  else await withLock(treeLockPath(home), `kubepki rotate-ca ${step}`, phase);
  if (format === "text") process.stdout.write(results.map(renderStep).join("\n\n") + "\n");
  else await printData(format, { kind: "RotationResult", apiVersion: "kubepki.io/v1alpha1", results });
  return 0;
}

const NEXT: Record<Step, string> = {
  begin: "Next, once every node has begun and restarted:",
  reissue: "Next, once every node has reissued and restarted:",
  finish: "The rotation is complete on this node once the components above have restarted.",
  abort: "The rotation is undone on this node.",
};

function renderStep(r: StepResult): string {
  const style = styleFor(process.stdout);
  const lines = [style.bold(`rotate-ca ${r.step} --ca ${r.ca}${r.dryRun ? " (dry run: nothing changed)" : ""}`)];
  if (r.alreadyDone) lines.push("  nothing left to do in this phase on this node");
  for (const f of r.files) lines.push(`  ${r.dryRun ? "would write" : "wrote"} ${f}`);
  if (r.reissued.length) lines.push(`  reissued by the new CA: ${r.reissued.join(", ")}`);
  for (const n of r.notes) lines.push(`  ${n}`);
  if (r.backupDir) lines.push(`  the previous files are in ${r.backupDir}`);
  if (r.restarts.length) {
    lines.push("", r.dryRun ? "Then restart:" : style.bold("Restart, one node at a time, so that they read the new files:"));
    lines.push(...restartLines(r.restarts, style));
  }
  if (r.cluster.length) {
    lines.push("", "In the cluster (from a machine with kubectl):");
    for (const c of r.cluster) lines.push(`  ${c}`);
  }
  lines.push("", r.next ? `${NEXT[r.step]} ${r.next}` : NEXT[r.step]);
  return lines.join("\n");
}

function renderStatus(status: CAStatus[]): string {
  const rows = [["CA", "PHASE", "CA FILE HOLDS", "FROM OLD CA", "FROM NEW CA"]];
  for (const s of status) rows.push([s.ca, s.phase, s.caFileHolds.join(" + ") || "-", s.oldLeaves.join(", ") || "-", s.newLeaves.join(", ") || "-"]);
  const lines = [table(rows)];
  for (const s of status.filter((x) => x.trust.length && x.phase !== "none")) {
    lines.push("", `${s.ca}: who trusts what`);
    for (const t of s.trust) lines.push(`  ${t.file}: ${t.trusts.join(" + ")}`);
  }
  return lines.join("\n");
}
