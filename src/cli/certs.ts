import { randomBytes } from "node:crypto";
import { certsCluster, certsDirs, type CertsInput } from "../certs/cluster.js";
import { inputError } from "../errors.js";
import { terminalSafe } from "../text.js";
import { outputFormat, parseFlags, parseNow } from "./args.js";
import { NODE_FLAGS, nodePatchFromFlags } from "./node-flags.js";
import { printData, writeStdout } from "./output.js";
import { treeLockPath, withLock } from "../store/lock.js";

export const help = `Usage: kubepki certs <subcommand> [flags]

kubeadm's 'certs' commands, with kubeadm's names, flags and output, so that
'kubeadm certs …' can be replaced by 'kubepki certs …' without relearning.
The richer 'kubepki check' and 'kubepki renew' stay; this is the compatible face.

Subcommands:
  check-expiration    the expiration table of the local PKI (kubeadm's two tables; -o json|yaml)
  renew NAME|all      renew a certificate, or all, by kubeadm's rules
  generate-csr        external-CA mode: a key and a CSR for every certificate and kubeconfig
  certificate-key     print a random 32-byte key (hex), as for 'kubeadm init --upload-certs'

Flags (every subcommand but certificate-key):
  --config FILE                 kubeadm InitConfiguration/ClusterConfiguration (or kubepki ClusterPKI)
  --cert-dir DIR                the certificates folder (default: the config's certificatesDir, else /etc/kubernetes/pki)
  --kubeconfig-dir DIR          the kubeconfigs folder (default /etc/kubernetes)
  --kubernetes-version VERSION  the kubeadm release whose rules apply (default: the newest kubepki knows)
  --kubeconfig FILE             accepted for kubeadm compatibility; kubepki reads no cluster, so
                                without --config kubeadm's defaults apply (RSA-2048, 8760h)

check-expiration:
  -o, --output text|json|yaml   text: kubeadm's tables; json/yaml: output.kubeadm.k8s.io/v1alpha3 CertificateExpirationInfo
  --now TIME                    judge expiry at this RFC 3339 time

renew: names are kubeadm's: apiserver, apiserver-etcd-client, apiserver-kubelet-client,
  etcd-healthcheck-client, etcd-peer, etcd-server, front-proxy-client, admin.conf,
  super-admin.conf, controller-manager.conf, scheduler.conf, or all. As kubeadm: the new
  key's type and the validity come from --config (encryptionAlgorithm,
  certificateValidityPeriod), a kubeconfig's CA data is reset to ca.crt, kubelet.conf is
  never renewed, a certificate whose CA has no key is reported and left. Unlike kubeadm,
  the replaced files are backed up first (kubepki renew --restore undoes it), and a
  validity past the CA's is cut to the CA's expiry.
  --now TIME                    issue as of this RFC 3339 time

generate-csr: node facts as 'kubepki init' takes them, when there is no --config:
  --node-name, --apiserver-advertise-address, --control-plane-endpoint,
  --apiserver-cert-extra-sans, --service-cidr, --service-dns-domain

Examples:
  # What expires when, as kubeadm shows it
  sudo kubepki certs check-expiration

  # Renew everything with the cluster's own settings, then restart the control plane
  sudo kubepki certs renew all --config /etc/kubernetes/kubeadm-config.yaml

  # External CA: keys and CSRs into an empty tree, for your CA to sign
  kubepki certs generate-csr --cert-dir /tmp/etc-k8s/pki --kubeconfig-dir /tmp/etc-k8s --config kubeadm.yaml
`;

const COMMON = {
  config: { type: "string" },
  "cert-dir": { type: "string" },
  "kubeconfig-dir": { type: "string" },
  "kubernetes-version": { type: "string" },
  kubeconfig: { type: "string" },
} as const;

type CommonValues = { config?: string; "cert-dir"?: string; "kubeconfig-dir"?: string; "kubernetes-version"?: string };

const inputOf = (v: CommonValues): CertsInput => ({ config: v.config, certDir: v["cert-dir"], kubeconfigDir: v["kubeconfig-dir"], kubernetesVersion: v["kubernetes-version"] });

/** kubeadm reads the cluster's config from the kubeadm-config ConfigMap; kubepki cannot, and says what it used instead. */
function noteDefaults(v: CommonValues, what: string): void {
  if (v.config === undefined) process.stderr.write(`[${what}] no --config: using kubeadm's default configuration (kubepki does not read the kubeadm-config ConfigMap)\n`);
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "check-expiration":
      return checkExpiration(rest);
    case "renew":
      return renew(rest);
    case "generate-csr":
      return generateCSR(rest);
    case "certificate-key":
      return certificateKey(rest);
    case undefined:
      throw inputError("certs: name a subcommand", "check-expiration, renew, generate-csr or certificate-key; see 'kubepki certs --help'");
    default:
      throw inputError(`certs: unknown subcommand "${terminalSafe(sub)}"`, "check-expiration, renew, generate-csr or certificate-key");
  }
}

async function checkExpiration(argv: string[]): Promise<number> {
  const { values } = parseFlags("certs check-expiration", argv, { ...COMMON, output: { type: "string", short: "o" }, now: { type: "string" } });
  const format = outputFormat(values.output, "certs check-expiration");
  const { checkExpiration: check, expirationData, renderExpirationText } = await import("../certs/expiration.js");
  const { kubeadmTargets } = await import("../certs/targets.js");
  const input = inputOf(values);
  const cluster = await certsCluster(input);
  const targets = kubeadmTargets(cluster, certsDirs(input, cluster));
  const info = await check(targets, parseNow(values.now) ?? new Date());
  if (format === "text") writeStdout(renderExpirationText(info));
  else await printData(format, expirationData(info));
  return 0;
}

async function renew(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("certs renew", argv, { ...COMMON, now: { type: "string" } }, true);
  const { certsRenew, renderCertsRenewText } = await import("../certs/renew.js");
  const input = inputOf(values);
  const cluster = await certsCluster(input);
  const dirs = certsDirs(input, cluster);
  // One writer per tree, as for kubepki renew.
  const result = await withLock(treeLockPath(dirs.kubeconfigDir), "kubepki certs renew", () => certsRenew(positionals, cluster, dirs, parseNow(values.now)));
  noteDefaults(values, "renew");
  writeStdout(renderCertsRenewText(result) + "\n");
  return 0;
}

async function generateCSR(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("certs generate-csr", argv, { ...COMMON, ...NODE_FLAGS }, true);
  if (positionals.length) throw inputError("certs generate-csr: takes no arguments", "see 'kubepki certs --help'");
  const { generateCSRs, renderGenerateCSRText } = await import("../certs/generate-csr.js");
  const input = { ...inputOf(values), patch: nodePatchFromFlags(values) };
  const cluster = await certsCluster(input);
  const dirs = certsDirs(input, cluster);
  const result = await withLock(treeLockPath(dirs.kubeconfigDir), "kubepki certs generate-csr", () => generateCSRs(cluster, dirs));
  writeStdout(renderGenerateCSRText(result).split("\n").map(terminalSafe).join("\n") + "\n");
  return 0;
}

/** copycerts.CreateCertificateKey: 32 random bytes, hex-encoded (an AES-256 key for the uploaded certificates). */
async function certificateKey(argv: string[]): Promise<number> {
  const { positionals } = parseFlags("certs certificate-key", argv, {}, true);
  if (positionals.length) throw inputError("certs certificate-key: takes no arguments");
  writeStdout(randomBytes(32).toString("hex") + "\n");
  return 0;
}
