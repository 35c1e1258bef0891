/**
 * CachedVerifier (TTL, key = SHA-256 of the quote, failures not cached,
 * bounded LRU, injected clock) and the insecure NoopVerifier test double.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { attestationError } from '../../src/errors.js';
import { NoopVerifier } from '../../src/testing/noop-verifier.js';
import { CachedVerifier } from '../../src/verifier/cached-verifier.js';
import type { RaTlsVerifier, VerificationResult, RaTlsVerifyOptions } from '../../src/verifier/types.js';
import { bin, rejectsWith, throwsWith } from '../ra-tls/helpers.js';

const QUOTE = bin('sqlx-ra-tls-fixture-tdx_quote.bin');

/** A fake verifier that counts calls and can be told to fail. */
function counting(opts: { fail?: () => boolean; expiresAt?: number } = {}): RaTlsVerifier & { calls: RaTlsVerifyOptions[] } {
  const calls: RaTlsVerifyOptions[] = [];
  return {
    name: 'fake',
    calls,
    async verify(quote: Uint8Array, o: RaTlsVerifyOptions = {}): Promise<VerificationResult> {
      calls.push(o);
      if (opts.fail?.()) throw attestationError('VerifierUnavailable', 'down');
      return { verifier: 'fake', quoteLength: quote.length, ...(opts.expiresAt === undefined ? {} : { expiresAt: opts.expiresAt }) } as unknown as VerificationResult;
    },
  };
}

describe('CachedVerifier', () => {
  it('caches by quote for the TTL (default 1 h), using each call’s `at`', async () => {
    const inner = counting();
    const c = new CachedVerifier(inner);
    expect(c.name).toBe('cached:fake');
    const r1 = await c.verify(QUOTE, { at: 1000 });
    const r2 = await c.verify(QUOTE.slice(), { at: 1000 + 3599 });
    expect(r2).toBe(r1);
    expect(inner.calls).toHaveLength(1);
    await c.verify(QUOTE, { at: 1000 + 3600 });
    expect(inner.calls).toHaveLength(2);
  });

  it('a different quote, runtimeData or userData is a different entry', async () => {
    const inner = counting();
    const c = new CachedVerifier(inner);
    await c.verify(QUOTE, { at: 1 });
    const other = QUOTE.slice();
    other[600] = other[600]! ^ 1;
    await c.verify(other, { at: 1 });
    await c.verify(QUOTE, { at: 1, runtimeData: Uint8Array.of(1) });
    await c.verify(QUOTE, { at: 1, userData: Uint8Array.of(1) });
    expect(inner.calls).toHaveLength(4);
    await c.verify(QUOTE, { at: 2, runtimeData: Uint8Array.of(1) });
    expect(inner.calls).toHaveLength(4);
  });

  it('failures are never cached', async () => {
    let down = true;
    const inner = counting({ fail: () => down });
    const c = new CachedVerifier(inner);
    await rejectsWith(c.verify(QUOTE, { at: 1 }), 'VerifierUnavailable');
    await rejectsWith(c.verify(QUOTE, { at: 2 }), 'VerifierUnavailable');
    down = false;
    await c.verify(QUOTE, { at: 3 });
    expect(inner.calls).toHaveLength(3);
    expect(c.size).toBe(1);
  });

  it('the result’s own expiry (collateral / token) bounds the entry', async () => {
    const inner = counting({ expiresAt: 1100 });
    const c = new CachedVerifier(inner, { ttlSeconds: 3600 });
    await c.verify(QUOTE, { at: 1000 });
    await c.verify(QUOTE, { at: 1099 });
    expect(inner.calls).toHaveLength(1);
    await c.verify(QUOTE, { at: 1100 });
    expect(inner.calls).toHaveLength(2);
    // Already expired results are not stored at all.
    const stale = new CachedVerifier(counting({ expiresAt: 10 }));
    await stale.verify(QUOTE, { at: 20 });
    expect(stale.size).toBe(0);
  });

  it('an injected clock drives expiry and is passed on as `at`', async () => {
    let now = 5000;
    const inner = counting();
    const c = new CachedVerifier(inner, { clock: () => now, ttlSeconds: 10 });
    await c.verify(QUOTE);
    expect(inner.calls[0]!.at).toBe(5000);
    now = 5009;
    await c.verify(QUOTE);
    expect(inner.calls).toHaveLength(1);
    now = 5010;
    await c.verify(QUOTE);
    expect(inner.calls).toHaveLength(2);
    // A clock going backwards before the entry was stored is a miss.
    now = 4000;
    await c.verify(QUOTE);
    expect(inner.calls).toHaveLength(3);
  });

  it('is bounded: least recently used entries are evicted', async () => {
    const inner = counting();
    const c = new CachedVerifier(inner, { maxEntries: 2 });
    const q = (n: number): Uint8Array => Uint8Array.of(n);
    await c.verify(q(1), { at: 1 });
    await c.verify(q(2), { at: 1 });
    await c.verify(q(1), { at: 1 }); // 1 is now most recent
    await c.verify(q(3), { at: 1 }); // evicts 2
    expect(c.size).toBe(2);
    expect(inner.calls).toHaveLength(3);
    await c.verify(q(1), { at: 1 });
    expect(inner.calls).toHaveLength(3);
    await c.verify(q(2), { at: 1 });
    expect(inner.calls).toHaveLength(4);
    c.clear();
    expect(c.size).toBe(0);
  });

  it('needs a time source and valid options', async () => {
    await rejectsWith(new CachedVerifier(counting()).verify(QUOTE), 'InvalidArgument');
    throwsWith(() => new CachedVerifier(counting(), { ttlSeconds: 0 }), 'InvalidArgument');
    throwsWith(() => new CachedVerifier(counting(), { maxEntries: 1.5 }), 'InvalidArgument');
    throwsWith(() => new CachedVerifier({} as never), 'InvalidArgument');
    await rejectsWith(new CachedVerifier(counting()).verify('quote' as never, { at: 1 }), 'InvalidArgument');
  });
});

describe('NoopVerifier (testing subpath)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('warns once per instance, at construction', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const v = new NoopVerifier();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('NOT verified');
    await v.verify(QUOTE);
    await v.verify(QUOTE);
    expect(warn).toHaveBeenCalledTimes(1);
    new NoopVerifier();
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('reports the quote’s measurements, unauthenticated and Unverified', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const r = await new NoopVerifier({ clock: () => 123 }).verify(QUOTE);
    expect(r.authenticated).toBe(false);
    expect(r.tcbStatus).toBe('Unverified');
    expect(r.mrtd.startsWith('91eb2b44')).toBe(true);
    expect(r.verifiedAt).toBe(123);
    expect((await new NoopVerifier().verify(QUOTE)).verifiedAt).toBe(0);
    await rejectsWith(new NoopVerifier().verify(Uint8Array.of(4, 0, 2)), 'QuoteParse');
  });
});
