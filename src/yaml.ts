// YAML for every reader and writer. js-yaml, because checking a node parses its
// manifests and kubeconfigs on every run, and js-yaml does that about three
// times faster than the yaml package from a cold start (and is half the size);
// its 4.x line, which does less work per document than 5.x.
import { CORE_SCHEMA, dump, loadAll } from "js-yaml";

/** Every document of a YAML (or JSON) text. Throws the parser's error; its first line says what and where. */
export function parseYAMLDocuments(text: string): unknown[] {
  // The core schema: a date stays the string it is in the file, as kubectl leaves it.
  return loadAll(text, undefined, { schema: CORE_SCHEMA });
}

/** The one document of a YAML (or JSON) text; null for an empty text. */
export function parseYAML(text: string): unknown {
  const docs = parseYAMLDocuments(text);
  if (docs.length > 1) throw new Error(`expected one YAML document, found ${docs.length}`);
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
