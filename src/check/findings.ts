/** How bad a finding is: errors break the cluster (exit 1), warnings will soon or are risky, info is context. */
export type Severity = "error" | "warning" | "info";

export const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];

/** One thing wrong (or worth knowing) about one file. */
export interface Finding {
  /** Stable rule id ("expired", "san-missing"); scripts and alerts match on it. */
  id: string;
  severity: Severity;
  /** The file it is about, as the user named it (a PEM file, key file or kubeconfig). */
  file: string;
  /** The row of the certificate table it belongs to, when it is about a certificate. */
  certificate?: string;
  /** What is wrong, in one sentence. */
  message: string;
  /** What to do, for a person. */
  fix: string;
  /** Shell commands, every path quoted, that pasted as they are clear exactly this finding; [] when a person must decide. */
  commands: string[];
}

/** The rule catalogue, for help, docs and the HTML legend; each rule's code lives in rules/. */
export const RULE_TITLES: Record<string, string> = {
  "file-missing": "a certificate, key or kubeconfig the node needs does not exist",
  "file-unreadable": "a file exists but cannot be read (permissions, a directory…)",
  "file-invalid": "a file cannot be parsed as PEM, a certificate, a key or a kubeconfig",
  "key-mismatch": "the private key is not the one the certificate was issued for",
  "chain-untrusted": "the certificate is not signed by the CA its consumer trusts (checked by signature)",
  "kubeconfig-ca-mismatch": "a kubeconfig's certificate-authority data is not the cluster CA",
  expired: "the certificate's notAfter is in the past",
  "not-yet-valid": "the certificate's notBefore is in the future (clock skew)",
  "expiring-soon": "the certificate expires within --warn-within",
  "subject-mismatch": "CN or O differ from what the component needs",
  "admin-group-missing": "an admin kubeconfig's certificate carries no admin group",
  "kubelet-identity": "the kubelet's client certificate is not system:node:<node> in system:nodes",
  "front-proxy-name-not-allowed": "front-proxy-client's CN is not in --requestheader-allowed-names",
  "san-missing": "the serving certificate lacks a name or IP clients use",
  "eku-wrong": "the extended key usage does not allow the role (serverAuth / clientAuth)",
  "ca-not-ca": "a CA certificate lacks CA:TRUE or keyCertSign",
  "leaf-is-ca": "a leaf certificate has CA:TRUE, so it could sign certificates",
  "weak-key": "an RSA key shorter than 2048 bits",
  "sha1-signature": "a SHA-1 (or MD5) signature, which Go rejects",
  "key-permissions": "a private key is readable by group or others",
  "sa-keypair-mismatch": "sa.key and sa.pub are not a pair",
  "key-reused": "one private key serves several roles",
  "cluster-facts-unknown": "a fact about the node could not be found, so the checks that need it were skipped",
  "ca-key-missing": "kube-controller-manager's --cluster-signing-key-file names a CA key that is not there, so approved CSRs get no certificate",
  "consumer-trusts-wrong-ca": "a component's CA flag names a file other than the CA that signed what it verifies",
};

/** errors first, then warnings, then info; stable inside a severity. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITIES.indexOf(a.f.severity) - SEVERITIES.indexOf(b.f.severity) || a.i - b.i)
    .map(({ f }) => f);
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
