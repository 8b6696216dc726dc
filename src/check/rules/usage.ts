import type { Finding } from "../findings.js";
import { reissueFix } from "../fixes.js";
import type { Rule } from "./types.js";

/**
 * Go checks extended key usage on every chain it verifies: a client certificate
 * without clientAuth is "incompatible key usage". No EKU extension means any use.
 */
export const ekuWrong: Rule = {
  id: "eku-wrong",
  run({ model }) {
    return model.certs.flatMap((c): Finding[] => {
      const e = c.item.expected;
      if (!c.cert || !e || e.isCA || !c.cert.extKeyUsage.length || c.cert.extKeyUsage.includes("any")) return [];
      const missing = e.extKeyUsage.filter((u) => !c.cert!.extKeyUsage.includes(u));
      if (!missing.length) return [];
      return [{
        id: "eku-wrong", severity: "error", file: c.certFile, certificate: c.item.id,
        message: `${c.item.id} (${c.item.role}) has extended key usage ${c.cert.extKeyUsage.join(", ")} but needs ${missing.join(" and ")}: its TLS handshakes fail with "incompatible key usage"`,
        fix: reissueFix(c, model.inventory),
      }];
    });
  },
};

export const caNotCA: Rule = {
  id: "ca-not-ca",
  run({ model }) {
    return model.certs.flatMap((c): Finding[] => {
      if (!c.cert || !c.item.expected?.isCA) return [];
      const lacks = [c.cert.isCA !== true ? "CA:TRUE" : "", c.cert.keyUsage.length && !c.cert.keyUsage.includes("keyCertSign") ? "keyCertSign" : ""].filter(Boolean);
      if (!lacks.length) return [];
      return [{
        id: "ca-not-ca", severity: "error", file: c.certFile, certificate: c.item.id,
        message: `${c.item.id} is used as a CA but lacks ${lacks.join(" and ")}: verifiers reject the certificates it signs`,
        fix: `issue a proper CA (basicConstraints=critical,CA:TRUE; keyUsage=critical,keyCertSign,cRLSign,digitalSignature), e.g. openssl req -x509 -new -key ${c.keyFile ?? "ca.key"} -subj /CN=${c.cert.subject.commonName ?? "kubernetes"} -days 3650 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign,digitalSignature -out ${c.certFile}; then re-sign its leaves`,
      }];
    });
  },
};

export const leafIsCA: Rule = {
  id: "leaf-is-ca",
  run({ model }) {
    return model.certs.flatMap((c): Finding[] =>
      c.cert && c.item.expected && !c.item.expected.isCA && c.cert.isCA === true
        ? [{
            id: "leaf-is-ca", severity: "error", file: c.certFile, certificate: c.item.id,
            message: `${c.item.id} is a leaf certificate with CA:TRUE: whoever holds its key can sign certificates that chain to the cluster CA`,
            fix: reissueFix(c, model.inventory),
          }]
        : [],
    );
  },
};
