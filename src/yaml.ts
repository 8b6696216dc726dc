// YAML for every reader and writer. js-yaml, because checking a node parses its
// manifests and kubeconfigs on every run, and js-yaml does that about three
// times faster than the yaml package from a cold start (and is half the size);
// its 4.x line, which does less work per document than 5.x.
import { CORE_SCHEMA, dump, loadAll } from "js-yaml";
import { inputError } from "./errors.js";

/** Bad YAML: the parser's error, or with `what` an input error "<what>: invalid YAML: <where and why>". */
const invalid = (what: string | undefined, err: unknown): unknown => (what === undefined ? err : inputError(`${what}: invalid YAML: ${yamlErrorLine(err)}`));

/** Every document of a YAML (or JSON) text; `what` names the input in the error (see `invalid`). */
export function parseYAMLDocuments(text: string, what?: string): unknown[] {
  try {
    // The core schema: a date stays the string it is in the file, as kubectl leaves it.
    return loadAll(text, undefined, { schema: CORE_SCHEMA });
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
