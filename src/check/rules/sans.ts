import type { Finding } from "../findings.js";
import { reissueFix } from "../fixes.js";
import type { Rule } from "./types.js";

/** The SANs a serving certificate lacks, with why each is needed; extra SANs are fine, as for kubeadm. */
export const sanMissing: Rule = {
  id: "san-missing",
  run({ model }) {
    const out: Finding[] = [];
    for (const c of model.certs) {
      const e = c.item.expected;
      if (!c.cert || !e || e.isCA) continue;
      const has = new Set([...c.cert.dnsNames.map((d) => `DNS:${d}`), ...c.cert.ipAddresses.map((ip) => `IP:${ip}`)]);
      for (const [wanted, severity] of [[e.requiredSANs, "error"], [e.usualSANs, "info"]] as const) {
        const missing = [...wanted].filter(([san]) => !has.has(san));
        if (!missing.length) continue;
        const names = missing.map(([san, why]) => `${san} (${why})`).join(", ");
        out.push({
          id: "san-missing", severity, file: c.certFile, certificate: c.item.id,
          message: `${c.item.id} lacks the SAN${missing.length > 1 ? "s" : ""} ${names}${severity === "error" ? ': clients using it get "certificate is valid for …, not …"' : ""}`,
          fix: reissueFix(c, model.inventory),
        });
      }
    }
    return out;
  },
};
