import { dirname } from "node:path";
import { shellCommand } from "../../text.js";
import { ADMIN_GROUPS } from "../expect.js";
import type { Finding } from "../findings.js";
import { decide, restartHint, sentence, type Fix } from "../fixes.js";
import type { LoadedCert, NodeModel } from "../load.js";
import type { Rule } from "./types.js";

const list = (xs: string[]) => (xs.length ? xs.join(", ") : "none");
const finding = (id: string, c: LoadedCert, message: string, fix: Fix, severity: Finding["severity"] = "error"): Finding =>
  ({ id, severity, file: c.certFile, certificate: c.item.id, message, ...fix });

/**
 * A new client certificate with the right CN and O, written into the same
 * kubeconfig user by `kubepki kubeconfig` (which keeps every other entry and
 * backs the file up). Only when the kubeconfig embeds its credentials, its user
 * is named after the CN (kubeadm's files), and the CA's key is here; else the
 * renew command would copy the wrong identity, so a person re-issues it.
 */
function identityFix(c: LoadedCert, model: NodeModel, cn: string, orgs: string[]): Fix {
  const k = c.kubeconfig;
  const ca = model.certs.find((x) => x.item.id === c.item.caId);
  const wanted = `CN "${cn}"${orgs.length ? `, O ${orgs.join(", ")}` : ""}`;
  if (k && c.certFile === c.item.file && k.user === cn && ca?.cert && ca.key && /\/ca\.crt$/.test(ca.item.file)) {
    const words = ["kubepki", "kubeconfig", "--client-name", cn, ...orgs.flatMap((o) => ["--org", o]), "--kubeconfig", c.item.file, "--cluster-name", k.cluster, "--cert-dir", dirname(ca.item.file)];
    return { fix: sentence(`issue its user a new certificate with ${wanted}, signed by ${ca.item.id}`, restartHint(c.item)), commands: [shellCommand(words)], signedBy: ca.item.id };
  }
  return decide(`re-issue it with ${wanted}, signed by ${c.item.caId ?? "its CA"}: renew copies the current subject, so it cannot fix this`);
}

/** CN and O against the catalog: the API server maps CN to the user and O to its groups. */
export const subjectMismatch: Rule = {
  id: "subject-mismatch",
  run({ model }) {
    const out: Finding[] = [];
    for (const c of model.certs) {
      const e = c.item.expected;
      if (!c.cert || !e) continue;
      const cn = c.cert.subject.commonName ?? "";
      const o = c.cert.subject.organization;
      const badO = e.organizationAnyOf && !e.organizationAnyOf.some((set) => set.every((g) => o.includes(g)));
      const fix = () => identityFix(c, model, e.commonName ?? cn, badO ? e.organizationAnyOf![0] : o);
      if (e.commonName !== undefined && cn !== e.commonName) {
        const why = e.commonNameSeverity === "error" ? " (RBAC grants this identity by name)" : "";
        out.push(finding("subject-mismatch", c, `${c.item.id} has CN "${cn}", expected "${e.commonName}"${why}`, fix(), e.commonNameSeverity ?? "info"));
      }
      if (badO) out.push(finding("subject-mismatch", c, `${c.item.id} has O ${list(o)}, expected ${e.organizationAnyOf!.map(list).join(" or ")}`, fix()));
    }
    return out;
  },
};

export const adminGroupMissing: Rule = {
  id: "admin-group-missing",
  run({ model }) {
    return model.certs.flatMap((c) =>
      c.cert && c.item.expected?.adminGroup && !c.cert.subject.organization.some((g) => ADMIN_GROUPS.includes(g))
        ? [c.item.id === "apiserver-kubelet-client" ? kubeletClientAcrossUpgrade(c, model) : finding("admin-group-missing", c, `${c.item.id} (CN "${c.cert.subject.commonName ?? ""}") has O ${list(c.cert.subject.organization)}, no admin group (${ADMIN_GROUPS.join(" or ")}): its requests are forbidden`,
            identityFix(c, model, c.cert.subject.commonName ?? "", c.item.expected.organizationAnyOf?.[0] ?? [model.inventory.profile === "kubeadm" ? ADMIN_GROUPS[0] : "system:masters"]))]
        : [],
    );
  },
};

/**
 * kubeadm v1.33.12/v1.34.8/v1.35.5/v1.36.1/v1.37.0 (PR 138957) dropped O from
 * apiserver-kubelet-client and grants the kubelet API through a ClusterRoleBinding
 * instead. An O-less one on a node whose manifests name an older release is what
 * an upgrade (or a newer kubepki) wrote: it works once that binding exists.
 */
function kubeletClientAcrossUpgrade(c: LoadedCert, model: NodeModel): Finding {
  const version = model.inventory.cluster.kubernetesVersion ?? "this release";
  return finding("admin-group-missing", c,
    `${c.item.id} has no O, as kubeadm writes it from v1.33.12, v1.34.8, v1.35.5, v1.36.1 and v1.37.0 on; the manifests say ${version}, whose kubeadm grants the kubelet API through O=kubeadm:cluster-admins: kubectl logs and exec fail unless the ClusterRoleBinding kubeadm:apiserver-kubelet-client (to system:kubelet-api-admin) exists`,
    { fix: "check the binding from a machine with kubectl: kubectl get clusterrolebinding kubeadm:apiserver-kubelet-client; create it (kubectl create clusterrolebinding kubeadm:apiserver-kubelet-client --clusterrole system:kubelet-api-admin --user kube-apiserver-kubelet-client) or finish the kubeadm upgrade", commands: [] },
    "warning");
}

/** The Node authorizer and NodeRestriction only recognise system:node:<name> in system:nodes. */
export const kubeletIdentity: Rule = {
  id: "kubelet-identity",
  run({ model }) {
    const node = model.inventory.facts.nodeName;
    return model.certs.flatMap((c) => {
      if (!c.cert || !c.item.expected?.kubeletNode) return [];
      const cn = c.cert.subject.commonName ?? "";
      const o = c.cert.subject.organization;
      const want = node ? `system:node:${node}` : "system:node:<node>";
      const badCN = node ? cn !== want : !cn.startsWith("system:node:");
      if (!badCN && o.includes("system:nodes")) return [];
      return [finding("kubelet-identity", c, `the kubelet's client certificate is CN "${cn}", O ${list(o)}; it must be CN "${want}" in O system:nodes`,
        decide(`give this node's kubelet its own credentials: bootstrap it again (kubeadm join, or a new ${c.item.id} made on a control-plane node for ${want}); a person must confirm the node's name`))];
    });
  },
};

export const frontProxyNameNotAllowed: Rule = {
  id: "front-proxy-name-not-allowed",
  run({ model }) {
    const allowed = model.inventory.facts.requestheaderAllowedNames;
    // An empty list means any CN the front-proxy CA signed is accepted.
    if (!allowed?.length) return [];
    return model.certs.flatMap((c) =>
      c.cert && c.item.expected?.frontProxy && !allowed.includes(c.cert.subject.commonName ?? "")
        ? [finding("front-proxy-name-not-allowed", c, `front-proxy-client has CN "${c.cert.subject.commonName ?? ""}", which kube-apiserver --requestheader-allowed-names (${allowed.join(",")}) does not allow: aggregated APIs (metrics-server) fail`,
            decide(`either re-issue it with CN ${allowed[0]} (renew copies the current CN), or add "${c.cert.subject.commonName ?? ""}" to --requestheader-allowed-names in the kube-apiserver manifest: a person must decide which name is meant`))]
        : [],
    );
  },
};
