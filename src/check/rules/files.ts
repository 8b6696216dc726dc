import { existsSync } from "node:fs";
import { shellCommand } from "../../text.js";
import type { Finding } from "../findings.js";
import { decide, reissue, type Fix } from "../fixes.js";
import type { FileProblem, LoadedCert } from "../load.js";
import type { Rule, RuleContext } from "./types.js";

/**
 * What to do about a file that is not there or not usable. No command: which
 * copy is right (a backup, another control-plane node) is a person's call, and
 * a CA made anew would orphan everything the old one signed.
 */
function fileFix(p: FileProblem, c: LoadedCert | undefined, ctx: RuleContext): Fix {
  if (p.state === "unreadable") return decide(`check the permissions of ${shellCommand([p.file])} (the components run as root on kubeadm nodes): ls -l ${shellCommand([p.file])}`);
  if (c?.item.role === "CA") return decide(`restore ${shellCommand([p.file])} from a backup or another control-plane node; never make a new CA here: everything the old one signed would stop being trusted`);
  // A leaf that is there but whose key is missing or broken can be reissued; a missing certificate has no identity to copy.
  if (c?.cert && p.file === c.keyFile) return reissue(c, ctx.model.inventory, ctx.model.certs, "issue it a new key");
  return decide(`restore ${shellCommand([p.file])} from a backup or another control-plane node, or re-issue it with the tool that made it (kubeadm init phase certs / kubeconfig on a kubeadm node)`);
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
          out.push({ id, severity, file: p.file, certificate: c.item.id, message: `${p.message}${what}; ${c.item.via} uses it`, ...fileFix(p, c, ctx) });
        }
      }
      for (const k of model.keypairs) {
        for (const p of k.problems.filter((x) => x.state === state)) {
          out.push({
            id, severity: "error", file: p.file, message: `${p.message}; ${k.item.via} uses it`,
            ...decide(`restore ${shellCommand([p.file])} from a backup or another control-plane node; a new ${k.item.id} key pair invalidates every service-account token`),
          });
        }
      }
      for (const b of model.bundles.values()) {
        if (b.problem?.state !== state || model.certs.some((c) => c.item.file === b.file)) continue;
        const users = model.certs.filter((c) => c.item.trust?.file === b.file).map((c) => c.item.trust!.via);
        out.push({ id, severity: "error", file: b.file, message: `${b.problem.message}; ${[...new Set(users)].join(", ")} trusts it`, ...fileFix(b.problem, undefined, ctx) });
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
        fix: "make it readable by its owner only", commands: [shellCommand(["chmod", "600", file])],
      });
    };
    for (const c of model.certs) if (c.key) check(c.keyFile ?? c.item.file, c.keyMode, c.item.id);
    for (const k of model.keypairs) if (k.privateKey) check(k.item.privateFile, k.keyMode);
    return out;
  },
};

/**
 * kube-controller-manager signs approved CSRs (kubelet client rotation, kubeadm
 * join, kubepki user) with the key --cluster-signing-key-file names: without it
 * the CSRs are approved and never get a certificate.
 */
export const caKeyMissing: Rule = {
  id: "ca-key-missing",
  run({ model }) {
    const keyFile = model.inventory.signingKeyFile;
    if (!keyFile || existsSync(keyFile)) return [];
    return [{
      id: "ca-key-missing", severity: "error", file: keyFile,
      message: `${keyFile} does not exist, but kube-controller-manager --cluster-signing-key-file names it: approved CSRs (kubelet certificate rotation, kubeadm join, new users) get no certificate`,
      ...decide(`copy the cluster CA's key from where it is kept (another control-plane node, a backup) to ${shellCommand([keyFile])} with mode 0600; if this cluster keeps its CA key off the nodes on purpose (external CA), sign CSRs elsewhere and remove the flag`),
    }];
  },
};
