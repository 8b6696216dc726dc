import { isatty } from "node:tty";
import { certsCluster } from "../certs/cluster.js";
import { parsePositiveDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { parseFlags, parseNow } from "./args.js";
import { groupsOf } from "./onboard.js";
import { writeStdout } from "./output.js";

export const help = `Usage: kubepki kubeconfig user --client-name NAME [--org O]… [--config FILE] [flags] > NAME.conf

Like 'kubeadm kubeconfig user': prints a kubeconfig for NAME (the client
certificate's CN) in the groups --org, signed by the cluster CA, to standard
output. The server, cluster name and key type come from --config (kubeadm's
InitConfiguration/ClusterConfiguration: controlPlaneEndpoint or
localAPIEndpoint, clusterName, encryptionAlgorithm), else kubeadm's defaults.

The output holds a private key: it is printed only into a pipe or a file, never
onto a terminal. 'kubepki kubeconfig --client-name …' writes or merges a file
(mode 0600) instead.

Flags:
  --client-name NAME         the user (required)
  --org O                    a group; repeat or comma-separate for several
  --config FILE              kubeadm configuration (the server and key type come from it)
  --token TOKEN              a bearer token instead of a client certificate (no key in the output)
  --validity-period DURATION client certificate lifetime (default 8760h; never past the CA)
  --cert-dir DIR             the CA's folder (default: the config's certificatesDir, else /etc/kubernetes/pki)
  --kubernetes-version V     the kubeadm release whose rules apply
  --now TIME                 issue as of this RFC 3339 time

Examples:
  sudo kubepki kubeconfig user --client-name alice --org developers --config kubeadm.yaml > alice.conf
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("kubeconfig user", argv, {
    "client-name": { type: "string" },
    org: { type: "string", multiple: true },
    config: { type: "string" },
    token: { type: "string" },
    "validity-period": { type: "string" },
    "cert-dir": { type: "string" },
    "kubernetes-version": { type: "string" },
    now: { type: "string" },
  }, true);
  if (positionals.length) throw inputError(`kubeconfig user: unexpected argument "${positionals[0]}"`, "the identity goes in --client-name");
  const clientName = values["client-name"]?.trim();
  if (!clientName) throw inputError("kubeconfig user: --client-name is required");
  if (values.token === undefined && isatty(1)) {
    throw inputError("kubeconfig user: the kubeconfig holds a private key and standard output is a terminal", "redirect it into a file (> NAME.conf), or use 'kubepki kubeconfig --client-name NAME --kubeconfig FILE'");
  }
  const validityMs = parsePositiveDuration(values["validity-period"] ?? "8760h", "--validity-period");
  const cluster = await certsCluster({ config: values.config, kubernetesVersion: values["kubernetes-version"] });
  const { kubeconfigUser } = await import("../certs/kubeconfig-user.js");
  const result = await kubeconfigUser(cluster, {
    certDir: values["cert-dir"] ?? cluster.certificatesDir ?? "/etc/kubernetes/pki", clientName, organizations: groupsOf(values.org), token: values.token,
    validityMs, now: parseNow(values.now) ?? new Date(),
  });
  writeStdout(result.yaml);
  if (result.cappedByCA) process.stderr.write("warning: the client certificate's validity was cut to the CA's expiry\n");
  return 0;
}
