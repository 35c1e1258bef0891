/** Coded failures of the provenance module (one AttestationError subclass per kind of code). */
import { ErrorCodes, type ErrorCode, type Evidence, attestationError } from '../errors.js';

export function provenanceFail(code: ErrorCode, message: string, evidence: Evidence, cause?: unknown): never {
  const kind = ErrorCodes[code];
  const options = cause === undefined ? undefined : { cause };
  if (kind === 'parse') throw attestationError(code, message, evidence, options);
  if (kind === 'verify') throw attestationError(code, message, evidence, options);
  throw attestationError(code, message, evidence, options);
}
