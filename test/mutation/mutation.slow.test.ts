/**
 * Mutation testing, exhaustive (`npm run test:fuzz`): every position of
 * every signed region of the real vectors that verify, each with every
 * mutation kind of its region (bit / byte flips, base64 and hex-digit
 * substitutions, JSON edits and re-serialisations), plus a FUZZ_RUNS-sized
 * random sample of each factory scenario's regions. Nothing may be accepted.
 *
 * MUTATION_STRIDE=n visits every n-th position only (a quick smoke run of
 * this file); the default 1 visits all of them.
 */
import { describe, expect, it } from 'vitest';
import { attempt, memoBackend, prepare, regionsOf, rng, Stats, type Region, type RunContext } from './mutate.js';
import { factoryBases, realBases } from './targets.js';
import { slowRuns } from '../fuzz/runs.js';

const STRIDE = Math.max(1, Number(process.env['MUTATION_STRIDE'] ?? 1) || 1);

/** The first non-excluded mutation of (pos, kind), varying the mask / replacement with the position. */
function firstMutation(region: Region, pos: number, kind: string) {
  for (let k = 0; k < 12; k++) {
    const input = region.make(pos, kind, pos + k);
    if (input !== undefined) return input;
  }
  return undefined;
}

describe('every position of every signed region of the real vectors', () => {
  const stats = new Stats();
  for (const base of realBases()) {
    it(base.name, async () => {
      const crypto = memoBackend();
      const { parsed, baseline } = await prepare(base, crypto);
      const ctx: RunContext = { base, crypto, baseline };
      for (const region of regionsOf(base, parsed)) {
        for (let pos = 0; pos < region.size; pos += STRIDE) {
          for (const kind of region.kinds) {
            const input = firstMutation(region, pos, kind);
            if (input === undefined) {
              stats.tally(region).excluded++;
              continue;
            }
            await attempt(ctx, region, input, `${region.region}[${pos}] ${kind}`, stats);
          }
        }
      }
      expect(stats.total('quote').accepted + stats.total('collateral').accepted, stats.acceptedSamples.join('\n')).toBe(0);
    });
  }

  it('summary', () => {
    console.log(stats.table(`exhaustive mutation of the real vectors (stride ${STRIDE})`));
    expect(stats.total('quote').accepted).toBe(0);
    expect(stats.total('collateral').accepted).toBe(0);
  });
});

describe('random mutations of the factory scenarios (FUZZ_RUNS per region)', () => {
  const stats = new Stats();
  const perRegion = slowRuns(14);
  for (const base of factoryBases()) {
    it(base.name, async () => {
      const crypto = memoBackend();
      const { parsed, baseline } = await prepare(base, crypto);
      const ctx: RunContext = { base, crypto, baseline };
      const next = rng(0x5eed ^ base.name.length);
      for (const region of regionsOf(base, parsed)) {
        let done = 0;
        for (let tries = 0; done < perRegion && tries < perRegion * 20; tries++) {
          const pos = next() % region.size;
          const kind = region.kinds[next() % region.kinds.length]!;
          const input = region.make(pos, kind, next());
          if (input === undefined) continue;
          await attempt(ctx, region, input, `${region.region}[${pos}] ${kind}`, stats);
          done++;
        }
      }
      expect(stats.total('quote').accepted + stats.total('collateral').accepted, stats.acceptedSamples.join('\n')).toBe(0);
    });
  }

  it('summary', () => {
    console.log(stats.table(`random mutation of the factory scenarios (${perRegion} per region)`));
    expect(stats.total('quote').accepted + stats.total('collateral').accepted).toBe(0);
  });
});
