import { resolve } from "node:path";
// Static: discovery already loads the YAML library to read manifests and kubeconfigs.
import { toYAML } from "../yaml.js";
import { parsePositiveDuration } from "../cluster/duration.js";
import { checkNode } from "../check/index.js";
import { inputError } from "../errors.js";
import { checkReportData } from "../report/check-data.js";
import { renderCheckText } from "../report/check-text.js";
import { outputFormat, parseFlags, parseNow } from "./args.js";
import { LOCATION_FLAGS_WITH_PKI_DIR, NODE_FLAGS, nodeLocation, nodePatchFromFlags } from "./node-flags.js";
import { stdoutStyle, writeStdout } from "./output.js";

export const help = `Usage: kubepki check [flags]

Check every certificate, key and kubeconfig of a node. First it decides what
the node is, from what is on disk: a control plane (a kube-apiserver static
pod: kubeadm; a kube-apiserver systemd unit: the hard way), an etcd-only
member, a worker (kubelet.conf, a kubelet unit or config), and checks what
that kind of node has and nothing else; the report says which kind and why.
No Kubernetes file at all: one line, exit 2.

Then each file must exist and parse, each key match its certificate, each
certificate chain (by signature) to the CA its consumer really trusts, be
valid now and not about to expire, carry the CN, O, SANs and key usages its
component needs; keys are private, strong and not reused, sa.key and sa.pub
are a pair, kubeconfigs hold the CA the cluster trusts.

Facts (node name, advertise address, service CIDR, DNS domain, endpoint) come
from the record kubepki init leaves (kubepki-cluster.yaml), the manifests or
units, --config and the flags below, later ones winning; a fact none of them
gives is reported unknown and the checks that need it are skipped, never
judged against a default. Every finding has a fix and the exact commands
(paths quoted) that clear it, or none when a person must decide. Exit 0: no
error (warnings allowed unless --strict); 1: errors found; 2: bad usage or no
Kubernetes files.

Where to look:
  --root DIR                       the node's filesystem root (default /): DIR/etc/kubernetes, DIR/var/lib/kubelet
  --pki-dir DIR, --cert-dir DIR    the certificates folder (default ROOT/etc/kubernetes/pki)
  --kubeconfig-dir DIR             where admin.conf and the other kubeconfigs are (default ROOT/etc/kubernetes)
  --manifests-dir DIR              the static pod manifests (default ROOT/etc/kubernetes/manifests)
  --profile kubeadm|hard-way       the layout (default: detected)

The node (when the manifests do not say, or to override them):
  --config FILE                    kubeadm InitConfiguration/ClusterConfiguration, or a kubepki ClusterPKI
  --node-name NAME
  --apiserver-advertise-address IP
  --control-plane-endpoint HOST[:PORT]
  --apiserver-cert-extra-sans LIST
  --service-cidr CIDR
  --service-dns-domain DOMAIN
  --kubernetes-version VERSION     the kubeadm release whose rules apply (default: read from the static pods' image tags, else the newest kubepki knows)

Judging:
  --now TIME                       judge validity at this RFC 3339 time instead of now
  --warn-within DURATION           warn when a leaf expires within it (default 30d)
  --warn-within-ca DURATION        warn when a CA expires within it (default 365d)
  --strict                         exit 1 on warnings too

Output:
  -o, --output text|wide|json|yaml the report on stdout (default text, 120 columns; wide: every column); the schema is in docs/check.md
  --prometheus                     print node_exporter textfile metrics instead of the report
  --prometheus-file FILE           also write the metrics to FILE, atomically (for the textfile collector)
  --html FILE                      also write a self-contained HTML page: CA tree, expiry timeline, findings

Examples:
  # This node, as kubeadm set it up
  sudo kubepki check

  # A copy of a node's /etc/kubernetes and /var/lib/kubelet, a year from now
  kubepki check --root ./node-backup --now 2027-06-01T00:00:00Z

  # Only a pki folder, with the facts the manifests would give
  kubepki check --pki-dir ./pki --node-name cp1 --apiserver-advertise-address 10.0.0.10

  # For node_exporter: alert on kubepki_certificate_expiry_timestamp_seconds - time() < 14*86400
  kubepki check --prometheus-file /var/lib/node_exporter/textfile/kubepki.prom -o json > /dev/null

  # A page to attach to a ticket
  kubepki check --html report.html
`;

const options = {
  ...LOCATION_FLAGS_WITH_PKI_DIR,
  config: { type: "string" },
  ...NODE_FLAGS,
  now: { type: "string" },
  "warn-within": { type: "string" },
  "warn-within-ca": { type: "string" },
  strict: { type: "boolean" },
  output: { type: "string", short: "o" },
  prometheus: { type: "boolean" },
  "prometheus-file": { type: "string" },
  html: { type: "string" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags("check", argv, options);
  // -o wide: the text report with every column, like kubectl's.
  const wide = values.output === "wide";
  const format = wide ? "text" : outputFormat(values.output, "check");
  const location = nodeLocation("check", values);
  if (values.prometheus && values.output !== undefined) throw inputError("check: --prometheus prints metrics instead of the report; drop -o, or use --prometheus-file");
  const result = await checkNode({
    ...location,
    configFile: values.config,
    cluster: nodePatchFromFlags(values),
    now: parseNow(values.now),
    warnWithinMs: values["warn-within"] !== undefined ? parsePositiveDuration(values["warn-within"], "--warn-within") : undefined,
    warnWithinCAMs: values["warn-within-ca"] !== undefined ? parsePositiveDuration(values["warn-within-ca"], "--warn-within-ca") : undefined,
  });

  // Renderers and the file store load only when asked for.
  if (values.html !== undefined || values["prometheus-file"] !== undefined) {
    const { writeFileAtomic, PUBLIC_MODE } = await import("../store/files.js");
    if (values.html !== undefined) {
      const { renderCheckHTML } = await import("../report/check-html.js");
      await writeFileAtomic(resolve(values.html), renderCheckHTML(result), PUBLIC_MODE);
    }
    if (values["prometheus-file"] !== undefined) {
      const { renderCheckPrometheus } = await import("../report/check-prometheus.js");
      await writeFileAtomic(resolve(values["prometheus-file"]), renderCheckPrometheus(result), PUBLIC_MODE);
    }
  }
  if (values.prometheus) {
    const { renderCheckPrometheus } = await import("../report/check-prometheus.js");
    writeStdout(renderCheckPrometheus(result));
  } else if (format === "text") {
    writeStdout(renderCheckText(result, stdoutStyle(), wide) + "\n");
  } else {
    const data = checkReportData(result);
    writeStdout(format === "json" ? JSON.stringify(data, null, 2) + "\n" : toYAML(data));
  }
  const { error, warning } = result.summary;
  return error || (values.strict && warning) ? 1 : 0;
}
