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

/**
 * Who refuses a CA without CA:TRUE or keyCertSign, as verified with openssl
 * 3.0 and kubectl (test/check.test.ts): a v3 certificate without CA:TRUE is
 * refused by everyone, Go included ("parent certificate cannot sign this kind
 * of certificate"); a v1 certificate (no extensions) is accepted by Go and
 * plain openssl verify, refused by -x509_strict and kubeadm; Go ignores key
 * usage on a CA, OpenSSL does not.
 */
export const caNotCA: Rule = {
  id: "ca-not-ca",
  run({ model }) {
    return model.certs.flatMap((c): Finding[] => {
      if (!c.cert || !c.item.expected?.isCA) return [];
      const noCA = c.cert.isCA !== true;
      const noCertSign = c.cert.keyUsage.length > 0 && !c.cert.keyUsage.includes("keyCertSign");
      if (!noCA && !noCertSign) return [];
      const v1 = c.cert.version < 3;
      const lacks = [noCA ? "CA:TRUE" : "", noCertSign ? "keyCertSign" : ""].filter(Boolean).join(" and ");
      const who = noCA && !v1
        ? `everything it signed is refused: by Go (kubectl, kube-apiserver, kubelet, etcd: "x509: invalid signature: parent certificate cannot sign this kind of certificate"), by OpenSSL (openssl verify, curl: "invalid CA certificate") and by kubeadm ("not a CA")`
        : noCA
          ? `as a version 1 certificate (no extensions) it is still accepted by Go (kubectl, kube-apiserver, kubelet, etcd) and by plain openssl verify, but refused by openssl verify -x509_strict and by kubeadm ("not a CA": certs renew, join, upgrade)`
          : `Go ignores key usage on a CA, so Kubernetes accepts it, but OpenSSL-based clients (openssl verify, curl) refuse what it signs ("key usage does not include certificate signing")`;
      return [{
        id: "ca-not-ca", severity: noCA && !v1 ? "error" : "warning", file: c.certFile, certificate: c.item.id,
        message: `${c.item.id} is used as a CA but lacks ${lacks}: ${who}`,
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
