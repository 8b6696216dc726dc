import type { CertificateModel } from "../../pki/model.js";
import { sameKey, signedBy } from "../certs.js";
import type { Finding } from "../findings.js";
import { reissueFix, restartHint } from "../fixes.js";
import type { LoadedCert } from "../load.js";
import type { Rule } from "./types.js";

/**
 * Candidate issuers with those named as `cert`'s issuer first. The verdict is
 * still the signature; the names only spare verifying against the unlikely ones.
 */
function namedFirst<T>(cert: CertificateModel, candidates: T[], certOf: (c: T) => CertificateModel | undefined): T[] {
  const named = (c: T) => certOf(c)?.subject.text === cert.issuer.text;
  return [...candidates.filter(named), ...candidates.filter((c) => !named(c))];
}

/** The row id of the CA row whose key signed `cert`, found by signature, not by name. */
export function signingCA(cert: CertificateModel, rows: LoadedCert[]): LoadedCert | undefined {
  const cas = rows.filter((r) => r.item.role === "CA" && r.cert);
  return namedFirst(cert, cas, (r) => r.cert).find((r) => signedBy(cert, r.cert!));
}

/** True when `cert` (with the intermediates after it in its file) chains to a certificate of `anchors`. */
export function chainsTo(cert: CertificateModel, extra: CertificateModel[], anchors: CertificateModel[]): boolean {
  if (namedFirst(cert, anchors, (a) => a).some((a) => signedBy(cert, a))) return true;
  // One level of intermediates is what Kubernetes setups use; deeper chains are rare on a node.
  return extra.some((i) => signedBy(cert, i) && anchors.some((a) => signedBy(i, a)));
}

export const keyMismatch: Rule = {
  id: "key-mismatch",
  run({ model }) {
    return model.certs.flatMap((c): Finding[] => {
      if (!c.cert || !c.key || sameKey(c.key, c.cert)) return [];
      const where = c.keyFile ?? `${c.item.file} (client-key-data)`;
      return [{
        id: "key-mismatch", severity: "error", file: c.keyFile ?? c.item.file, certificate: c.item.id,
        message: `the private key ${where} does not belong to the certificate ${c.certFile}: TLS handshakes with it fail`,
        fix: c.item.role === "CA"
          ? `find the key that matches ${c.certFile} (compare: openssl x509 -noout -pubkey -in ${c.certFile}; openssl pkey -pubout -in ${where})`
          : reissueFix(c, model.inventory),
      }];
    });
  },
};

export const chainUntrusted: Rule = {
  id: "chain-untrusted",
  run({ model }) {
    const out: Finding[] = [];
    for (const c of model.certs) {
      const trust = c.item.trust;
      const bundle = trust && model.bundles.get(trust.file);
      if (!c.cert || !c.item.checkChain || !trust || !bundle?.certs.length) continue;
      if (chainsTo(c.cert, c.extra, bundle.certs)) continue;
      const signer = signingCA(c.cert, model.certs);
      const by = signer ? `it is signed by ${signer.item.id} (${signer.item.file})` : `its issuer is "${c.cert.issuer.text}", which no CA on this node matches by signature`;
      out.push({
        id: "chain-untrusted", severity: "error", file: c.certFile, certificate: c.item.id,
        message: `${c.item.id} does not chain to ${trust.file}, which ${trust.via} trusts: ${by}`,
        fix: reissueFix(c, model.inventory),
      });
    }
    return out;
  },
};

/**
 * A kubeconfig must trust the CA that signed the API server's serving
 * certificate, or every client call fails with "x509: certificate signed by
 * unknown authority".
 */
export const kubeconfigCAMismatch: Rule = {
  id: "kubeconfig-ca-mismatch",
  run({ model }) {
    const apiserver = model.certs.find((c) => c.item.id === "apiserver")?.cert;
    const ca = model.certs.find((c) => c.item.id === "ca");
    const out: Finding[] = [];
    for (const c of model.certs) {
      const k = c.kubeconfig;
      if (!k) continue;
      const clusterCA = ca?.item.file ?? `${model.inventory.pkiDir}/ca.crt`;
      const fix = `kubectl config set-cluster ${k.cluster} --kubeconfig ${c.item.file} --certificate-authority ${clusterCA} --embed-certs, ${restartHint(c.item) || "then retry"}`;
      let problem: string | undefined;
      if (!k.caCerts.length) problem = `${c.item.file} has no certificate-authority data for cluster "${k.cluster}", so its clients cannot verify the API server`;
      else if (apiserver ? !k.caCerts.some((a) => signedBy(apiserver, a)) : ca?.cert ? !k.caCerts.some((a) => a.der.equals(ca.cert!.der)) : false) {
        problem = `the CA in ${k.caSource || c.item.file} ("${k.caCerts[0].subject.text}") is not the cluster CA ${clusterCA}${apiserver ? " that signed the API server certificate" : ""}: clients fail with "certificate signed by unknown authority"`;
      }
      if (problem) out.push({ id: "kubeconfig-ca-mismatch", severity: "error", file: c.item.file, certificate: c.item.id, message: problem, fix });
    }
    return out;
  },
};
