/** What every command module exports. */
export interface Command {
  /** Full help: usage line, description, flags, examples. */
  help: string;
  /** Runs the command; returns the exit code. */
  run(argv: string[]): Promise<number>;
}

/**
 * The command table. Each module is imported only when its command runs, so
 * that one command's dependencies never slow another's start-up.
 */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  init: { summary: "Issue a complete cluster PKI (kubeadm-exact or the hard way)", load: () => import("./init.js") },
  inspect: { summary: "See any certificate the way Kubernetes sees it: files, kubeconfigs, Secrets, CSRs, manifests, endpoints", load: () => import("./inspect.js") },
  check: { summary: "Check every certificate, key and kubeconfig of a node: the table, findings and fixes", load: () => import("./check.js") },
  kubeconfig: { summary: "Make or update a kubeconfig for any identity, signed by the cluster CA (merges like kubectl config)", load: () => import("./kubeconfig.js") },
  user: { summary: "Onboard a user through the CSR API: key, CSR and object (create); the kubeconfig once signed (kubeconfig)", load: () => import("./user.js") },
  csr: { summary: "Review a certificate request before approving it: identity, signer rules, privilege warnings", load: () => import("./csr.js") },
  sign: { summary: "Sign a CSR with a local CA, as kube-controller-manager's signers would, or for a server or peer (--signer local)", load: () => import("./sign.js") },
  verify: { summary: "Verify certificates as Go (so Kubernetes) does: chain to a CA, name, purpose, validity; exit 0/1 for scripts", load: () => import("./verify.js") },
  key: { summary: "Generate a private key (weak RSA refused) or print a key's public half", load: () => import("./key.js") },
  renew: { summary: "Renew leaf certificates like kubeadm certs renew: same identity, fresh validity, backed up, and what to restart", load: () => import("./renew.js") },
  "rotate-ca": { summary: "Replace a CA or the service-account key without downtime: begin, reissue, finish (status, abort)", load: () => import("./rotate-ca.js") },
  certs: { summary: "kubeadm's certs commands, drop-in: check-expiration, renew, generate-csr, certificate-key", load: () => import("./certs.js") },
  explain: { summary: "Explain a certificate error message or log: the link, whose fault, the fix, and (--root) the file", load: () => import("./explain.js") },
  serve: { summary: "A Prometheus exporter for the node's certificates: /metrics, /report, /healthz, checked on an interval and on file changes", load: () => import("./serve.js") },
};
