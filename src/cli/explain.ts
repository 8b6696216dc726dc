import { inputError, isKubepkiError } from "../errors.js";
import { readInputFile, readStdin } from "../store/files.js";
import { explain, PATTERNS } from "../explain/index.js";
import { explainReportData } from "../report/explain-data.js";
import { renderExplainText } from "../report/explain-text.js";
import { toYAML } from "../yaml.js";
import { outputFormat, parseFlags, parseNow } from "./args.js";
import { styleFor, table } from "../style.js";

export const help = `Usage: kubepki explain "<error text>" [flags]
       kubepki explain --log FILE|- [flags]

Explain a certificate error: what it means, which connection failed
(kubectl → kube-apiserver, kube-apiserver → etcd, kube-apiserver → kubelet,
kubelet → kube-apiserver, kube-apiserver → webhook, aggregation, etcd peers),
which side is at fault, the likely causes, what to check and how to fix it.

It knows the messages of Go's crypto/x509 and crypto/tls, OpenSSL, curl, Node,
kube-apiserver, the kubelet, kubectl, etcd, etcdctl, kubeadm and webhooks, and
peels off the layers around them (journald, klog and JSON prefixes, "Unable to
connect to the server:", Get "https://…":, "tls: failed to verify
certificate:"). "remote error: tls: …" means the OTHER side refused THIS side's
certificate: the reason is then in the other side's log.

A log gets one entry per distinct problem, with how many lines showed it.

With --root (or --pki-dir) it goes from the message to the file: it matches
what the message quotes (a serial, SKID or AKID, the names in "valid for X,
not Y", the IP of "doesn't contain any IP SANs", the times of "current time …
is after …", the CA of "candidate authority certificate") to the node's
certificates, names the file and runs the check rules on it.

Exit 0: something was explained; 1: nothing recognised; 2: bad usage.

Input:
  --log FILE|-                     read a log file, or standard input with -
  --list                           list every known message pattern and exit

From message to file:
  --root DIR                       the node's filesystem root (as in kubepki check)
  --pki-dir DIR, --cert-dir DIR    the certificates folder (default ROOT/etc/kubernetes/pki)
  --kubeconfig-dir DIR             where admin.conf and the other kubeconfigs are
  --manifests-dir DIR              the static pod manifests
  --now TIME                       judge validity at this RFC 3339 time (check rules)

Output:
  -o, --output text|json|yaml      default text; the schema is in docs/explain.md

Examples:
  # A message as kubectl printed it
  kubepki explain 'Unable to connect to the server: x509: certificate signed by unknown authority'

  # The kubelet's log of today, one entry per problem
  journalctl -u kubelet --since today | kubepki explain --log -

  # kube-apiserver's log, matched to the files of this control-plane node
  kubectl -n kube-system logs kube-apiserver-cp1 | kubepki explain --log - --root /

  # For a script: the ids and the files at fault
  kubepki explain --log etcd.log --root / -o json | jq '.entries[] | {id, count, files: [.files[]?.file]}'
`;

const options = {
  log: { type: "string" },
  list: { type: "boolean" },
  root: { type: "string" },
  "pki-dir": { type: "string" },
  "cert-dir": { type: "string" },
  "kubeconfig-dir": { type: "string" },
  "manifests-dir": { type: "string" },
  now: { type: "string" },
  output: { type: "string", short: "o" },
} as const;

async function readLog(path: string): Promise<string> {
  if (path === "-") return (await readStdin("log", "explain: --log -")).toString("utf8");
  try {
    return readInputFile(path, "log", `explain: --log ${path}`).toString("utf8");
  } catch (err) {
    if (isKubepkiError(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(`explain: --log ${path}: ${code === "ENOENT" ? "no such file" : code ?? (err as Error).message}`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("explain", argv, options, true);
  const format = outputFormat(values.output, "explain");
  if (values.list) {
    const rows = [["ID", "REF", "TITLE"], ...PATTERNS.map((p) => [p.id, p.ref ?? "-", p.title])];
    if (format === "text") process.stdout.write(table(rows) + "\n");
    else {
      const data = PATTERNS.map((p) => ({ id: p.id, ref: p.ref ?? null, role: p.role, regex: p.regex.source, title: p.title, fault: p.fault, confidence: p.confidence }));
      process.stdout.write(format === "json" ? JSON.stringify(data, null, 2) + "\n" : toYAML(data));
    }
    return 0;
  }
  if (values.log !== undefined && positionals.length) throw inputError("explain: give the error text or --log, not both");
  if (values.log === undefined && !positionals.length) throw inputError('explain: give the error text ("…") or --log FILE|-', "see 'kubepki explain --help'");
  if (values["pki-dir"] !== undefined && values["cert-dir"] !== undefined) throw inputError("explain: --pki-dir and --cert-dir are the same flag; give one");
  const now = parseNow(values.now);
  // Unquoted words on the command line are one message.
  const text = values.log !== undefined ? await readLog(values.log) : positionals.join(" ");

  const result = explain(text);
  const pkiDir = values["pki-dir"] ?? values["cert-dir"];
  const onNode = values.root !== undefined || pkiDir !== undefined || values["kubeconfig-dir"] !== undefined;
  if (onNode && result.entries.length) {
    // The check machinery loads only when a node is given.
    const { locateFiles } = await import("../explain/locate.js");
    await locateFiles(result.entries, { root: values.root, pkiDir, kubeconfigDir: values["kubeconfig-dir"], manifestsDir: values["manifests-dir"], now });
  }

  if (format === "text") process.stdout.write(renderExplainText(result, styleFor(process.stdout)) + "\n");
  else {
    const data = explainReportData(result, values.root ?? pkiDir);
    process.stdout.write(format === "json" ? JSON.stringify(data, null, 2) + "\n" : toYAML(data));
  }
  return result.entries.length ? 0 : 1;
}
