import { createPrivateKey, createPublicKey, generateKeyPair, KeyObject } from "node:crypto";
import { inputError } from "../errors.js";

/** kubeadm's `encryptionAlgorithm` values (v1beta4). */
export const KEY_ALGORITHMS = ["RSA-2048", "RSA-3072", "RSA-4096", "ECDSA-P256", "ECDSA-P384"] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export interface KeyDescription {
  type: "RSA" | "ECDSA" | "Ed25519" | "other";
  /** RSA modulus bits or EC field size. */
  bits?: number;
  curve?: string;
}

/**
 * Generates a private key off the main thread (Node runs generateKeyPair on the
 * libuv pool), so that many keys generated at once use every core.
 */
export function generatePrivateKey(algorithm: KeyAlgorithm): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: KeyObject, priv: KeyObject) => (err ? reject(err) : resolve(priv));
    if (algorithm.startsWith("RSA-")) {
      generateKeyPair("rsa", { modulusLength: Number(algorithm.slice(4)), publicExponent: 65537 }, done);
    } else {
      generateKeyPair("ec", { namedCurve: algorithm === "ECDSA-P256" ? "prime256v1" : "secp384r1" }, done);
    }
  });
}

/** PEM as kubeadm writes keys: PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY"; PKCS#8 for anything else. */
export function privateKeyToPEM(key: KeyObject): string {
  const type = key.asymmetricKeyType === "rsa" ? "pkcs1" : key.asymmetricKeyType === "ec" ? "sec1" : "pkcs8";
  return key.export({ type, format: "pem" }) as string;
}

/** "PUBLIC KEY" (PKIX), as sa.pub. */
export function publicKeyToPEM(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return pub.export({ type: "spki", format: "pem" }) as string;
}

/** An encrypted PEM key: PKCS#8 "ENCRYPTED PRIVATE KEY", or OpenSSL's legacy "Proc-Type: 4,ENCRYPTED" header. */
export function isEncryptedKey(pem: string | Buffer): boolean {
  const text = typeof pem === "string" ? pem : pem.toString("latin1");
  return text.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----") || /^Proc-Type:\s*4,\s*ENCRYPTED\s*$/m.test(text);
}

/**
 * Parses a PEM private key of any common encoding (PKCS#1, SEC1, PKCS#8,
 * Ed25519). An encrypted one needs its passphrase; `reader.passphraseFlag`
 * says whether the command offers --passphrase-file (else the error says the
 * key cannot be used encrypted). `what` names the file in the error, which
 * never quotes the key.
 */
export function parsePrivateKey(pem: string | Buffer, what: string, reader: { passphrase?: string; passphraseFlag?: boolean } = {}): KeyObject {
  const encrypted = isEncryptedKey(pem);
  if (encrypted && reader.passphrase === undefined) {
    if (reader.passphraseFlag) throw inputError(`${what} is encrypted: pass --passphrase-file FILE`, "a file whose first line is the passphrase (not on the command line, where ps would show it)");
    throw inputError(`${what} is encrypted: Kubernetes components (and this command) read only unencrypted keys`, "decrypt it where it is used: openssl pkey -in ENCRYPTED.key -out KEY.key (kept 0600)");
  }
  try {
    return encrypted ? createPrivateKey({ key: pem, format: "pem", passphrase: reader.passphrase }) : createPrivateKey(pem);
  } catch {
    if (encrypted) throw inputError(`${what}: cannot decrypt it with the passphrase given (wrong passphrase, or an unsupported cipher)`);
    throw inputError(`${what}: not a readable private key`);
  }
}

export function describeKey(key: KeyObject): KeyDescription {
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa":
    case "rsa-pss":
      return { type: "RSA", bits: d.modulusLength };
    case "ec": {
      const curve = d.namedCurve === "prime256v1" ? "P-256" : d.namedCurve === "secp384r1" ? "P-384" : d.namedCurve === "secp521r1" ? "P-521" : d.namedCurve;
      const bits = curve === "P-256" ? 256 : curve === "P-384" ? 384 : curve === "P-521" ? 521 : undefined;
      return { type: "ECDSA", curve, bits };
    }
    case "ed25519":
      return { type: "Ed25519", bits: 256 };
    default:
      return { type: "other" };
  }
}

/** "RSA 2048", "ECDSA P-256". */
export function keyLabel(d: KeyDescription): string {
  if (d.type === "RSA") return `RSA ${d.bits}`;
  if (d.type === "ECDSA") return `ECDSA ${d.curve}`;
  return d.type;
}

/** The kubeadm algorithm name a key corresponds to, if any. */
export function keyAlgorithmOf(key: KeyObject | KeyDescription): KeyAlgorithm | undefined {
  const d = key instanceof KeyObject ? describeKey(key) : key;
  const name = d.type === "RSA" ? `RSA-${d.bits}` : d.type === "ECDSA" ? `ECDSA-${d.curve?.replace("-", "")}` : "";
  return (KEY_ALGORITHMS as readonly string[]).includes(name) ? (name as KeyAlgorithm) : undefined;
}

/**
 * True when the private key is the one behind the public key. Compared by their
 * numbers as JWK gives them, so that encodings of one key (a compressed EC point)
 * do not differ; keys JWK cannot express are compared by their SPKI.
 */
export function keysMatch(priv: KeyObject, pub: KeyObject): boolean {
  const numbers = (k: KeyObject) => {
    try {
      return JSON.stringify(k.export({ format: "jwk" }));
    } catch {
      return k.export({ type: "spki", format: "der" }).toString("base64");
    }
  };
  return numbers(createPublicKey(priv)) === numbers(pub.type === "private" ? createPublicKey(pub) : pub);
}
