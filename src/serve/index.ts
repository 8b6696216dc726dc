import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { checkNode, type CheckOptions } from "../check/index.js";
import { formatGoDuration } from "../cluster/duration.js";
import { isKubepkiError, KubepkiError } from "../errors.js";
import { clusterNameFromKubeconfigs } from "./identity.js";
import { renderPages, type NodeCheck, type Pages } from "./pages.js";
import { CheckScheduler } from "./scheduler.js";
import { FolderWatcher } from "./watch.js";

export type { NodeCheck, Pages } from "./pages.js";

export interface ServeOptions {
  /** What to check: the same options as `check` (its `now` is replaced by the clock below). */
  check: Omit<CheckOptions, "now">;
  /** Judge validity this far ahead of (or, negative, behind) the real clock: tests and what-ifs. */
  clockOffsetMs?: number;
  /** A check runs at least this often (default 5 minutes). */
  intervalMs?: number;
  /** How long after a file changes the check runs, so that it sees a whole renewal (default 1 s). */
  changeDelayMs?: number;
  /** Undefined: every address. */
  host?: string;
  port: number;
  /** Serve HTTPS; with clientCA, only clients with a certificate it signed (mTLS scrapes). */
  tls?: { cert: Buffer; key: Buffer; clientCA?: Buffer };
  /** The cluster label; default: the cluster the node's kubeconfigs name. */
  clusterName?: string;
  /** One line per event worth a log (start, a check failing or recovering). */
  log?: (line: string) => void;
}

export interface Exporter {
  /** The address really bound (port 0 picks a free one). */
  address: AddressInfo;
  url: string;
  /** Runs a check now (a program that just changed files need not wait for the watcher). */
  checkNow(): Promise<void>;
  close(): Promise<void>;
}

const MINUTE = 60_000;
const TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

/**
 * `kubepki serve`: checks the node on an interval and on file changes, and
 * serves the last complete result as Prometheus metrics (/metrics), as
 * `check -o json` (/report), and a liveness answer (/healthz).
 */
export async function startExporter(options: ServeOptions): Promise<Exporter> {
  const intervalMs = options.intervalMs ?? 5 * MINUTE;
  const log = options.log ?? (() => {});
  const fallbackIdentity = { cluster: options.clusterName, node: options.check.cluster?.firstNode?.name };

  const runCheck = async (): Promise<NodeCheck> => {
    const result = await checkNode({ ...options.check, now: new Date(Date.now() + (options.clockOffsetMs ?? 0)) });
    const cluster = options.clusterName ?? (await clusterNameFromKubeconfigs(result.kubeconfigDir));
    return { result, cluster, node: fallbackIdentity.node ?? result.facts.nodeName };
  };

  let pages: Pages = { metrics: "" };
  let wasOk = true;
  const watcher = new FolderWatcher(() => void scheduler.trigger(), options.changeDelayMs ?? 1000);
  const scheduler: CheckScheduler<NodeCheck> = new CheckScheduler({
    check: runCheck,
    intervalMs,
    onUpdate: (state) => {
      pages = renderPages(state, intervalMs, fallbackIdentity);
      if (state.lastSuccess.result) watcher.sync(foldersOf(state.lastSuccess.result));
      // The first attempt is judged by startExporter itself: refused at start, or logged there.
      if (state.attempts > 1 && state.ok !== wasOk) log(state.ok ? "check: succeeded again" : failedLine(state.lastError));
      wasOk = state.ok;
    },
  });
  // TLS files are judged before any work, and the port is taken only once there is a result to serve.
  const server = createListener(options.tls, (req, res) => respond(req, res, pages));
  await scheduler.start();
  // Bad input (a --root that does not exist, an unreadable --config) is refused at start, as check refuses it;
  // later failures are reported as metrics while the exporter keeps serving.
  const first = scheduler.state.lastError;
  try {
    if (isKubepkiError(first) && first.exitCode === 2) throw first;
    await listen(server, options.host, options.port);
  } catch (err) {
    await scheduler.stop();
    watcher.close();
    throw err;
  }
  if (first !== undefined) log(failedLine(first));
  const address = server.address() as AddressInfo;
  const url = `${options.tls ? "https" : "http"}://${hostPort(address.address, address.port)}`;
  log(`listening on ${url} (/metrics, /report, /healthz); checking every ${formatGoDuration(intervalMs)} and when files change`);

  return {
    address,
    url,
    checkNow: () => scheduler.trigger(),
    close: async () => {
      watcher.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([closed, scheduler.stop()]);
    },
  };
}

function createListener(tls: ServeOptions["tls"], handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  let server: Server;
  try {
    server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.clientCA, requestCert: Boolean(tls.clientCA), rejectUnauthorized: Boolean(tls.clientCA), minVersion: "TLSv1.2" }, handler)
      : createHttpServer(handler);
  } catch (err) {
    // OpenSSL's reason ("key values mismatch", "no start line") names what is wrong with the files, never their content.
    throw new KubepkiError(`serve: the TLS files cannot be used: ${(err as Error).message.replace(/^error:[0-9A-F]+:[^:]*::/, "")}`, { hint: "give a PEM certificate, its own private key and a PEM CA bundle" });
  }
  // Scrapers reconnect cheaply; a bound on sockets bounds memory when something misbehaves.
  server.maxConnections = 512;
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  return server;
}

async function listen(server: Server, host: string | undefined, port: number): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "EADDRINUSE" ? "the address is in use" : e.code === "EADDRNOTAVAIL" ? "no such address on this host" : e.code === "EACCES" ? "permission denied" : e.message;
    throw new KubepkiError(`serve: cannot listen on ${hostPort(host ?? "", port)}: ${why}`, { hint: "pick another --listen ADDR:PORT" });
  }
}

function respond(req: IncomingMessage, res: ServerResponse, pages: Pages): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("method not allowed\n");
    return;
  }
  const path = (req.url ?? "/").split("?")[0];
  const send = (status: number, type: string, body: string) => {
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  switch (path) {
    case "/metrics":
      return send(200, TEXT_FORMAT, pages.metrics);
    case "/report":
      return pages.report !== undefined
        ? send(200, "application/json", pages.report)
        : send(503, "application/json", JSON.stringify({ error: "no check has completed yet; see kubepki_check_success in /metrics" }) + "\n");
    // Liveness only: restarting the exporter fixes no certificate, so a failing check does not fail this.
    case "/healthz":
      return send(200, "text/plain; charset=utf-8", "ok\n");
    case "/":
      return send(200, "text/plain; charset=utf-8", "kubepki exporter: /metrics (Prometheus), /report (check -o json), /healthz\n");
    default:
      return send(404, "text/plain; charset=utf-8", "not found\n");
  }
}

/**
 * The folders whose changes matter: the node's three kubeadm folders, the
 * etcd and kubelet certificate folders, and the folder of every file the
 * check read (a manifest may point anywhere).
 */
function foldersOf({ result }: NodeCheck): Set<string> {
  const dirs = new Set([result.pkiDir, join(result.pkiDir, "etcd"), result.kubeconfigDir, result.manifestsDir, join(result.root, "var/lib/kubelet/pki")]);
  for (const c of result.certificates) {
    dirs.add(dirname(c.file));
    dirs.add(dirname(c.certFile));
    if (c.keyFile) dirs.add(dirname(c.keyFile));
  }
  return dirs;
}

function failedLine(err: unknown): string {
  return `check: failed: ${err instanceof Error ? err.message : String(err)}`;
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
