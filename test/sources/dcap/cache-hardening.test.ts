/**
 * #19 §1 and §3 on the verified cache: a stuck store never blocks a key, a
 * planted directory at a cache key does not disable the persistent tier,
 * entries are re-fetched after maxAgeSeconds (revocation latency), the old
 * entry is served only while the refetch fails and it is still valid, and
 * staleIfErrorSeconds is capped.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PcsSource } from '../../../src/sources/dcap/pcs-source.js';
import { createUndiciFetch } from '../../../src/node/undici-fetch.js';
import { CachedSource, type CachedSourceOptions } from '../../../src/sources/dcap/cached-source.js';
import { FsCacheStore } from '../../../src/node/fs-cache-store.js';
import type { CollateralCacheStore } from '../../../src/sources/dcap/cache-store.js';
import type { CollateralBundle } from '../../../src/sources/dcap/types.js';
import { MAX_STALE_IF_ERROR_SECONDS } from '../../../src/sources/verified-cache.js';
import { PcsTestServer, TDX, pcsData, rejectsWith, tempDir } from './helpers.js';

const undici = createUndiciFetch();
let server: PcsTestServer;
let tmp: { dir: string; remove: () => void } | undefined;
const T0 = 1752900000;
const FILE = 'tdx-b0c06f000000-platform.json';
let now = T0;

function cached(extra: Partial<CachedSourceOptions> = {}): CachedSource {
  return new CachedSource({
    upstream: new PcsSource({ fetch: undici, baseUrl: server.url, allowInsecureHttp: true, timeoutMs: 2_000 }),
    clock: () => now,
    refreshAheadSeconds: 0,
    ...extra,
  });
}

/** Settles with the result, or 'hung' when nothing settles within `ms` (a bound for a broken build, never reached by a correct one). */
async function settle<T>(p: Promise<T>, ms = 4_000): Promise<T | 'hung'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  try {
    return await Promise.race([p, hung]);
  } finally {
    clearTimeout(timer);
  }
}

const fail503 = ({ route, res }: { route: string; res: import('node:http').ServerResponse }): boolean =>
  route === 'tcb' ? (res.writeHead(503).end(), true) : false;

beforeAll(async () => {
  server = await PcsTestServer.start(pcsData(TDX.collateral));
});
afterEach(() => {
  server.fault = undefined;
  server.resetCounts();
  tmp?.remove();
  tmp = undefined;
  now = T0;
});
afterAll(async () => {
  await server.close();
  await undici.close();
});

describe('store deadline (#19 §1)', () => {
  it('a store read that never answers is a miss after storeTimeoutMs, and does not hold the key afterwards', async () => {
    let hang = true;
    const saved = new Map<string, CollateralBundle>();
    const store: CollateralCacheStore = {
      get: (k) => (hang ? new Promise<never>(() => undefined) : Promise.resolve(saved.get(k))),
      set: async (k, b) => void saved.set(k, b),
      delete: async (k) => void saved.delete(k),
    };
    const reported: string[] = [];
    const c = cached({ store, storeTimeoutMs: 50, onError: (e, ctx) => reported.push(`${ctx.operation}:${(e as { code?: string }).code}`) });
    const first = await settle(c.getCollateral(TDX.request));
    expect(first).not.toBe('hung');
    expect((first as CollateralBundle).metadata.cache?.status).toBe('miss');
    expect(reported).toEqual(['store-read:CollateralFetch']);
    // The store is repaired: a new cache (a restart) reads it; the hung read is not shared with it.
    hang = false;
    const restarted = cached({ store, storeTimeoutMs: 50 });
    const again = await settle(restarted.getCollateral(TDX.request));
    expect((again as CollateralBundle).metadata.cache?.status).toBe('hit');
    expect(server.counts.tcb).toBe(1);
    // The first cache, whose store read hung, still answers every later lookup of the key.
    c.clearMemory();
    expect(await settle(c.getCollateral(TDX.request))).not.toBe('hung');
  });

  it('a hung store write or delete does not hold the answer either', async () => {
    const never = (): Promise<never> => new Promise<never>(() => undefined);
    const store: CollateralCacheStore = { get: async () => undefined, set: never, delete: never };
    const reported: string[] = [];
    const c = cached({ store, storeTimeoutMs: 50, onError: (_e, ctx) => reported.push(ctx.operation) });
    const r = await settle(c.getCollateral(TDX.request));
    expect((r as CollateralBundle).metadata.cache?.status).toBe('miss');
    expect(reported).toEqual(['store-write']);
  });

  it.skipIf(process.platform === 'win32')('a directory planted at a cache key does not disable the persistent tier for good', async () => {
    tmp = tempDir();
    mkdirSync(join(tmp.dir, FILE));
    writeFileSync(join(tmp.dir, FILE, 'inner'), 'x');
    const reported: string[] = [];
    const first = cached({ store: new FsCacheStore(tmp.dir), onError: (e, ctx) => reported.push(`${ctx.operation}:${(e as { code?: string }).code}`) });
    expect((await first.getCollateral(TDX.request)).metadata.cache?.status).toBe('miss');
    expect(reported).toEqual(['store-read:CollateralParse']);
    expect(statSync(join(tmp.dir, FILE)).isFile()).toBe(true);
    // A restart is served from the persistent tier again.
    const restarted = cached({ store: new FsCacheStore(tmp.dir) });
    expect((await restarted.getCollateral(TDX.request)).metadata.cache?.status).toBe('hit');
    expect(server.counts.tcb).toBe(1);
    expect(readdirSync(tmp.dir)).toEqual([FILE]);
  });
});

describe('maxAgeSeconds and the stale cap (#19 §3)', () => {
  it('a fresh entry older than maxAgeSeconds is fetched again before it is served', async () => {
    const c = cached({ maxAgeSeconds: 3600 });
    await c.getCollateral(TDX.request);
    now = T0 + 3599;
    expect((await c.getCollateral(TDX.request)).metadata.cache?.status).toBe('hit');
    expect(server.counts.tcb).toBe(1);
    now = T0 + 3600;
    const b = await c.getCollateral(TDX.request);
    expect(b.metadata.cache).toMatchObject({ status: 'miss', verifiedAt: T0 + 3600 });
    expect(server.counts.tcb).toBe(2);
  });

  it('the default max age is a few hours, far below the ~30-day validity of Intel collateral', async () => {
    const c = cached();
    await c.getCollateral(TDX.request);
    now = T0 + 4 * 3600;
    await c.getCollateral(TDX.request);
    expect(server.counts.tcb).toBe(2);
  });

  it('while the refetch fails the old entry is served (flagged) only while it is still valid; retries are throttled', async () => {
    const reported: string[] = [];
    const c = cached({ maxAgeSeconds: 600, refreshRetrySeconds: 60, onError: (_e, ctx) => reported.push(ctx.operation) });
    await c.getCollateral(TDX.request);
    server.fault = fail503;
    now = T0 + 600;
    const b = await c.getCollateral(TDX.request);
    expect(b.metadata.cache).toMatchObject({ status: 'hit', stale: false, verifiedAt: T0, refreshFailed: { code: 'CollateralFetch' } });
    expect(server.counts.tcb).toBe(2);
    now = T0 + 630; // within refreshRetrySeconds: no new upstream call
    expect((await c.getCollateral(TDX.request)).metadata.cache?.status).toBe('hit');
    expect(server.counts.tcb).toBe(2);
    expect(reported).toEqual(['refresh']);
    now = TDX.validUntil + 1; // past validity: the failure is the answer (stale-if-error off)
    await rejectsWith(c.getCollateral(TDX.request), 'CollateralFetch');
  });

  it(`staleIfErrorSeconds is capped at ${MAX_STALE_IF_ERROR_SECONDS} s; negative or over the cap → InvalidArgument`, async () => {
    expect(MAX_STALE_IF_ERROR_SECONDS).toBe(7 * 24 * 3600);
    expect(() => cached({ staleIfErrorSeconds: MAX_STALE_IF_ERROR_SECONDS + 1 })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => cached({ maxAgeSeconds: -1 })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => cached({ storeTimeoutMs: Number.NaN })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => cached({ staleIfErrorSeconds: MAX_STALE_IF_ERROR_SECONDS })).not.toThrow();
  });

  it('freshness is judged at the caller\'s time (getCollateral options.at) rather than the clock', async () => {
    const c = cached({ clock: () => TDX.validUntil + 100 }); // a clock past the collateral's nextUpdate
    const b = await c.getCollateral(TDX.request, { at: T0 });
    expect(b.metadata.cache).toMatchObject({ status: 'miss', verifiedAt: T0 });
    expect((await c.getCollateral(TDX.request, { at: new Date((T0 + 10) * 1000) })).metadata.cache?.status).toBe('hit');
    await rejectsWith(c.getCollateral(TDX.request), 'CrlExpired');
  });

  it('a millisecond clock is InvalidArgument, not a date in the year 57 000', async () => {
    await rejectsWith(cached({ clock: () => T0 * 1000 }).getCollateral(TDX.request), 'InvalidArgument');
    expect(() => new PcsSource({ fetch: undici, clock: Date.now })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
