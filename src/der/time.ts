/**
 * UTCTime and GeneralizedTime in the strict forms RFC 5280 §4.1.2.5 requires:
 *   UTCTime          YYMMDDHHMMSSZ    (§4.1.2.5.1; YY >= 50 → 19YY, else 20YY)
 *   GeneralizedTime  YYYYMMDDHHMMSSZ  (§4.1.2.5.2; no fractional seconds)
 * Both must be in Zulu time with seconds present. Values map to unix seconds
 * without going through Date (no RangeError for any input).
 */
import type { ErrorCode } from '../errors.js';
import { type DerNode, Tag, derFail } from './tlv.js';

function digits(v: Uint8Array, from: number, n: number): number {
  let x = 0;
  for (let i = from; i < from + n; i++) {
    const c = v[i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    x = x * 10 + c;
  }
  return x;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Unix seconds for a UTC calendar time; undefined if any field is out of range. */
export function unixFromParts(y: number, mo: number, d: number, h: number, mi: number, s: number): number | undefined {
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return undefined;
  const dim = mo === 2 && isLeap(y) ? 29 : MONTH_DAYS[mo - 1]!;
  if (d > dim) return undefined;
  return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
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
