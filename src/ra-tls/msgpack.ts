/**
 * Strict, bounded MessagePack decoder (MessagePack specification,
 * https://github.com/msgpack/msgpack/blob/master/spec.md), enough for dstack's
 * `VersionedAttestation::V1` (`rmp_serde::to_vec_named`: maps with string
 * keys, strings, integers, binaries, arrays, nil, booleans).
 *
 * Rules: every length is checked against the bytes left before anything is
 * read or allocated (an element takes at least one byte, a map entry two);
 * nesting is limited; map keys must be strings and unique; strings must be
 * valid UTF-8; integers must be safe JavaScript integers; extension types are
 * refused; no trailing bytes. Failures are ParseError(RaTlsParse) with offsets.
 *
 * Work budget: a caller that knows its schema bounds the work per input
 * before it is spent. `maxMapEntries` caps one map (checked on the map
 * header, before any key is read), `maxArrayLength` one array, and
 * `maxMapEntriesTotal` / `maxValues` the whole document, so a hostile input
 * (a root map of millions of keys, millions of tiny values) is refused after
 * reading a few bytes instead of being decoded and then found wrong.
 */
import { type ErrorCode, attestationError } from '../errors.js';
import { tryUtf8Decode } from '../lib/bytes.js';

export type MsgValue = null | boolean | number | string | Uint8Array | MsgValue[] | MsgMap;
/** A decoded map: string keys, insertion order kept, no duplicates. */
export type MsgMap = Map<string, MsgValue>;

export const MSGPACK_MAX_DEPTH = 16;

/** Bounds on the work one `decodeMsgpack` call may do (defaults: only the input size bounds it). */
export interface MsgpackLimits {
  /** Nesting depth (default MSGPACK_MAX_DEPTH). */
  readonly maxDepth?: number;
  /** Entries of any one map, checked on its header (default unbounded). */
  readonly maxMapEntries?: number;
  /** Elements of any one array, checked on its header (default unbounded). */
  readonly maxArrayLength?: number;
  /** Map entries in the whole document (default unbounded). */
  readonly maxMapEntriesTotal?: number;
  /** Values (of any type, keys included) in the whole document (default unbounded). */
  readonly maxValues?: number;
}

class Decoder {
  pos = 0;
  readonly maxDepth: number;
  readonly maxMapEntries: number;
  readonly maxArrayLength: number;
  mapEntriesLeft: number;
  valuesLeft: number;
  constructor(
    readonly buf: Uint8Array,
    readonly code: ErrorCode,
    limits: MsgpackLimits,
  ) {
    this.maxDepth = limits.maxDepth ?? MSGPACK_MAX_DEPTH;
    this.maxMapEntries = limits.maxMapEntries ?? Infinity;
    this.maxArrayLength = limits.maxArrayLength ?? Infinity;
    this.mapEntriesLeft = limits.maxMapEntriesTotal ?? Infinity;
    this.valuesLeft = limits.maxValues ?? Infinity;
  }

  fail(message: string, extra?: { expected?: string; found?: string }): never {
    throw attestationError(this.code, `msgpack: ${message}`, { check: 'msgpack', field: 'msgpack', offset: this.pos, ...extra });
  }

  need(n: number): void {
    if (n > this.buf.length - this.pos) this.fail(`needs ${n} byte(s), ${this.buf.length - this.pos} left`);
  }

  uint(n: 1 | 2 | 4 | 8): number {
    this.need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.buf[this.pos + i]!;
    this.pos += n;
    if (!Number.isSafeInteger(v)) this.fail('integer is not a safe JavaScript integer');
    return v;
  }

  int(n: 1 | 2 | 4 | 8): number {
    this.need(n);
    const neg = (this.buf[this.pos]! & 0x80) !== 0;
    let v = this.uint(n);
    if (neg) v -= 2 ** (8 * n);
    if (!Number.isSafeInteger(v)) this.fail('integer is not a safe JavaScript integer');
    return v;
  }

  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(n: number): string {
    const s = tryUtf8Decode(this.raw(n));
    if (s === undefined) this.fail('string is not valid UTF-8');
    return s;
  }

  array(n: number, depth: number): MsgValue[] {
    if (n > this.maxArrayLength) this.fail(`array of ${n} element(s) exceeds the limit`, { expected: `<= ${this.maxArrayLength}`, found: String(n) });
    if (n > this.buf.length - this.pos) this.fail(`array of ${n} element(s) cannot fit in ${this.buf.length - this.pos} byte(s)`);
    if (n > this.valuesLeft) this.fail('work budget exceeded (too many values)', { expected: `<= ${this.valuesLeft} more`, found: String(n) });
    const out: MsgValue[] = [];
    for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
    return out;
  }

  map(n: number, depth: number): MsgMap {
    if (n > this.maxMapEntries) this.fail(`map of ${n} entr(ies) exceeds the limit`, { expected: `<= ${this.maxMapEntries}`, found: String(n) });
    if (n * 2 > this.buf.length - this.pos) this.fail(`map of ${n} entr(ies) cannot fit in ${this.buf.length - this.pos} byte(s)`);
    if (n > this.mapEntriesLeft || n * 2 > this.valuesLeft) {
      this.fail('work budget exceeded (too many map entries)', { expected: `<= ${this.mapEntriesLeft} more`, found: String(n) });
    }
    this.mapEntriesLeft -= n;
    const out: MsgMap = new Map();
    for (let i = 0; i < n; i++) {
      const at = this.pos;
      const k = this.value(depth + 1);
      if (typeof k !== 'string') {
        this.pos = at;
        this.fail('map key is not a string');
      }
      if (out.has(k)) {
        this.pos = at;
        this.fail('duplicate map key', { found: k.slice(0, 64) });
      }
      out.set(k, this.value(depth + 1));
    }
    return out;
  }

  value(depth: number): MsgValue {
    if (depth > this.maxDepth) this.fail(`nested deeper than ${this.maxDepth}`);
    if (--this.valuesLeft < 0) this.fail('work budget exceeded (too many values)');
    this.need(1);
    const t = this.buf[this.pos++]!;
    if (t <= 0x7f) return t; // positive fixint
    if (t >= 0xe0) return t - 0x100; // negative fixint
    if (t >= 0x80 && t <= 0x8f) return this.map(t & 0x0f, depth);
    if (t >= 0x90 && t <= 0x9f) return this.array(t & 0x0f, depth);
    if (t >= 0xa0 && t <= 0xbf) return this.str(t & 0x1f);
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.raw(this.uint(1));
      case 0xc5:
        return this.raw(this.uint(2));
      case 0xc6:
        return this.raw(this.uint(4));
      case 0xcc:
        return this.uint(1);
      case 0xcd:
        return this.uint(2);
      case 0xce:
        return this.uint(4);
      case 0xcf:
        return this.uint(8);
      case 0xd0:
        return this.int(1);
      case 0xd1:
        return this.int(2);
      case 0xd2:
        return this.int(4);
      case 0xd3:
        return this.int(8);
      case 0xd9:
        return this.str(this.uint(1));
      case 0xda:
        return this.str(this.uint(2));
      case 0xdb:
        return this.str(this.uint(4));
      case 0xdc:
        return this.array(this.uint(2), depth);
      case 0xdd:
        return this.array(this.uint(4), depth);
      case 0xde:
        return this.map(this.uint(2), depth);
      case 0xdf:
        return this.map(this.uint(4), depth);
      default:
        this.pos--;
        // 0xc1 (never used), 0xc7-0xc9 / 0xd4-0xd8 (ext), 0xca / 0xcb (float): not in the schema.
        this.fail(`unsupported type byte 0x${t.toString(16).padStart(2, '0')}`);
    }
  }
}

/**
 * Decodes exactly one MessagePack value covering the whole input. `limits`
 * (or, for compatibility, a number: the maximum depth) bounds the work.
 */
export function decodeMsgpack(bytes: Uint8Array, code: ErrorCode = 'RaTlsParse', limits: MsgpackLimits | number = {}): MsgValue {
  const d = new Decoder(bytes, code, typeof limits === 'number' ? { maxDepth: limits } : limits);
  const v = d.value(0);
  if (d.pos !== bytes.length) d.fail(`${bytes.length - d.pos} trailing byte(s)`, { expected: '0', found: String(bytes.length - d.pos) });
  return v;
}

export function isMsgMap(v: MsgValue | undefined): v is MsgMap {
  return v instanceof Map;
}
