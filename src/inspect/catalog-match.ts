import { PROFILES } from "../catalog/index.js";
import type { CertSpec, Consumer, KubeconfigSpec, SpecContext } from "../catalog/types.js";
import type { ClusterDescription, ProfileName } from "../cluster/description.js";
import type { CertificateFacts } from "../pki/x509-fast.js";

/** "kubeadm apiserver-etcd-client": the catalog entry a certificate looks like, and how it differs. */
export interface CatalogMatch {
  profile: ProfileName;
  name: string;
  description: string;
  usedBy: string[];
  /** What differs from the entry (an older kubeadm's O, a missing usage…); empty for an exact match. */
  differences: string[];
}

interface Pattern {
  profile: ProfileName;
  name: string;
  description: string;
  usedBy: string[];
  commonName: RegExp;
  organization: string[];
  /** O values older kubeadm releases used (system:masters before v1.29). */
  legacyOrganization?: string[];
  extKeyUsage: string[];
  isCA: boolean;
  caCommonName?: RegExp;
  fileName?: RegExp;
}

// Per-node values (node names) are unknown here: evaluate a spec's functions with a marker and let it match anything.
const MARK = "\u0000node\u0000";
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const toPattern = (s: string) => new RegExp(`^${escape(s).split(MARK).join(".+")}$`);

function evaluate<T>(v: T | ((ctx: SpecContext) => T), cluster: ClusterDescription): T | undefined {
  if (typeof v !== "function") return v;
  try {
    return (v as (ctx: SpecContext) => T)({ cluster, node: { name: MARK, address: "192.0.2.1" }, nodeIndex: 1, nodeCount: 1 });
  } catch {
    return undefined;
  }
}

// Only the fields the spec functions read; the rest of a description does not change what a certificate is.
const CLUSTER = {
  profile: "kubeadm", clusterName: "kubernetes", controlPlane: [{ name: MARK, address: "192.0.2.1" }], workers: [], bindPort: 6443,
  serviceSubnet: "10.96.0.0/12", dnsDomain: "cluster.local", apiServerCertSANs: [],
  etcd: { external: false, serverCertSANs: [], peerCertSANs: [] }, encryptionAlgorithm: "RSA-2048", certValidityMs: 0, caValidityMs: 0,
} as unknown as ClusterDescription;

const usedBy = (consumers: Consumer[]) => consumers.map((c) => `${c.component} ${c.flag}`);

// kubeadm dropped system:masters from these in v1.29 (kubernetes#119859, #120521, #121837).
const LEGACY_MASTERS = new Set(["apiserver-kubelet-client", "apiserver-etcd-client", "etcd-healthcheck-client", "admin.conf"]);

let patterns: Pattern[] | undefined;

function buildPatterns(): Pattern[] {
  const out: Pattern[] = [];
  for (const profile of Object.values(PROFILES)) {
    const specs = profile.specs({ ...CLUSTER, profile: profile.name });
    const certs = specs.filter((s): s is CertSpec => s.kind === "certificate");
    const caCN = (name?: string) => {
      const ca = certs.find((c) => c.name === name);
      const cn = ca && evaluate(ca.commonName, CLUSTER);
      return cn ? toPattern(cn) : undefined;
    };
    for (const spec of certs) {
      const cn = evaluate(spec.commonName, CLUSTER);
      const base = evaluate(spec.baseName, CLUSTER);
      if (cn === undefined) continue;
      out.push({
        profile: profile.name, name: spec.name, description: spec.longName, usedBy: usedBy(spec.consumers),
        commonName: toPattern(cn), organization: spec.organization ?? [],
        legacyOrganization: LEGACY_MASTERS.has(spec.name) ? ["system:masters"] : undefined,
        extKeyUsage: spec.extKeyUsage, isCA: spec.ca === undefined, caCommonName: caCN(spec.ca),
        fileName: base ? new RegExp(`(^|/)${escape(base).split(MARK).join(".+")}\\.(crt|pem)$`) : undefined,
      });
    }
    const kubeconfigs: KubeconfigSpec[] = typeof profile.kubeconfigs === "function" ? profile.kubeconfigs({ ...CLUSTER, profile: profile.name }) : [];
    for (const k of kubeconfigs) {
      // The hard way embeds catalog certificates as they are; those already match as certificates.
      if (!("commonName" in k.client)) continue;
      const cn = evaluate(k.client.commonName, CLUSTER);
      if (cn === undefined) continue;
      const fileName = evaluate(k.fileName, CLUSTER);
      out.push({
        profile: profile.name, name: k.name, description: k.longName, usedBy: usedBy(k.consumers),
        commonName: toPattern(cn), organization: k.client.organization ?? [],
        legacyOrganization: LEGACY_MASTERS.has(k.name) ? ["system:masters"] : undefined,
        extKeyUsage: ["clientAuth"], isCA: false, caCommonName: caCN(k.ca),
        fileName: fileName ? new RegExp(`(^|/)${escape(fileName).split(MARK).join(".+")}$`) : undefined,
      });
    }
  }
  return out;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * The catalog entries a certificate looks like, best first. A candidate must
 * have the entry's CN and CA-ness; O, usages and issuer differences are listed.
 * `path` (the file it was read from) breaks ties such as etcd server vs peer.
 */
export function matchCatalog(facts: CertificateFacts, path?: string): CatalogMatch[] {
  patterns ??= buildPatterns();
  const cn = facts.subject.commonName ?? "";
  const isCA = facts.isCA === true;
  const scored: { match: CatalogMatch; score: number }[] = [];
  for (const p of patterns) {
    if (p.isCA !== isCA || !p.commonName.test(cn)) continue;
    const differences: string[] = [];
    const org = facts.subject.organization;
    if (!sameSet(org, p.organization)) {
      if (p.legacyOrganization && sameSet(org, p.legacyOrganization)) differences.push(`O=${org.join(",")} as kubeadm before v1.29 issued it (now ${p.organization.length ? `O=${p.organization.join(",")}` : "no O"})`);
      else differences.push(`O is ${org.length ? org.join(", ") : "empty"}, the catalog has ${p.organization.length ? p.organization.join(", ") : "none"}`);
    }
    if (!p.isCA && !sameSet(facts.extKeyUsage, p.extKeyUsage)) differences.push(`extended key usage is ${facts.extKeyUsage.join(", ") || "none"}, the catalog has ${p.extKeyUsage.join(", ")}`);
    if (p.caCommonName && !p.caCommonName.test(facts.issuer.commonName ?? "")) differences.push(`issued by CN=${facts.issuer.commonName ?? ""}, not by the ${p.profile} CA of that name`);
    let score = 10 - differences.length * 3;
    if (path && p.fileName?.test(path)) score += 2;
    if (differences.length <= 1 || (path && p.fileName?.test(path))) {
      scored.push({ match: { profile: p.profile, name: p.name, description: p.description, usedBy: p.usedBy, differences }, score });
    }
  }
  scored.sort((a, b) => b.score - a.score);
  const best = scored[0]?.score;
  return scored.filter((s) => s.score === best).map((s) => s.match);
}
