/**
 * Throwing helpers for the SEV-SNP modules: one AttestationError subclass per
 * kind of code (ParseError, VerifyError, AttestationError for usage errors),
 * always with evidence.
 */
import { ErrorCodes, type ErrorCode, type Evidence, attestationError } from '../errors.js';

export function snpFail(code: ErrorCode, message: string, evidence: Evidence, cause?: unknown): never {
  const kind = ErrorCodes[code];
  const options = cause === undefined ? undefined : { cause };
  if (kind === 'parse') throw attestationError(code, message, evidence, options);
  if (kind === 'verify') throw attestationError(code, message, evidence, options);
  throw attestationError(code, message, evidence, options);
}

/** ISO-8601 for evidence; never throws (falls back to the number). */
export function isoTime(t: number): string {
  if (!Number.isFinite(t) || Math.abs(t) > 8.64e12) return String(t);
  return new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

/** Validates a verification time (unix seconds) given by the caller. */
export function checkAt(at: unknown, check = 'options.at'): number {
  if (typeof at !== 'number' || !Number.isFinite(at)) {
    snpFail('InvalidArgument', 'verification time must be a finite number of unix seconds', { check, found: String(at) });
  }
  return at;
}
