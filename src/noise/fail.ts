/** Coded failures of the Noise channel (src/noise/): one AttestationError subclass per kind of code. */
import { AttestationError, ErrorCodes, ParseError, VerifyError, type ErrorCode, type Evidence } from '../errors.js';

export function noiseFail(code: ErrorCode, message: string, evidence: Evidence, cause?: unknown): never {
  const kind = ErrorCodes[code];
  const options = cause === undefined ? undefined : { cause };
  if (kind === 'parse') throw new ParseError(code, message, evidence, options);
  if (kind === 'verify') throw new VerifyError(code, message, evidence, options);
  throw new AttestationError(code, message, evidence, options);
}
