/**
 * Run counts for the property / fuzz / mutation suites.
 *
 * Fast files (*.test.ts) use the fixed counts they name. Slow files
 * (*.slow.test.ts, `npm run test:fuzz`) call `slowRuns(fast)`: the env
 * variable FUZZ_RUNS when set (an absolute number of runs per property),
 * else 10 × the fast count.
 */
export function slowRuns(fast: number): number {
  const env = process.env['FUZZ_RUNS'];
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new Error(`FUZZ_RUNS must be a positive integer, got ${env}`);
    return n;
  }
  return 10 * fast;
}

/** A fixed seed unless FUZZ_SEED is set (fast-check prints the seed of any failure). */
export function fuzzSeed(): number | undefined {
  const env = process.env['FUZZ_SEED'];
  return env === undefined || env === '' ? undefined : Number(env);
}
