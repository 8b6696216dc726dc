import { isAbsolute, relative } from "node:path";
import type { CheckResult } from "../check/index.js";
import { checkReportData } from "../report/check-data.js";
import { appendCheckMetrics, Exposition } from "../report/check-prometheus.js";
import type { SchedulerState } from "./scheduler.js";

/** One completed check and the labels it decided. */
export interface NodeCheck {
  result: CheckResult;
  cluster?: string;
  node?: string;
}

/** What the server answers with until the next check: rendered once per check, never per request. */
export interface Pages {
  metrics: string;
  /** The check as `check -o json` prints it, or undefined before the first complete check. */
  report?: string;
}

/**
 * The exporter's own health next to the last complete check's metrics. When
 * the latest check failed, the previous result stays (with its timestamps, so
 * staleness shows) and kubepki_check_success says 0.
 */
export function renderPages(state: SchedulerState<NodeCheck>, intervalMs: number, fallback: { cluster?: string; node?: string }): Pages {
  const last = state.lastSuccess;
  const identity = last.result ? { cluster: last.result.cluster, node: last.result.node } : fallback;
  const out = new Exposition(identity);
  out.gauge("kubepki_check_success", "1 when the latest check completed, 0 when it failed (the metrics below are then from the last one that completed).", [[{}, state.ok ? 1 : 0]]);
  out.counter("kubepki_checks_total", "Checks attempted since the exporter started.", [[{}, state.attempts]]);
  out.counter("kubepki_check_errors_total", "Checks that failed since the exporter started.", [[{}, state.failures]]);
  out.gauge("kubepki_check_interval_seconds", "The exporter's --interval: a check runs at least this often, and also when a watched file changes.", [[{}, intervalMs / 1000]]);
  if (last.result) {
    out.gauge("kubepki_check_last_success_timestamp_seconds", "When the last complete check finished, by the wall clock (alert when it is too old).", [[{}, Math.floor(last.finishedAt! / 1000)]]);
    out.gauge("kubepki_check_duration_seconds", "How long the last complete check took.", [[{}, last.durationMs! / 1000]]);
    appendCheckMetrics(out, last.result.result, { fileLabel: pathOnNode(last.result.result.root) });
  }
  return {
    metrics: out.text(),
    report: last.result ? JSON.stringify(checkReportData(last.result.result), null, 2) + "\n" : undefined,
  };
}

/**
 * Files as the node itself names them: with --root /host (the DaemonSet's
 * mount), /host/etc/kubernetes/pki/ca.crt is /etc/kubernetes/pki/ca.crt on
 * the node, the same label on every node. A file outside the root keeps its path.
 */
export function pathOnNode(root: string): (path: string) => string {
  return (path) => {
    const rel = relative(root, path);
    return rel === ".." || rel.startsWith("../") || isAbsolute(rel) ? path : `/${rel}`;
  };
}
