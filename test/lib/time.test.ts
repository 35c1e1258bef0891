/**
 * parseIsoSeconds: Intel's date form (`2025-06-19T10:56:11Z`) is read by a
 * fast path without a regular expression or a Date (issue #15: TCB Info has a
 * date per level); it must agree with the general RFC 3339 path on every
 * value, refuse what that path refuses, and count years before 100 as the
 * proleptic Gregorian calendar (not as 19xx, Date.UTC's legacy mapping).
 */
import { describe, expect, it } from 'vitest';
import { parseIsoSeconds } from '../../src/lib/time.js';

/** Reference: unix seconds of a calendar date-time through setUTCFullYear (no 19xx mapping), or undefined when not a real date. */
function reference(y: number, mo: number, d: number, h: number, mi: number, s: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return undefined;
  return t.getTime() / 1000;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

describe('parseIsoSeconds', () => {
  it('agrees with the calendar on every day of the boundary years, leap rules included', () => {
    let checked = 0;
    for (const y of [1, 4, 99, 100, 1600, 1899, 1900, 1969, 1970, 2000, 2024, 2025, 2100, 2400, 9999]) {
      for (let mo = 0; mo <= 13; mo++) {
        for (let d = 0; d <= 32; d++) {
          for (const [h, mi, s] of [[0, 0, 0], [23, 59, 59], [24, 0, 0], [12, 60, 0], [12, 0, 60]] as const) {
            const text = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}Z`;
            expect(parseIsoSeconds(text), text).toBe(reference(y, mo, d, h, mi, s));
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(15 * 14 * 33 * 5);
  });

  it('Intel dates and the general forms give the same instant', () => {
    expect(parseIsoSeconds('2025-06-19T10:56:11Z')).toBe(Date.UTC(2025, 5, 19, 10, 56, 11) / 1000);
    expect(parseIsoSeconds('2025-06-19T10:56:11.999Z')).toBe(Date.UTC(2025, 5, 19, 10, 56, 11) / 1000);
    expect(parseIsoSeconds('2025-06-19T12:56:11+02:00')).toBe(Date.UTC(2025, 5, 19, 10, 56, 11) / 1000);
    expect(parseIsoSeconds('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29) / 1000);
  });

  it('refuses malformed text of the fast form\'s length', () => {
    for (const bad of ['2025-02-29T00:00:00Z', '2025-06-19T10:56:11z', '2025-06-19 10:56:11Z', '2025-0a-19T10:56:11Z', '+025-06-19T10:56:11Z', '2025-06-19T10:56:1１Z', '２025-06-19T10:56:11Z']) {
      expect(parseIsoSeconds(bad), bad).toBeUndefined();
    }
  });
});
