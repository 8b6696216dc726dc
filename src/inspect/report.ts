import type { InspectResult } from "./index.js";
import { identityNotes, kubernetesView, type KubernetesView, type ViewOptions } from "./kubernetes.js";
import type { CertificateItem, CSRObjectInfo, EndpointItem, KeyItem, RequestItem, Source } from "./types.js";
import { labelOf } from "./types.js";
import type { KeyDescription } from "../pki/keys.js";

/**
 * The documented, stable shape of `kubepki inspect -o json|yaml` (docs/inspect.md).
 * Every renderer reads this, so text and JSON never disagree.
 */
export interface InspectReport {
  apiVersion: "kubepki.dev/v1alpha1";
  kind: "Inspection";
  /** The time validity was judged at (--now or the clock). */
  now: string;
  certificates: CertificateReport[];
  requests: RequestReport[];
  keys: KeyReport[];
  endpoints: EndpointReport[];
  errors: { input: string; message: string }[];
  /** Files of directory walks that held nothing inspect reads. */
  skippedFiles: number;
}

export interface SourceReport {
  input: string;
  file?: string;
  where?: string;
  index?: number;
  /** One-line summary of the above, as the text output heads each entry. */
  label: string;
}

export interface CertificateReport {
  source: SourceReport;
  kind: KubernetesView["kind"];
  subject: Name;
  issuer: Name;
  selfSigned: boolean;
  serial: string;
  notBefore: string;
  notAfter: string;
  /** Seconds from `now` to notAfter; negative once expired. */
  secondsLeft: number;
  key: KeyDescription;
  signatureAlgorithm: string;
  isCA: boolean | null;
  pathLen: number | null;
  keyUsage: string[];
  extKeyUsage: string[];
  sans: { dns: string[]; ip: string[]; email: string[]; uri: string[] };
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  fingerprintSHA256: string;
  /** The component flag that reads it, when it was found through a static pod manifest. */
  usedAs: string | null;
  kubernetes: {
    user: string | null;
    groups: string[] | null;
    validFor: string[] | null;
    missingNames: string[] | null;
    looksLike: { profile: string; name: string; description: string; usedBy: string[]; differences: string[] }[];
    notes: string[];
  };
  warnings: { code: string; severity: "error" | "warning"; message: string }[];
}

export interface Name {
  text: string;
  commonName: string | null;
  organization: string[];
}

export interface RequestReport {
  source: SourceReport;
  subject: Name;
  key: KeyDescription;
  signatureAlgorithm: string;
  signatureValid: boolean;
  sans: { dns: string[]; ip: string[]; email: string[]; uri: string[] };
  keyUsage: string[];
  extKeyUsage: string[];
  /** What the API server would authenticate once issued: CN → user, O → groups. */
  kubernetes: { user: string | null; groups: string[]; notes: string[] };
  object: CSRObjectInfo | null;
}

export interface KeyReport {
  source: SourceReport;
  form: KeyItem["form"];
  key: KeyDescription | null;
  /** Certificates (inputs, or files beside the key) holding this key's public half. */
  matches: string[];
}

export interface EndpointReport {
  source: SourceReport;
  host: string;
  port: number;
  serverName: string | null;
  checkedName: string;
  protocol: string | null;
  cipher: string | null;
  chainLength: number;
  verified: boolean;
  verifyError: string | null;
  trust: string;
  nameValid: boolean;
  nameError: string | null;
  clientCertificate: EndpointItem["clientCertificate"];
  clientCertificateError: string | null;
}

const source = (s: Source): SourceReport => ({ input: s.input, ...(s.file !== undefined && s.file !== s.input ? { file: s.file } : {}), ...(s.where ? { where: s.where } : {}), ...(s.index !== undefined ? { index: s.index } : {}), label: labelOf(s) });
const name = (n: { text: string; commonName?: string; organization: string[] }): Name => ({ text: n.text, commonName: n.commonName ?? null, organization: n.organization });

export function certificateReport(item: CertificateItem, o: ViewOptions): CertificateReport {
  const f = item.facts;
  const view = kubernetesView(f, o, item.source.file);
  return {
    source: source(item.source),
    kind: view.kind,
    subject: name(f.subject),
    issuer: name(f.issuer),
    selfSigned: view.selfSigned,
    serial: f.serial,
    notBefore: f.notBefore.toISOString(),
    notAfter: f.notAfter.toISOString(),
    secondsLeft: Math.floor((f.notAfter.getTime() - o.now.getTime()) / 1000),
    key: f.key,
    signatureAlgorithm: f.signatureAlgorithm,
    isCA: f.isCA ?? null,
    pathLen: f.pathLen ?? null,
    keyUsage: f.keyUsage,
    extKeyUsage: f.extKeyUsage,
    sans: { dns: f.dnsNames, ip: f.ipAddresses, email: f.emailAddresses, uri: f.uris },
    subjectKeyId: f.subjectKeyId ?? null,
    authorityKeyId: f.authorityKeyId ?? null,
    fingerprintSHA256: f.fingerprintSHA256,
    usedAs: item.consumer ? `${item.consumer.component} ${item.consumer.flag}` : null,
    kubernetes: {
      user: view.user ?? null,
      groups: view.groups ?? null,
      validFor: view.validFor ?? null,
      missingNames: view.missingNames ?? null,
      looksLike: view.looksLike,
      notes: view.notes,
    },
    warnings: view.warnings,
  };
}

export function requestReport(item: RequestItem): RequestReport {
  const groups = item.subject.organization;
  const notes = identityNotes(item.subject.commonName ?? "", groups, "").notes;
  const signer = item.object?.signerName;
  if (groups.includes("system:masters") && signer === "kubernetes.io/kube-apiserver-client") {
    notes.push("the CertificateSubjectRestriction admission plugin rejects system:masters requests for kubernetes.io/kube-apiserver-client");
  }
  if (signer === "kubernetes.io/kube-apiserver-client-kubelet" || signer === "kubernetes.io/kubelet-serving") {
    if (!/^system:node:/.test(item.subject.commonName ?? "") || groups.length !== 1 || groups[0] !== "system:nodes") {
      notes.push(`${signer} requires CN system:node:<name> and O exactly system:nodes: the signer will fail it`);
    }
  }
  if (!item.signatureValid) notes.push("the request's signature does not verify with its own key");
  return {
    source: source(item.source),
    subject: name(item.subject),
    key: item.key,
    signatureAlgorithm: item.signatureAlgorithm,
    signatureValid: item.signatureValid,
    sans: { dns: item.dnsNames, ip: item.ipAddresses, email: item.emailAddresses, uri: item.uris },
    keyUsage: item.keyUsage,
    extKeyUsage: item.extKeyUsage,
    kubernetes: { user: item.subject.commonName ?? null, groups, notes },
    object: item.object ?? null,
  };
}

export const keyReport = (item: KeyItem): KeyReport => ({ source: source(item.source), form: item.form, key: item.key ?? null, matches: item.matches });

export const endpointReport = (e: EndpointItem): EndpointReport => ({
  source: source(e.source), host: e.host, port: e.port, serverName: e.serverName ?? null, checkedName: e.checkedName,
  protocol: e.protocol ?? null, cipher: e.cipher ?? null, chainLength: e.chainLength, verified: e.verified,
  verifyError: e.verifyError ?? null, trust: e.trust, nameValid: e.nameValid, nameError: e.nameError ?? null,
  clientCertificate: e.clientCertificate, clientCertificateError: e.clientCertificateError ?? null,
});

export function buildReport(result: InspectResult, o: ViewOptions): InspectReport {
  const report: InspectReport = {
    apiVersion: "kubepki.dev/v1alpha1", kind: "Inspection", now: o.now.toISOString(),
    certificates: [], requests: [], keys: [], endpoints: [], errors: result.failures, skippedFiles: result.skipped,
  };
  for (const item of result.items) {
    if (item.type === "certificate") report.certificates.push(certificateReport(item, o));
    else if (item.type === "request") report.requests.push(requestReport(item));
    else if (item.type === "key") report.keys.push(keyReport(item));
    else report.endpoints.push(endpointReport(item));
  }
  return report;
}
