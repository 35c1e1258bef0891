/**
 * Time: one type for the whole library.
 *
 * - `TimeInput` is a point in time as callers give it: unix seconds (number or
 *   digit string), an RFC 3339 date-time string, or a `Date`.
 * - `Clock` is an injected time source returning unix seconds or a `Date`.
 *   Every component that needs "now" (verifiers, collateral sources and
 *   caches, the connector) takes a `Clock`; the pure verification core takes
 *   an explicit `at` and reads no clock.
 *
 * A number that looks like milliseconds (≥ 10^11, i.e. after the year 5138 as
 * seconds) is refused with `InvalidArgument` rather than read as a date
 * tens of thousands of years away: `Date.now` is not a `Clock`.
 */
import { attestationError } from '../errors.js';

/** Unix seconds, an RFC 3339 date-time string, or a Date. */
export type TimeInput = number | string | Date;

/** An injected time source: unix seconds or a Date. */
export type Clock = () => number | Date;

/** The system clock, for the edges of the library (verifier defaults, CLI). Never used by the pure core. */
export const systemClock: Clock = () => new Date();

/** Numbers at or above this are milliseconds, not seconds (year 5138 as seconds). */
export const MILLISECONDS_THRESHOLD = 1e11;

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

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

/** Two ASCII digits at i as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The form Intel's collateral uses for every date (`2025-06-19T10:56:11Z`,
 * 20 characters, UTC), read without a regular expression or a Date; any
 * other form goes through the general parser below.
 */
function fastUtcSeconds(s: string): number | undefined {
  if (s.length !== 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 90) {
    return undefined;
  }
  const hi = two(s, 0);
  const lo = two(s, 2);
  const mo = two(s, 5);
  const d = two(s, 8);
  const h = two(s, 11);
  const mi = two(s, 14);
  const se = two(s, 17);
  if (hi < 0 || lo < 0) return Number.NaN;
  return unixFromParts(hi * 100 + lo, mo, d, h, mi, se) ?? Number.NaN;
}

/**
 * Strict ISO-8601 / RFC 3339 date-time (as Intel's collateral uses:
 * `2025-06-19T10:56:11Z`) to unix seconds (fraction truncated). Returns
 * undefined when malformed or out of range (e.g. month 13, Feb 30).
 */
export function parseIsoSeconds(s: string): number | undefined {
  if (typeof s === 'string') {
    const fast = fastUtcSeconds(s);
    if (fast !== undefined) return Number.isNaN(fast) ? undefined : fast;
  }
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

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar date `YYYY-MM-DD` (ISO 8601 / RFC 3339 full-date) to the unix
 * seconds of its midnight UTC. Returns undefined when malformed or not a real
 * date (month 13, Feb 30). For command lines and configuration; `TimeInput`
 * itself does not accept a bare date.
 */
export function parseDateOnlySeconds(s: string): number | undefined {
  const m = DATE_RE.exec(s);
  if (m === null) return undefined;
  return parseIsoSeconds(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
}

export function isoFromSeconds(secs: number): string {
  return new Date(secs * 1000).toISOString().replace('.000Z', 'Z');
}

const ACCEPTED = 'unix seconds, an RFC 3339 date-time (2025-07-19T10:00:00Z) or a Date';

/**
 * Normalises a `TimeInput` to unix seconds. `check` names the option in the
 * error evidence (default `options.at`).
 */
export function toUnixSeconds(at: TimeInput, check = 'options.at'): number {
  if (at instanceof Date) {
    const t = at.getTime();
    if (Number.isFinite(t) && t >= 0) return Math.floor(t / 1000);
  } else if (typeof at === 'number') {
    if (Number.isFinite(at) && at >= MILLISECONDS_THRESHOLD) {
      throw attestationError('InvalidArgument', `${check}: ${at} looks like milliseconds; pass unix seconds (${ACCEPTED})`, {
        check,
        expected: 'unix seconds',
        found: String(at),
      });
    }
    if (Number.isFinite(at) && at >= 0) return Math.floor(at);
  } else if (typeof at === 'string') {
    if (/^\d{1,12}$/.test(at)) return toUnixSeconds(Number(at), check);
    const s = parseIsoSeconds(at);
    if (s !== undefined) return s;
  }
  throw attestationError('InvalidArgument', `${check}: invalid time ${describe(at)}; expected ${ACCEPTED}`, {
    check,
    expected: ACCEPTED,
    found: describe(at),
  });
}

/** Reads an injected `Clock` as unix seconds; a clock returning garbage (or milliseconds) is `InvalidArgument`. */
export function readClock(clock: Clock, owner: string): number {
  if (typeof clock !== 'function') {
    throw attestationError('InvalidArgument', `${owner}: clock must be a function returning unix seconds or a Date`, {
      check: `${owner}.clock`,
      found: typeof clock,
    });
  }
  return toUnixSeconds(clock(), `${owner}.clock`);
}


function describe(v: unknown): string {
  if (v instanceof Date) return 'Invalid Date';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
