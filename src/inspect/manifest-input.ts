import { dirname, isAbsolute, resolve } from "node:path";
import { KubepkiError, inputError } from "../errors.js";
import { hostPathOf, parseStaticPod } from "../kube/manifest.js";
import { messageOf, readReferencedFile, type ReadContext } from "./context.js";
import type { Source } from "./types.js";

/**
 * A flag is followed when its value names a certificate, key or kubeconfig
 * file (by extension), so that flags kubepki does not list by name are not
 * missed; the few that take such paths for other purposes are excluded.
 */
const FILE_VALUE = /\.(?:crt|pem|key|pub|cer|der|conf|kubeconfig)$/;
const NOT_CERTIFICATES = new Set(["--audit-policy-file", "--encryption-provider-config", "--token-auth-file", "--authentication-config", "--authorization-config"]);

/** Follows every certificate, key, CA and kubeconfig flag of a static pod manifest to its file on the host. */
export async function readManifestText(text: string, source: Source, ctx: ReadContext): Promise<void> {
  const manifestPath = source.file ?? source.input;
  let pod;
  try {
    pod = parseStaticPod(text, manifestPath);
  } catch (err) {
    // The shared reader assumes a well-formed Pod; a malformed one (a null container) is bad input, not a crash.
    if (err instanceof KubepkiError) throw err;
    throw inputError(`${manifestPath}: not a valid static pod manifest (${(err as Error).message})`);
  }
  const base = dirname(resolve(manifestPath));
  // One file is often named by several flags (kube-controller-manager's three kubeconfig flags): read it once.
  const flagsByPath = new Map<string, string[]>();
  for (const [flag, value] of pod.flags) {
    if (NOT_CERTIFICATES.has(flag) || !FILE_VALUE.test(value)) continue;
    const hostPath = hostPathOf(pod, value);
    const path = isAbsolute(hostPath) ? hostPath : resolve(base, hostPath);
    flagsByPath.set(path, [...(flagsByPath.get(path) ?? []), flag]);
  }
  for (const [path, flags] of flagsByPath) {
    const where = `${pod.component} ${flags.join(", ")}`;
    const before = ctx.out.items.length;
    try {
      await readReferencedFile(path, { ...source, where }, ctx);
    } catch (err) {
      ctx.out.failures.push({ input: source.input, message: messageOf(err) });
      continue;
    }
    for (const item of ctx.out.items.slice(before)) {
      if (item.type === "certificate" && item.source.where === where) item.consumer = { component: pod.component, flag: flags[0] };
    }
  }
}
