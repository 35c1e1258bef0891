/**
 * Strict, bounded reader for the SCALE codec (Parity "SCALE Codec",
 * https://docs.substrate.io/reference/scale-codec/ and parity-scale-codec's
 * `Compact<u32>` / `Vec<T>` / `String` / `[u8; N]` encodings), as used by
 * dstack's `VersionedAttestation::V0`.
 *
 *   Compact<u32>: low two bits of the first byte select the mode
 *     0b00 single byte   value = b0 >> 2                       (0 ..= 63)
 *     0b01 two bytes LE  value = u16 >> 2                      (64 ..= 2^14-1)
 *     0b10 four bytes LE value = u32 >> 2                      (2^14 ..= 2^30-1)
 *     0b11 big integer   (b0 >> 2) + 4 LE bytes follow         (2^30 ..= 2^32-1 here)
 *   Vec<u8> / String: Compact length ‖ bytes (String: strict UTF-8)
 *   Vec<T>:           Compact count ‖ T*
 *
 * Like parity-scale-codec, non-canonical compact encodings (a value encoded in
 * a longer mode than needed) are rejected. Every length is checked against the
 * bytes that are actually left before anything is allocated or read; every
 * failure is a ParseError with the configured code, the field and the offset.
 */
import { type ErrorCode, attestationError } from '../errors.js';
import { tryUtf8Decode } from '../lib/bytes.js';

export class ScaleReader {
  private pos: number;

  constructor(
    readonly buf: Uint8Array,
    private readonly code: ErrorCode = 'RaTlsParse',
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(field: string, message: string, extra?: { expected?: string; found?: string }): never {
    throw attestationError(this.code, `${field}: ${message}`, { check: 'scale', field, offset: this.pos, ...extra });
  }

  private need(n: number, field: string): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.remaining) {
      this.fail(field, `needs ${n} byte(s), ${this.remaining} left`, { expected: String(n), found: String(this.remaining) });
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }

  /** Fixed-size array `[u8; n]` (no length prefix). A view into the input. */
  fixed(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** `Compact<u32>`, canonical encodings only. */
  compact(field: string): number {
    const start = this.pos;
    const b0 = this.u8(field);
    const mode = b0 & 3;
    let value: number;
    let min: number;
    if (mode === 0) {
      return b0 >>> 2;
    } else if (mode === 1) {
      value = (b0 | (this.u8(field) << 8)) >>> 2;
      min = 1 << 6;
    } else if (mode === 2) {
      this.pos = start;
      value = Math.floor(this.u32(field) / 4);
      min = 1 << 14;
    } else {
      const n = (b0 >>> 2) + 4;
      if (n !== 4) {
        this.pos = start;
        this.fail(field, `compact integer of ${n} bytes exceeds u32`, { expected: '<= 4 bytes', found: `${n} bytes` });
      }
      value = this.u32(field);
      min = 2 ** 30;
    }
    if (value < min) {
      this.pos = start;
      this.fail(field, 'non-canonical compact integer encoding', { expected: `>= ${min} in this mode`, found: String(value) });
    }
    return value;
  }

  /** `Vec<u8>`: compact length checked against the remaining bytes. A view into the input. */
  bytes(field: string, max = Number.MAX_SAFE_INTEGER): Uint8Array {
    const n = this.compact(`${field}.length`);
    if (n > max) this.fail(field, `length ${n} exceeds the limit ${max}`, { expected: `<= ${max}`, found: String(n) });
    return this.fixed(n, field);
  }

  /** `String`: compact length ‖ strict UTF-8. */
  string(field: string, max = Number.MAX_SAFE_INTEGER): string {
    const raw = this.bytes(field, max);
    const s = tryUtf8Decode(raw);
    if (s === undefined) this.fail(field, 'invalid UTF-8');
    return s;
  }

  /**
   * Count of a `Vec<T>`: bounded by `max` and by the remaining bytes divided by
   * the smallest possible element size, so a forged count cannot drive a long loop.
   */
  count(field: string, minElementSize: number, max: number): number {
    const n = this.compact(`${field}.length`);
    if (n > max) this.fail(field, `${n} elements exceed the limit ${max}`, { expected: `<= ${max}`, found: String(n) });
    if (n * minElementSize > this.remaining) {
      this.fail(field, `${n} elements cannot fit in ${this.remaining} byte(s)`, {
        expected: `<= ${Math.floor(this.remaining / minElementSize)}`,
        found: String(n),
      });
    }
    return n;
  }

  /** Rejects trailing bytes. */
  finish(field: string): void {
    if (this.pos !== this.end) {
      this.fail(field, `${this.end - this.pos} trailing byte(s)`, { expected: '0', found: String(this.end - this.pos) });
    }
  }
}
