import type { Finding } from "../findings.js";
import { reissue } from "../fixes.js";
import type { Rule } from "./types.js";

/**
 * The SANs a serving certificate lacks, with why each is needed; extra SANs are
 * fine, as for kubeadm. Only SANs from facts the node gave (discover marks the
 * rest unknown) are expected, so the fix adds exactly those.
 */
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
        const add = missing.map(([san]) => san.slice(san.indexOf(":") + 1)).join(",");
        out.push({
          id: "san-missing", severity, file: c.certFile, certificate: c.item.id,
          message: `${c.item.id} lacks the SAN${missing.length > 1 ? "s" : ""} ${names}${severity === "error" ? ': clients using it get "certificate is valid for …, not …"' : ""}`,
          ...reissue(c, model.inventory, model.certs, `reissue it with ${add} added`, ["--add-san", add]),
        });
      }
    }
    return out;
  },
};
