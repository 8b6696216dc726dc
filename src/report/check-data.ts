import type { CheckResult } from "../check/index.js";

/** The documented `-o json|yaml` shape of check (docs/check.md). Never contains key material. */
export function checkReportData(result: CheckResult) {
  const { facts } = result;
  return {
    kind: "CheckResult",
    apiVersion: "kubepki.io/v1alpha1",
    now: result.now.toISOString(),
    node: {
      kind: result.role.kind,
      setup: result.role.setup,
      evidence: result.role.evidence,
      root: result.root,
      profile: result.profile,
      pkiDir: result.pkiDir,
      kubeconfigDir: result.kubeconfigDir,
      manifestsDir: result.manifestsDir,
      nodeName: facts.nodeName ?? null,
      advertiseAddress: facts.advertiseAddress ?? null,
      controlPlaneEndpoint: facts.controlPlaneEndpoint ?? null,
      serviceSubnet: facts.serviceSubnet ?? null,
      dnsDomain: facts.dnsDomain ?? null,
      factSources: facts.from,
    },
    summary: { ...result.summary, status: overallStatus(result) },
    certificates: result.certificates.map((r) => ({
      id: r.id, component: r.component, role: r.role, status: r.status, missing: r.missing,
      file: r.file, kubeconfigUser: r.kubeconfigUser ?? null, certFile: r.certFile, keyFile: r.keyFile ?? null, via: r.via,
      commonName: r.commonName ?? null, organization: r.organization, sans: r.sans,
      issuer: r.issuer ?? null, expectedIssuer: r.expectedIssuer ?? null,
      notBefore: r.notBefore ?? null, notAfter: r.notAfter ?? null, residual: r.residual ?? null, residualSeconds: r.residualSeconds ?? null,
      key: r.key ?? null, signatureAlgorithm: r.signatureAlgorithm ?? null, serial: r.serial ?? null,
    })),
    findings: result.findings.map((f) => ({ id: f.id, severity: f.severity, file: f.file, certificate: f.certificate ?? null, message: f.message, fix: f.fix, commands: f.commands })),
  };
}

/** FAIL with an error, WARN with a warning, else OK: the same words as the rows. */
export function overallStatus(result: CheckResult): "OK" | "WARN" | "FAIL" {
  return result.summary.error ? "FAIL" : result.summary.warning ? "WARN" : "OK";
}
