/**
 * Mutation testing, fast subset: a seeded sample of single-byte / single-
 * character changes in every signed region of the real vectors that verify
 * and of three factory scenarios. Every mutation must make verification fail
 * with an AttestationError (kind parse or verify): never succeed, never throw
 * anything else. The exhaustive run (every byte of every region of the real
 * vectors) is mutation.slow.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { VerificationCache } from '../../src/verify/cache.js';
import { webCryptoBackend } from '../../src/crypto/webcrypto.js';
import { attempt, memoBackend, prepare, regionsOf, rng, Stats, verifyBase, type RunContext } from './mutate.js';
import { factoryBases, realBases, type Base } from './targets.js';

/** Mutations per (base, region). */
const PER_REGION = 14;

function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

async function sample(base: Base, stats: Stats, perRegion: number, ctxExtra: Partial<RunContext> = {}): Promise<void> {
  const crypto = memoBackend();
  const { parsed, baseline } = await prepare(base, crypto);
  const ctx: RunContext = { base, crypto, baseline, ...ctxExtra };
  const next = rng(seedOf(base.name));
  for (const region of regionsOf(base, parsed)) {
    let done = 0;
    for (let tries = 0; done < perRegion && tries < perRegion * 20; tries++) {
      const pos = next() % region.size;
      const kind = region.kinds[next() % region.kinds.length]!;
      const input = region.make(pos, kind, next());
      if (input === undefined) {
        stats.tally(region).excluded++;
        continue;
      }
      await attempt(ctx, region, input, `${region.region}[${pos}] ${kind}`, stats);
      done++;
    }
  }
}

describe('mutations of signed regions are never accepted (seeded sample)', () => {
  const stats = new Stats();
  const bases = [...realBases(), ...factoryBases()];

  it('the bases: three real vectors that verify, three factory scenarios', () => {
    expect(bases.filter((b) => b.real).map((b) => b.name)).toEqual([
      'dcap-qvl sgx_quote (SGX v3)',
      'dcap-qvl tdx_quote (TDX v4, TD 1.0)',
      'dcap-qvl near quote (TDX v4, hex text)',
    ]);
  });

  for (const base of bases) {
    it(base.name, async () => {
      const before = stats.total();
      await sample(base, stats, PER_REGION);
      const after = stats.total();
      expect(after.attempted - before.attempted).toBeGreaterThan(100);
      expect(stats.total('quote').accepted + stats.total('collateral').accepted, stats.acceptedSamples.join('\n')).toBe(0);
    });
  }

  it('summary: attempted / accepted per region', () => {
    console.log(stats.table(`mutation sample (${PER_REGION} per base and region, ${bases.length} bases)`));
    const signed = stats.total('quote').attempted + stats.total('collateral').attempted;
    expect(signed).toBeGreaterThan(1000);
    expect(stats.total('quote').accepted).toBe(0);
    expect(stats.total('collateral').accepted).toBe(0);
  });
});

describe('the warm path: a shared VerificationCache never turns a mutation into a success', () => {
  it('factory TDX v4 and the dcap-qvl tdx_quote, verified once, then mutated', async () => {
    const stats = new Stats();
    const cache = new VerificationCache();
    for (const base of [factoryBases()[0]!, realBases()[1]!]) {
      const crypto = webCryptoBackend();
      // Warm the cache with the genuine input, in both the raw and the parsed form.
      await verifyBase(base, { quote: base.quote, collateral: base.collateral }, crypto, cache);
      await sample(base, stats, 3, { cache, crypto });
      await verifyBase(base, { quote: base.quote, collateral: base.collateral }, crypto, cache);
    }
    expect(stats.total('quote').accepted + stats.total('collateral').accepted, stats.acceptedSamples.join('\n')).toBe(0);
    expect(stats.total().attempted).toBeGreaterThan(100);
  });
});
