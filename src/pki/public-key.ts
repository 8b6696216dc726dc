// Public keys read from DER, for certificates and private keys alike, without OpenSSL.
// Checking a node compares ~17 private keys with their certificates, and OpenSSL 3
// takes ~0.5 ms to import one private key: more than everything else kubepki does
// with it. So keys are matched by their public numbers (what comparing `openssl rsa
// -modulus` with `openssl x509 -modulus` does by hand), and OpenSSL parses a private
// key only when it is about to sign. Whatever this reader does not know, OpenSSL reads.
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { inputError } from "../errors.js";
import { children, decodeOid, DerError, expectTag, readTlv, type Tlv } from "./der.js";
import { describeKey, type KeyDescription } from "./keys.js";
import { encodePem, type PemBlock } from "./pem.js";

const OID_RSA = "1.2.840.113549.1.1.1";
const OID_RSA_PSS = "1.2.840.113549.1.1.10";
const OID_EC = "1.2.840.10045.2.1";
const OID_ED25519 = "1.3.101.112";
const SEQUENCE = 0x30;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const OID = 0x06;

const CURVES: Record<string, { curve: string; bits: number }> = {
  "1.2.840.10045.3.1.7": { curve: "P-256", bits: 256 }, "1.3.132.0.34": { curve: "P-384", bits: 384 },
  "1.3.132.0.35": { curve: "P-521", bits: 521 }, "1.3.132.0.10": { curve: "secp256k1", bits: 256 },
};

/** A public key: `id` is equal for a private key and every certificate or public key that goes with it. */
export interface PublicKeyFacts {
  readonly id: string;
  description: KeyDescription;
}

/** Where an INTEGER's magnitude is in `buf`: its content without the sign octet. */
function magnitude(buf: Buffer, t: Tlv): [number, number] {
  let i = expectTag(t, INTEGER, "INTEGER").contentStart;
  while (i < t.end - 1 && buf[i] === 0) i++;
  return [i, t.end];
}

const integerHex = (buf: Buffer, t: Tlv) => buf.toString("hex", ...magnitude(buf, t));
const hex = (buf: Buffer, t: Tlv, skip = 0) => buf.toString("hex", t.contentStart + skip, t.end);

// An id spells the key's numbers in hex, so it is made when asked for: reading a
// certificate needs only the description, and a directory walk reads thousands.

function rsa(buf: Buffer, n: Tlv, e: Tlv): PublicKeyFacts {
  const [start, end] = magnitude(buf, n);
  const bits = buf[start] === 0 ? 0 : (end - start - 1) * 8 + (32 - Math.clz32(buf[start]));
  return { description: { type: "RSA", bits }, get id() { return `rsa:${buf.toString("hex", start, end)}:${integerHex(buf, e)}`; } };
}

/** `point` is the BIT STRING holding the curve point, after its unused-bits octet. */
function ec(curveOid: string, buf: Buffer, point: Tlv): PublicKeyFacts {
  const c = CURVES[curveOid];
  const description: KeyDescription = c ? { type: "ECDSA", curve: c.curve, bits: c.bits } : { type: "ECDSA", curve: curveOid || undefined };
  return { description, get id() { return `ec:${curveOid}:${hex(buf, point, 1)}`; } };
}

function ed25519(buf: Buffer, key: Tlv): PublicKeyFacts {
  return { description: { type: "Ed25519", bits: 256 }, get id() { return `ed25519:${hex(buf, key, 1)}`; } };
}

/** The public key in a SubjectPublicKeyInfo element of `buf`. */
export function readSpki(buf: Buffer, spki: Tlv): PublicKeyFacts {
  const [alg, bits] = children(buf, expectTag(spki, SEQUENCE, "SubjectPublicKeyInfo"));
  const [algOid, params] = children(buf, expectTag(alg, SEQUENCE, "AlgorithmIdentifier"));
  const oid = decodeOid(buf, expectTag(algOid, OID, "algorithm"));
  const bitString = expectTag(bits, BIT_STRING, "subjectPublicKey");
  if (oid === OID_RSA || oid === OID_RSA_PSS) {
    // RSAPublicKey inside the BIT STRING, after its unused-bits octet.
    const [n, e] = children(buf, expectTag(readTlv(buf, bitString.contentStart + 1, bitString.end), SEQUENCE, "RSAPublicKey"));
    expectTag(e, INTEGER, "publicExponent");
    return rsa(buf, n, e);
  }
  if (oid === OID_EC) return ec(params?.tag === OID ? decodeOid(buf, params) : "", buf, bitString);
  if (oid === OID_ED25519) return ed25519(buf, bitString);
  return { description: { type: "other" }, get id() { return `spki:${buf.toString("hex", spki.start, spki.end)}`; } };
}

/** The public key of a DER SubjectPublicKeyInfo, e.g. a KeyObject's `export({ type: "spki", format: "der" })`. */
export function publicKeyOfSpki(der: Buffer): PublicKeyFacts {
  return readSpki(der, readTlv(der, 0));
}

/** PKCS#1 RSAPrivateKey: version 0, then n, e, d, p, q, dP, dQ, qInv. */
function fromPkcs1(buf: Buffer, t: Tlv): PublicKeyFacts | undefined {
  const f = children(buf, expectTag(t, SEQUENCE, "RSAPrivateKey"));
  if (f.length !== 9 || f.some((x) => x.tag !== INTEGER) || integerHex(buf, f[0]) !== "00") return undefined;
  return rsa(buf, f[1], f[2]);
}

/** SEC1 ECPrivateKey: version 1, the scalar, [0] curve, [1] public point (Go, OpenSSL and cfssl write both). */
function fromSec1(buf: Buffer, t: Tlv, curveOid?: string): PublicKeyFacts | undefined {
  const [version, scalar, ...rest] = children(buf, expectTag(t, SEQUENCE, "ECPrivateKey"));
  if (integerHex(buf, version) !== "01" || scalar?.tag !== OCTET_STRING) return undefined;
  const params = rest.find((x) => x.tag === 0xa0);
  const pub = rest.find((x) => x.tag === 0xa1);
  const curve = params ? decodeOid(buf, expectTag(readTlv(buf, params.contentStart, params.end), OID, "namedCurve")) : curveOid;
  if (!curve || !pub) return undefined;
  return ec(curve, buf, expectTag(readTlv(buf, pub.contentStart, pub.end), BIT_STRING, "publicKey"));
}

/** PKCS#8 PrivateKeyInfo / OneAsymmetricKey wrapping one of the above, or Ed25519 with its public key. */
function fromPkcs8(buf: Buffer, t: Tlv): PublicKeyFacts | undefined {
  const [version, alg, key, ...rest] = children(buf, expectTag(t, SEQUENCE, "PrivateKeyInfo"));
  expectTag(version, INTEGER, "version");
  const [algOid, params] = children(buf, expectTag(alg, SEQUENCE, "AlgorithmIdentifier"));
  const oid = decodeOid(buf, expectTag(algOid, OID, "algorithm"));
  const inner = readTlv(buf, expectTag(key, OCTET_STRING, "privateKey").contentStart, key.end);
  if (inner.end !== key.end) return undefined;
  if (oid === OID_RSA) return fromPkcs1(buf, inner);
  if (oid === OID_EC && params?.tag === OID) return fromSec1(buf, inner, decodeOid(buf, params));
  const pub = rest.find((x) => x.tag === 0x81);
  if (oid === OID_ED25519 && pub) return ed25519(buf, pub);
  return undefined;
}

/** The public key of a private key's DER, or undefined for what this reader does not know. */
function fastPublicKey(label: string, der: Buffer): PublicKeyFacts | undefined {
  try {
    const top = readTlv(der, 0);
    if (top.end !== der.length) return undefined;
    if (label === "RSA PRIVATE KEY") return fromPkcs1(der, top);
    if (label === "EC PRIVATE KEY") return fromSec1(der, top);
    if (label === "PRIVATE KEY") return fromPkcs8(der, top);
  } catch (err) {
    if (!(err instanceof DerError || err instanceof RangeError)) throw err;
  }
  return undefined;
}

/** A private key as the checks need it: its public half at once, the KeyObject on first use. */
export interface PrivateKeyInfo {
  publicKey: PublicKeyFacts;
  readonly keyObject: KeyObject;
}

/**
 * Reads one PEM private key block. A key this reader does not know is left to
 * OpenSSL, whose verdict is the error; `what` names the source in it.
 */
export function readPrivateKey(block: PemBlock, what: string): PrivateKeyInfo {
  let keyObject: KeyObject | undefined;
  const parse = () => {
    try {
      return (keyObject ??= createPrivateKey(encodePem(block.label, block.der)));
    } catch {
      throw inputError(`${what}: not a readable private key`);
    }
  };
  const fast = fastPublicKey(block.label, block.der);
  if (fast) return { publicKey: fast, get keyObject() { return parse(); } };
  const key = parse();
  const publicKey = { ...publicKeyOfSpki(createPublicKey(key).export({ type: "spki", format: "der" })), description: describeKey(key) };
  return { publicKey, keyObject: key };
}
