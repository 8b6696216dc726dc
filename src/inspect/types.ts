import type { KeyDescription } from "../pki/keys.js";
import type { DistinguishedName } from "../pki/model.js";
import type { CertificateFacts } from "../pki/x509-fast.js";

/** Where an item came from: the argument, the file, and the place inside it. */
export interface Source {
  /** The argument as the user gave it: a path, "-", "host:port", or "--kubeconfig FILE". */
  input: string;
  /** The file the bytes were read from, when there is one. */
  file?: string;
  /** The place inside: "users[admin].client-certificate-data", "data[tls.crt]", "--tls-cert-file", "chain". */
  where?: string;
  /** 0-based position among the certificates of a bundle or chain; absent for a lone certificate. */
  index?: number;
}

export interface CertificateItem {
  type: "certificate";
  source: Source;
  facts: CertificateFacts;
  /** A component flag known to read this file (from a static pod manifest): helps say what it is for. */
  consumer?: { component: string; flag: string };
}

/** A PKCS#10 request, from a PEM/DER file or a CertificateSigningRequest object. */
export interface RequestItem {
  type: "request";
  source: Source;
  subject: DistinguishedName;
  key: KeyDescription;
  spki: Buffer;
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  keyUsage: string[];
  extKeyUsage: string[];
  signatureAlgorithm: string;
  /** The request's self-signature verifies with its own key. */
  signatureValid: boolean;
  /** Present for a Kubernetes CertificateSigningRequest object. */
  object?: CSRObjectInfo;
}

export interface CSRObjectInfo {
  name: string;
  signerName?: string;
  usages: string[];
  expirationSeconds?: number;
  username?: string;
  groups: string[];
  /** Approved, Denied, Failed, Pending; and Issued when status.certificate is set. */
  state: string;
  conditions: { type: string; reason?: string; message?: string }[];
}

export interface KeyItem {
  type: "key";
  source: Source;
  /** A private key, a public key (sa.pub), or an encrypted private key we cannot open. */
  form: "private" | "public" | "encrypted";
  key?: KeyDescription;
  /** DER SubjectPublicKeyInfo of the key, to find its certificate; never the private part. */
  spki?: Buffer;
  /** Certificates beside it whose public key is this key's: their labels. */
  matches: string[];
  /** The folder of the key file: its certificate is looked for there too, not only among the inputs. */
  besideDir?: string;
}

export interface EndpointItem {
  type: "endpoint";
  source: Source;
  host: string;
  port: number;
  /** SNI sent (none for an IP without --servername). */
  serverName?: string;
  /** The name the certificate is checked against: --servername or the host. */
  checkedName: string;
  protocol?: string;
  cipher?: string;
  /** How many certificates the server sent. */
  chainLength: number;
  /** Verified against --ca (or Node's trust store) by OpenSSL during the handshake. */
  verified: boolean;
  verifyError?: string;
  trust: string;
  nameValid: boolean;
  nameError?: string;
  /** "none", "offered", "required-missing" (the server wants one we did not send), "rejected" (we sent one, the server refused it). */
  clientCertificate: "none" | "offered" | "required-missing" | "rejected";
  clientCertificateError?: string;
}

export type Item = CertificateItem | RequestItem | KeyItem | EndpointItem;

export interface InputFailure {
  input: string;
  message: string;
}

export interface InspectOptions {
  kubeconfig?: string;
  context?: string;
  servername?: string;
  /** PEM bundle files to verify endpoints against (default: Node's trust store). */
  ca?: string[];
  cert?: string;
  key?: string;
  timeoutMs: number;
  /** Read stdin for "-". */
  stdin?: () => Promise<Buffer>;
}

/** A sink the readers push into; one per top-level input so that output keeps argument order. */
export interface Collector {
  items: Item[];
  failures: InputFailure[];
  /** Skipped files of a directory walk (not a certificate, key or Kubernetes object). */
  skipped: number;
}

export function labelOf(source: Source): string {
  const base = source.file ?? source.input;
  const parts = [base];
  if (source.where) parts.push(source.where);
  let label = parts.join(" ");
  if (source.index !== undefined) label += ` #${source.index + 1}`;
  return label;
}
