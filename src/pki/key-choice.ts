import { generateKeyPair, type KeyObject } from "node:crypto";
import { inputError } from "../errors.js";
import { KEY_ALGORITHMS } from "./keys.js";

/**
 * Key algorithms users may ask for by name: kubeadm's (RSA-2048 … ECDSA-P384)
 * and any RSA size, so that a weak one can be refused with the reason rather
 * than with "unknown algorithm".
 */
export type KeyChoice = { name: string; type: "rsa"; bits: number } | { name: string; type: "ec"; curve: "prime256v1" | "secp384r1" };

export const MIN_RSA_BITS = 2048;
/** Below this Go's crypto/rsa (kube-apiserver, kubectl) refuses the key outright. */
export const GO_MIN_RSA_BITS = 1024;

/** Why 1024-bit RSA (the study note's `openssl genrsa 2048` is fine; its 1024 examples are not). */
export const WEAK_RSA_REASON =
  "RSA keys under 2048 bits are within reach of well-funded attackers (NIST has disallowed 1024-bit RSA since 2013, SP 800-131A), " +
  "and a client certificate cannot be revoked in Kubernetes: whoever factors the key is that user until it expires";

export function parseKeyChoice(text: string, what: string, allowWeak = false): KeyChoice {
  const upper = text.trim().toUpperCase();
  const rsa = /^RSA-?(\d+)$/.exec(upper);
  if (rsa) {
    const bits = Number(rsa[1]);
    if (bits < GO_MIN_RSA_BITS || bits > 16384 || bits % 8 !== 0) throw inputError(`${what}: RSA-${bits} is not a usable RSA size`, "use RSA-2048, RSA-3072 or RSA-4096");
    if (bits < MIN_RSA_BITS && !allowWeak) throw inputError(`${what}: RSA-${bits} refused: ${WEAK_RSA_REASON}`, "use RSA-2048 or larger (or ECDSA-P256); --allow-weak overrides this for a test lab");
    return { name: `RSA-${bits}`, type: "rsa", bits };
  }
  if (upper === "ECDSA-P256" || upper === "EC-P256" || upper === "P-256" || upper === "P256") return { name: "ECDSA-P256", type: "ec", curve: "prime256v1" };
  if (upper === "ECDSA-P384" || upper === "EC-P384" || upper === "P-384" || upper === "P384") return { name: "ECDSA-P384", type: "ec", curve: "secp384r1" };
  throw inputError(`${what}: unknown algorithm "${text}"`, `choose one of ${KEY_ALGORITHMS.join(", ")}`);
}

/** Generates the key on the libuv pool, as keys.ts does for kubeadm's algorithms. */
export function generateChosenKey(choice: KeyChoice): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: KeyObject, priv: KeyObject) => (err ? reject(err) : resolve(priv));
    if (choice.type === "rsa") generateKeyPair("rsa", { modulusLength: choice.bits, publicExponent: 65537 }, done);
    else generateKeyPair("ec", { namedCurve: choice.curve }, done);
  });
}
