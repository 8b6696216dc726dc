import type { CertificateModel } from "../../pki/model.js";
import { sameKey, signedBy } from "../certs.js";
import type { Finding } from "../findings.js";
import { shellCommand } from "../../text.js";
import { decide, reissue, restartHint, sentence, type Fix } from "../fixes.js";
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
        ...(c.item.role === "CA"
          ? decide(`one of the two was replaced. If the certificates the CA signed still verify against ${shellCommand([c.certFile])} (openssl verify -CAfile ${shellCommand([c.certFile])} LEAF.crt), find the key that matches it (compare openssl x509 -noout -pubkey -in ${shellCommand([c.certFile])} with openssl pkey -pubout -in ${shellCommand([where])}); if they do not, the certificate is the stranger: put the CA's own certificate back (a copy is in the kubeconfigs' certificate-authority-data and in kubepki-backup/). A new CA key or certificate would orphan everything the CA signed, and no renew or kubeconfig fix below is safe until the pair is whole`)
          : reissue(c, model.inventory, model.certs, "issue it a new key")),
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
      const catalogCA = model.certs.find((x) => x.item.id === c.item.caId);
      // Signed by the right CA, but the consumer's flag names another file: the flag is the one fault.
      if (signer && signer === catalogCA && signer.item.file !== trust.file) {
        out.push({
          id: "consumer-trusts-wrong-ca", severity: "error", file: trust.file, certificate: c.item.id,
          message: `${trust.via} names ${trust.file}, but ${c.item.id} is signed by ${signer.item.id} (${signer.item.file}), the CA that should sign it: the flag is wrong, not the certificate`,
          ...decide(`set ${trust.via.replace(/^\S+ /, "")} to ${shellCommand([signer.item.file])} in ${trust.via.split(" ")[0]}'s manifest or unit (a person must confirm which file is meant), ${restartHint(c.item) || "then restart it"}`),
        });
        continue;
      }
      const by = signer ? `it is signed by ${signer.item.id} (${signer.item.file})` : `its issuer is "${c.cert.issuer.text}", which no CA on this node matches by signature`;
      out.push({
        id: "chain-untrusted", severity: "error", file: c.certFile, certificate: c.item.id,
        message: `${c.item.id} does not chain to ${trust.file}, which ${trust.via} trusts: ${by}`,
        ...reissue(c, model.inventory, model.certs, `reissue it signed by ${catalogCA?.item.id ?? c.item.caId ?? "its CA"}`),
      });
    }
    return out;
  },
};

/**
 * A kubeconfig must hold the CA the cluster trusts: the bytes of its catalog
 * CA file (ca.crt) or of the bundle kube-apiserver --client-ca-file names.
 * Compared by bytes, never with whatever signed a broken leaf, so that one bad
 * apiserver.crt is one finding and not one per kubeconfig.
 */
export const kubeconfigCAMismatch: Rule = {
  id: "kubeconfig-ca-mismatch",
  run({ model }) {
    const out: Finding[] = [];
    const clientCA = model.inventory.clientCAFile;
    for (const c of model.certs) {
      const k = c.kubeconfig;
      if (!k) continue;
      const ca = model.certs.find((x) => x.item.id === (c.item.caId ?? "ca"));
      const trusted = [...(ca?.cert ? [ca.cert, ...ca.extra] : []), ...((clientCA && model.bundles.get(clientCA)?.certs) || [])];
      const caFile = ca?.item.file;
      let problem: string | undefined;
      if (!k.caCerts.length) problem = `${c.item.file} has no certificate-authority data for cluster "${k.cluster}", so its clients cannot verify the API server`;
      else if (trusted.length && !k.caCerts.some((a) => trusted.some((t) => t.der.equals(a.der)))) {
        problem = `the CA in ${k.caSource || c.item.file} ("${k.caCerts[0].subject.text}") is not the cluster CA ${caFile ?? ""}: clients fail with "certificate signed by unknown authority"`;
      }
      if (!problem) continue;
      // The kubeconfig's own client certificate says which side is right: when it chains to the
      // kubeconfig's CA and not to the node's, the node's CA file is the stranger; copying it in would spread it.
      const ownCAIsRight = c.cert && k.caCerts.some((a) => signedBy(c.cert!, a)) && !trusted.some((t) => signedBy(c.cert!, t));
      const fix: Fix = ownCAIsRight
        ? decide(`${c.certFile === c.item.file ? "its client certificate" : c.certFile} verifies against ${c.item.file}'s CA and not against ${caFile ?? "the node's CA"}: the node's CA file is more likely the wrong one. Compare both with the control plane's ca.crt before changing either`)
        : caFile && ca?.cert
        ? {
            fix: sentence(`write the cluster CA into ${c.item.file}'s cluster "${k.cluster}" (kubectl keeps everything else in the file)`, restartHint(c.item)),
            commands: [shellCommand(["kubectl", "config", "set-cluster", k.cluster, "--kubeconfig", c.item.file, "--certificate-authority", caFile, "--embed-certs"])],
            signedBy: ca.item.id,
          }
        : decide(`the cluster CA is not readable on this node: copy its certificate into ${shellCommand([c.item.file])} with kubectl config set-cluster ${shellCommand([k.cluster])} --certificate-authority CA_FILE --embed-certs`);
      out.push({ id: "kubeconfig-ca-mismatch", severity: "error", file: c.item.file, certificate: c.item.id, message: problem, ...fix });
    }
    return out;
  },
};
