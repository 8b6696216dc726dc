import type { Finding } from "../findings.js";
import type { FileProblem, LoadedCert } from "../load.js";
import { reissueFix } from "../fixes.js";
import type { Rule, RuleContext } from "./types.js";

/** What to do about a file that is not there or not usable, per file kind. */
function fileFix(p: FileProblem, c: LoadedCert | undefined, ctx: RuleContext): string {
  if (p.state === "unreadable") return `check the permissions of ${p.file} (the component runs as root on kubeadm nodes): ls -l ${p.file}`;
  if (c?.item.role === "CA") return `restore ${p.file} from a backup or another control-plane node; a new CA means re-issuing everything it signed`;
  if (c) return reissueFix(c, ctx.model.inventory);
  return `restore ${p.file} from a backup or another control-plane node`;
}

function fileRule(id: string, state: FileProblem["state"]): Rule {
  return {
    id,
    run(ctx) {
      const out: Finding[] = [];
      const { model } = ctx;
      for (const c of model.certs) {
        for (const p of c.problems.filter((x) => x.state === state)) {
          // A file nobody reads yet (super-admin.conf on a joined node) is only worth a note.
          const severity = c.item.required ? "error" : "info";
          const what = p.file === c.item.file ? "" : ` (${c.item.id})`;
          out.push({ id, severity, file: p.file, certificate: c.item.id, message: `${p.message}${what}; ${c.item.via} uses it`, fix: fileFix(p, c, ctx) });
        }
      }
      for (const k of model.keypairs) {
        for (const p of k.problems.filter((x) => x.state === state)) {
          out.push({ id, severity: "error", file: p.file, message: `${p.message}; ${k.item.via} uses it`, fix: `restore ${p.file} from a backup or another control-plane node; a new ${k.item.id} key pair invalidates every service-account token` });
        }
      }
      for (const b of model.bundles.values()) {
        if (b.problem?.state !== state || model.certs.some((c) => c.item.file === b.file)) continue;
        const users = model.certs.filter((c) => c.item.trust?.file === b.file).map((c) => c.item.trust!.via);
        out.push({ id, severity: "error", file: b.file, message: `${b.problem.message}; ${[...new Set(users)].join(", ")} trusts it`, fix: fileFix(b.problem, undefined, ctx) });
      }
      return out;
    },
  };
}

export const fileMissing = fileRule("file-missing", "missing");
export const fileUnreadable = fileRule("file-unreadable", "unreadable");
export const fileInvalid = fileRule("file-invalid", "invalid");

/** kubeadm writes keys 0600: anyone else who can read one can impersonate its owner. */
export const keyPermissions: Rule = {
  id: "key-permissions",
  run({ model }) {
    const out: Finding[] = [];
    const seen = new Set<string>();
    const check = (file: string, mode: number | undefined, certificate?: string) => {
      if (mode === undefined || seen.has(file) || (mode & 0o077) === 0) return;
      seen.add(file);
      const others = (mode & 0o007) !== 0;
      out.push({
        id: "key-permissions", severity: others ? "error" : "warning", file, certificate,
        message: `the private key in ${file} is readable by ${others ? "every user" : "its group"} (mode ${mode.toString(8).padStart(4, "0")})`,
        fix: `chmod 600 ${file}`,
      });
    };
    for (const c of model.certs) if (c.key) check(c.keyFile ?? c.item.file, c.keyMode, c.item.id);
    for (const k of model.keypairs) if (k.privateKey) check(k.item.privateFile, k.keyMode);
    return out;
  },
};
