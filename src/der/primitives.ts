/**
 * Strict DER decoders for the universal primitive types X.509 uses
 * (X.690 §8.2 BOOLEAN, §8.3 INTEGER, §8.4 ENUMERATED, §8.6 BIT STRING,
 * §8.7 OCTET STRING, §8.19 OBJECT IDENTIFIER, restricted character strings).
 * Every decoder checks the tag and raises a coded ParseError on malformed input.
 */
import type { ErrorCode } from '../errors.js';
import { byteString, toHex, tryUtf8Decode } from '../lib/bytes.js';
import { BytesMap } from '../lib/bytes-map.js';
import { type DerNode, Tag, derFail, expectTag } from './tlv.js';

function primitive(node: DerNode, tag: number, field: string, code: ErrorCode): Uint8Array {
  expectTag(node, tag, field, code);
  return node.value;
}

/** BOOLEAN: one octet, 0x00 or 0xFF in DER (X.690 §11.1). */
export function derBoolean(node: DerNode, field: string, code: ErrorCode = 'DerParse'): boolean {
  const v = primitive(node, Tag.BOOLEAN, field, code);
  if (v.length !== 1 || (v[0] !== 0x00 && v[0] !== 0xff)) {
    derFail(code, 'der.boolean', field, 'BOOLEAN must be one octet 0x00 or 0xFF', node.offset, { found: toHex(v) });
  }
  return v[0] === 0xff;
}

/** Checks the two's-complement contents of an INTEGER or ENUMERATED for minimality (X.690 §8.3.2). */
function checkIntegerContents(v: Uint8Array, node: DerNode, field: string, code: ErrorCode): void {
  if (v.length === 0) derFail(code, 'der.integer', field, 'empty INTEGER', node.offset);
  if (v.length > 1) {
    const a = v[0]!;
    const b = v[1]!;
    if ((a === 0x00 && b < 0x80) || (a === 0xff && b >= 0x80)) {
      derFail(code, 'der.integer', field, 'non-minimal INTEGER encoding', node.offset, { found: toHex(v.subarray(0, 2)) });
    }
  }
}

/** INTEGER contents octets exactly as encoded (two's complement, minimal). */
export function derInteger(node: DerNode, field: string, code: ErrorCode = 'DerParse'): Uint8Array {
  const v = primitive(node, Tag.INTEGER, field, code);
  checkIntegerContents(v, node, field, code);
  return v;
}

/** True when the (minimal) INTEGER contents are negative. */
export function integerIsNegative(contents: Uint8Array): boolean {
  return contents.length > 0 && (contents[0]! & 0x80) !== 0;
}

/** Lower-case hex of a non-negative INTEGER's magnitude, without the sign octet. "0" → "00". */
export function integerMagnitudeHex(contents: Uint8Array): string {
  const mag = contents.length > 1 && contents[0] === 0 ? contents.subarray(1) : contents;
  return toHex(mag);
}

function smallNonNegative(v: Uint8Array, node: DerNode, field: string, code: ErrorCode, max: number): number {
  if (integerIsNegative(v)) derFail(code, 'der.integer', field, 'negative value', node.offset, { found: toHex(v) });
  if (v.length > 7) derFail(code, 'der.integer', field, 'value too large', node.offset, { expected: `<= ${max}`, found: toHex(v) });
  let n = 0;
  for (let i = 0; i < v.length; i++) n = n * 256 + v[i]!;
  if (n > max) derFail(code, 'der.integer', field, 'value out of range', node.offset, { expected: `<= ${max}`, found: String(n) });
  return n;
}

/** A non-negative INTEGER that fits in `max` (default 2^31 - 1). */
export function derSmallInteger(
  node: DerNode,
  field: string,
  code: ErrorCode = 'DerParse',
  max = 0x7fffffff,
): number {
  return smallNonNegative(derInteger(node, field, code), node, field, code, max);
}

/** A non-negative ENUMERATED value (same contents rules as INTEGER). */
export function derEnumerated(node: DerNode, field: string, code: ErrorCode = 'DerParse', max = 0x7fffffff): number {
  const v = primitive(node, Tag.ENUMERATED, field, code);
  checkIntegerContents(v, node, field, code);
  return smallNonNegative(v, node, field, code, max);
}

export function derOctetString(node: DerNode, field: string, code: ErrorCode = 'DerParse'): Uint8Array {
  return primitive(node, Tag.OCTET_STRING, field, code);
}

export function derNull(node: DerNode, field: string, code: ErrorCode = 'DerParse'): void {
  const v = primitive(node, Tag.NULL, field, code);
  if (v.length !== 0) derFail(code, 'der.null', field, 'NULL must be empty', node.offset);
}

export interface BitString {
  readonly unusedBits: number;
  /** The bit octets, first octet holding bits 0..7 (MSB first). */
  readonly bytes: Uint8Array;
}

/** BIT STRING (X.690 §8.6, §11.2): unused-bit count 0..7, zero when empty, padding bits zero. */
export function derBitString(node: DerNode, field: string, code: ErrorCode = 'DerParse', tag: number = Tag.BIT_STRING): BitString {
  // `tag`: an IMPLICIT tag standing for BIT STRING (X.509 unique identifiers [1], [2]).
  const v = primitive(node, tag, field, code);
  if (v.length === 0) derFail(code, 'der.bitString', field, 'missing unused-bits octet', node.offset);
  const unused = v[0]!;
  if (unused > 7) derFail(code, 'der.bitString', field, 'unused-bit count above 7', node.offset, { found: String(unused) });
  const bytes = v.subarray(1);
  if (bytes.length === 0 && unused !== 0) {
    derFail(code, 'der.bitString', field, 'empty BIT STRING with unused bits', node.offset);
  }
  if (unused !== 0 && (bytes[bytes.length - 1]! & ((1 << unused) - 1)) !== 0) {
    derFail(code, 'der.bitString', field, 'non-zero padding bits', node.offset);
  }
  return { unusedBits: unused, bytes };
}

/** BIT STRING holding whole octets (keys, signatures): unused bits must be 0. */
export function derBitStringBytes(node: DerNode, field: string, code: ErrorCode = 'DerParse'): Uint8Array {
  const bs = derBitString(node, field, code);
  if (bs.unusedBits !== 0) {
    derFail(code, 'der.bitString', field, 'BIT STRING must not have unused bits', node.offset, {
      expected: '0',
      found: String(bs.unusedBits),
    });
  }
  return bs.bytes;
}

/** Largest sub-identifier accepted (keeps arithmetic exact in a double). */
const MAX_ARC = 2 ** 48;

/** Decodes OBJECT IDENTIFIER contents to dotted form (X.690 §8.19). */
export function oidFromContents(v: Uint8Array, node: DerNode, field: string, code: ErrorCode): string {
  const known = v.length <= MAX_MEMO_OID ? oidTexts.get(v) : undefined;
  if (known !== undefined) return known;
  const text = decodeOid(v, node, field, code);
  if (v.length <= MAX_MEMO_OID) oidTexts.set([v], text);
  return text;
}

/**
 * Dotted forms of OBJECT IDENTIFIER contents already validated, keyed by the
 * exact content octets (a private copy, compared on every hit): a pure
 * function of those bytes, and certificates repeat the same few dozen OIDs.
 */
const oidTexts = new BytesMap<string>(256);
const MAX_MEMO_OID = 32;

function decodeOid(v: Uint8Array, node: DerNode, field: string, code: ErrorCode): string {
  if (v.length === 0) derFail(code, 'der.oid', field, 'empty OBJECT IDENTIFIER', node.offset);
  if ((v[v.length - 1]! & 0x80) !== 0) derFail(code, 'der.oid', field, 'truncated sub-identifier', node.offset);
  const arcs: string[] = [];
  let cur = 0;
  let start = true;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    // X.690 §8.19.2: sub-identifiers use the fewest octets, so no leading 0x80.
    if (start && b === 0x80) derFail(code, 'der.oid', field, 'non-minimal sub-identifier', node.offset);
    cur = cur * 128 + (b & 0x7f);
    if (cur > MAX_ARC) derFail(code, 'der.oid', field, 'sub-identifier too large', node.offset);
    start = (b & 0x80) === 0;
    if (start) {
      if (arcs.length === 0) {
        // X.690 §8.19.4: the first sub-identifier packs the first two arcs.
        if (cur < 40) arcs.push('0', String(cur));
        else if (cur < 80) arcs.push('1', String(cur - 40));
        else arcs.push('2', String(cur - 80));
      } else {
        arcs.push(String(cur));
      }
      cur = 0;
    }
  }
  return arcs.join('.');
}

export function derOid(node: DerNode, field: string, code: ErrorCode = 'DerParse'): string {
  return oidFromContents(primitive(node, Tag.OID, field, code), node, field, code);
}

function isPrintable(c: number): boolean {
  // X.680 §41.4 PrintableString: A-Z a-z 0-9 space ' ( ) + , - . / : = ?
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x20 ||
    (c >= 0x27 && c <= 0x29) ||
    (c >= 0x2b && c <= 0x2f) ||
    c === 0x3a ||
    c === 0x3d ||
    c === 0x3f
  );
}

/** ASCII (IA5) contents to a string, or undefined if any octet is above 0x7F. */
export function asciiOrUndefined(v: Uint8Array): string | undefined {
  for (let i = 0; i < v.length; i++) if (v[i]! > 0x7f) return undefined;
  return byteString(v);
}

/** Decodes a UTF8String, PrintableString or IA5String (primitive only, charset checked). */
export function derString(node: DerNode, field: string, code: ErrorCode = 'DerParse'): string {
  const v = node.value;
  switch (node.tag) {
    case Tag.UTF8String: {
      const s = tryUtf8Decode(v);
      if (s === undefined) derFail(code, 'der.string', field, 'invalid UTF-8 in UTF8String', node.offset);
      return s;
    }
    case Tag.PrintableString:
      for (let i = 0; i < v.length; i++) {
        if (!isPrintable(v[i]!)) {
          derFail(code, 'der.string', field, 'invalid PrintableString character', node.offset, { found: toHex(v.subarray(i, i + 1)) });
        }
      }
      return byteString(v);
    case Tag.IA5String: {
      const s = asciiOrUndefined(v);
      if (s === undefined) derFail(code, 'der.string', field, 'non-ASCII octet in IA5String', node.offset);
      return s;
    }
    default:
      return derFail(code, 'der.tag', field, 'expected UTF8String, PrintableString or IA5String', node.offset, {
        found: '0x' + node.tag.toString(16).padStart(2, '0'),
      });
  }
}
