import { join, resolve } from "node:path";
import { isDNSSubdomain } from "../cluster/net.js";
import { parseDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { buildCSRObject, MIN_EXPIRATION_SECONDS, readCSRFile, issuedCertificate, serializeObject } from "../kube/csr.js";
import { updateKubeconfigFile } from "../kube/kubeconfig-write.js";
import { certificateToPEM } from "../pki/certificate.js";
import { createCSR, csrToPEM, parseCSR } from "../pki/csr.js";
import { generateChosenKey, parseKeyChoice } from "../pki/key-choice.js";
import { describeKey, isEncryptedKey, keyLabel, keysMatch, parsePrivateKey, privateKeyToPEM } from "../pki/keys.js";
import { isSignedBy, parseCertificate } from "../pki/model.js";
import { decodeCertificates } from "../pki/pem.js";
import { privilegeWarnings } from "../signer/guard.js";
import { KUBE_APISERVER_CLIENT, findSigner } from "../signer/signers.js";
import { KEY_MODE, PUBLIC_MODE } from "../store/files.js";
import { mustNotExist, replaceFile } from "../store/replace.js";
import { subcommandError, formatAndFile, outputFormat, parseFlags, parseNow } from "./args.js";
import { inputName, readInput, readPassphrase } from "./input.js";
import { printData } from "./output.js";
import { checkServerURL, groupsOf } from "./onboard.js";
import { styleFor } from "../style.js";
import { shellCommand, terminalSafe } from "../text.js";

export const help = `Usage: kubepki user create NAME [--group G]… [--duration 24h] [--algorithm ALG | --key FILE] [--out DIR]
       kubepki user kubeconfig NAME --key NAME.key (--cert NAME.crt | --csr-object FILE) --ca CA.crt --server URL --out FILE [-o text|json|yaml]

Onboard a user through the Kubernetes CertificateSigningRequest API, the way
the study note describes it — without hand-made base64 and without granting
more than meant.

create writes NAME.key (0600), NAME.csr (PEM) and NAME-csr.yaml: a
certificates.k8s.io/v1 CertificateSigningRequest for the signer
kubernetes.io/kube-apiserver-client with usages digital signature, key
encipherment and client auth (as kubeadm gives every client certificate), and
expirationSeconds from --duration (at least 10m). The user name is NAME (the
CN) and the groups are the --group values (O). Then it prints the next steps.

kubeconfig assembles a working kubeconfig from the key and the signed
certificate: --cert takes the PEM, --csr-object takes what
'kubectl get csr NAME -o yaml' (or -o json) prints and decodes
status.certificate — the note's "jsonpath … | base64 -d" step, checked
(--csr-object - reads standard input). An existing --out file is merged like kubectl config set-* (every other entry kept,
the old file backed up to backup/<time>/ beside it).

create flags:
  --group G            a group (O) for the user; repeat for several
  --duration D         requested lifetime, spec.expirationSeconds (default 24h, at least 10m)
  --algorithm ALG      key to generate: RSA-2048 (default), RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384
  --key FILE           use this existing private key instead of generating NAME.key
  --passphrase-file F  the passphrase of an encrypted --key, first line of F
  --csr-name NAME      metadata.name of the object (default NAME; must be a DNS name)
  --out DIR            where to write (default .)
  --allow-privileged   allow groups such as system:masters (refused by default, see 'kubepki csr review')
  --allow-weak         accept RSA-1024 for a lab (refused by default: see 'kubepki key --help')
  -o text|json|yaml    what was written

kubeconfig flags:
  --key FILE           the user's private key
  --cert FILE          the signed certificate (PEM)
  --csr-object FILE    the signed CertificateSigningRequest, as kubectl get csr -o yaml|json prints it
  --ca FILE            the cluster CA (kubeadm: /etc/kubernetes/pki/ca.crt)
  --server URL         the API server, https://host:port
  --cluster-name C     cluster entry name (default kubernetes)
  --context NAME       context name (default NAME@C)
  --no-embed           reference the key, certificate and CA by path instead of embedding them
  --use-context        make it the current context even when merging into an existing file
  --out FILE           the kubeconfig to write or merge into (required)
  -o text|json|yaml    what was written (the kubeconfig itself, holding a key, is never printed)

The key put in a kubeconfig must not be encrypted: kubectl cannot ask for a passphrase.

Examples:
  # Jane, in group dev, for one day
  kubepki user create jane --group dev --duration 24h --algorithm ECDSA-P256
  kubectl apply -f jane-csr.yaml && kubectl certificate approve jane
  kubectl get csr jane -o yaml > jane-signed.yaml
  kubepki user kubeconfig jane --key jane.key --csr-object jane-signed.yaml \\
      --ca /etc/kubernetes/pki/ca.crt --server https://10.0.0.10:6443 --out jane.kubeconfig
`;

const createOptions = {
  group: { type: "string", multiple: true },
  duration: { type: "string" },
  algorithm: { type: "string" },
  key: { type: "string" },
  "passphrase-file": { type: "string" },
  "csr-name": { type: "string" },
  out: { type: "string" },
  "allow-privileged": { type: "boolean" },
  "allow-weak": { type: "boolean" },
  output: { type: "string", short: "o" },
} as const;

const kubeconfigOptions = {
  key: { type: "string" },
  cert: { type: "string" },
  "csr-object": { type: "string" },
  ca: { type: "string" },
  server: { type: "string" },
  "cluster-name": { type: "string" },
  context: { type: "string" },
  "no-embed": { type: "boolean" },
  embed: { type: "boolean" },
  "use-context": { type: "boolean" },
  out: { type: "string" },
  output: { type: "string", short: "o" },
  now: { type: "string" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "create") return create(rest);
  if (sub === "kubeconfig") return kubeconfig(rest);
  throw subcommandError("user", sub, ["create", "kubeconfig"], "use 'kubepki user create' or 'kubepki user kubeconfig'");
}

function oneName(command: string, positionals: string[]): string {
  if (positionals.length !== 1) throw inputError(`${command}: give exactly one NAME`, `see 'kubepki user --help'`);
  const name = positionals[0];
  // NAME names files, so no path separators; anything else is a valid Kubernetes user name.
  if (!/^[A-Za-z0-9][A-Za-z0-9._@:+-]*$/.test(name)) throw inputError(`${command}: "${name}" cannot name files (letters, digits and . _ @ : + - only)`);
  return name;
}

async function create(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("user create", argv, createOptions, true);
  const name = oneName("user create", positionals);
  const format = outputFormat(values.output, "user create");
  const groups = groupsOf(values.group);
  const csrName = values["csr-name"] ?? name;
  if (!isDNSSubdomain(csrName)) throw inputError(`user create: "${csrName}" is not a valid CertificateSigningRequest name (a lower-case DNS name)`, "pass --csr-name");
  const durationMs = parseDuration(values.duration ?? "24h", "--duration");
  const expirationSeconds = Math.floor(durationMs / 1000);
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) throw inputError(`--duration: ${values.duration} is shorter than the API's minimum of 10m (600 s)`);
  const dir = resolve(values.out ?? ".");
  const keyPath = values.key ? resolve(values.key) : join(dir, `${name}.key`);
  const csrPath = join(dir, `${name}.csr`);
  const objectPath = join(dir, `${name}-csr.yaml`);
  if (values.key && values.algorithm) throw inputError("user create: --key and --algorithm exclude each other");

  const key = values.key
    ? parsePrivateKey(readInput(values.key), values.key, { passphrase: values["passphrase-file"] !== undefined ? readPassphrase(values["passphrase-file"]) : undefined, passphraseFlag: true })
    : await (async () => {
        const choice = parseKeyChoice(values.algorithm ?? "RSA-2048", "--algorithm", values["allow-weak"]);
        await mustNotExist([keyPath], "a key");
        return generateChosenKey(choice);
      })();
  await mustNotExist([csrPath, objectPath]);
  const der = createCSR({ subject: { commonName: name, organization: groups } }, key);
  const csr = parseCSR(der, `${name}.csr`);
  const warnings = privilegeWarnings(csr, KUBE_APISERVER_CLIENT);
  const privileged = warnings.filter((w) => w.level === "privileged");
  if (privileged.length && !values["allow-privileged"]) {
    throw inputError(`user create: ${privileged[0].message}`, "nothing was written; pass --allow-privileged if this is really meant");
  }
  const usages = findSigner(KUBE_APISERVER_CLIENT)!.defaultUsages(csr.key);
  const pem = csrToPEM(der);
  const object = buildCSRObject({ name: csrName, requestPEM: pem, signerName: KUBE_APISERVER_CLIENT, usages, expirationSeconds });

  const now = new Date();
  if (!values.key) await replaceFile(keyPath, privateKeyToPEM(key), KEY_MODE, now);
  await replaceFile(csrPath, pem, PUBLIC_MODE, now);
  await replaceFile(objectPath, serializeObject(object, "yaml"), PUBLIC_MODE, now);

  const files = { key: values.key ?? join(values.out ?? ".", `${name}.key`), csr: join(values.out ?? ".", `${name}.csr`), object: join(values.out ?? ".", `${name}-csr.yaml`) };
  if (format !== "text") {
    const data = {
      kind: "UserRequest", apiVersion: "kubepki.io/v1alpha1", user: name, groups, csrName, signerName: KUBE_APISERVER_CLIENT, usages, expirationSeconds,
      key: { ...describeKey(key), generated: !values.key }, files, warnings,
    };
    await printData(format, data);
    return 0;
  }
  const style = styleFor(process.stdout);
  const lines = [
    terminalSafe(`wrote ${values.key ? "" : `${files.key} (${keyLabel(describeKey(key))}, mode 0600), `}${files.csr}, ${files.object}`),
    terminalSafe(`  user ${name}, groups [${groups.join(", ")}], signer ${KUBE_APISERVER_CLIENT}, usages [${usages.join(", ")}], expirationSeconds ${expirationSeconds}`),
    ...warnings.map((w) => `  ${w.level === "privileged" ? style.red("! PRIVILEGED") : "- note"}: ${terminalSafe(w.message)}`),
    "",
    "Next:",
    `  1. ${shellCommand(["kubectl", "apply", "-f", files.object])}`,
    `  2. ${shellCommand(["kubepki", "csr", "review", files.object])}        # what approving grants`,
    `     ${shellCommand(["kubectl", "certificate", "approve", csrName])}`,
    `  3. ${shellCommand(["kubectl", "get", "csr", csrName, "-o", "yaml"])} > ${shellCommand([`${name}-signed.yaml`])}`,
    `  4. ${shellCommand(["kubepki", "user", "kubeconfig", name, "--key", files.key, "--csr-object", `${name}-signed.yaml`, "--ca", "ca.crt", "--server", "https://HOST:6443", "--out", `${name}.kubeconfig`])}`,
    `Without a cluster at hand: ${shellCommand(["kubepki", "sign", files.object, "--cert-dir", "/etc/kubernetes/pki", "--out", `${name}-signed.yaml`])}`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}

async function kubeconfig(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("user kubeconfig", argv, kubeconfigOptions, true);
  const name = oneName("user kubeconfig", positionals);
  if (!values.key) throw inputError("user kubeconfig: --key is required");
  if (!values.cert === !values["csr-object"]) throw inputError("user kubeconfig: give either --cert or --csr-object");
  if (!values.ca) throw inputError("user kubeconfig: --ca is required (the cluster CA, kubeadm: /etc/kubernetes/pki/ca.crt)");
  if (!values.server) throw inputError("user kubeconfig: --server is required (https://host:port of the API server)");
  const { format = "text", out } = formatAndFile("user kubeconfig", values, ["text", "json", "yaml"] as const);
  if (!out) throw inputError("user kubeconfig: --out FILE is required (a kubeconfig holding a key is never printed)");
  if (values.embed && values["no-embed"]) throw inputError("user kubeconfig: --embed and --no-embed exclude each other");
  const server = checkServerURL(values.server);
  const clusterName = values["cluster-name"] ?? "kubernetes";
  const now = parseNow(values.now) ?? new Date();

  const keyText = readInput(values.key);
  if (isEncryptedKey(keyText)) throw inputError(`${values.key} is encrypted: kubectl cannot use an encrypted key from a kubeconfig`, `decrypt a copy for this user first: ${"openssl pkey -in KEY -out KEY.plain"} (and keep it 0600)`);
  const key = parsePrivateKey(keyText, values.key);
  let certDER: Buffer;
  let certPEM: string;
  if (values.cert) {
    certPEM = readInput(values.cert);
    certDER = decodeCertificates(certPEM, values.cert)[0];
  } else {
    const objectName = inputName(values["csr-object"]!);
    const file = readCSRFile(readInput(values["csr-object"]!, objectName), objectName);
    const objects = file.items.filter((i) => i.source === "object");
    const item = objects.find((i) => i.name === name) ?? (objects.length === 1 ? objects[0] : undefined);
    if (!item) throw inputError(`${values["csr-object"]}: no CertificateSigningRequest named ${name} (found ${file.items.map((i) => i.name).join(", ")})`);
    certDER = issuedCertificate(item, values["csr-object"]!)[0];
    certPEM = certificateToPEM(certDER);
  }
  const cert = parseCertificate(certDER, values.cert ?? `${values["csr-object"]}: status.certificate`);
  if (!keysMatch(key, cert.publicKey)) throw inputError(`${values.key} does not belong to the certificate (its public key differs)`, "use the key the CSR was made with");
  const caText = readInput(values.ca);
  const caCerts = decodeCertificates(caText, values.ca).map((d, i) => parseCertificate(d, `${values.ca}[${i}]`));

  const notes: string[] = [];
  if (!caCerts.some((c) => isSignedBy(cert, c))) notes.push(`the certificate is not signed by ${values.ca}: the API server must trust its issuer (--client-ca-file)`);
  if (!cert.extKeyUsage.includes("clientAuth")) notes.push("the certificate lacks the clientAuth usage: the API server will refuse it");
  if (cert.notAfter <= now) notes.push(`the certificate expired on ${cert.notAfter.toISOString()}`);
  if (cert.subject.commonName !== name) notes.push(`the certificate's user (CN) is "${cert.subject.commonName ?? ""}", not "${name}"`);

  const userName = cert.subject.commonName || name;
  const contextName = values.context ?? `${userName}@${clusterName}`;
  const embed = !values["no-embed"];
  if (!embed && !values.cert) throw inputError("user kubeconfig: --no-embed needs --cert FILE to reference (the certificate in a CSR object has no file)");
  const result = await updateKubeconfigFile(
    resolve(out),
    {
      clusterName, server, userName, contextName,
      ca: embed ? { data: caText } : { file: resolve(values.ca) },
      credentials: embed ? { certData: certPEM, keyData: keyText } : { certFile: resolve(values.cert!), keyFile: resolve(values.key) },
    },
    { useContext: values["use-context"], now },
  );
  if (format !== "text") {
    await printData(format, {
      kind: "UserKubeconfig", apiVersion: "kubepki.io/v1alpha1", file: out, created: result.created, backup: result.backup ?? null,
      context: contextName, cluster: clusterName, server, user: userName, groups: cert.subject.organization, notAfter: cert.notAfter.toISOString(), notes,
    });
    return 0;
  }
  const style = styleFor(process.stdout);
  const lines = [
    terminalSafe(`${result.created ? "wrote" : "updated"} ${out}: context ${contextName} → ${server} as user ${userName} [${cert.subject.organization.join(", ")}], certificate valid until ${cert.notAfter.toISOString()}`),
  ];
  if (!result.created) lines.push(terminalSafe(`  cluster ${clusterName} ${result.cluster}, user ${userName} ${result.user}, context ${contextName} ${result.context}; current-context ${result.currentContext}`));
  if (result.backup) lines.push(terminalSafe(`  the previous file was copied to ${result.backup}`));
  for (const n of notes) lines.push(`  ${style.red("!")} ${terminalSafe(n)}`);
  lines.push(terminalSafe(`Try: ${shellCommand(["kubectl", "--kubeconfig", out, "--context", contextName, "auth", "whoami"])}`));
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}
