/**
 * Peels the layers off one log line so that the patterns see the error itself:
 * the journald or CRI prefix, klog's header, etcd's capnslog header, JSON (zap,
 * klog -o json), klog's quoting (`err="…\"…\"…"`); then names the wrappers
 * around the core error (`Unable to connect to the server:`, `Get "https://…":`,
 * `tls: failed to verify certificate:` …) and what they tell: the URL dialed,
 * the client address, the webhook, who logged the line and in which role.
 */

/** Who logged the line, when the line says so. */
export type Logger =
  | "kubectl" | "kubelet" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "etcd" | "etcdctl"
  | "metrics-server" | "kubeadm" | "openssl" | "curl" | "node" | "webhook";

export interface Unwrapped {
  /** The line as given (trimmed). */
  raw: string;
  /** The message with prefixes removed and escapes undone: what patterns run on. */
  text: string;
  /** The innermost error, after the last wrapper ("x509: certificate has expired …"). */
  core: string;
  /** The wrappers, outermost first, as short labels ("Unable to connect to the server", "GET https://…"). */
  layers: string[];
  logger?: Logger;
  /** Whether the logger was the TLS client or the server of the failed connection, when the line tells. */
  role?: "client" | "server";
  /** The URL the client dialed, when quoted. */
  url?: { host: string; port?: number; path: string };
  /** The other end's address, as a server logs it (host:port). */
  peerAddress?: string;
  /** etcd's ServerName / server-name field. */
  serverName?: string;
  webhook?: string;
  /** The klog source file:line, which names the code path (authentication.go:73). */
  source?: string;
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Lines are cut here before anything runs on them: real certificate errors are
 * a few hundred characters (a klog line with a long err="…" stays under 4 KiB),
 * and every pattern is linear in the line (patterns.ts, LINEAR), so a line an
 * attacker made megabytes long costs no more than 8 KiB of it. docs/limits.md.
 */
export const MAX_LINE_LENGTH = 8192;

// Prefixes, each anchored at the start, removed in this order.
const JOURNAL = /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?) \S+ ([\w.@-]+?)(?:\[\d+\])?: /;
const CRI = /^\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d) (?:stdout|stderr) [FP] /;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d) /;
const KLOG = /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ ([\w./-]+:\d+)\] /;
const CAPNSLOG = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ [IWEDNC] \| ([\w/-]+): /;
const POD_PREFIX = /^\[pod\/[^\]]+\] /; // kubectl logs --prefix

/** A journald identifier or container name → the component. */
function loggerOf(name: string): Logger | undefined {
  const n = name.toLowerCase();
  for (const c of ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "metrics-server", "kubelet", "etcdctl", "etcd", "kubectl", "kubeadm"] as const) {
    if (n.includes(c)) return c;
  }
  return undefined;
}

/** Wrappers around a core error, in no particular order; each may appear anywhere in the line. */
const WRAPPERS: { re: RegExp; label: (m: RegExpExecArray) => string }[] = [
  { re: /Unable to connect to the server: /, label: () => "Unable to connect to the server" },
  { re: /Error from server(?: \(\w+\))?: /, label: () => "Error from server" },
  { re: /Internal error occurred: /, label: () => "Internal error occurred" },
  { re: /failed calling (?:admission )?webhook "([^"]+)": /, label: (m) => `failed calling webhook "${m[1]}"` },
  { re: /failed to call webhook: /, label: () => "failed to call webhook" },
  { re: /\b(Get|Post|Put|Patch|Delete|Head) "?(https?:\/\/[^"\s]+?)"?: /, label: (m) => `${m[1].toUpperCase()} ${m[2]}` },
  { re: /couldn't get current server API group list: /, label: () => "API discovery" },
  { re: /error dialing backend: /, label: () => "error dialing backend" },
  { re: /connection error: desc = "?/, label: () => "gRPC connection error" },
  { re: /transport: authentication handshake failed: /, label: () => "gRPC TLS handshake" },
  { re: /http: TLS handshake error from (\S+): /, label: (m) => `TLS handshake error from ${m[1]}` },
  { re: /rejected connection(?: from "([^"]+)")?(?: on (?:client|peer) endpoint)?(?: \(error "|: )/, label: (m) => `rejected connection${m[1] ? ` from ${m[1]}` : ""}` },
  { re: /Unable to authenticate the request(?: due to an error)?:? (?:err="?\[?)?/, label: () => "Unable to authenticate the request" },
  { re: /verifying certificate SN=\d+, SKID=[0-9A-F:]*, AKID=[0-9A-F:]* failed: /, label: () => "verifying client certificate" },
  { re: /tls: failed to verify (?:client(?:'s)? )?certificate: /, label: (m) => (/client/.test(m[0]) ? "verify client certificate" : "verify certificate") },
  { re: /SSL certificate problem: /, label: () => "SSL certificate problem" },
  { re: /verify error:num=\d+:/, label: () => "OpenSSL verify" },
];

/** Reads a JSON log record (zap, klog -o json, kubectl -o json errors) into one message line. */
function fromJSON(s: string): { text: string; fields: Record<string, unknown> } | undefined {
  const start = s.indexOf("{");
  const end = s.lastIndexOf("}");
  if (start < 0 || end <= start) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(s.slice(start, end + 1));
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return undefined;
  const fields = doc as Record<string, unknown>;
  const str = (k: string) => (typeof fields[k] === "string" ? (fields[k] as string) : undefined);
  const msg = str("msg") ?? str("message") ?? str("MESSAGE") ?? "";
  const err = str("error") ?? str("err");
  if (!msg && !err) return undefined;
  // Keep klog's `err="…"` shape so that patterns written for text logs still read the same.
  return { text: err ? `${msg}${msg ? ": " : ""}${err}` : msg, fields };
}

/** Undoes the escaping klog and Go's %q apply inside quoted values. */
function unescape(s: string): string {
  return s.replace(/\\\\/g, "\u0000").replace(/\\"/g, '"').replace(/\\n/g, " ").replace(/\u0000/g, "\\");
}

function urlOf(text: string): Unwrapped["url"] {
  const m = /https?:\/\/([^\s"/?]+)([^\s"]*)/.exec(text);
  if (!m) return undefined;
  try {
    const u = new URL(`https://${m[1]}${m[2]}`);
    return { host: u.hostname.replace(/^\[(.*)\]$/, "$1"), port: u.port ? Number(u.port) : undefined, path: u.pathname };
  } catch {
    return undefined;
  }
}

/** What the words of the line say about who logged it, when no prefix did. */
function loggerFromText(text: string, source?: string): Logger | undefined {
  if (/^(?:Unable to connect to the server|error: You must be logged in|Error from server|The connection to the server|error: |Error in configuration)/.test(text)) return "kubectl";
  if (source && /^(?:memcache|cached_discovery|helpers|round_trippers|loader)\.go/.test(source)) return "kubectl";
  if (/is unhealthy: |^Error: (?:context deadline exceeded|unhealthy cluster)/.test(text)) return "etcdctl";
  if (/rejected connection|embed: |etcdserver: /.test(text)) return "etcd";
  if (/failed calling (?:admission )?webhook/.test(text)) return "kube-apiserver";
  if (/Failed to scrape node|unable to fully scrape metrics/.test(text)) return "metrics-server";
  if (/Unable to register node|Failed to list \*v1\.|bootstrap client certificate|no serving certificate available for the kubelet/.test(text)) return "kubelet";
  if (/SSL routines|verify error:num=|verify return:|Verify return code|verification failed|^error \d+ at \d+ depth lookup/.test(text)) return "openssl";
  if (/^curl: \(\d+\)/.test(text)) return "curl";
  if (/ERR_TLS_|\b(?:CERT_HAS_EXPIRED|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|CERT_NOT_YET_VALID)\b/.test(text)) return "node";
  if (/couldn't validate the identity of the API Server|cluster-info/.test(text)) return "kubeadm";
  return undefined;
}

/**
 * The role the logger played in the failed connection. A server logs the
 * client's address, or says it verified a "client certificate"; everything that
 * dialed a URL is a client.
 */
function roleOf(text: string, logger?: Logger): Unwrapped["role"] {
  if (/http: TLS handshake error from|rejected connection|Unable to authenticate the request|tls: failed to verify client(?:'s)? certificate|client didn't provide a certificate|verifying certificate SN=|peer did not return a certificate/.test(text)) return "server";
  if (/Unable to connect to the server|\b(?:Get|Post|Put|Patch|Delete|Head) "?https?:|transport: authentication handshake failed|failed calling (?:admission )?webhook|error dialing backend|Failed to list|Unable to register node|Failed to scrape node|SSL certificate problem|verify error:num=|tls: failed to verify certificate:/.test(text)) return "client";
  if (logger && ["kubectl", "etcdctl", "curl", "kubeadm", "metrics-server"].includes(logger)) return "client";
  return undefined;
}

/**
 * Drops the quote (and klog's list bracket) that closes an outer layer, keeping
 * quotes that belong to the core ("… candidate authority certificate "kubernetes")").
 */
function closeQuotes(core: string): string {
  let c = core.trim();
  if ((c.match(/"/g)?.length ?? 0) % 2 === 1) c = c.replace(/"\)?$/, "");
  if (c.endsWith("]") && !c.includes("[")) c = c.slice(0, -1);
  return c.trim();
}

/** Unwraps one line of a log or one pasted message. */
export function unwrapLine(line: string): Unwrapped {
  const raw = (line.length > MAX_LINE_LENGTH ? line.slice(0, MAX_LINE_LENGTH) : line).replace(ANSI, "").trim();
  let s = raw;
  let logger: Logger | undefined;
  let source: string | undefined;
  let peerAddress: string | undefined;
  let serverName: string | undefined;

  // Outer prefixes first: a journald line may carry a klog line, a CRI line a JSON one.
  s = s.replace(POD_PREFIX, "");
  let m = JOURNAL.exec(s);
  if (m) {
    logger = loggerOf(m[1]);
    s = s.slice(m[0].length);
  }
  s = s.replace(CRI, "");
  if (!s.startsWith("{")) s = s.replace(TIMESTAMP, "");
  m = KLOG.exec(s);
  if (m) {
    source = m[1];
    s = s.slice(m[0].length);
  }
  m = CAPNSLOG.exec(s);
  if (m) {
    logger ??= "etcd";
    s = s.slice(m[0].length);
  }
  if (s.startsWith("{")) {
    const json = fromJSON(s);
    if (json) {
      s = json.text;
      const f = json.fields;
      const str = (k: string) => (typeof f[k] === "string" ? (f[k] as string) : undefined);
      peerAddress = str("remote-addr") ?? str("remoteAddr") ?? str("remote_addr");
      serverName = str("server-name") ?? str("serverName");
      source ??= str("caller");
      if (source && /embed\/|etcdserver\//.test(source)) logger ??= "etcd";
      const name = str("logger") ?? str("component");
      if (name) logger ??= loggerOf(name);
    }
  }
  s = unescape(s);

  const layers: { at: number; end: number; label: string }[] = [];
  for (const w of WRAPPERS) {
    const re = new RegExp(w.re.source, "g");
    for (let x = re.exec(s); x; x = re.exec(s)) layers.push({ at: x.index, end: x.index + x[0].length, label: w.label(x) });
  }
  layers.sort((a, b) => a.at - b.at);
  const last = layers.reduce((e, l) => Math.max(e, l.end), 0);
  // The core ends where a quoting layer closes: etcd's (error "…", ServerName …), klog's err="…".
  const core = closeQuotes(s.slice(last).replace(/", ServerName .*$/, "")) || s;

  const handshake = /http: TLS handshake error from (\S+):/.exec(s);
  const rejected = /rejected connection from "([^"]+)"/.exec(s);
  peerAddress ??= handshake?.[1] ?? rejected?.[1];
  serverName ??= /ServerName "([^"]*)"/.exec(s)?.[1] || undefined;
  logger ??= loggerFromText(s, source);
  return {
    raw, text: s, core, layers: layers.map((l) => l.label), logger, role: roleOf(s, logger),
    url: urlOf(s), peerAddress, serverName: serverName || undefined,
    webhook: /failed calling (?:admission )?webhook "([^"]+)"/.exec(s)?.[1], source,
  };
}
