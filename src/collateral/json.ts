/**
 * A strict, bounded JSON parser (RFC 8259) over UTF-8 bytes that remembers
 * where every value sits. Intel signs the exact bytes of the `tcbInfo` /
 * `enclaveIdentity` member; we verify the signature over that byte span and
 * read fields from the same bytes, so nothing is re-serialised.
 *
 * Stricter than JSON.parse: duplicate object keys are rejected (JSON.parse
 * silently keeps the last one, other parsers the first: a classic signature
 * confusion), nesting depth and input size are bounded, lone surrogates in
 * escapes are rejected. Every failure is a ParseError with code
 * CollateralParse and the byte offset.
 */
import { type ErrorCode, attestationError } from '../errors.js';
import { byteString } from '../lib/bytes.js';

export type JsonValue =
  | { kind: 'object'; start: number; end: number; members: Map<string, JsonValue> }
  | { kind: 'array'; start: number; end: number; items: JsonValue[] }
  | { kind: 'string'; start: number; end: number; value: string }
  | { kind: 'number'; start: number; end: number; value: number; raw: string }
  | { kind: 'bool'; start: number; end: number; value: boolean }
  | { kind: 'null'; start: number; end: number };

export interface JsonLimits {
  maxBytes?: number;
  maxDepth?: number;
}

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Upper bound for a TCB Info / QE Identity document (and its PCS response).
 * Intel's are under 20 KiB; the bound keeps a hostile document from costing
 * much before its signature is checked.
 */
export const MAX_SIGNED_JSON_BYTES = 256 * 1024;
const DEFAULT_MAX_DEPTH = 32;

// ignoreBOM: a U+FEFF inside a string is content, never silently dropped.
const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A hex digit's value, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** A non-negative decimal integer without sign, fraction, exponent or leading zero (JSON already refuses "01"). */
function isPlainUint(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return raw.length > 0;
}

class Parser {
  pos = 0;
  constructor(
    readonly b: Uint8Array,
    readonly maxDepth: number,
    readonly code: ErrorCode,
    readonly what: string,
  ) {}

  fail(msg: string): never {
    throw attestationError(this.code, `${this.what}: invalid JSON: ${msg} at byte ${this.pos}`, {
      check: 'json',
      field: this.what,
      offset: this.pos,
    });
  }

  ws(): void {
    const b = this.b;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonValue {
    if (depth > this.maxDepth) this.fail('nesting too deep');
    this.ws();
    if (this.pos >= this.b.length) this.fail('unexpected end');
    const c = this.b[this.pos]!;
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) {
      const start = this.pos;
      const value = this.string();
      return { kind: 'string', start, end: this.pos, value };
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (this.literal('true')) return { kind: 'bool', start: this.pos - 4, end: this.pos, value: true };
    if (this.literal('false')) return { kind: 'bool', start: this.pos - 5, end: this.pos, value: false };
    if (this.literal('null')) return { kind: 'null', start: this.pos - 4, end: this.pos };
    return this.fail('unexpected character');
  }

  literal(word: string): boolean {
    if (this.pos + word.length > this.b.length) return false;
    for (let i = 0; i < word.length; i++) if (this.b[this.pos + i] !== word.charCodeAt(i)) return false;
    this.pos += word.length;
    return true;
  }

  object(depth: number): JsonValue {
    const start = this.pos++;
    const members = new Map<string, JsonValue>();
    this.ws();
    if (this.b[this.pos] === 0x7d) {
      this.pos++;
      return { kind: 'object', start, end: this.pos, members };
    }
    for (;;) {
      this.ws();
      if (this.b[this.pos] !== 0x22) this.fail('expected object key');
      const key = this.string();
      if (members.has(key)) this.fail(`duplicate key "${key}"`);
      this.ws();
      if (this.b[this.pos] !== 0x3a) this.fail('expected ":"');
      this.pos++;
      members.set(key, this.value(depth + 1));
      this.ws();
      const c = this.b[this.pos];
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        return { kind: 'object', start, end: this.pos, members };
      }
      this.fail('expected "," or "}"');
    }
  }

  array(depth: number): JsonValue {
    const start = this.pos++;
    const items: JsonValue[] = [];
    this.ws();
    if (this.b[this.pos] === 0x5d) {
      this.pos++;
      return { kind: 'array', start, end: this.pos, items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.b[this.pos];
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        return { kind: 'array', start, end: this.pos, items };
      }
      this.fail('expected "," or "]"');
    }
  }

  string(): string {
    const b = this.b;
    this.pos++; // opening quote
    const start = this.pos;
    let simple = true;
    for (;;) {
      if (this.pos >= b.length) this.fail('unterminated string');
      const c = b[this.pos]!;
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x5c) {
        simple = false;
        this.pos += 2;
        continue;
      }
      if (c >= 0x80) simple = false;
      this.pos++;
    }
    const end = this.pos;
    this.pos++; // closing quote
    if (simple) return byteString(b, start, end);
    return this.decodeEscaped(start, end);
  }

  decodeEscaped(start: number, end: number): string {
    let raw: string;
    try {
      raw = utf8.decode(this.b.subarray(start, end));
    } catch {
      this.pos = start;
      return this.fail('invalid UTF-8 in string');
    }
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i]!;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = raw[++i];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = raw.slice(i + 1, i + 5);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
          const cu = parseInt(hex, 16);
          i += 4;
          if (cu >= 0xd800 && cu <= 0xdbff) {
            const lo = raw.slice(i + 1, i + 7);
            if (!/^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/.test(lo)) this.fail('lone surrogate');
            out += String.fromCharCode(cu, parseInt(lo.slice(2), 16));
            i += 6;
          } else if (cu >= 0xdc00 && cu <= 0xdfff) {
            this.fail('lone surrogate');
          } else {
            out += String.fromCharCode(cu);
          }
          break;
        }
        default:
          this.fail('bad escape');
      }
    }
    return out;
  }

  number(): JsonValue {
    const b = this.b;
    const start = this.pos;
    if (b[this.pos] === 0x2d) this.pos++;
    const digit = (): boolean => this.pos < b.length && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x39;
    if (!digit()) this.fail('bad number');
    if (b[this.pos] === 0x30) {
      this.pos++;
      if (digit()) this.fail('leading zero');
    } else {
      while (digit()) this.pos++;
    }
    if (b[this.pos] === 0x2e) {
      this.pos++;
      if (!digit()) this.fail('bad fraction');
      while (digit()) this.pos++;
    }
    if (b[this.pos] === 0x65 || b[this.pos] === 0x45) {
      this.pos++;
      if (b[this.pos] === 0x2b || b[this.pos] === 0x2d) this.pos++;
      if (!digit()) this.fail('bad exponent');
      while (digit()) this.pos++;
    }
    const raw = byteString(b, start, this.pos);
    return { kind: 'number', start, end: this.pos, value: Number(raw), raw };
  }
}

/** Parse exactly one JSON value spanning the whole input (surrounding whitespace allowed). */
export function parseJson(
  bytes: Uint8Array,
  what = 'json',
  limits: JsonLimits = {},
  code: ErrorCode = 'CollateralParse',
): JsonValue {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) {
    throw attestationError(code, `${what}: JSON larger than ${maxBytes} bytes`, {
      check: 'json.size',
      field: what,
      expected: `<= ${maxBytes}`,
      found: String(bytes.length),
    });
  }
  const p = new Parser(bytes, limits.maxDepth ?? DEFAULT_MAX_DEPTH, code, what);
  const v = p.value(0);
  p.ws();
  if (p.pos !== bytes.length) p.fail('trailing characters');
  return v;
}

// ---------------------------------------------------------------------------
// Typed accessors used by the collateral parsers. All raise CollateralParse.

export class JsonReader {
  constructor(
    readonly what: string,
    readonly code: ErrorCode = 'CollateralParse',
  ) {}

  fail(field: string, msg: string, found?: string): never {
    throw attestationError(this.code, `${this.what}.${field}: ${msg}`, {
      check: 'collateral.field',
      field: `${this.what}.${field}`,
      found,
    });
  }

  object(v: JsonValue | undefined, field: string): Map<string, JsonValue> {
    if (v?.kind !== 'object') this.fail(field, 'expected an object');
    return v.members;
  }

  array(v: JsonValue | undefined, field: string): JsonValue[] {
    if (v?.kind !== 'array') this.fail(field, 'expected an array');
    return v.items;
  }

  string(o: Map<string, JsonValue>, field: string): string {
    const v = o.get(field);
    if (v?.kind !== 'string') this.fail(field, v === undefined ? 'missing' : 'expected a string');
    return v.value;
  }

  optString(o: Map<string, JsonValue>, field: string): string | undefined {
    return o.has(field) ? this.string(o, field) : undefined;
  }

  /** Non-negative integer no larger than max. */
  uint(o: Map<string, JsonValue>, field: string, max = 0xffffffff): number {
    const v = o.get(field);
    if (v?.kind !== 'number') this.fail(field, v === undefined ? 'missing' : 'expected a number');
    if (!isPlainUint(v.raw) || v.value > max) this.fail(field, `expected an integer in 0..${max}`, v.raw);
    return v.value;
  }

  /** Hex string of exactly `bytes` bytes (either case). */
  hex(o: Map<string, JsonValue>, field: string, bytes: number): Uint8Array {
    const s = this.string(o, field);
    const out = new Uint8Array(bytes);
    let ok = s.length === bytes * 2;
    for (let i = 0; ok && i < bytes; i++) {
      const hi = hexDigit(s.charCodeAt(2 * i));
      const lo = hexDigit(s.charCodeAt(2 * i + 1));
      if (hi < 0 || lo < 0) ok = false;
      out[i] = (hi << 4) | lo;
    }
    if (!ok) this.fail(field, `expected ${bytes} bytes of hex`, s.slice(0, 200));
    return out;
  }

  stringArray(o: Map<string, JsonValue>, field: string): string[] {
    if (!o.has(field)) return [];
    return this.array(o.get(field), field).map((item, i) => {
      if (item.kind !== 'string') this.fail(`${field}[${i}]`, 'expected a string');
      return item.value;
    });
  }
}
