/**
 * Throwing helpers for the SEV-SNP modules: the class follows from the code
 * (errors.ts `fail`), always with evidence.
 */
import { fail } from '../errors.js';

export { fail as snpFail };

/** ISO-8601 for evidence; never throws (falls back to the number). */
export function isoTime(t: number): string {
  if (!Number.isFinite(t) || Math.abs(t) > 8.64e12) return String(t);
  return new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

/** Validates a verification time (unix seconds) given by the caller. */
export function checkAt(at: unknown, check = 'options.at'): number {
  if (typeof at !== 'number' || !Number.isFinite(at)) {
    fail('InvalidArgument', 'verification time must be a finite number of unix seconds', { check, found: String(at) });
  }
  return at;
}
