import type { Style } from "../style.js";
import type { Purpose, VerifyResult } from "../pki/verify.js";
import { terminalSafe } from "../text.js";

export type Verified = { file: string; result: VerifyResult };

/** `-o json|yaml` (docs/verify.md). */
export function verifyData(results: Verified[], asked: { now: Date; purpose: Purpose; name?: string }) {
  return {
    kind: "VerifyResult", apiVersion: "kubepki.io/v1alpha1",
    now: asked.now.toISOString(), purpose: asked.purpose, name: asked.name ?? null,
    valid: results.every((r) => r.result.valid),
    results: results.map(({ file, result }) => ({
      file, valid: result.valid,
      reason: result.problem?.reason ?? null, message: result.problem?.message ?? null,
      chain: result.chain.map((c) => ({ subject: c.subject.text, serial: c.serial, notAfter: c.notAfter.toISOString() })),
      notes: result.notes,
    })),
  };
}

/** One line per certificate: OK with its chain, or FAILED with Go's reason and the words for it. */
export function renderVerify(results: Verified[], style: Style): string {
  const lines: string[] = [];
  for (const { file, result } of results) {
    if (result.valid) {
      lines.push(`${terminalSafe(file)}: ${style.green("OK")} (${terminalSafe(result.chain.map((c) => c.subject.text || "(empty subject)").join(" → "))})`);
    } else {
      lines.push(`${terminalSafe(file)}: ${style.red("FAILED")} ${result.problem!.reason}: ${terminalSafe(result.problem!.message)}`);
    }
    for (const n of result.notes) lines.push(`  note: ${terminalSafe(n)}`);
  }
  return lines.join("\n") + "\n";
}
