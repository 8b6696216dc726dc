import { keyIdOf, sameKey } from "../certs.js";
import type { Finding } from "../findings.js";
import { shellCommand } from "../../text.js";
import { decide, reissue } from "../fixes.js";
import type { Rule } from "./types.js";

export const weakKey: Rule = {
  id: "weak-key",
  run({ model }) {
    const out: Finding[] = [];
    for (const c of model.certs) {
      const k = c.cert?.key;
      if (k?.type === "RSA" && (k.bits ?? 0) < 2048) {
        out.push({ id: "weak-key", severity: "error", file: c.certFile, certificate: c.item.id, message: `${c.item.id} has an RSA ${k.bits}-bit key; 2048 bits is the minimum`, ...reissue(c, model.inventory, model.certs, "reissue it with a new 2048-bit (or stronger) key") });
      }
    }
    for (const p of model.keypairs) {
      const key = p.privateKey?.publicKey.description;
      const bits = key?.type === "RSA" ? key.bits ?? 0 : 2048;
      if (bits < 2048) {
        out.push({ id: "weak-key", severity: "error", file: p.item.privateFile, message: `${p.item.id} is an RSA ${bits}-bit key; 2048 bits is the minimum`, ...decide(`a new ${p.item.id} key pair invalidates every service-account token: plan it with the cluster owners (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048, then openssl pkey -pubout)`) });
      }
    }
    return out;
  },
};

/** Go refuses SHA-1 signatures on certificates it verifies; a root's self-signature is never verified. */
export const sha1Signature: Rule = {
  id: "sha1-signature",
  run({ model }) {
    return model.certs.flatMap((c): Finding[] => {
      if (!c.cert || !/sha1|md5/i.test(c.cert.signatureAlgorithm)) return [];
      const ca = c.item.role === "CA";
      return [{
        id: "sha1-signature", severity: ca ? "warning" : "error", file: c.certFile, certificate: c.item.id,
        message: `${c.item.id} is signed with ${c.cert.signatureAlgorithm}${ca ? "; harmless on a self-signed root, but tools flag it" : ', which Go rejects ("x509: cannot verify signature: insecure algorithm")'}`,
        ...(ca ? decide("re-sign the CA with SHA-256 when it is next rotated") : reissue(c, model.inventory, model.certs, "reissue it (renew signs with SHA-256)")),
      }];
    });
  },
};

export const saKeypairMismatch: Rule = {
  id: "sa-keypair-mismatch",
  run({ model }) {
    return model.keypairs.flatMap((p): Finding[] =>
      p.privateKey && p.publicKey && !sameKey(p.privateKey, p.publicKey)
        ? [{
            id: "sa-keypair-mismatch", severity: "error", file: p.item.publicFile,
            message: `${p.item.publicFile} is not the public half of ${p.item.privateFile}: tokens the API server signs fail its own verification ("invalid bearer token")`,
            fix: `write ${p.item.publicFile} again from ${p.item.privateFile}, which signs the tokens; then restart kube-apiserver`,
            commands: [shellCommand(["openssl", "pkey", "-in", p.item.privateFile, "-pubout", "-out", p.item.publicFile])],
          }]
        : [],
    );
  },
};

/** A key shared across roles means one leak compromises them all, and renewing one leaves the other exposed. */
export const keyReused: Rule = {
  id: "key-reused",
  run({ model }) {
    // `cert` is the certificate object: parseCertificate gives a copied certificate the same one.
    const groups = new Map<string, { id: string; file: string; ca: boolean; cert?: object }[]>();
    const add = (keyId: string, entry: { id: string; file: string; ca: boolean; cert?: object }) => {
      const g = groups.get(keyId) ?? [];
      // The same file seen twice, or the same certificate copied (a hard-way kubeconfig embeds its catalog certificate), is one use.
      if (!g.some((e) => e.file === entry.file || (entry.cert && e.cert === entry.cert))) g.push(entry);
      groups.set(keyId, g);
    };
    for (const c of model.certs) {
      if (c.cert) add(keyIdOf(c.cert), { id: c.item.id, file: c.certFile, ca: c.item.role === "CA", cert: c.cert });
    }
    for (const p of model.keypairs) {
      const key = p.publicKey ?? p.privateKey;
      if (key) add(keyIdOf(key), { id: p.item.id, file: p.item.privateFile, ca: false });
    }
    const out: Finding[] = [];
    for (const g of groups.values()) {
      if (g.length < 2) continue;
      // The one to give a new key: a leaf certificate, never the CA or the service-account pair.
      const target = g.slice(1).find((e) => !e.ca && e.cert) ?? g.find((e) => !e.ca && e.cert) ?? g[1];
      const c = model.certs.find((x) => x.item.id === target.id && x.cert === target.cert);
      out.push({
        id: "key-reused", severity: g.some((e) => e.ca) ? "error" : "warning", file: target.file, certificate: target.id,
        message: `${g.map((e) => e.id).join(", ")} share one private key${g.some((e) => e.ca) ? ", and one of them is a CA" : ""}`,
        ...(c ? reissue(c, model.inventory, model.certs, `give ${target.id} its own key`) : decide(`give ${target.id} its own key`)),
      });
    }
    return out;
  },
};
