import { resolve } from "node:path";
import { parseKeyAlgorithm, parseProfile } from "../cluster/description.js";
import { parsePositiveDuration } from "../cluster/duration.js";
import { checkNodeName, checkPort, mergeClusterPatches, type ClusterPatch } from "../cluster/patch.js";
import { initPKI } from "../issue/init.js";
import { initReportData, renderInitPlan, renderInitText } from "../report/init.js";
import { outputFormat, parseFlags, parseNow } from "./args.js";
import { NODE_FLAGS, nodePatchFromFlags } from "./node-flags.js";
import { printData } from "./output.js";
import { progressBar } from "./progress.js";
import { styleFor } from "../style.js";

export const help = `Usage: kubepki init [flags]

Issue a complete cluster PKI into --out, which mirrors /etc/kubernetes: the CAs,
every serving and client certificate and the service-account key pair, with
kubeadm's exact file names, subjects, SANs, usages and validity (--profile
kubeadm, the default), or the by-hand set of the study guides (--profile
hard-way). Then the kubeconfigs, each with the CA, a client certificate and
its key embedded, mode 0600: admin.conf, super-admin.conf,
controller-manager.conf, scheduler.conf and kubelet.conf (kubeadm), or admin,
kube-controller-manager, kube-scheduler, kube-proxy and <node>.kubeconfig
(the hard way).

An existing valid CA is reused and an existing certificate that matches is
kept, so running init again changes nothing; one that does not match is
reported and left alone unless --force, which backs it up first. A kubeconfig
is kept when it trusts the same CA and its client certificate is still good,
as kubeadm keeps it.

init is all-or-nothing: it holds DIR/.kubepki.lock while it runs, writes CAs
before what they sign through a journal, and a run that was killed is rolled
back by the next plain 'kubepki init' (or renew) before it does anything else.
A leaf is never signed by a CA on disk that is expired or not yet valid
(refused, exit 2, nothing written); one that would outlive its CA is cut to
the CA's expiry, and --dry-run shows those validities.

Cluster (kubeadm's flag names):
  --node-name NAME                     node name (default: this host's name)
  --apiserver-advertise-address IP     the API server's address (default: first non-loopback IPv4)
  --apiserver-bind-port PORT           API server port (default 6443)
  --control-plane-endpoint HOST[:PORT] a load balancer or DNS name for all control-plane nodes
  --apiserver-cert-extra-sans LIST     more DNS names and IPs for the API server certificate
  --service-cidr CIDR                  service subnet; its first IP goes into the SANs (default 10.96.0.0/12)
  --service-dns-domain DOMAIN          cluster DNS domain (default cluster.local)
  --cluster-name NAME                  cluster name (default kubernetes)
  --kubernetes-version VERSION         the kubeadm release to match (default: the newest kubepki knows);
                                       see docs/kubeadm-versions.md
  --config FILE                        kubeadm InitConfiguration/ClusterConfiguration (v1beta3, v1beta4)
                                       or a kubepki ClusterPKI file (several nodes); flags override it

Certificates:
  --profile kubeadm|hard-way           which set to issue (default kubeadm)
  --encryption-algorithm ALG           RSA-2048 (default), RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384
  --cert-validity DURATION             leaf validity (default 8760h)
  --ca-validity DURATION               CA validity (default 87600h)

Output:
  --out DIR                            where to write (default ./kubernetes); certificates go to DIR/pki,
                                       kubeconfigs to DIR (DIR/<node>/ with several control-plane nodes)
  --dry-run                            print the plan and write nothing
  --force                              replace files that do not match, after backing them up to
                                       DIR/kubepki-backup/<time>/ (undo: kubepki renew --restore)
  -o, --output text|json|yaml          output format (default text)

Examples:
  # A kubeadm-exact PKI for this host, into ./demo/pki
  kubepki init --out ./demo

  # Behind a load balancer, with ECDSA keys
  kubepki init --control-plane-endpoint k8s.example.com:6443 --encryption-algorithm ECDSA-P256 --out ./demo

  # What kubeadm would issue from its own config file, without writing anything
  kubepki init --config kubeadm-config.yaml --dry-run

  # The "hard way" set: one CA, kubelet and etcd certificates per node
  kubepki init --profile hard-way --config cluster.yaml --out ./hard-way
`;

const options = {
  ...NODE_FLAGS,
  "apiserver-bind-port": { type: "string" },
  "cluster-name": { type: "string" },
  "encryption-algorithm": { type: "string" },
  "cert-validity": { type: "string" },
  "ca-validity": { type: "string" },
  profile: { type: "string" },
  out: { type: "string" },
  config: { type: "string" },
  "dry-run": { type: "boolean" },
  force: { type: "boolean" },
  output: { type: "string", short: "o" },
  now: { type: "string" },
} as const;

type Flags = ReturnType<typeof parseFlags<typeof options>>["values"];

/** Flags as a cluster patch; each value is checked here so the error names the flag. */
function patchFromFlags(v: Flags): ClusterPatch {
  return {
    ...nodePatchFromFlags(v),
    profile: v.profile !== undefined ? parseProfile(v.profile, "--profile") : undefined,
    clusterName: v["cluster-name"] !== undefined ? checkNodeName(v["cluster-name"], "--cluster-name") : undefined,
    bindPort: v["apiserver-bind-port"] !== undefined ? checkPort(v["apiserver-bind-port"], "--apiserver-bind-port") : undefined,
    encryptionAlgorithm: v["encryption-algorithm"] !== undefined ? parseKeyAlgorithm(v["encryption-algorithm"], "--encryption-algorithm") : undefined,
    certValidityMs: v["cert-validity"] !== undefined ? parsePositiveDuration(v["cert-validity"], "--cert-validity") : undefined,
    caValidityMs: v["ca-validity"] !== undefined ? parsePositiveDuration(v["ca-validity"], "--ca-validity") : undefined,
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags("init", argv, options);
  const format = outputFormat(values.output, "init");
  const now = parseNow(values.now);
  const patches: ClusterPatch[] = [];
  if (values.config !== undefined) {
    const { readClusterConfig } = await import("../cluster/config-file.js");
    patches.push(await readClusterConfig(values.config));
  }
  patches.push(patchFromFlags(values));
  const cluster = mergeClusterPatches(patches);
  const outDir = values.out ?? "./kubernetes";

  const started = performance.now();
  const bar = format === "text" && !values["dry-run"] ? progressBar("generating keys") : undefined;
  const result = await initPKI(cluster, { outDir: resolve(outDir), force: values.force, dryRun: values["dry-run"], now, onProgress: bar?.update }).finally(() => bar?.stop());
  const seconds = (performance.now() - started) / 1000;

  if (format === "text") {
    const style = styleFor(process.stdout);
    const text = values["dry-run"] ? renderInitPlan(result, outDir, style) : renderInitText(result, outDir, seconds, style);
    process.stdout.write(text + "\n");
  } else {
    const data = initReportData(result, outDir);
    await printData(format, data);
  }
  const problems = [...result.outcomes, ...result.kubeconfigs].filter((o) => o.action === "conflict" || o.action === "blocked");
  return problems.length ? 1 : 0;
}
