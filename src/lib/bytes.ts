/**
 * Byte helpers shared by every parser. Nothing here throws a RangeError or
 * TypeError on malformed input: readers check every length first and raise a
 * coded ParseError instead.
 */
import { type ErrorCode, attestationError } from '../errors.js';

const HEX = '0123456789abcdef';
const HEX_TABLE: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!);

type NativeHex = { from(b: ArrayBufferLike, offset: number, length: number): { toString(enc: 'hex'): string } };
const nativeHex: NativeHex | undefined = /* @__PURE__ */ (() => {
  const B = (globalThis as { Buffer?: NativeHex }).Buffer;
  return typeof B?.from === 'function' ? B : undefined;
})();

export function toHex(bytes: Uint8Array): string {
  // Native hex (a Buffer view, no copy) where the runtime has it, for anything but tiny inputs.
  if (bytes.length >= 16 && nativeHex !== undefined) return nativeHex.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_TABLE[bytes[i]!];
  return out;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * Strict hex decoding (either case, optional `0x` prefix, no whitespace).
 * Returns undefined on malformed input so callers can raise their own code.
 */
export function tryFromHex(hex: string): Uint8Array | undefined {
  let s = hex;
  if (s.startsWith('0x') || s.startsWith('0X')) s = s.slice(2);
  if (s.length % 2 !== 0) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(s.charCodeAt(2 * i));
    const lo = hexNibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export function fromHex(hex: string, code: ErrorCode = 'InvalidArgument', field = 'hex'): Uint8Array {
  const out = tryFromHex(hex);
  if (out === undefined) {
    throw attestationError(code, `${field}: not a valid hex string`, { check: 'hex', field });
  }
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Constant-time-ish equality (no early exit); fine for public data too. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function isAllZero(a: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc |= a[i]!;
  return acc === 0;
}

export function readU16LE(b: Uint8Array, off: number): number {
  return b[off]! | (b[off + 1]! << 8);
}

export function readU32LE(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16)) + b[off + 3]! * 0x1000000;
}

/** Little-endian u64 as bigint. */
export function readU64LE(b: Uint8Array, off: number): bigint {
  return BigInt(readU32LE(b, off)) | (BigInt(readU32LE(b, off + 4)) << 32n);
}

const utf8Decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = /* @__PURE__ */ new TextEncoder();

/** Strict UTF-8 decoding; undefined on invalid sequences. */
export function tryUtf8Decode(b: Uint8Array): string | undefined {
  try {
    return utf8Decoder.decode(b);
  } catch {
    return undefined;
  }
}

export function utf8Encode(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Arguments per String.fromCharCode call: far below any engine's argument limit. */
const CHAR_CHUNK = 8192;

/**
 * bytes[start, end) as text, each byte its own character (U+0000-U+00FF):
 * one flat string. Appending a character at a time builds a rope of one node
 * per character past the 13th (V8), which costs more to build and then to
 * flatten, and stays that large in every parsed object that keeps it (each
 * CRL distribution point of every cached certificate).
 */
export function byteString(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (end - start < 16) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  if (end - start <= CHAR_CHUNK) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  const parts: string[] = [];
  for (let i = start; i < end; i += CHAR_CHUNK) parts.push(String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + CHAR_CHUNK)) as unknown as number[]));
  return parts.join('');
}

/**
 * Bounded little-endian reader over a byte view. Every read checks the
 * remaining length and raises `ParseError(code)` with the offset and field.
 * Returned slices are views (subarray) into the original buffer.
 */
export class ByteReader {
  private pos: number;
  readonly end: number;

  constructor(
    readonly buf: Uint8Array,
    private readonly code: ErrorCode,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(field: string, message: string, extra?: { expected?: string; found?: string }): never {
    throw attestationError(this.code, `${field}: ${message}`, {
      check: 'parse',
      field,
      offset: this.pos,
      ...extra,
    });
  }

  need(n: number, field: string): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.remaining) {
      this.fail(field, `needs ${n} bytes, ${this.remaining} left`, {
        expected: String(n),
        found: String(this.remaining),
      });
    }
  }

  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = readU16LE(this.buf, this.pos);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = readU32LE(this.buf, this.pos);
    this.pos += 4;
    return v;
  }

  /** Sub-reader over the next n bytes; the parent advances past them. */
  sub(n: number, field: string): ByteReader {
    this.need(n, field);
    const r = new ByteReader(this.buf, this.code, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** Reject trailing bytes. */
  finish(field: string): void {
    if (this.pos !== this.end) {
      this.fail(field, `${this.end - this.pos} trailing byte(s)`, { expected: '0', found: String(this.end - this.pos) });
    }
  }
}

type NativeCompare = (a: Uint8Array, b: Uint8Array) => number;
const nativeCompare: NativeCompare | undefined = /* @__PURE__ */ (() => {
  const B = (globalThis as { Buffer?: { compare?: NativeCompare } }).Buffer;
  return typeof B?.compare === 'function' ? B.compare : undefined;
})();

/**
 * Exact equality with an early exit, for cache confirmation of public bytes
 * (a native comparison where the runtime has one). Not for secrets.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  if (n >= 64 && nativeCompare !== undefined) return nativeCompare(a, b) === 0;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A cheap bucket hash of `b`: its length, and FNV-1a over at most ~160 bytes
 * sampled evenly plus its last 32 bytes. Only for picking a bucket: every
 * hit is confirmed by comparing the exact bytes (`sameBytes`).
 */
export function sampleHash(b: Uint8Array, seed = 0x811c9dc5): number {
  const n = b.length;
  let h = Math.imul(seed ^ n, 0x01000193);
  const step = n > 128 ? (n >>> 7) | 1 : 1;
  for (let i = 0; i < n; i += step) h = Math.imul(h ^ b[i]!, 0x01000193);
  for (let i = n > 32 ? n - 32 : 0; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}
