/** Validation of numeric options and injected clocks, shared by the sources, caches and verifiers. */
import { AttestationError } from '../errors.js';

/** An integer option ≥ `min` (default 1), or `dflt` when absent. `owner.name` names it in the evidence. */
export function integerOption(v: number | undefined, owner: string, name: string, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new AttestationError('InvalidArgument', `${owner}: ${name} must be an integer >= ${min}`, {
      check: `${owner}.${name}`,
      found: String(v),
    });
  }
  return v;
}

/** Reads an injected millisecond clock as unix seconds; a clock that returns garbage is the caller's error. */
export function clockSeconds(clock: () => number, owner: string): number {
  const ms = clock();
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new AttestationError('InvalidArgument', `${owner}: clock() must return milliseconds since the epoch`, {
      check: `${owner}.clock`,
      found: String(ms),
    });
  }
  return Math.floor(ms / 1000);
}
