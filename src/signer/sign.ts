import type { KeyObject } from "node:crypto";
import * as asn from "@peculiar/asn1-x509";
import { inputError } from "../errors.js";
import { attribute, BACKDATE_MS, createCertificate, derSortedRDN, randomSerial128, type ExtKeyUsage, type KeyUsageName } from "../pki/certificate.js";
import type { CSRModel } from "../pki/csr.js";
import { parseCertificate, type CertificateModel } from "../pki/model.js";
import { privilegeWarnings, type PrivilegeWarning } from "./guard.js";
import { apiServerRules, CLIENT_ONLY_SIGNERS, findSigner } from "./signers.js";
import { GO_MIN_RSA_BITS, MIN_RSA_BITS } from "../pki/key-choice.js";

/**
 * kube-controller-manager's CSR signer (pkg/controller/certificates/authority),
 * run locally: the same checks, the same certificate.
 */

/** --cluster-signing-duration's default. */
export const DEFAULT_SIGNING_DURATION_MS = 8760 * 3_600_000;
/** Below this a certificate is "short-lived" and its end is not backdated. */
const SHORT_MS = 8 * 3_600_000;
/** The signer's floor for a requested duration: twice the backdate. */
const MIN_REQUESTED_MS = 10 * 60_000;

export interface SignRequest {
  csr: CSRModel;
  signerName: string;
  usages: string[];
  expirationSeconds?: number;
  /** Names added to the request's own (the local signer's --san). */
  extraNames?: { dnsNames: string[]; ipAddresses: string[] };
}


export interface Assessment {
  /** Anything that makes the API server or the signer refuse: bad signature, rules. */
  violations: string[];
  warnings: PrivilegeWarning[];
}

/** Everything the API server, the signer and the privilege guard would say about a request. */
export function assessRequest(req: SignRequest): Assessment {
  const violations: string[] = [];
  if (!req.csr.signatureValid) violations.push(`signature: ${req.csr.signatureProblem}`);
  const signer = findSigner(req.signerName);
  if (!signer) violations.push(`signer "${req.signerName}" is not a built-in Kubernetes signer`);
  else if (!signer.signable) violations.push(`signer ${signer.name}: ${signer.description}`);
  violations.push(...apiServerRules(req.usages, req.expirationSeconds));
  if (signer?.signable) violations.push(...signer.validate(req.csr, req.usages));
  const { key } = req.csr;
  if (key.type === "RSA" && key.bits !== undefined && key.bits < GO_MIN_RSA_BITS) violations.push(`RSA ${key.bits}-bit key: Go's crypto/rsa refuses keys under ${GO_MIN_RSA_BITS} bits, so no Kubernetes component could use it`);
  return { violations, warnings: [...problems(req), ...privilegeWarnings(req.csr, signer?.name ?? req.signerName)] };
}

/** What is wrong with a request though a signer would take it: sign refuses these, review warns. */
function problems(req: SignRequest): PrivilegeWarning[] {
  const out: PrivilegeWarning[] = [];
  const { csr } = req;
  if (csr.key.type === "RSA" && csr.key.bits !== undefined && csr.key.bits >= GO_MIN_RSA_BITS && csr.key.bits < MIN_RSA_BITS) {
    out.push({ level: "problem", code: "weak-key", message: `RSA ${csr.key.bits}-bit key: under ${MIN_RSA_BITS} bits is within reach of well-funded attackers, and a Kubernetes client certificate cannot be revoked` });
  }
  if (CLIENT_ONLY_SIGNERS.includes(req.signerName)) {
    const sans = [...csr.dnsNames.map((d) => `DNS:${d}`), ...csr.ipAddresses.map((i) => `IP:${i}`)];
    const wants = [
      ...(sans.length ? [`subject alternative names (${sans.join(", ")})`] : []),
      ...(csr.requestedExtKeyUsage.includes("serverAuth") ? ["server auth (in its requested extensions)"] : []),
    ];
    if (wants.length) {
      out.push({
        level: "problem", code: "client-only",
        message: `the request asks for ${wants.join(" and ")}, but ${req.signerName} issues client certificates only: it would be a client certificate no server can use (the names would do nothing)`,
      });
    }
  }
  return out;
}

/**
 * The signer's duration(): spec.expirationSeconds when given, clamped to
 * [10 min, the signing duration]; else the signing duration.
 */
export function requestedTTL(signingDurationMs: number, expirationSeconds: number | undefined): number {
  if (expirationSeconds === undefined) return signingDurationMs;
  const requested = expirationSeconds * 1000;
  if (requested > signingDurationMs) return signingDurationMs;
  if (requested < MIN_REQUESTED_MS) return MIN_REQUESTED_MS;
  return requested;
}

/**
 * PermissiveSigningPolicy.apply: NotBefore 5 min back; NotAfter backdated too
 * unless short-lived; never past the CA's NotAfter; an expired CA signs nothing.
 */
export function validityFor(now: Date, ttlMs: number, ca: CertificateModel): { notBefore: Date; notAfter: Date; cappedByCA: boolean } {
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  let notAfter = new Date(now.getTime() + (ttlMs < SHORT_MS ? ttlMs : ttlMs - BACKDATE_MS));
  let cappedByCA = false;
  if (notAfter >= ca.notAfter) {
    notAfter = ca.notAfter;
    cappedByCA = true;
  }
  if (now >= ca.notAfter) throw inputError(`the CA expired on ${ca.notAfter.toISOString()}: it cannot sign`, "renew the CA first");
  // UTCTime's two-digit years: a NotBefore in 1949 (backdated from early 1950) would read back as 2049.
  if (notBefore.getUTCFullYear() < 1950) throw inputError(`NotBefore ${notBefore.toISOString()} is before 1950, which a certificate cannot say unambiguously`);
  return { notBefore, notAfter, cappedByCA };
}

const KEY_USAGES: Record<string, KeyUsageName> = { "digital signature": "digitalSignature", signing: "digitalSignature", "key encipherment": "keyEncipherment", "cert sign": "keyCertSign", "crl sign": "cRLSign" };
const EXT_KEY_USAGES: Record<string, ExtKeyUsage> = { "server auth": "serverAuth", "client auth": "clientAuth" };
// Go sorts ExtKeyUsage by its enum value: ServerAuth (1) before ClientAuth (2).
const EKU_ORDER: ExtKeyUsage[] = ["serverAuth", "clientAuth"];

/** spec.usages as key usage bits and EKUs (keyUsagesFromStrings). */
export function mapUsages(usages: string[]): { keyUsage: KeyUsageName[]; extKeyUsage: ExtKeyUsage[] } {
  const keyUsage = new Set<KeyUsageName>();
  const ext = new Set<ExtKeyUsage>();
  for (const u of usages) {
    if (KEY_USAGES[u]) keyUsage.add(KEY_USAGES[u]);
    else if (EXT_KEY_USAGES[u]) ext.add(EXT_KEY_USAGES[u]);
    else throw inputError(`usage "${u}" cannot be issued by kubepki`);
  }
  return { keyUsage: [...keyUsage], extKeyUsage: EKU_ORDER.filter((e) => ext.has(e)) };
}

// Go's pkix.Name.ToRDNSequence order; other attribute types (emailAddress…) are dropped, as Go drops them.
const SUBJECT_ORDER = ["2.5.4.6", "2.5.4.8", "2.5.4.7", "2.5.4.9", "2.5.4.17", "2.5.4.10", "2.5.4.11", "2.5.4.3", "2.5.4.5"];
const SINGLE_VALUED = new Set(["2.5.4.3", "2.5.4.5"]);

/**
 * The subject as Go re-encodes a parsed request's subject: known attributes in
 * a fixed order, all values of one type in one RDN, the last CN winning.
 */
export function goSubject(name: asn.Name): asn.Name {
  const values = new Map<string, string[]>();
  for (const rdn of name) for (const atv of rdn) if (SUBJECT_ORDER.includes(atv.type)) values.set(atv.type, [...(values.get(atv.type) ?? []), atv.value.toString()]);
  const rdns: asn.RelativeDistinguishedName[] = [];
  for (const type of SUBJECT_ORDER) {
    let vs = values.get(type) ?? [];
    if (SINGLE_VALUED.has(type)) vs = vs.slice(-1).filter(Boolean);
    if (vs.length) rdns.push(derSortedRDN(vs.map((v) => attribute(type, v))));
  }
  return new asn.Name(rdns);
}

export interface SigningCA {
  key: KeyObject;
  cert: CertificateModel;
}

export interface SignedCertificate {
  der: Buffer;
  certificate: CertificateModel;
  ttlMs: number;
  cappedByCA: boolean;
}

/** The request's names first, as asked, then the added ones it lacks. */
const withExtra = (own: string[], extra: string[] = []) => [...own, ...extra.filter((n) => !own.includes(n))];

/**
 * Signs as the controller does (the local signer too): subject and every SAN copied, request
 * extensions dropped, usages from spec.usages, 128-bit random serial, not a CA.
 * The caller has checked assessRequest.
 */
export function signRequest(req: SignRequest, ca: SigningCA, options: { now: Date; signingDurationMs?: number }): SignedCertificate {
  const ttlMs = requestedTTL(options.signingDurationMs ?? DEFAULT_SIGNING_DURATION_MS, req.expirationSeconds);
  const { notBefore, notAfter, cappedByCA } = validityFor(options.now, ttlMs, ca.cert);
  const { keyUsage, extKeyUsage } = mapUsages(req.usages);
  const der = createCertificate(
    {
      subject: { commonName: req.csr.subject.commonName ?? "" }, subjectName: goSubject(req.csr.subjectName),
      serial: randomSerial128(), notBefore, notAfter, publicKey: req.csr.publicKey, isCA: false, keyUsage, extKeyUsage,
      dnsNames: withExtra(req.csr.dnsNames, req.extraNames?.dnsNames), ipAddresses: withExtra(req.csr.ipAddresses, req.extraNames?.ipAddresses),
      emailAddresses: req.csr.emailAddresses, uris: req.csr.uris,
    },
    { key: ca.key, certificateDER: ca.cert.der },
  );
  return { der, certificate: parseCertificate(der, "signed certificate"), ttlMs, cappedByCA };
}
