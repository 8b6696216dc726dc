/**
 * A minimal DER (X.690) reader: tag, length and content bounds of one element,
 * and the children of a constructed one. It exists for speed only — loading
 * @peculiar/asn1-schema costs tens of milliseconds at start-up and node's
 * X509Certificate costs ~120 µs per certificate — so that `inspect` can read a
 * certificate's fields in microseconds. It reads; it never builds. Anything it
 * does not understand is an error, and callers fall back to the library.
 */

export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export class DerError extends Error {}

/** Reads the element at `offset`; it must end within `limit`. */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError("truncated DER element");
  const tag = buf[offset];
  // High tag numbers (0x1f) never occur in the structures read here.
  if ((tag & 0x1f) === 0x1f) throw new DerError("unsupported high tag number");
  let length = buf[offset + 1];
  let contentStart = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    // DER forbids the indefinite form (n = 0); 4 length octets is far beyond any certificate.
    if (n === 0 || n > 4 || contentStart + n > limit) throw new DerError("bad DER length");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[contentStart + i];
    contentStart += n;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError("DER element runs past its container");
  return { tag, start: offset, contentStart, end };
}

/** The elements inside a constructed element. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let off = parent.contentStart; off < parent.end; ) {
    const t = readTlv(buf, off, parent.end);
    out.push(t);
    off = t.end;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new DerError(`expected ${what}`);
  return t;
}

export function content(buf: Uint8Array, t: Tlv): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + t.contentStart, t.end - t.contentStart);
}

/** Dotted form of an OBJECT IDENTIFIER's content. */
export function decodeOid(buf: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let value = 0;
  for (let i = t.contentStart; i < t.end; i++) {
    value = value * 128 + (buf[i] & 0x7f);
    if (!(buf[i] & 0x80)) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

/** The text of the ASN.1 string types used in names (UTF8, Printable, IA5, T61, BMP, Universal). */
export function decodeString(buf: Uint8Array, t: Tlv): string {
  const bytes = content(buf, t);
  switch (t.tag) {
    case 0x1e: // BMPString: UTF-16BE
      return Buffer.from(bytes).swap16().toString("utf16le");
    case 0x1c: { // UniversalString: UTF-32BE
      let s = "";
      for (let i = 0; i + 3 < bytes.length; i += 4) s += String.fromCodePoint(bytes.readUInt32BE(i));
      return s;
    }
    case 0x14: // T61String: treated as Latin-1, as Go and OpenSSL do in practice
      return bytes.toString("latin1");
    default:
      return bytes.toString("utf8");
  }
}

/** UTCTime (two-digit year, 1950–2049) or GeneralizedTime, both in the Z form DER requires. */
export function decodeTime(buf: Uint8Array, t: Tlv): Date {
  const s = content(buf, t).toString("latin1");
  const m = t.tag === 0x17 ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(s) : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(?:\.\d+)?Z$/.exec(s);
  if (!m) throw new DerError(`bad time "${s}"`);
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}

/** Certificates, requests and keys nest about ten levels deep; nothing kubepki reads needs more. */
export const MAX_DER_DEPTH = 32;

/**
 * Throws when constructed elements nest deeper than `max`, before a recursive
 * library parser (asn1js) walks them: a few megabytes of nested SEQUENCE
 * headers would otherwise recurse until the stack runs out. Iterative, one pass.
 * Malformed encoding is left for the real parser to report.
 */
export function checkDerDepth(buf: Uint8Array, max = MAX_DER_DEPTH): void {
  const ends: number[] = [];
  let off = 0;
  try {
    while (off < buf.length) {
      while (ends.length > 0 && off >= ends[ends.length - 1]) ends.pop();
      const t = readTlv(buf, off, ends.length > 0 ? ends[ends.length - 1] : buf.length);
      if (t.tag & 0x20) {
        if (ends.length >= max) throw new DerError(`DER nested deeper than ${max} levels`);
        ends.push(t.end);
        off = t.contentStart;
      } else off = t.end;
    }
  } catch (err) {
    if (err instanceof DerError && err.message.startsWith("DER nested")) throw err;
  }
}
