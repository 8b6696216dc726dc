/**
 * explain: from error text to what failed, on which link, whose fault, and the
 * fix. Pure: text in, entries out. `--root` file matching lives in locate.ts
 * and is applied on top by the CLI (or a library caller).
 */
import { hintFor } from "./hints.js";
import { inferLink, type Link } from "./link.js";
import { PATTERNS, type Pattern } from "./patterns.js";
import { quotedFacts, type Quoted } from "./quotes.js";
import { rankCauses } from "./rank.js";
import { faultOf, type Fault } from "./side.js";
import { unwrapLine, type Logger } from "./unwrap.js";

export { PATTERNS, patternById, type Pattern } from "./patterns.js";
export { unwrapLine, type Unwrapped } from "./unwrap.js";
export type { Link, LinkId } from "./link.js";
export type { Fault } from "./side.js";
export type { Quoted } from "./quotes.js";

/** A certificate file --root found for an entry (locate.ts). */
export interface FileMatch {
  /** kubepki check's row id ("apiserver", "admin.conf"), or "bundle" for a CA bundle only a consumer names. */
  id: string;
  /** The file the certificate is in (a PEM file, or the kubeconfig that embeds it). */
  file: string;
  /** What the certificate is in this entry: the one refused, or the CA that issued it. */
  as: "certificate" | "issuer" | "trust";
  subject: string;
  serial: string;
  notAfter: string;
  /** Why it was picked: "serial 5A3F… (SN=…)", "SANs are exactly those quoted", "on the link". */
  reasons: string[];
  /** Only the link pointed at it, nothing the message quoted. */
  byLinkOnly: boolean;
  /** kubepki check's findings for this file. */
  findings: { id: string; severity: string; message: string; fix: string }[];
}

export interface Entry {
  /** Stable pattern id (patterns.ts). */
  id: string;
  /** Row in troubleshooting.md. */
  ref?: string;
  title: string;
  confidence: "A" | "B" | "C";
  /** How many lines showed this problem. */
  count: number;
  /** 1-based line numbers of the first and last occurrence. */
  firstLine: number;
  lastLine: number;
  /** The first line as given, cut at 1000 characters. */
  sample: string;
  /** The innermost error. */
  core: string;
  /** The wrappers around it, outermost first. */
  layers: string[];
  logger?: Logger;
  link?: Link;
  /** The URL host:port the client dialed, or the client address a server logged. */
  target?: string;
  peer?: string;
  fault: Fault;
  /** The likely cause on this link, in one sentence (hints.ts), when one is known. */
  hint?: string;
  meaning: string;
  causes: string[];
  checks: string[];
  fix: string[];
  /** Other patterns the line matched (routers, the core under an outer diagnosis). */
  also: { id: string; ref?: string; title: string }[];
  quoted: Quoted;
  /** Set with --root. */
  files?: FileMatch[];
  /** Set with --root when the message quoted facts that no local certificate has. */
  unmatched?: string;
}

export interface ExplainResult {
  lines: number;
  /** Lines recognised as a certificate problem. */
  recognised: number;
  entries: Entry[];
}

/** Lines longer than this are cut before matching: a log line that long is a dump, not an error. */
const MAX_LINE = 16_384;

/** The primary pattern: the first diagnosis, else a router that stands on its own, else an aid. */
function primaryOf(matches: Pattern[]): Pattern | undefined {
  return matches.find((p) => p.role === "diagnosis") ?? matches.find((p) => p.role === "router" && !p.needsCore) ?? matches.find((p) => p.role === "aid");
}

/** Times, client ports and OpenSSL's thread ids change from line to line of one problem. */
function normalise(s: string): string {
  return s
    .replace(/current time \S+/g, "current time …")
    .replace(/\b(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):\d+\b/g, "$1")
    .replace(/^[0-9A-F]{8,}:error:/, "error:")
    // klog's closing quote and bracket end some lines and not others.
    .replace(/["\])]+$/, "");
}

/**
 * What makes two lines the same problem: the primary pattern, the link, the
 * client a server names, and what each diagnosis matched. Routers are left out,
 * so kubectl's retries and its final "Unable to connect" count as one problem.
 */
function problemKey(primary: Pattern, matches: Pattern[], text: string, link: Link | undefined, peer: string | undefined): string {
  const parts = [primary.id, link?.id ?? "", normalise(peer ?? "")];
  for (const p of matches) {
    if (p.role === "router") continue;
    parts.push(`${p.id}=${normalise(p.regex.exec(text)?.[0] ?? "")}`);
  }
  return parts.join("\u0000");
}

/** Explains every recognised line of `text`; one entry per distinct problem, in order of first appearance. */
export function explain(text: string): ExplainResult {
  const lines = text.split(/\r?\n/);
  const byKey = new Map<string, Entry>();
  let recognised = 0;
  let counted = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].length > MAX_LINE ? lines[i].slice(0, MAX_LINE) : lines[i];
    if (!line.trim()) continue;
    counted++;
    const u = unwrapLine(line);
    const matches = PATTERNS.filter((p) => p.regex.test(u.text));
    const primary = primaryOf(matches);
    if (!primary) continue;
    recognised++;
    const link = inferLink(u);
    const key = problemKey(primary, matches, u.text, link, u.peerAddress);
    const seen = byKey.get(key);
    if (seen) {
      seen.count++;
      seen.lastLine = i + 1;
      continue;
    }
    const quoted = quotedFacts(u.text);
    // openssl verify names the file on the line after its error.
    const next = lines[i + 1];
    if (next !== undefined && !quoted.file) {
      const file = quotedFacts(next).file;
      if (file) quoted.file = file;
    }
    // The fault is the first pattern that tells (an outer diagnosis such as etcd's
    // "rejected connection" leaves it to the core under it).
    const kind = matches.find((p) => p.fault !== "none")?.fault ?? "none";
    const fault = faultOf(kind, u, link);
    // The outer pattern (etcd's "rejected connection") or the core under it (T1) may carry the hint.
    const hint = [primary, ...matches].map((p) => hintFor(p.id, link?.id, fault.certificate)).find(Boolean);
    byKey.set(key, {
      id: primary.id, ref: primary.ref, title: primary.title, confidence: primary.confidence,
      count: 1, firstLine: i + 1, lastLine: i + 1,
      sample: u.raw.length > 1000 ? `${u.raw.slice(0, 1000)}…` : u.raw,
      core: u.core, layers: u.layers, logger: u.logger, link,
      target: u.url ? `${u.url.host}${u.url.port ? `:${u.url.port}` : ""}` : undefined,
      peer: u.peerAddress,
      fault, hint,
      meaning: primary.meaning, causes: rankCauses(primary.causes, u.text), checks: primary.checks, fix: primary.fix,
      also: matches.filter((p) => p !== primary).map((p) => ({ id: p.id, ref: p.ref, title: p.title })),
      quoted,
    });
  }
  return { lines: counted, recognised, entries: [...byKey.values()] };
}
