/**
 * Strict DER tag-length-value reader (ITU-T X.690 §8.1 and §10.1).
 *
 * Accepted: single-octet identifiers (tag numbers 0..30), definite lengths in
 * the shortest form, at most 4 length octets. Rejected with a coded ParseError:
 * high-tag-number form, indefinite length (0x80), non-minimal length octets,
 * lengths past the end of the buffer, trailing bytes after the top-level TLV,
 * and nesting deeper than DER_MAX_DEPTH. Nothing here throws RangeError or
 * TypeError: every index is checked before it is read.
 */
import { type ErrorCode, attestationError } from '../errors.js';

/** Maximum nesting depth `derChildren` will descend to. X.509 needs about 10. */
export const DER_MAX_DEPTH = 32;

/** Universal tags (full identifier octet, class and constructed bit included). */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  T61String: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export interface DerNode {
  /** The identifier octet (class bits, constructed bit and tag number), e.g. 0x30, 0xa0. */
  readonly tag: number;
  readonly constructed: boolean;
  /** Offset of the identifier octet in the buffer given to `readDer`. */
  readonly offset: number;
  /** Identifier plus length octets. */
  readonly headerLength: number;
  /** Contents octets (a subarray view). */
  readonly value: Uint8Array;
  /** The whole TLV (a subarray view). */
  readonly raw: Uint8Array;
  /** Nesting depth: 0 for the node returned by `readDer`. */
  readonly depth: number;
}

export function derFail(
  code: ErrorCode,
  check: string,
  field: string,
  message: string,
  offset?: number,
  extra?: { expected?: string; found?: string },
): never {
  throw attestationError(code, `${field}: ${message}`, {
    check,
    field,
    offset,
    ...extra,
  });
}

/**
 * A parsed TLV. Its `value` and `raw` views are made on first use: a
 * certificate has about seventy TLVs and most are only walked through, so
 * building two subarrays for each would cost more than reading them.
 */
class Node implements DerNode {
  private v: Uint8Array | undefined;
  private r: Uint8Array | undefined;
  constructor(
    readonly tag: number,
    readonly offset: number,
    readonly headerLength: number,
    readonly depth: number,
    /** The buffer the TLV lies in, its start there, and its contents length. */
    readonly buf: Uint8Array,
    readonly pos: number,
    readonly len: number,
  ) {}

  get constructed(): boolean {
    return (this.tag & 0x20) !== 0;
  }

  get value(): Uint8Array {
    return (this.v ??= this.buf.subarray(this.pos + this.headerLength, this.pos + this.headerLength + this.len));
  }

  get raw(): Uint8Array {
    return (this.r ??= this.buf.subarray(this.pos, this.pos + this.headerLength + this.len));
  }
}

/**
 * Reads one TLV starting at `pos` inside `buf`, which must end at or before `end`.
 * `base` is the absolute offset of `buf[0]` for error evidence.
 */
function readTlv(
  buf: Uint8Array,
  pos: number,
  end: number,
  base: number,
  depth: number,
  code: ErrorCode,
  field: string,
): Node {
  const at = base + pos;
  if (pos >= end) derFail(code, 'der.tag', field, 'truncated: missing identifier octet', at);
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) {
    derFail(code, 'der.tag', field, 'high-tag-number form is not supported', at, { found: hexByte(tag) });
  }
  if (pos + 1 >= end) derFail(code, 'der.length', field, 'truncated: missing length octet', at);
  const first = buf[pos + 1]!;
  let len: number;
  let hdr: number;
  if (first < 0x80) {
    len = first;
    hdr = 2;
  } else {
    const n = first & 0x7f;
    if (n === 0) derFail(code, 'der.length', field, 'indefinite length is not DER', at);
    if (n > 4) derFail(code, 'der.length', field, `length uses ${n} octets (max 4)`, at);
    if (pos + 2 + n > end) derFail(code, 'der.length', field, 'truncated length octets', at);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + 2 + i]!;
    // X.690 §10.1: the definite form must use the minimum number of octets.
    if (buf[pos + 2]! === 0 || len < 0x80) {
      derFail(code, 'der.length', field, 'non-minimal length encoding', at, { found: String(len) });
    }
    hdr = 2 + n;
  }
  const valueStart = pos + hdr;
  if (len > end - valueStart) {
    derFail(code, 'der.length', field, 'length exceeds available bytes', at, {
      expected: `<= ${end - valueStart}`,
      found: String(len),
    });
  }
  return new Node(tag, at, hdr, depth, buf, pos, len);
}

function hexByte(b: number): string {
  return '0x' + b.toString(16).padStart(2, '0');
}

/** Parses exactly one TLV covering the whole buffer (no trailing bytes). */
export function readDer(buf: Uint8Array, code: ErrorCode = 'DerParse', field = 'der'): DerNode {
  if (!(buf instanceof Uint8Array)) derFail(code, 'der.input', field, 'input is not a Uint8Array');
  const node = readTlv(buf, 0, buf.length, 0, 0, code, field);
  if (node.raw.length !== buf.length) {
    derFail(code, 'der.trailing', field, `${buf.length - node.raw.length} trailing byte(s)`, node.raw.length, {
      expected: '0',
      found: String(buf.length - node.raw.length),
    });
  }
  return node;
}

/** The TLVs inside a constructed node; they must exactly fill its contents. */
export function derChildren(node: DerNode, code: ErrorCode = 'DerParse', field = 'der'): DerNode[] {
  if (!node.constructed) derFail(code, 'der.constructed', field, 'expected a constructed encoding', node.offset);
  const depth = node.depth + 1;
  if (depth > DER_MAX_DEPTH) {
    derFail(code, 'der.depth', field, `nesting deeper than ${DER_MAX_DEPTH}`, node.offset);
  }
  const out: DerNode[] = [];
  if (node instanceof Node) {
    // Children are read in place, in the buffer of their parent (no views made).
    const buf = node.buf;
    const base = node.offset - node.pos;
    const end = node.pos + node.headerLength + node.len;
    let pos = node.pos + node.headerLength;
    while (pos < end) {
      const child = readTlv(buf, pos, end, base, depth, code, field);
      out.push(child);
      pos += child.headerLength + child.len;
    }
    return out;
  }
  const v = node.value;
  const base = node.offset + node.headerLength;
  let pos = 0;
  while (pos < v.length) {
    const child = readTlv(v, pos, v.length, base, depth, code, field);
    out.push(child);
    pos += child.headerLength + child.len;
  }
  return out;
}

/** Asserts the identifier octet. */
export function expectTag(node: DerNode, tag: number, field: string, code: ErrorCode = 'DerParse'): DerNode {
  if (node.tag !== tag) {
    derFail(code, 'der.tag', field, 'unexpected tag', node.offset, { expected: hexByte(tag), found: hexByte(node.tag) });
  }
  return node;
}

/** Children of a SEQUENCE (tag 0x30), optionally with an exact or bounded count. */
export function derSequence(
  node: DerNode,
  field: string,
  code: ErrorCode = 'DerParse',
  count?: { min?: number; max?: number },
): DerNode[] {
  expectTag(node, Tag.SEQUENCE, field, code);
  const kids = derChildren(node, code, field);
  const min = count?.min ?? 0;
  const max = count?.max ?? Number.MAX_SAFE_INTEGER;
  if (kids.length < min || kids.length > max) {
    derFail(code, 'der.sequence', field, 'unexpected number of elements', node.offset, {
      expected: min === max ? String(min) : `${min}..${max === Number.MAX_SAFE_INTEGER ? 'n' : max}`,
      found: String(kids.length),
    });
  }
  return kids;
}
