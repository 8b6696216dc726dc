import { readFileSync } from "node:fs";
import { parseDuration, parsePositiveDuration } from "../cluster/duration.js";
import { isIP } from "../cluster/net.js";
import { errnoText, inputError } from "../errors.js";
import { startExporter } from "../serve/index.js";
import { terminalSafe } from "../text.js";
import { parseFlags } from "./args.js";
import { LOCATION_FLAGS_WITH_PKI_DIR, NODE_FLAGS, nodeLocation, nodePatchFromFlags } from "./node-flags.js";

export const help = `Usage: kubepki serve [flags]

A Prometheus exporter for this node's certificates: runs kubepki check on an
interval and whenever a watched file changes (never per scrape), and serves
the last complete result:

  /metrics   the Prometheus text format: the metrics of 'check --prometheus',
             with cluster and node labels, and the exporter's own health
  /report    the check as 'check -o json' prints it (no key material)
  /healthz   "ok" while the exporter runs (liveness; a failing check does not fail it)

A check that fails keeps the previous result and sets kubepki_check_success 0.
SIGTERM or SIGINT stops it (exit 0). The metrics, labels, alert rules and the
DaemonSet are in docs/serve.md and deploy/.

Listening:
  --listen ADDR:PORT               where to listen (default 127.0.0.1:9795; ":9795" for every address)
  --tls-cert-file FILE             serve HTTPS with this certificate…
  --tls-private-key-file FILE      …and key
  --client-ca-file FILE            with TLS: accept only scrapers whose client certificate this CA signed

Checking:
  --interval DURATION              check at least this often (default 5m)
  --cluster-name NAME              the cluster label (default: the cluster the node's kubeconfigs name)
  --clock-offset [-]DURATION       judge validity this far ahead of the real clock (what-ifs, tests)
  --warn-within DURATION           warn when a leaf expires within it (default 30d)
  --warn-within-ca DURATION        warn when a CA expires within it (default 365d)

Where to look, and the node (as for kubepki check):
  --root DIR, --pki-dir DIR (--cert-dir), --kubeconfig-dir DIR, --manifests-dir DIR,
  --profile kubeadm|hard-way, --config FILE, --node-name NAME (also the node label),
  --apiserver-advertise-address IP, --control-plane-endpoint HOST[:PORT],
  --apiserver-cert-extra-sans LIST, --service-cidr CIDR, --service-dns-domain DOMAIN,
  --kubernetes-version VERSION

Examples:
  # This node, for a Prometheus on the same host
  sudo kubepki serve

  # In the DaemonSet (deploy/kubernetes/): the host's files mounted read-only under /host
  kubepki serve --root /host --listen :9795 --node-name "$NODE_NAME" --cluster-name prod-eu1

  # HTTPS, scrapes only from clients signed by the monitoring CA
  kubepki serve --listen :9795 --tls-cert-file tls.crt --tls-private-key-file tls.key --client-ca-file scraper-ca.crt
`;

const options = {
  listen: { type: "string" },
  "tls-cert-file": { type: "string" },
  "tls-private-key-file": { type: "string" },
  "client-ca-file": { type: "string" },
  interval: { type: "string" },
  "cluster-name": { type: "string" },
  "clock-offset": { type: "string" },
  "warn-within": { type: "string" },
  "warn-within-ca": { type: "string" },
  ...LOCATION_FLAGS_WITH_PKI_DIR,
  config: { type: "string" },
  ...NODE_FLAGS,
} as const;

const MIN_INTERVAL_MS = 1000;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags("serve", argv, options);
  const location = nodeLocation("serve", values);
  const { host, port } = parseListen(values.listen ?? "127.0.0.1:9795");
  const intervalMs = values.interval !== undefined ? parsePositiveDuration(values.interval, "--interval") : undefined;
  if (intervalMs !== undefined && intervalMs < MIN_INTERVAL_MS) throw inputError(`--interval: ${values.interval} is shorter than 1s`, "file changes trigger a check anyway; the interval is the safety net");
  const clusterName = values["cluster-name"];
  if (clusterName !== undefined && clusterName.trim() === "") throw inputError("--cluster-name: empty name");
  const exporter = await startExporter({
    check: {
      ...location,
      configFile: values.config,
      cluster: nodePatchFromFlags(values),
      warnWithinMs: values["warn-within"] !== undefined ? parsePositiveDuration(values["warn-within"], "--warn-within") : undefined,
      warnWithinCAMs: values["warn-within-ca"] !== undefined ? parsePositiveDuration(values["warn-within-ca"], "--warn-within-ca") : undefined,
    },
    clockOffsetMs: values["clock-offset"] !== undefined ? parseOffset(values["clock-offset"]) : undefined,
    intervalMs,
    host,
    port,
    tls: readTLS(values["tls-cert-file"], values["tls-private-key-file"], values["client-ca-file"]),
    clusterName,
    log: (line) => process.stderr.write(`kubepki serve: ${terminalSafe(line)}\n`),
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`kubepki serve: ${signal}, stopping\n`);
      void exporter.close().then(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}

/** "127.0.0.1:9795", "[::1]:9795", ":9795" (every address), "localhost:9795". */
export function parseListen(text: string): { host?: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw inputError(`--listen: "${text}" is not ADDR:PORT`, 'use "127.0.0.1:9795", "[::1]:9795" or ":9795" (every address)');
  const host = m[1] ?? m[2];
  if (m[1] !== undefined && !(host.includes(":") && isIP(host))) throw inputError(`--listen: "${host}" in brackets is not an IPv6 address`);
  // An empty host is every address, as Go's net.Listen reads ":9795": Node binds "::" (IPv4 too), or 0.0.0.0 without IPv6.
  return { host: host === "" ? undefined : host, port };
}

/** "300d", "-2h": parseDuration with a sign. */
function parseOffset(text: string): number {
  const negative = text.trim().startsWith("-");
  const ms = parseDuration(negative ? text.trim().slice(1) : text, "--clock-offset");
  return negative ? -ms : ms;
}

function readTLS(certFile?: string, keyFile?: string, clientCAFile?: string) {
  if ((certFile === undefined) !== (keyFile === undefined)) throw inputError("serve: --tls-cert-file and --tls-private-key-file go together; give both or neither");
  if (certFile === undefined || keyFile === undefined) {
    if (clientCAFile !== undefined) throw inputError("serve: --client-ca-file needs TLS", "add --tls-cert-file and --tls-private-key-file");
    return undefined;
  }
  const read = (file: string, flag: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw inputError(`${flag}: cannot read ${terminalSafe(file)}: ${(err as NodeJS.ErrnoException).code ? errnoText((err as NodeJS.ErrnoException).code!) : (err as Error).message}`);
    }
  };
  return { cert: read(certFile, "--tls-cert-file"), key: read(keyFile, "--tls-private-key-file"), clientCA: clientCAFile !== undefined ? read(clientCAFile, "--client-ca-file") : undefined };
}
