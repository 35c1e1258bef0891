/**
 * Time resolution for verifiers: an explicit `at` wins, then the injected
 * clock (util/time.ts: one `Clock` type for the library). A verifier with
 * neither refuses to run rather than guess.
 */
import { attestationError } from '../errors.js';
import { readClock, toUnixSeconds, type Clock, type TimeInput } from '../lib/time.js';

export function resolveTime(at: TimeInput | undefined, clock: Clock | undefined, who: string): number {
  if (at !== undefined) return toUnixSeconds(at);
  if (clock !== undefined) return readClock(clock, who);
  throw attestationError('InvalidArgument', `${who}: no verification time (pass options.at or inject a clock)`, {
    check: 'options.at',
    expected: 'options.at or a clock',
    found: 'neither',
  });
}
