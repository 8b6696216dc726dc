import { inputError } from "../errors.js";

/**
 * What kubeadm writes, version by version, as data: each rule names the
 * releases it holds for and where upstream it comes from, so that the next
 * release's change is one entry here (and one row in docs/kubeadm-versions.md,
 * which is generated from this file).
 *
 * Ranges are written as kubeadm's patch releases: a change cherry-picked to
 * older branches starts at a patch of each (`since` lists them all).
 */

export interface KubernetesVersion {
  major: number;
  minor: number;
  patch: number;
}

/** The oldest release kubepki speaks for: certificateValidityPeriod and v1beta4 arrived in v1.31. */
export const OLDEST_KNOWN = "v1.31.0";
/**
 * The newest stable release verified to exist: kubernetes/kubernetes
 * CHANGELOG/CHANGELOG-1.38.md has "Changelog since v1.37.0" (v1.38 is at alpha).
 */
export const NEWEST_KNOWN = "v1.37.0";

const VERSION_RE = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/;

/** "v1.34.8", "1.34.8" or "v1.34" (= .0), as kubeadm's --kubernetes-version takes a stable version. */
export function parseKubernetesVersion(text: string, what = "--kubernetes-version"): KubernetesVersion {
  const m = VERSION_RE.exec(text.trim());
  if (!m) {
    throw inputError(`${what}: "${text}" is not a Kubernetes version`, `use a release such as ${NEWEST_KNOWN} (labels such as "stable" need the internet; kubepki does not look them up)`);
  }
  const v = { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
  if (compareVersions(v, parse(OLDEST_KNOWN)) < 0) {
    throw inputError(`${what}: ${formatVersion(v)} is older than ${OLDEST_KNOWN}, the oldest kubeadm kubepki knows`, "kubeadm supports only the three newest minor releases anyway");
  }
  return v;
}

const parse = (text: string): KubernetesVersion => {
  const m = VERSION_RE.exec(text)!;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
};

export function formatVersion(v: KubernetesVersion): string {
  return `v${v.major}.${v.minor}.${v.patch}`;
}

export function compareVersions(a: KubernetesVersion, b: KubernetesVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function defaultKubernetesVersion(): KubernetesVersion {
  return parse(NEWEST_KNOWN);
}

/**
 * When a rule starts: `since` lists the first release of each minor line that
 * has it (a cherry-picked fix), the last entry covering every later minor.
 * ["v1.33.12", "v1.34.8", "v1.37.0"] holds for v1.33.12+, v1.34.8+, not for
 * v1.35.4, and for everything from v1.37.0 on.
 */
export function inRange(v: KubernetesVersion, since: readonly string[]): boolean {
  const starts = since.map(parse);
  const sameLine = starts.find((s) => s.major === v.major && s.minor === v.minor);
  if (sameLine) return compareVersions(v, sameLine) >= 0;
  const last = starts[starts.length - 1];
  return compareVersions(v, last) >= 0;
}

/** One fact about what kubeadm writes, with the releases it holds for. */
export interface VersionRule<T> {
  /** Short name, used in the docs table. */
  what: string;
  /** The value before the change. */
  before: T;
  /** The value from `since` on (absent for a rule that never changed in v1.31+). */
  after?: T;
  since?: readonly string[];
  /** What kubepki does about it, when it differs from kubeadm on purpose. */
  kubepki?: string;
  /** Where it comes from upstream. */
  source: string;
}

export function ruleValue<T>(rule: VersionRule<T>, v: KubernetesVersion): T {
  return rule.after !== undefined && rule.since && inRange(v, rule.since) ? rule.after : rule.before;
}

/**
 * The rules. Facts checked against kubernetes/kubernetes where the stored
 * copies allowed; see docs/kubeadm-versions.md for what could not be checked at
 * each tag.
 */
export const KUBEADM_RULES = {
  // cmd/kubeadm/app/phases/certs/certlist.go KubeadmCertKubeletClient; PR #138957
  // ("Kubeadm: use a dedicated ClusterRole 'system:kubelet-api-admin' for the
  // kube-apiserver kubelet client", CHANGELOG-1.37.md, v1.37.0-alpha.1),
  // cherry-picked to v1.36.1, v1.35.5, v1.34.8, v1.33.12 (cluster-api's
  // troubleshooting notes list exactly those patch releases). Access then comes
  // from the ClusterRoleBinding kubeadm:apiserver-kubelet-client →
  // system:kubelet-api-admin for the user kube-apiserver-kubelet-client.
  apiserverKubeletClientOrganization: {
    what: "apiserver-kubelet-client O",
    before: ["kubeadm:cluster-admins"],
    after: [],
    since: ["v1.33.12", "v1.34.8", "v1.35.5", "v1.36.1", "v1.37.0"],
    source: "certlist.go KubeadmCertKubeletClient; PR kubernetes/kubernetes#138957 (CHANGELOG-1.37), cherry-picked to v1.33.12, v1.34.8, v1.35.5, v1.36.1",
  } satisfies VersionRule<string[]>,

  // Go's crypto/x509 CreateCertificate fills an empty SubjectKeyId of a CA (and
  // kubeadm's NewSelfSignedCACert leaves it empty): SHA-1 of the public key,
  // or, with GODEBUG x509sha256skid=1 (the default from Go 1.25), the first 160
  // bits of its SHA-256. The default is not the toolchain's but the one the
  // main module asks for: Kubernetes pins `godebug default=go1.NN` to its
  // go.mod/go.work language version, so SHA-256 starts with the first release
  // whose go.mod says go 1.25 (v1.35), not with the first one built by Go 1.25.
  subjectKeyIdHash: {
    what: "CA subject key id (and so every leaf's authority key id)",
    before: "sha1" as "sha1" | "sha256",
    after: "sha256" as "sha1" | "sha256",
    since: ["v1.35.0"],
    source: "golang/go crypto/x509 CreateCertificate (Go 1.25 release notes, GODEBUG x509sha256skid); kubernetes go.mod/go.work `godebug default=go1.NN`",
  } satisfies VersionRule<"sha1" | "sha256">,

  // cmd/kubeadm/app/apis/kubeadm/validation: EncryptionAlgorithm one of
  // RSA-2048, RSA-3072, RSA-4096, ECDSA-P256, and ECDSA-P384 from v1.34.
  ecdsaP384: {
    what: "encryptionAlgorithm ECDSA-P384 accepted",
    before: false,
    after: true,
    since: ["v1.34.0"],
    source: "apis/kubeadm/validation ValidateEncryptionAlgorithm; kubeadm-config.v1beta4 reference (ECDSA-P384 added in v1.34)",
  } satisfies VersionRule<boolean>,

  // pkiutil.WriteKey → keyutil.WriteKey writes every key file 0600, sa.pub too
  // (WritePublicKey goes through the same keyutil.WriteKey).
  saPubMode: {
    what: "sa.pub file mode",
    before: 0o600,
    source: "util/pkiutil WritePublicKey → client-go keyutil.WriteKey (os.WriteFile 0600)",
  } satisfies VersionRule<number>,

  // pkiutil.NewSignedCert: NotAfter = now + validity, never cut to the CA's;
  // validation only warns when certificateValidityPeriod > caCertificateValidityPeriod.
  leafOutlivesCA: {
    what: "leaf validity longer than the CA's",
    before: "kept (validation warns)",
    kubepki: "cut to the CA's expiry with a warning (issue 10); check does not call an uncut leaf an error",
    source: "util/pkiutil NewSignedCert; apis/kubeadm/validation ValidateCertValidity",
  } satisfies VersionRule<string>,

  // cmd/kubeadm/app/cmd/phases/init/kubeletfinalize.go: once the kubelet has its
  // rotated client certificate, kubelet.conf's user points at
  // /var/lib/kubelet/pki/kubelet-client-current.pem; with ControlPlaneKubeletLocalMode
  // (beta, on by default from v1.33) a control-plane node's kubelet talks to its
  // local API server.
  kubeletConfAfterInit: {
    what: "kubelet.conf after init",
    before: "client-certificate/client-key → /var/lib/kubelet/pki/kubelet-client-current.pem; server = control-plane endpoint",
    after: "client-certificate/client-key → /var/lib/kubelet/pki/kubelet-client-current.pem; server = the node's own API server (ControlPlaneKubeletLocalMode)",
    since: ["v1.33.0"],
    kubepki: "init writes the bootstrap form (embedded credentials, server = control-plane endpoint), as kubeadm's kubeconfig phase does before kubelet-finalize rewrites it",
    source: "cmd/phases/init/kubeletfinalize.go; features.ControlPlaneKubeletLocalMode",
  } satisfies VersionRule<string>,

  // renewal/readwriter.go kubeConfigReadWriter.Write: CertificateAuthorityData = the first certificate of ca.crt.
  renewKubeconfigCA: {
    what: "certs renew: kubeconfig certificate-authority-data",
    before: "reset to the first certificate of ca.crt on disk",
    kubepki: "certs renew: as kubeadm; kubepki renew: left as it is",
    source: "phases/certs/renewal/readwriter.go kubeConfigReadWriter.Write",
  } satisfies VersionRule<string>,

  // renewal/manager.go: cfg.EncryptionAlgorithm and the validity come from the
  // ClusterConfiguration (--config, or the kubeadm-config ConfigMap), not from the old key.
  renewKeyAndValidity: {
    what: "certs renew: key type and validity",
    before: "encryptionAlgorithm and certificateValidityPeriod of the cluster configuration",
    kubepki: "certs renew: as kubeadm (from --config, else kubeadm's defaults); kubepki renew: the old key's type and --cert-validity",
    source: "phases/certs/renewal/manager.go NewManager; renewal.go",
  } satisfies VersionRule<string>,

  // renewal/manager.go lists admin.conf, super-admin.conf, controller-manager.conf, scheduler.conf only.
  renewKubeletConf: {
    what: "certs renew: kubelet.conf",
    before: "never renewed (the kubelet rotates its own client certificate)",
    source: "phases/certs/renewal/manager.go kubeConfigFiles",
  } satisfies VersionRule<string>,

  // renewal.go certToConfig: CommonName, Organization, DNSNames, IPAddresses, ExtKeyUsage.
  renewCopies: {
    what: "certs renew: what the new certificate copies",
    before: "CN and O, DNS and IP SANs, every extended key usage",
    kubepki: "the whole subject as encoded, DNS, IP, email and URI SANs, serverAuth/clientAuth only: the same for every certificate kubeadm makes",
    source: "phases/certs/renewal/filerenewer.go / renewal.go certToConfig",
  } satisfies VersionRule<string>,
} as const;

/** The version-dependent facts init and check need, resolved for one release. */
export interface KubeadmFacts {
  version: string;
  apiserverKubeletClientOrganization: string[];
  subjectKeyIdHash: "sha1" | "sha256";
  ecdsaP384: boolean;
}

export function kubeadmFacts(v: KubernetesVersion): KubeadmFacts {
  return {
    version: formatVersion(v),
    apiserverKubeletClientOrganization: [...ruleValue(KUBEADM_RULES.apiserverKubeletClientOrganization, v)],
    subjectKeyIdHash: ruleValue(KUBEADM_RULES.subjectKeyIdHash, v),
    ecdsaP384: ruleValue(KUBEADM_RULES.ecdsaP384, v),
  };
}

// The control-plane images kubeadm writes into its static pod manifests, tagged with the version.
const CONTROL_PLANE_IMAGES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"];

/**
 * The Kubernetes version a node runs, from the image tags of its static pods
 * (registry.k8s.io/kube-apiserver:v1.34.8): the API server's tag, else the
 * controller-manager's or scheduler's. Undefined when no such image has a
 * version tag (a digest only, a custom build): then the version is unknown.
 */
export function inferKubernetesVersion(staticPods: { image?: string }[]): KubernetesVersion | undefined {
  const images = staticPods.flatMap((p) => (p.image ? [p.image] : []));
  for (const component of CONTROL_PLANE_IMAGES) {
    for (const image of images) {
      const v = versionOfImage(image, component);
      if (v) return v;
    }
  }
  return undefined;
}

function versionOfImage(image: string, component: string): KubernetesVersion | undefined {
  const withoutDigest = image.split("@")[0];
  const slash = withoutDigest.lastIndexOf("/");
  const last = withoutDigest.slice(slash + 1);
  const colon = last.indexOf(":");
  if (colon < 0 || last.slice(0, colon) !== component) return undefined;
  // Tags such as v1.34.8, v1.34.8-eks-1, v1.34.8_rke2r1: the release is the leading x.y.z.
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(last.slice(colon + 1));
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}
