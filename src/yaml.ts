// YAML for every reader and writer. js-yaml, because checking a node parses its
// manifests and kubeconfigs on every run, and js-yaml does that about three
// times faster than the yaml package from a cold start (and is half the size).
import { dump, loadAll } from "js-yaml";

/** Every document of a YAML (or JSON) text. Throws the parser's error; its first line says what and where. */
export function parseYAMLDocuments(text: string): unknown[] {
  return loadAll(text);
}

/** The one document of a YAML (or JSON) text; null for an empty text. */
export function parseYAML(text: string): unknown {
  const docs = loadAll(text);
  if (docs.length > 1) throw new Error(`expected one YAML document, found ${docs.length}`);
  return docs[0] ?? null;
}

/** The first line of a parser error, for one-line messages. */
export function yamlErrorLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0];
}

/** YAML as kubectl writes it: a list's items level with its key, long base64 lines never folded. */
export function toYAML(value: unknown): string {
  return dump(value, { lineWidth: -1, seqNoIndent: true });
}
