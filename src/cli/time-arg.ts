/**
 * `--at` on the command line: the verification time, and the clock handed to
 * collateral sources and caches (so a cache judges freshness at the same time
 * the verification does).
 *
 * Accepted: `now` (the default), unix seconds (`1752919277`), a date
 * (`2025-07-19`, midnight UTC), a date-time with a zone
 * (`2025-07-19T10:00:00Z`, `2025-07-19T12:00:00+02:00`). A number that looks
 * like milliseconds is refused with that reason; a date-time without a zone is
 * refused (it would silently depend on the machine's zone).
 */
import { isAttestationError } from '../errors.js';
import { parseDateOnlySeconds, toUnixSeconds, type Clock } from '../lib/time.js';
import { usage } from './args.js';

export const AT_FORMS = 'now, unix seconds (1752919277), a date (2025-07-19, midnight UTC) or a date-time with a zone (2025-07-19T10:00:00Z, 2025-07-19T12:00:00+02:00)';

/** Unix seconds for an `--at` value; `now` reads `now()`. Usage error (naming `--flag`) otherwise. */
export function parseAtArg(value: string | undefined, now: () => number, flag = '--at'): number {
  if (value === undefined || value === 'now') return now();
  const date = parseDateOnlySeconds(value);
  if (date !== undefined) return date;
  try {
    return toUnixSeconds(value, flag);
  } catch (e) {
    if (!isAttestationError(e)) throw e;
    if (/^\d+$/.test(value) && Number(value) >= 1e11) {
      throw usage(`${flag} ${value} looks like milliseconds; give unix seconds (${Math.floor(Number(value) / 1000)}?). Accepted: ${AT_FORMS}`, flag);
    }
    if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(value)) {
      throw usage(`${flag} ${JSON.stringify(value)} has no time zone; add Z or an offset. Accepted: ${AT_FORMS}`, flag);
    }
    throw usage(`${flag}: cannot read ${JSON.stringify(value.slice(0, 40))} as a time. Accepted: ${AT_FORMS}`, flag);
  }
}

/** The system time in unix seconds (the CLI's edge; the core never reads a clock). */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The clock a collateral source or cache gets: the verification time, fixed (util/time.ts Clock, seconds). */
export function clockAt(at: number): Clock {
  return () => at;
}
