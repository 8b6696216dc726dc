import { KUBEADM_RULES, NEWEST_KNOWN, OLDEST_KNOWN, type VersionRule } from "./versions.js";

/**
 * docs/kubeadm-versions.md, generated from the rules in versions.ts
 * (`npm run docs:versions`; test/versions-doc.test.ts fails when the file and
 * the data disagree), so that the next release's change is one data entry.
 */

const show = (v: unknown): string => {
  if (Array.isArray(v)) return v.length ? v.map((x) => `\`${x}\``).join(", ") : "none";
  if (typeof v === "number") return `\`0${v.toString(8)}\``;
  if (typeof v === "boolean") return v ? "yes" : "no";
  return String(v);
};
const cell = (s: string) => s.replace(/\|/g, "\\|");

export function renderVersionsDoc(): string {
  const rules = Object.values(KUBEADM_RULES) as VersionRule<unknown>[];
  const rows = rules.map((r) => {
    const since = r.since ? r.since.join(", ") : "all (v1.31+)";
    return `| ${cell(r.what)} | ${cell(show(r.before))} | ${cell(r.after !== undefined ? show(r.after) : "—")} | ${cell(since)} | ${cell(r.kubepki ?? "as kubeadm")} | ${cell(r.source)} |`;
  });
  return `<!-- Generated from src/catalog/versions.ts by \`npm run docs:versions\`; do not edit by hand. -->
# What kubeadm writes, version by version

kubepki speaks for kubeadm ${OLDEST_KNOWN} to ${NEWEST_KNOWN} (the newest stable release verified to
exist). \`--kubernetes-version vX.Y.Z\` on \`init\` and \`certs …\`, or \`kubernetesVersion\` in a kubeadm
ClusterConfiguration, picks the release whose rules apply; without it, ${NEWEST_KNOWN}. \`check\`
can infer it from the image tags of the static pod manifests (\`inferKubernetesVersion\`).

A rule that changed starts at the releases in *from*: a fix cherry-picked to older branches
starts at a patch release of each (\`v1.34.8\` means v1.34.8 and later v1.34 patches), and the
last entry covers every later minor release.

| what | before | after | from | kubepki | upstream |
|---|---|---|---|---|---|
${rows.join("\n")}

## Notes on the sources

- **apiserver-kubelet-client's O.** PR kubernetes/kubernetes#138957 is listed in
  CHANGELOG-1.37.md (v1.37.0-alpha.1, "Kubeadm: use a dedicated ClusterRole
  'system:kubelet-api-admin' for the kube-apiserver kubelet client"). The patch releases that
  carry the cherry-picks (v1.33.12, v1.34.8, v1.35.5, v1.36.1) are the ones cluster-api's
  troubleshooting notes list; the release tags themselves could not be read here (the
  kubernetes/kubernetes snapshot is larger than the mirror allows), so that list is the
  issue's and cluster-api's, not checked tag by tag. A node upgraded across the boundary keeps
  its old certificate (with O) until renewal: both are right for their release, and the
  ClusterRoleBinding \`kubeadm:apiserver-kubelet-client\` → \`system:kubelet-api-admin\` is what
  authorizes the O-less one.
- **SKID hash — correction to issue 12.** The issue ties SHA-1 versus SHA-256 to "the Go
  version each Kubernetes release is built with". Go's default for \`x509sha256skid\` follows
  the main module's \`go\`/\`godebug default=\` line, not the toolchain, and Kubernetes pins
  \`godebug default=go1.NN\` to its go.mod language version (seen in its staging modules, e.g.
  client-go's \`go 1.24.0\` / \`godebug default=go1.24\`). So a v1.34 patch built with Go 1.25
  still hashes with SHA-1; SHA-256 starts with the first release whose go.mod says go 1.25.
  That is taken to be v1.35 (a kubernetes go.mod with \`go 1.25.0\` beside golang.org/x/net
  v0.47.0, of November 2025); like the patch list above, this could not be checked at the tag
  and is the entry to correct if a tag says otherwise. Only CAs get a computed
  SKID (kubeadm leaves it empty); every leaf's AKID is its CA's SKID, so the hash shows there too.
  Both forms are valid: nothing checks which hash made an SKID, only that AKID = issuer's SKID.
- **Leaf validity past the CA's.** kubeadm keeps the requested NotAfter and only warns in
  validation; kubepki cuts it to the CA's expiry and says so (issue 10). A kubeadm-made leaf
  that outlives its CA is not an error: it becomes unusable when the CA expires, which check's
  expiry rules already report.
- **kubelet.conf.** \`kubepki init\` writes kubelet.conf with embedded credentials, as kubeadm's
  kubeconfig phase does before the kubelet-finalize phase rewrites it to the rotated
  \`/var/lib/kubelet/pki/kubelet-client-current.pem\`. kubeadm never renews kubelet.conf, and
  neither does \`kubepki certs renew\`.
- **What renew copies.** \`kubepki certs renew\` goes through kubepki's renew core, which copies
  the whole subject as encoded and the email and URI SANs as well, and only the serverAuth and
  clientAuth usages; for kubeadm-made certificates (CN, O, DNS and IP SANs, those two usages)
  the result is the same as kubeadm's. A hand-made certificate with other usages or subject
  fields differs: kubeadm would keep every usage and drop the other subject fields.
`;
}
