/**
 * Minimal DER *encoder* used only by the test factory (certificates, CRLs,
 * the SGX PCK extension). Everything produced here is canonical DER: definite
 * minimal lengths, minimal INTEGERs, sorted-free (we never emit SET OF with
 * more than one element).
 *
 * Test-only: no Node built-ins, runs in browsers.
 */
import { attestationError } from '../errors.js';
import { concatBytes, fromHex } from '../lib/bytes.js';
import { Tag } from '../der/tlv.js';

/** The reader's tag table (one table for reading and writing). */
export { Tag };

/** DER length octets (definite, minimal). */
export function derLength(len: number): Uint8Array {
  if (!Number.isSafeInteger(len) || len < 0) throw attestationError('InvalidArgument', `bad DER length ${len}`, { check: 'encode/der' });
  if (len < 0x80) return Uint8Array.of(len);
  const bytes: number[] = [];
  let n = len;
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte tag. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), derLength(content.length), content);
}

export function sequence(...items: Uint8Array[]): Uint8Array {
  return tlv(Tag.SEQUENCE, concatBytes(...items));
}

export function set(...items: Uint8Array[]): Uint8Array {
  return tlv(Tag.SET, concatBytes(...items));
}

/** [n] EXPLICIT (constructed context-specific). */
export function explicit(n: number, inner: Uint8Array): Uint8Array {
  return tlv(0xa0 | n, inner);
}

/** [n] IMPLICIT primitive (context-specific, primitive). */
export function implicitPrimitive(n: number, content: Uint8Array): Uint8Array {
  return tlv(0x80 | n, content);
}

/** [n] IMPLICIT constructed. */
export function implicitConstructed(n: number, content: Uint8Array): Uint8Array {
  return tlv(0xa0 | n, content);
}

export function boolean(v: boolean): Uint8Array {
  return tlv(Tag.BOOLEAN, Uint8Array.of(v ? 0xff : 0x00));
}

export function nullValue(): Uint8Array {
  return Uint8Array.of(Tag.NULL, 0);
}

/**
 * Minimal two's-complement content octets of a non-negative integer given as
 * big-endian magnitude bytes: strips redundant leading zeros and prepends 0x00
 * when the high bit is set.
 */
export function unsignedIntegerContent(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  let m = magnitude.subarray(i);
  if (m.length === 0) m = Uint8Array.of(0);
  if ((m[0]! & 0x80) !== 0) return concatBytes(Uint8Array.of(0), m);
  return Uint8Array.from(m);
}

/** INTEGER from a non-negative number/bigint, or from big-endian magnitude bytes. */
export function integer(v: number | bigint | Uint8Array): Uint8Array {
  if (v instanceof Uint8Array) return tlv(Tag.INTEGER, unsignedIntegerContent(v));
  let n = BigInt(v);
  if (n < 0n) {
    // Two's complement for negatives (rarely needed; kept for completeness).
    const bytes: number[] = [];
    while (true) {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
      if (n === -1n && (bytes[0]! & 0x80) !== 0) break;
    }
    return tlv(Tag.INTEGER, Uint8Array.from(bytes));
  }
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (n > 0n);
  return tlv(Tag.INTEGER, unsignedIntegerContent(Uint8Array.from(bytes)));
}

export function enumerated(v: number): Uint8Array {
  const content = integer(v).subarray(2);
  return tlv(Tag.ENUMERATED, content);
}

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw attestationError('InvalidArgument', `bad OID arc in ${dotted}`, { check: 'encode/der' });
    return BigInt(s);
  });
  if (arcs.length < 2) throw attestationError('InvalidArgument', `OID needs two arcs: ${dotted}`, { check: 'encode/der' });
  const out: number[] = [];
  const enc = (v: bigint): void => {
    const tmp: number[] = [Number(v & 0x7fn)];
    v >>= 7n;
    while (v > 0n) {
      tmp.unshift(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(...tmp);
  };
  enc(arcs[0]! * 40n + arcs[1]!);
  for (const a of arcs.slice(2)) enc(a);
  return tlv(Tag.OID, Uint8Array.from(out));
}

export function octetString(content: Uint8Array): Uint8Array {
  return tlv(Tag.OCTET_STRING, content);
}

/** BIT STRING with the given number of unused bits in the last byte. */
export function bitString(content: Uint8Array, unusedBits = 0): Uint8Array {
  return tlv(Tag.BIT_STRING, concatBytes(Uint8Array.of(unusedBits), content));
}

/**
 * Named-bit BIT STRING (e.g. KeyUsage) with DER trailing-zero trimming:
 * `bits` are bit numbers, 0 = most significant bit of the first byte.
 */
export function namedBitString(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return bitString(new Uint8Array(0), 0);
  const max = Math.max(...bits);
  const bytes = new Uint8Array((max >> 3) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  const unused = 7 - (max & 7);
  return bitString(bytes, unused);
}

const textEncoder = /* @__PURE__ */ new TextEncoder();

export function utf8String(s: string): Uint8Array {
  return tlv(Tag.UTF8String, textEncoder.encode(s));
}

export function printableString(s: string): Uint8Array {
  return tlv(Tag.PrintableString, textEncoder.encode(s));
}

export function ia5String(s: string): Uint8Array {
  return tlv(Tag.IA5String, textEncoder.encode(s));
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** MMDDHHMMSSZ of a UTC date, after the year. */
function afterYear(d: Date): string {
  return pad(d.getUTCMonth() + 1, 2) + pad(d.getUTCDate(), 2) + pad(d.getUTCHours(), 2) + pad(d.getUTCMinutes(), 2) + pad(d.getUTCSeconds(), 2) + 'Z';
}

/** UTCTime YYMMDDHHMMSSZ (years 1950..2049). */
export function utcTime(unixSeconds: number): Uint8Array {
  const d = new Date(unixSeconds * 1000);
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 2049) throw attestationError('InvalidArgument', `UTCTime year out of range: ${y}`, { check: 'encode/der' });
  return tlv(Tag.UTCTime, textEncoder.encode(pad(y % 100, 2) + afterYear(d)));
}

/** GeneralizedTime YYYYMMDDHHMMSSZ. */
export function generalizedTime(unixSeconds: number): Uint8Array {
  const d = new Date(unixSeconds * 1000);
  return tlv(Tag.GeneralizedTime, textEncoder.encode(pad(d.getUTCFullYear(), 4) + afterYear(d)));
}

/** RFC 5280 Time: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(unixSeconds: number): Uint8Array {
  if (!Number.isFinite(unixSeconds)) throw attestationError('InvalidArgument', `bad time ${unixSeconds}`, { check: 'encode/der' });
  const y = new Date(unixSeconds * 1000).getUTCFullYear();
  return y >= 1950 && y <= 2049 ? utcTime(unixSeconds) : generalizedTime(unixSeconds);
}

/** Raw pre-encoded DER from hex (handy in tests). */
export function raw(hex: string): Uint8Array {
  return fromHex(hex);
}
