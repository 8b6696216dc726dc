import { inputError } from "../errors.js";

const UNIT_MS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
  // Not Go: days, because "30d" is what people type for expiry windows.
  d: 86_400_000,
};

/**
 * Parses a Go duration ("8760h", "1h30m", "90s") as kubeadm's config and flags
 * take them, plus a `d` (24h) unit. Returns milliseconds. `what` names the
 * flag or field in the error.
 */
export function parseDuration(text: string, what: string): number {
  const s = text.trim();
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += parseFloat(m[1]) * UNIT_MS[m[2]];
    matched = re.lastIndex;
  }
  if (s === "" || matched !== s.length) {
    throw inputError(`${what}: invalid duration "${text}"`, 'use Go durations such as "8760h", "720h30m" or "30d"');
  }
  return Math.round(total);
}

/** A positive duration, for validity periods. */
export function parsePositiveDuration(text: string, what: string): number {
  const ms = parseDuration(text, what);
  if (ms <= 0) throw inputError(`${what}: duration must be positive, got "${text}"`);
  return ms;
}

/** Go-style rendering used back in config files and plans: "8760h", "90m", "45s". */
export function formatGoDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

/**
 * kubeadm's RESIDUAL TIME (k8s.io/apimachinery ShortHumanDuration): "<invalid>",
 * "45s", "12m", "5h", "364d", "9y".
 */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}
