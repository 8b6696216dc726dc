import { formatGoDuration } from "../cluster/duration.js";
import type { Style } from "../style.js";
import { table } from "../style.js";
import type { ReviewItem } from "../signer/review.js";
import { terminalSafe, terminalSafeDeep } from "../text.js";

/** `-o json|yaml` of csr review (docs/csr.md). */
export function reviewData(file: string, items: ReviewItem[]) {
  return { kind: "CSRReview", apiVersion: "kubepki.io/v1alpha1", file, ok: items.every((i) => i.verdict === "ok"), items };
}

const keyText = (k: ReviewItem["key"]) => (k.type === "RSA" ? `RSA ${k.bits}` : k.type === "ECDSA" ? `ECDSA ${k.curve}` : k.type);
const list = (xs: string[]) => (xs.length ? xs.join(", ") : "none");

/** One block per request: who it makes you, what it may do, whether the signer takes it, and loud warnings. */
export function renderReview(rawFile: string, rawItems: ReviewItem[], style: Style): string {
  // Names, groups, SANs and messages are the requester's: escaped before the warnings are coloured around them.
  const file = terminalSafe(rawFile);
  const items = terminalSafeDeep(rawItems);
  const out: string[] = [];
  for (const i of items) {
    const sans = [...i.dnsNames.map((d) => `DNS:${d}`), ...i.ipAddresses.map((a) => `IP:${a}`), ...i.emailAddresses.map((e) => `email:${e}`), ...i.uris.map((u) => `URI:${u}`)];
    const requested = i.expirationSeconds === null ? "none requested" : `${formatGoDuration(i.expirationSeconds * 1000)} requested (expirationSeconds ${i.expirationSeconds})`;
    out.push(style.bold(i.source === "object" ? `CertificateSigningRequest ${i.name} (${file})` : `Certificate request ${file}`));
    const rows = [
      ["user (CN)", i.user || "(none)"],
      ["groups (O)", list(i.groups)],
      ["subject", i.subject || "(empty)"],
      ["signer", i.signerName],
      ["usages", list(i.usages)],
      ...(i.grants ? [["grants", `key usage: ${list(i.grants.keyUsage)}; extended key usage: ${list(i.grants.extKeyUsage)}`]] : []),
      ["SANs", list(sans)],
      ["key", keyText(i.key)],
      ["signature", i.signature.valid ? `${i.signature.algorithm}, verified: the requester holds the private key` : style.red(`INVALID — ${i.signature.problem}`)],
      ["lifetime", `${requested}; the signer would give ${formatGoDuration(i.lifetimeSeconds * 1000)}`],
    ];
    if (i.requestedBy) rows.push(["requested by", `${i.requestedBy.username} [${i.requestedBy.groups.join(", ")}]`]);
    if (i.source === "object") rows.push(["status", i.status]);
    out.push(table(rows.map(([k, v]) => [`  ${k}`, v])));
    out.push("");
    if (i.violations.length === 0) out.push(`  ${style.green("✓")} ${i.signerName} would sign it`);
    for (const v of i.violations) out.push(`  ${style.red("✗ REFUSED")}: ${v}`);
    for (const w of i.warnings) out.push(w.level === "privileged" ? `  ${style.red("! PRIVILEGED")}: ${w.message}` : w.level === "problem" ? `  ${style.red("! WARNING")}: ${w.message}` : `  - note: ${w.message}`);
    out.push("");
    const verdict =
      i.verdict === "ok"
        ? style.green(`Approving grants user "${i.user}"${i.groups.length ? ` in ${list(i.groups)}` : ""} whatever RBAC binds to them.`)
        : i.verdict === "refused"
          ? style.red("Do not approve: the signer would refuse it (see above).")
          : i.verdict === "problem"
            ? style.red("Do not approve as it is: see the warnings above.")
            : style.red("Do not approve unless you mean to hand out these privileges: the certificate cannot be revoked before it expires.");
    out.push(`  ${verdict}`, "");
  }
  return out.join("\n").trimEnd();
}
