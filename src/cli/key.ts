import { createPublicKey, type KeyObject } from "node:crypto";
import { resolve } from "node:path";
import { inputError } from "../errors.js";
import { generateChosenKey, parseKeyChoice } from "../pki/key-choice.js";
import { describeKey, keyLabel, parsePrivateKey, privateKeyToPEM, publicKeyToPEM } from "../pki/keys.js";
import { decodeCSRPem, parseCSR } from "../pki/csr.js";
import { decodeCertificates, decodePem } from "../pki/pem.js";
import { certificatePublicKey } from "../pki/certificate.js";
import { KEY_MODE, PUBLIC_MODE } from "../store/files.js";
import { mustNotExist, replaceFile } from "../store/replace.js";
import { shellCommand, terminalSafe } from "../text.js";
import { subcommandError, formatAndFile, parseFlags, parseNow } from "./args.js";
import { inputName, readInput, readPassphrase } from "./input.js";
import { printData } from "./output.js";

export const help = `Usage: kubepki key generate --algorithm ALG --out FILE [--allow-weak] [-o text|json|yaml]
       kubepki key public FILE [--passphrase-file F] [--out OUT] [-o pem|json|yaml]

generate writes a new private key to FILE, mode 0600, in the PEM encoding
kubeadm uses (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY"). It never
overwrites an existing file and never prints the key.

public prints the public half of a private key (what 'openssl rsa -pubout'
does), or of a certificate or certificate request, as a PEM "PUBLIC KEY" —
the form of the service-account key sa.pub. FILE may be "-" (standard input).
It reads RSA, ECDSA and Ed25519 keys, and encrypted ones with --passphrase-file.

kubepki generates no Ed25519 keys: kubeadm's encryptionAlgorithm offers only
RSA and ECDSA, so a cluster's certificates are one of those; Ed25519 keys and
certificates made elsewhere are read, inspected, signed and verified.

RSA below 2048 bits is refused: such keys are within reach of well-funded
attackers (NIST disallowed 1024-bit RSA in 2013), and Kubernetes cannot revoke
a client certificate, so a factored key is that user until it expires. The
study note's 1024-bit examples predate this; --allow-weak exists for labs.

Flags:
  --algorithm ALG    RSA-2048 (default), RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384
  --out FILE         where to write (generate: required; public: default stdout)
  -o, --output FMT   generate: text (default), json or yaml, what was written;
                     public: pem (default), json or yaml
  --passphrase-file F  public: the passphrase of an encrypted key, first line of F
  --allow-weak       accept RSA-1024 (never below: Go refuses those)

Examples:
  # The seed's "openssl genrsa -out jane.key 2048"
  kubepki key generate --algorithm RSA-2048 --out jane.key

  # A small, fast key for a user or a component
  kubepki key generate --algorithm ECDSA-P256 --out jane.key

  # sa.pub from sa.key, or the public key a certificate carries
  kubepki key public /etc/kubernetes/pki/sa.key
  kubepki key public /etc/kubernetes/pki/apiserver.crt --out apiserver.pub
`;

const options = {
  algorithm: { type: "string" },
  out: { type: "string" },
  output: { type: "string", short: "o" },
  "passphrase-file": { type: "string" },
  "allow-weak": { type: "boolean" },
  now: { type: "string" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "generate") return generate(rest);
  if (sub === "public") return publicKey(rest);
  throw subcommandError("key", sub, ["generate", "public"], "use 'kubepki key generate' or 'kubepki key public'");
}

async function generate(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("key generate", argv, options, true);
  if (positionals.length) throw inputError(`key generate: unexpected argument "${positionals[0]}"`, "the file goes after --out");
  const { format = "text", out: file } = formatAndFile("key generate", values, ["text", "json", "yaml"] as const);
  if (!file) throw inputError("key generate: --out FILE is required (a private key is never printed)");
  const choice = parseKeyChoice(values.algorithm ?? "RSA-2048", "--algorithm", values["allow-weak"]);
  const out = resolve(file);
  await mustNotExist([out], "a file");
  const key = await generateChosenKey(choice);
  await replaceFile(out, privateKeyToPEM(key), KEY_MODE, parseNow(values.now) ?? new Date());
  if (format !== "text") {
    await printData(format, { kind: "PrivateKeyFile", apiVersion: "kubepki.io/v1alpha1", file, key: describeKey(key), mode: "0600" });
    return 0;
  }
  process.stdout.write(terminalSafe(`wrote ${file}: ${keyLabel(describeKey(key))} private key, mode 0600`) + "\n");
  process.stdout.write(terminalSafe(`next: ${shellCommand(["kubepki", "user", "create", "NAME", "--key", file])}    or    ${shellCommand(["kubepki", "key", "public", file])}`) + "\n");
  return 0;
}

/** The public key of a private key, certificate or CSR file. */
async function publicOf(file: string, passphrase?: string): Promise<KeyObject> {
  const path = inputName(file);
  const text = readInput(file, path);
  const labels = decodePem(text, path).map((b) => b.label);
  if (labels.includes("CERTIFICATE")) return certificatePublicKey(decodeCertificates(text, path)[0]);
  if (labels.some((l) => l.endsWith("CERTIFICATE REQUEST"))) return parseCSR(decodeCSRPem(text, path), path).publicKey;
  if (labels.includes("PUBLIC KEY")) return createPublicKey(text);
  if (labels.length === 0) throw inputError(`${path}: no PEM block found (expected a private key, certificate or certificate request)`);
  return createPublicKey(parsePrivateKey(text, path, { passphrase, passphraseFlag: true }));
}

async function publicKey(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("key public", argv, options, true);
  if (positionals.length !== 1) throw inputError("key public: give one FILE (a private key, certificate or certificate request; - for standard input)");
  const { format = "pem", out } = formatAndFile("key public", values, ["pem", "json", "yaml"] as const);
  const passphrase = values["passphrase-file"] !== undefined ? readPassphrase(values["passphrase-file"]) : undefined;
  const key = await publicOf(positionals[0], passphrase);
  const pem = publicKeyToPEM(key);
  let text = pem;
  if (format !== "pem") {
    const data = { kind: "PublicKey", apiVersion: "kubepki.io/v1alpha1", source: inputName(positionals[0]), key: describeKey(key), pem };
    text = format === "json" ? JSON.stringify(data, null, 2) + "\n" : (await import("../yaml.js")).toYAML(data);
  }
  if (out) {
    await replaceFile(resolve(out), text, PUBLIC_MODE, parseNow(values.now) ?? new Date());
    process.stderr.write(terminalSafe(`wrote ${out}`) + "\n");
  } else {
    process.stdout.write(text);
  }
  return 0;
}
