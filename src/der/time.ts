/**
 * UTCTime and GeneralizedTime in the strict forms RFC 5280 §4.1.2.5 requires:
 *   UTCTime          YYMMDDHHMMSSZ    (§4.1.2.5.1; YY >= 50 → 19YY, else 20YY)
 *   GeneralizedTime  YYYYMMDDHHMMSSZ  (§4.1.2.5.2; no fractional seconds)
 * Both must be in Zulu time with seconds present. Values map to unix seconds
 * without going through Date (no RangeError for any input).
 */
import type { ErrorCode } from '../errors.js';
import { type DerNode, Tag, derFail } from './tlv.js';
import { unixFromParts } from '../lib/time.js';

function digits(v: Uint8Array, from: number, n: number): number {
  let x = 0;
  for (let i = from; i < from + n; i++) {
    const c = v[i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    x = x * 10 + c;
  }
  return x;
}

/** Decodes a UTCTime or GeneralizedTime node to unix seconds. */
export function derTime(node: DerNode, field: string, code: ErrorCode = 'DerParse'): number {
  const v = node.value;
  let year: number;
  let p: number;
  if (node.tag === Tag.UTCTime) {
    if (v.length !== 13 || v[12] !== 0x5a) {
      derFail(code, 'der.time', field, 'UTCTime must be YYMMDDHHMMSSZ', node.offset, { found: printable(v) });
    }
    const yy = digits(v, 0, 2);
    year = yy < 0 ? -1 : yy >= 50 ? 1900 + yy : 2000 + yy;
    p = 2;
  } else if (node.tag === Tag.GeneralizedTime) {
    if (v.length !== 15 || v[14] !== 0x5a) {
      derFail(code, 'der.time', field, 'GeneralizedTime must be YYYYMMDDHHMMSSZ', node.offset, { found: printable(v) });
    }
    year = digits(v, 0, 4);
    p = 4;
  } else {
    return derFail(code, 'der.tag', field, 'expected UTCTime or GeneralizedTime', node.offset, {
      found: '0x' + node.tag.toString(16).padStart(2, '0'),
    });
  }
  const t =
    year < 0
      ? undefined
      : unixFromParts(year, digits(v, p, 2), digits(v, p + 2, 2), digits(v, p + 4, 2), digits(v, p + 6, 2), digits(v, p + 8, 2));
  if (t === undefined) derFail(code, 'der.time', field, 'invalid date or time', node.offset, { found: printable(v) });
  return t;
}

function printable(v: Uint8Array): string {
  let s = '';
  for (let i = 0; i < v.length && i < 32; i++) {
    const c = v[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return s;
}
