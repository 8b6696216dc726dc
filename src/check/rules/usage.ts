import type { Finding } from "../findings.js";
import { decide, reissue } from "../fixes.js";
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
        ...decide(`re-issue it with extended key usage ${[...new Set([...c.cert.extKeyUsage, ...missing])].join(", ")}, signed by ${c.item.caId ?? "its CA"}: kubepki renew and kubeadm certs renew copy the current usages, so they cannot fix this`),
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
        message: `${c.item.id} is used as a CA but lacks ${lacks.join(" and ")}: kubeadm refuses it ("not a CA": certs renew, join, upgrade) and OpenSSL-based clients (openssl verify, curl) reject what it signs ("invalid CA certificate"); Go clients (kubectl, kube-apiserver, kubelet, etcd) still accept it as a root, never as an intermediate`,
        ...decide(`the CA must be made again with basicConstraints=critical,CA:TRUE and keyUsage keyCertSign,cRLSign, and everything it signed re-issued: a CA rotation a person must plan (https://kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates/)`),
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
            ...reissue(c, model.inventory, model.certs, "reissue it as a leaf (renew writes CA:FALSE)"),
          }]
        : [],
    );
  },
};
