import { keyIdOf, sameKey } from "../certs.js";
import type { Finding } from "../findings.js";
import { reissueFix } from "../fixes.js";
import type { Rule } from "./types.js";

export const weakKey: Rule = {
  id: "weak-key",
  run({ model }) {
    const out: Finding[] = [];
    for (const c of model.certs) {
      const k = c.cert?.key;
      if (k?.type === "RSA" && (k.bits ?? 0) < 2048) {
        out.push({ id: "weak-key", severity: "error", file: c.certFile, certificate: c.item.id, message: `${c.item.id} has an RSA ${k.bits}-bit key; 2048 bits is the minimum`, fix: reissueFix(c, model.inventory) });
      }
    }
    for (const p of model.keypairs) {
      const key = p.privateKey?.publicKey.description;
      const bits = key?.type === "RSA" ? key.bits ?? 0 : 2048;
      if (bits < 2048) {
        out.push({ id: "weak-key", severity: "error", file: p.item.privateFile, message: `${p.item.id} is an RSA ${bits}-bit key; 2048 bits is the minimum`, fix: `openssl genrsa -out ${p.item.privateFile} 2048 && openssl pkey -in ${p.item.privateFile} -pubout -out ${p.item.publicFile} (existing service-account tokens stop working)` });
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
        fix: ca ? `re-sign the CA with SHA-256 when it is next rotated` : reissueFix(c, model.inventory),
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
            fix: `openssl pkey -in ${p.item.privateFile} -pubout -out ${p.item.publicFile}, then restart kube-apiserver`,
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
      const [, second] = g;
      out.push({
        id: "key-reused", severity: g.some((e) => e.ca) ? "error" : "warning", file: second.file, certificate: second.id,
        message: `${g.map((e) => e.id).join(", ")} share one private key${g.some((e) => e.ca) ? ", and one of them is a CA" : ""}`,
        fix: `give ${second.id} its own key: ${reissueFixFor(second.id, model)}`,
      });
    }
    return out;
  },
};

function reissueFixFor(id: string, model: Parameters<Rule["run"]>[0]["model"]): string {
  const c = model.certs.find((x) => x.item.id === id);
  return c ? reissueFix(c, model.inventory) : "generate a new key pair";
}
