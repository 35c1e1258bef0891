/**
 * Time handling. The verification path never reads a clock: callers pass `at`
 * (unix seconds), which `toUnixSeconds` normalises from the accepted forms.
 */
import { AttestationError } from '../errors.js';

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Strict ISO-8601 / RFC 3339 date-time (as Intel's collateral uses:
 * `2025-06-19T10:56:11Z`) to unix seconds (fraction truncated). Returns
 * undefined when malformed or out of range (e.g. month 13, Feb 30).
 */
export function parseIsoSeconds(s: string): number | undefined {
  const m = ISO_RE.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  const check = new Date(ms);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return undefined;
  let secs = Math.floor(ms / 1000);
  const tz = m[8]!;
  if (tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const th = Number(tz.slice(1, 3));
    const tm = Number(tz.slice(4, 6));
    if (th > 23 || tm > 59) return undefined;
    secs -= sign * (th * 3600 + tm * 60);
  }
  return secs;
}

export function isoFromSeconds(secs: number): string {
  return new Date(secs * 1000).toISOString().replace('.000Z', 'Z');
}

/** Accepts unix seconds (number or digit string), an ISO date string or a Date. */
export function toUnixSeconds(at: number | string | Date): number {
  if (at instanceof Date) {
    const t = at.getTime();
    if (Number.isFinite(t)) return Math.floor(t / 1000);
  } else if (typeof at === 'number') {
    if (Number.isFinite(at) && at >= 0) return Math.floor(at);
  } else if (typeof at === 'string') {
    if (/^\d{1,12}$/.test(at)) return Number(at);
    const s = parseIsoSeconds(at);
    if (s !== undefined) return s;
  }
  throw new AttestationError('InvalidArgument', `invalid time: ${String(at)}`, {
    check: 'options.at',
    found: String(at),
  });
}
