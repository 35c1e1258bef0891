/**
 * Run counts and seeds for the property / fuzz / mutation suites.
 *
 * Fast files (*.test.ts) use the fixed counts they name. Slow files
 * (*.slow.test.ts, `npm run test:fuzz`) call `slowRuns(fast)`: the env
 * variable FUZZ_RUNS when set (an absolute number of runs per property),
 * else 10 × the fast count.
 *
 * Seeds: `npm test` is deterministic. Every fast-check property runs with
 * DEFAULT_FUZZ_SEED (installed globally by test/support/fuzz-seed.ts), unless
 * FUZZ_SEED is set (replay one seed) or FUZZ_EXPLORE=1 (a fresh random seed
 * per file; `npm run test:fuzz` sets it). The seed in use is printed whenever
 * a property fails (fast-check's report names it; see fuzz-seed.ts).
 */
export const DEFAULT_FUZZ_SEED = 20_251_204;

export function slowRuns(fast: number): number {
  const env = process.env['FUZZ_RUNS'];
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new Error(`FUZZ_RUNS must be a positive integer, got ${env}`);
    return n;
  }
  return 10 * fast;
}

let exploreSeed: number | undefined;

/**
 * The seed for fast-check: FUZZ_SEED when set, a random one (chosen once per
 * file) under FUZZ_EXPLORE=1, else the fixed DEFAULT_FUZZ_SEED.
 */
export function fuzzSeed(): number {
  const env = process.env['FUZZ_SEED'];
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || Math.abs(n) > 2 ** 31) throw new Error(`FUZZ_SEED must be a 32-bit integer, got ${env}`);
    return n;
  }
  if (process.env['FUZZ_EXPLORE'] === '1') {
    exploreSeed ??= (Math.random() * 2 ** 32) | 0;
    return exploreSeed;
  }
  return DEFAULT_FUZZ_SEED;
}
