/** CollateralFetch errors: one constructor per failure, so evidence.check names stay stable. */
import { VerifyError } from '../../errors.js';

export type FetchFailure = 'status' | 'timeout' | 'network' | 'bodyTooLarge' | 'redirect' | 'aborted';

/** evidence.check is `http.<failure>`, evidence.field names the resource (tcbInfo, qeIdentity, pckCrl, rootCaCrl). */
export function fetchError(
  failure: FetchFailure,
  what: string,
  message: string,
  extra: { expected?: string; found?: string } = {},
  cause?: unknown,
): VerifyError {
  return new VerifyError('CollateralFetch', `${what}: ${message}`, { check: `http.${failure}`, field: what, ...extra }, cause === undefined ? undefined : { cause });
}
