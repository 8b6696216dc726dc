import { join } from "node:path";
import { inputError } from "../errors.js";
import { keysMatch, parsePrivateKey } from "../pki/keys.js";
import { parseCertificate } from "../pki/model.js";
import { decodeCertificates } from "../pki/pem.js";
import { readIfExists } from "../store/files.js";
import type { SigningCA } from "./sign.js";

/**
 * The CA in a directory, as kube-controller-manager's --cluster-signing-cert-file
 * and --cluster-signing-key-file name it in a kubeadm cluster: DIR/ca.crt and
 * DIR/ca.key. Every problem is bad input: the command has written nothing yet.
 */
export async function loadSigningCA(dir: string, base = "ca", reader: KeyReader = {}): Promise<SigningCA> {
  return loadSigningCAFiles(join(dir, `${base}.crt`), join(dir, `${base}.key`), reader, "--cert-dir names the folder holding ca.crt and ca.key (kubeadm: /etc/kubernetes/pki)");
}

/** How the CA key may be opened: its passphrase, and whether the command offers --passphrase-file at all. */
type KeyReader = { passphrase?: string; passphraseFlag?: boolean };

/** The CA from its two files (sign --ca, --ca-key). */
export async function loadSigningCAFiles(crtPath: string, keyPath: string, reader: KeyReader = {}, crtHint = "--ca names the CA certificate"): Promise<SigningCA> {
  const [crt, key] = await Promise.all([readIfExists(crtPath), readIfExists(keyPath)]);
  if (!crt) throw inputError(`${crtPath}: no such file`, crtHint);
  if (!key) throw inputError(`${keyPath}: no such file: the CA's private key is needed to sign`, "with an external CA (no ca.key), sign elsewhere and use the certificate it gives you");
  const cert = parseCertificate(decodeCertificates(crt.toString("latin1"), crtPath)[0], crtPath);
  const privateKey = parsePrivateKey(key, keyPath, reader);
  if (!keysMatch(privateKey, cert.publicKey)) throw inputError(`${keyPath} does not belong to ${crtPath}`);
  if (cert.isCA !== true) throw inputError(`${crtPath} is not a CA certificate (no basicConstraints CA:TRUE)`);
  return { key: privateKey, cert };
}

