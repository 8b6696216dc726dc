import { dirname, join, resolve } from "node:path";
import { parsePositiveDuration, shortHumanDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { issueClientCertificate } from "../issue/client.js";
import { loadKubeconfig } from "../kube/kubeconfig.js";
import { kubeconfigLocks, updateKubeconfigFile } from "../kube/kubeconfig-write.js";
import { certificateToPEM } from "../pki/certificate.js";
import { generateChosenKey, parseKeyChoice } from "../pki/key-choice.js";
import { privateKeyToPEM } from "../pki/keys.js";
import { loadSigningCA } from "../signer/ca.js";
import { privilegeWarnings } from "../signer/guard.js";
import { KUBE_APISERVER_CLIENT } from "../signer/signers.js";
import { restartsForKubeconfig } from "../issue/restarts.js";
import { assertCAUsable } from "../pki/ca-validity.js";
import { KEY_MODE, PUBLIC_MODE, readIfExists } from "../store/files.js";
import { withLocks } from "../store/lock.js";
import { shellCommand, terminalSafeLines } from "../text.js";
import { mustNotExist, replaceFile } from "../store/replace.js";
import { outputFormat, parseFlags, parseNow } from "./args.js";
import { printData } from "./output.js";
import { checkServerURL, groupsOf } from "./onboard.js";
import { styleFor } from "../style.js";

export const help = `Usage: kubepki kubeconfig --client-name NAME [--org O]… --kubeconfig FILE [--server URL] [--cert-dir DIR] [flags]
       kubepki kubeconfig user --client-name NAME [--org O]… [--config FILE] > FILE   (kubeadm's kubeconfig user; docs/certs.md)

Makes a kubeconfig for any identity — a person, a component, a node — signed
by the CA in --cert-dir, like 'kubeadm kubeconfig user': a new key, a client
certificate with CN=NAME and O=each --org, the CA and the server. If FILE
exists, the cluster, user and context are set into it the way
'kubectl config set-cluster/set-credentials/set-context' do: every other
cluster, user and context is kept, the previous file is first copied to
kubepki-backup/<time>/ beside it (with the manifest 'kubepki renew --restore'
reads), and current-context only moves with --use-context (or when the file
had none). Two runs on the same file never interleave: each takes the file's
lock (kubectl's FILE.lock) and its folder's .kubepki.lock, and waits up to
KUBEPKI_LOCK_TIMEOUT seconds (default 10) for another writer.

The CA must be valid now: an expired or not yet valid CA is refused (exit 2,
nothing written). When it expires before --validity ends, the certificate is
cut to the CA's expiry, with a warning. Rewriting a component's kubeconfig
(controller-manager.conf, scheduler.conf, kubelet.conf…) ends with how to
restart it.

Flags:
  --client-name NAME     the user: the certificate's CN and the kubeconfig user name (required)
  --org O                a group (O); repeat or comma-separate for several
  --kubeconfig FILE      the kubeconfig to write or merge into (required; it will hold a key, mode 0600)
  --server URL           the API server (default: the server of --cluster-name already in FILE)
  --cluster-name NAME    cluster entry name (default kubernetes)
  --cert-dir DIR         folder with the signing ca.crt and ca.key (default /etc/kubernetes/pki)
  --validity D           client certificate lifetime (default 8760h; never past the CA)
  --algorithm ALG        RSA-2048 (default), RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384
  --embed                embed CA, certificate and key in the file (the default)
  --no-embed             write NAME.crt/NAME.key beside FILE and reference them and DIR/ca.crt by path
  --use-context          make the new context current
  -o, --output FMT       text (default), json or yaml: what was done

Examples:
  # An administrator for a kubeadm cluster (bound to cluster-admin by kubeadm)
  kubepki kubeconfig --client-name alice --org kubeadm:cluster-admins \\
      --server https://10.0.0.10:6443 --cert-dir /etc/kubernetes/pki --kubeconfig alice.conf

  # Add a read-only robot to an existing kubeconfig, keeping everything in it
  kubepki kubeconfig --client-name ci-bot --org ci --kubeconfig ~/.kube/config --cluster-name kubernetes

  # File references instead of embedded data, as in the study note's example
  kubepki kubeconfig --client-name admin --org kubeadm:cluster-admins --no-embed \\
      --server https://172.17.0.51:6443 --cluster-name production --kubeconfig ./users/admin.conf
`;

const options = {
  "client-name": { type: "string" },
  org: { type: "string", multiple: true },
  kubeconfig: { type: "string" },
  server: { type: "string" },
  "cluster-name": { type: "string" },
  "cert-dir": { type: "string" },
  validity: { type: "string" },
  algorithm: { type: "string" },
  embed: { type: "boolean" },
  "no-embed": { type: "boolean" },
  "use-context": { type: "boolean" },
  output: { type: "string", short: "o" },
  now: { type: "string" },
} as const;

/** The server already recorded for a cluster name in an existing kubeconfig. */
async function existingServer(path: string, clusterName: string): Promise<string | undefined> {
  if ((await readIfExists(path)) === undefined) return undefined;
  return (await loadKubeconfig(path)).clusters.find((c) => c.name === clusterName)?.server;
}

export async function run(argv: string[]): Promise<number> {
  // kubeadm's `kubeconfig user`, printing to stdout: src/cli/kubeconfig-user.ts.
  if (argv[0] === "user") return (await import("./kubeconfig-user.js")).run(argv.slice(1));
  const { values, positionals } = parseFlags("kubeconfig", argv, options, true);
  if (positionals.length) throw inputError(`kubeconfig: unexpected argument "${positionals[0]}"`, "the identity goes in --client-name");
  const format = outputFormat(values.output, "kubeconfig");
  const clientName = values["client-name"]?.trim();
  if (!clientName) throw inputError("kubeconfig: --client-name is required");
  const file = values.kubeconfig;
  if (!file) throw inputError("kubeconfig: --kubeconfig FILE is required (the file will hold a private key, so it is never printed)");
  if (values.embed && values["no-embed"]) throw inputError("kubeconfig: --embed and --no-embed exclude each other");
  const orgs = groupsOf(values.org);
  const clusterName = values["cluster-name"] ?? "kubernetes";
  if (!/^\S+$/.test(clusterName)) throw inputError(`--cluster-name: "${clusterName}" is not a usable name (empty or with spaces)`);
  const validityMs = parsePositiveDuration(values.validity ?? "8760h", "--validity");
  const choice = parseKeyChoice(values.algorithm ?? "RSA-2048", "--algorithm");
  const path = resolve(file);
  const server = values.server !== undefined ? checkServerURL(values.server) : await existingServer(path, clusterName);
  if (!server) throw inputError(`kubeconfig: --server is required (${file} has no cluster "${clusterName}" to take it from)`);
  const certDir = resolve(values["cert-dir"] ?? "/etc/kubernetes/pki");
  const ca = await loadSigningCA(certDir);
  const now = parseNow(values.now) ?? new Date();
  assertCAUsable(ca.cert, now, join(certDir, "ca.crt"));
  const embed = !values["no-embed"];
  const stem = clientName.replace(/[^A-Za-z0-9._@+-]/g, "_");
  const certFile = join(dirname(path), `${stem}.crt`);
  const keyFile = join(dirname(path), `${stem}.key`);
  if (!embed) await mustNotExist([keyFile], "a key");

  const key = await generateChosenKey(choice);
  // The same locks the merge takes, held from here: the key files beside FILE are part of the same write.
  return withLocks(kubeconfigLocks(path), `kubepki kubeconfig (${clientName})`, async () => {
    // Again under the lock: another run may have written that key since the early check above.
    if (!embed) await mustNotExist([keyFile], "a key");
    const subject = { commonName: clientName, organization: orgs };
    // The same guard csr review applies: an administrator may mean it, but should hear it.
    const warnings = privilegeWarnings({ subject }, KUBE_APISERVER_CLIENT);
    const issued = issueClientCertificate(ca, subject, key, validityMs, now);
    const certPEM = certificateToPEM(issued.der);
    if (!embed) {
      await replaceFile(keyFile, privateKeyToPEM(key), KEY_MODE, now);
      await replaceFile(certFile, certPEM, PUBLIC_MODE, now);
    }
    const contextName = `${clientName}@${clusterName}`;
    const result = await updateKubeconfigFile(
      path,
      {
        clusterName, server, userName: clientName, contextName,
        ca: embed ? { data: certificateToPEM(ca.cert.der) } : { file: join(certDir, "ca.crt") },
        credentials: embed ? { certData: certPEM, keyData: privateKeyToPEM(key) } : { certFile, keyFile },
      },
      { useContext: values["use-context"], now },
    );
    const c = issued.certificate;
    // A component's own kubeconfig rewritten: it keeps the old identity until it restarts.
    const restarts = result.created ? [] : await restartsForKubeconfig(path);
    if (format !== "text") {
      const data = {
        kind: "KubeconfigResult", apiVersion: "kubepki.io/v1alpha1", file, created: result.created, backup: result.backup ?? null,
        cluster: { name: clusterName, server, change: result.cluster }, user: { name: clientName, groups: orgs, change: result.user },
        context: { name: contextName, change: result.context }, currentContext: result.currentContext ?? null, embedded: embed,
        files: embed ? [] : [certFile, keyFile],
        certificate: { serial: c.serial, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), issuer: c.issuer.text, cappedByCA: issued.cappedByCA },
        warnings, restarts,
      };
      await printData(format, data);
      return 0;
    }
    const style = styleFor(process.stdout);
    const lines = [
      `${result.created ? "wrote" : "updated"} ${file}: user ${clientName} [${orgs.join(", ")}] → ${server} (cluster ${clusterName}, context ${contextName})`,
      `  client certificate signed by ${c.issuer.text}, ${choice.name}, valid until ${c.notAfter.toISOString()} (${shortHumanDuration(c.notAfter.getTime() - now.getTime())})${issued.cappedByCA ? ", cut to the CA's expiry" : ""}`,
    ];
    if (!embed) lines.push(`  key and certificate in ${keyFile} (0600) and ${certFile}; CA referenced as ${join(certDir, "ca.crt")}`);
    if (!result.created) lines.push(`  cluster ${result.cluster}, user ${result.user}, context ${result.context}; every other entry kept; current-context is ${result.currentContext ?? "unset"}`);
    if (result.backup) lines.push(`  the previous file was copied to ${result.backup} (undo: ${shellCommand(["kubepki", "renew", "--restore", dirname(result.backup), "--kubeconfig-dir", dirname(path)])})`);
    if (issued.cappedByCA) lines.push(`  ${style.yellow("!")} the CA ${join(certDir, "ca.crt")} expires ${ca.cert.notAfter.toISOString()}, before the requested --validity: the certificate was cut to it; rotate the CA before then`);
    if (validityMs > 8760 * 3_600_000) lines.push(`  ${style.yellow("!")} validity longer than kubeadm's default of 8760h: a client certificate cannot be revoked before it expires`);
    for (const w of warnings) lines.push(`  ${w.level === "privileged" ? style.red("! PRIVILEGED") : "- note"}: ${w.message}`);
    for (const r of restarts) {
      if (!r.commands.length) {
        lines.push(`  ${r.component}: ${r.note ?? "nothing to restart"}`);
        continue;
      }
      lines.push(`  ${style.bold(`restart ${r.component}`)}: it reads this file only at start, so it keeps the old credentials until then:`);
      for (const c of r.commands) lines.push(`    ${c}`);
      if (r.note) lines.push(`    ${r.note}`);
    }
    lines.push(`Try: ${shellCommand(["kubectl", "--kubeconfig", file, "--context", contextName, "auth", "whoami"])}`);
    process.stdout.write(terminalSafeLines(lines.join("\n")) + "\n");
    return 0;
  });
}
