import { ADMIN_GROUPS } from "../expect.js";
import type { Finding } from "../findings.js";
import { reissueFix } from "../fixes.js";
import type { LoadedCert } from "../load.js";
import type { Rule } from "./types.js";

const list = (xs: string[]) => (xs.length ? xs.join(", ") : "none");
const finding = (id: string, c: LoadedCert, message: string, fix: string, severity: Finding["severity"] = "error"): Finding =>
  ({ id, severity, file: c.certFile, certificate: c.item.id, message, fix });

/** CN and O against the catalog: the API server maps CN to the user and O to its groups. */
export const subjectMismatch: Rule = {
  id: "subject-mismatch",
  run({ model }) {
    const out: Finding[] = [];
    for (const c of model.certs) {
      const e = c.item.expected;
      if (!c.cert || !e) continue;
      const cn = c.cert.subject.commonName ?? "";
      if (e.commonName !== undefined && cn !== e.commonName) {
        const why = e.commonNameSeverity === "error" ? " (RBAC grants this identity by name)" : "";
        out.push(finding("subject-mismatch", c, `${c.item.id} has CN "${cn}", expected "${e.commonName}"${why}`, reissueFix(c, model.inventory), e.commonNameSeverity ?? "info"));
      }
      const o = c.cert.subject.organization;
      if (e.organizationAnyOf && !e.organizationAnyOf.some((set) => set.every((g) => o.includes(g)))) {
        out.push(finding("subject-mismatch", c, `${c.item.id} has O ${list(o)}, expected ${e.organizationAnyOf.map(list).join(" or ")}`, reissueFix(c, model.inventory)));
      }
    }
    return out;
  },
};

export const adminGroupMissing: Rule = {
  id: "admin-group-missing",
  run({ model }) {
    return model.certs.flatMap((c) =>
      c.cert && c.item.expected?.adminGroup && !c.cert.subject.organization.some((g) => ADMIN_GROUPS.includes(g))
        ? [finding("admin-group-missing", c, `${c.item.id} (CN "${c.cert.subject.commonName ?? ""}") has O ${list(c.cert.subject.organization)}, no admin group (${ADMIN_GROUPS.join(" or ")}): its requests are forbidden`, reissueFix(c, model.inventory))]
        : [],
    );
  },
};

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
      return [finding("kubelet-identity", c, `the kubelet's client certificate is CN "${cn}", O ${list(o)}; it must be CN "${want}" in O system:nodes`, reissueFix(c, model.inventory))];
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
        ? [finding("front-proxy-name-not-allowed", c, `front-proxy-client has CN "${c.cert.subject.commonName ?? ""}", which kube-apiserver --requestheader-allowed-names (${allowed.join(",")}) does not allow: aggregated APIs (metrics-server) fail`, `re-issue it with CN ${allowed[0]}: ${reissueFix(c, model.inventory)}; or add its CN to --requestheader-allowed-names in the kube-apiserver manifest`)]
        : [],
    );
  },
};
