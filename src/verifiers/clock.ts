/**
 * Time resolution for verifiers: an explicit `at` wins, then the injected
 * clock. The library itself never reads a clock (no Date.now() here), so a
 * verifier with neither refuses to run rather than guess.
 */
import { AttestationError } from '../errors.js';
import { toUnixSeconds } from '../util/time.js';
import type { VerifierClock } from './types.js';

export function resolveTime(at: number | string | Date | undefined, clock: VerifierClock | undefined, who: string): number {
  if (at !== undefined) return toUnixSeconds(at);
  if (clock !== undefined) return toUnixSeconds(clock());
  throw new AttestationError('InvalidArgument', `${who}: no verification time (pass options.at or inject a clock)`, {
    check: 'options.at',
    expected: 'options.at or a clock',
    found: 'neither',
  });
}
