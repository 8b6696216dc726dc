// YAML for every reader and writer. js-yaml, because checking a node parses its
// manifests and kubeconfigs on every run, and js-yaml does that about three
// times faster than the yaml package from a cold start (and is half the size);
// its 4.x line, which does less work per document than 5.x.
import { CORE_SCHEMA, dump, loadAll } from "js-yaml";
import { inputError } from "./errors.js";

/** Bad YAML: the parser's error, or with `what` an input error "<what>: invalid YAML: <where and why>". */
const invalid = (what: string | undefined, err: unknown): unknown => (what === undefined ? err : inputError(`${what}: invalid YAML: ${yamlErrorLine(err)}`));

/**
 * How far aliases may multiply a document: js-yaml shares an aliased node
 * instead of copying it, so nine anchors of nine aliases each (an "alias bomb")
 * parse in microseconds into 387 million nodes that the first walk over them
 * (JSON output, a merge) spends minutes and gigabytes on. Like go-yaml's
 * "excessive aliasing" check, a document whose aliases add more than this many
 * nodes, or refer to themselves, is refused. Legitimate anchors (a shared env
 * block) add hundreds.
 */
export const MAX_ALIAS_NODES = 100_000;
/** Nesting deeper than this is refused (Kubernetes objects nest a few dozen levels). */
export const MAX_YAML_DEPTH = 1000;

/** Nodes a document holds once every alias is expanded, counted without expanding: shared nodes are counted once each and multiplied. */
function checkAliases(doc: unknown): void {
  const sizes = new Map<object, number>();
  const visiting = new Set<object>();
  let distinct = 0;
  const size = (node: unknown, depth: number): number => {
    if (node === null || typeof node !== "object") return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (visiting.has(node)) throw new Error("an alias refers to the node that contains it");
    if (depth > MAX_YAML_DEPTH) throw new Error(`nested deeper than ${MAX_YAML_DEPTH} levels`);
    visiting.add(node);
    let total = 1;
    for (const child of Array.isArray(node) ? node : Object.values(node)) total += size(child, depth + 1);
    visiting.delete(node);
    sizes.set(node, total);
    distinct++;
    return total;
  };
  const expanded = size(doc, 0);
  if (expanded - distinct > MAX_ALIAS_NODES) throw new Error(`aliases expand it to more than ${MAX_ALIAS_NODES} extra nodes (an alias bomb?)`);
}

/** Every document of a YAML (or JSON) text; `what` names the input in the error (see `invalid`). */
export function parseYAMLDocuments(text: string, what?: string): unknown[] {
  try {
    // The core schema: a date stays the string it is in the file, as kubectl leaves it.
    const docs = loadAll(text, undefined, { schema: CORE_SCHEMA });
    // An alias is spelled *name: without a "*" there is none, and the common case pays nothing.
    if (text.includes("*")) docs.forEach(checkAliases);
    return docs;
  } catch (err) {
    throw invalid(what, err);
  }
}

/** The one document of a YAML (or JSON) text; null for an empty text. */
export function parseYAML(text: string, what?: string): unknown {
  const docs = parseYAMLDocuments(text, what);
  if (docs.length > 1) throw invalid(what, new Error(`expected one YAML document, found ${docs.length}`));
  return docs[0] ?? null;
}

/** The first line of a parser error, for one-line messages. */
export function yamlErrorLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0];
}

/**
 * YAML as kubectl writes it: a list's items level with its key, long base64
 * lines never folded, and strings a YAML 1.1 reader (Go's) would take for a
 * boolean or a date ("on", "2024-01-01") quoted.
 */
export function toYAML(value: unknown): string {
  return dump(value, { lineWidth: -1, noArrayIndent: true });
}
