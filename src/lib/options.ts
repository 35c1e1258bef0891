/** Validation of numeric options, shared by the sources, caches and verifiers (clocks: util/time.ts readClock). */
import { attestationError } from '../errors.js';

/** An integer option ≥ `min` (default 1), or `dflt` when absent. `owner.name` names it in the evidence. */
export function integerOption(v: number | undefined, owner: string, name: string, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < min) {
    throw attestationError('InvalidArgument', `${owner}: ${name} must be an integer >= ${min}`, {
      check: `${owner}.${name}`,
      found: String(v),
    });
  }
  return v;
}
