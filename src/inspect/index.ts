import { messageOf, type ReadContext } from "./context.js";
import { readBytes, readInput } from "./read.js";
import { matchKeys } from "./key-match.js";
import type { Collector, InputFailure, InspectOptions, Item } from "./types.js";

export type { InspectOptions, Item, InputFailure, Source, CertificateItem, RequestItem, KeyItem, EndpointItem } from "./types.js";

export interface InspectResult {
  items: Item[];
  failures: InputFailure[];
  /** Files of directory walks that were neither certificates, keys nor Kubernetes objects. */
  skipped: number;
}

/**
 * Reads every input (paths, "-", directories, host:port) into items, in
 * argument order. A bad input becomes a failure naming it; the others are
 * still read.
 */
export async function inspect(inputs: string[], options: InspectOptions): Promise<InspectResult> {
  const all = [...inputs];
  if (options.kubeconfig) all.push(options.kubeconfig);
  const collectors: Collector[] = all.map(() => ({ items: [], failures: [], skipped: 0 }));
  await Promise.all(
    all.map(async (arg, i) => {
      const ctx: ReadContext = { options, out: collectors[i], inDirectory: false, depth: 0, readBytes };
      try {
        await readInput(arg, ctx);
      } catch (err) {
        collectors[i].failures.push({ input: arg, message: messageOf(err) });
      }
    }),
  );
  const result: InspectResult = { items: [], failures: [], skipped: 0 };
  for (const c of collectors) {
    result.items.push(...c.items);
    result.failures.push(...c.failures);
    result.skipped += c.skipped;
  }
  matchKeys(result.items);
  return result;
}
