/**
 * CachedSource over PcsSource over a real loopback server: single-flight,
 * hits, expiry at the earliest nextUpdate, stale-if-error, refresh-ahead,
 * and "only verified collateral is cached".
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PcsSource } from '../../../src/sources/dcap/pcs-source.js';
import { createUndiciFetch } from '../../../src/node/undici-fetch.js';
import { CachedSource, type CachedSourceOptions } from '../../../src/sources/dcap/cached-source.js';
import type { CollateralBundle, CollateralSource } from '../../../src/sources/dcap/types.js';
import { makeScenario, DAY } from '../../../src/testing/index.js';
import { verifyQuote } from '../../../src/verify/verify-quote.js';
import { PcsTestServer, SGX, TDX, flipHex, pcsData, rejectsWith } from './helpers.js';

const undici = createUndiciFetch();
let server: PcsTestServer;
/** The injected clock (unix seconds). Inside the TDX vector's window, 19 435 s before its earliest nextUpdate. */
const T0 = 1752900000;
let now = T0;
const clock = (): number => now;

function pcs(s: PcsTestServer = server): PcsSource {
  return new PcsSource({ fetch: undici, baseUrl: s.url, allowInsecureHttp: true, timeoutMs: 2_000 });
}
function cached(extra: Partial<CachedSourceOptions> = {}): CachedSource {
  return new CachedSource({ upstream: pcs(), clock, refreshAheadSeconds: 0, ...extra });
}
const fail503 = (route: string) => ({ route: r, res }: { route: string; res: import('node:http').ServerResponse }) =>
  r === route ? (res.writeHead(503).end(), true) : false;

beforeAll(async () => {
  server = await PcsTestServer.start(pcsData(TDX.collateral));
});
afterEach(() => {
  server.fault = undefined;
  server.data = pcsData(TDX.collateral);
  server.resetCounts();
  now = T0;
});
afterAll(async () => {
  await server.close();
  await undici.close();
});

describe('CachedSource: caching', () => {
  it('single-flight: 100 concurrent requests → 1 upstream request per endpoint', async () => {
    const c = cached();
    const results = await Promise.all(Array.from({ length: 100 }, () => c.getCollateral(TDX.request)));
    expect(server.counts).toMatchObject({ tcb: 1, qe: 1, pckcrl: 1, rootcacrl: 1 });
    expect(new Set(results.map((r) => r.collateral.tcbInfo)).size).toBe(1);
    expect(results.every((r) => r.metadata.cache?.status === 'miss')).toBe(true);
  });

  it('second call is a hit; metadata gives validUntil = earliest nextUpdate; verifyQuote accepts it', async () => {
    const c = cached();
    const first = await c.getCollateral(TDX.request);
    const second = await c.getCollateral({ ...TDX.request, fmspc: 'B0C06F000000' });
    expect(server.counts.tcb).toBe(1);
    expect(second.metadata.cache).toEqual({ status: 'hit', stale: false, validUntil: TDX.validUntil, verifiedAt: T0 });
    expect(first.metadata.cache?.status).toBe('miss');
    expect((await verifyQuote(TDX.quote, second.collateral, { at: TDX.at })).status).toBe('UpToDate');
  });

  it('SGX vector through the cache → ConfigurationAndSWHardeningNeeded [INTEL-SA-00289, INTEL-SA-00615]', async () => {
    const s = await PcsTestServer.start(pcsData(SGX.collateral));
    try {
      const c = new CachedSource({ upstream: pcs(s), clock: () => SGX.at - 60 });
      const b = await c.getCollateral(SGX.request);
      const v = await verifyQuote(SGX.quote, b.collateral, { at: SGX.at });
      expect([v.status, v.advisoryIds]).toEqual(['ConfigurationAndSWHardeningNeeded', ['INTEL-SA-00289', 'INTEL-SA-00615']]);
    } finally {
      await s.close();
    }
  });

  it('after expiry the entry is refetched (and this expired upstream data is refused: CrlExpired)', async () => {
    const c = cached({ maxAgeSeconds: 86_400 });
    await c.getCollateral(TDX.request);
    now = TDX.validUntil; // still valid at exactly nextUpdate
    expect((await c.getCollateral(TDX.request)).metadata.cache?.status).toBe('hit');
    now = TDX.validUntil + 1;
    await rejectsWith(c.getCollateral(TDX.request), 'CrlExpired');
    expect(server.counts.tcb).toBe(2);
  });

  it('after expiry, fresh upstream collateral replaces the entry (generated PKI, two issues 31 days apart)', async () => {
    const a = makeScenario({ at: 1_767_225_600 });
    const b = makeScenario({ pki: a.pki, at: a.at + 31 * DAY });
    const s = await PcsTestServer.start(pcsData(a.collateral));
    try {
      let t = a.at;
      const c = new CachedSource({ upstream: pcs(s), clock: () => t, rootPublicKey: a.rootPublicKey });
      const req = { teeType: 'TDX', fmspc: '00906ed50000', ca: 'platform' } as const;
      const first = await c.getCollateral(req);
      expect(first.metadata.cache?.validUntil).toBe(a.at + 30 * DAY);
      s.data = pcsData(b.collateral);
      t = a.at + 30 * DAY + 10;
      const second = await c.getCollateral(req);
      expect(second.metadata.cache).toMatchObject({ status: 'miss', validUntil: b.at + 30 * DAY });
      expect(s.counts.tcb).toBe(2);
      expect((await c.getCollateral(req)).metadata.cache?.status).toBe('hit');
      expect((await verifyQuote(b.quote, second.collateral, { at: t, rootPublicKey: a.rootPublicKey })).status).toBe('UpToDate');
    } finally {
      await s.close();
    }
  });

  it('memory tier is LRU-bounded', async () => {
    const a = makeScenario({ at: 1_767_225_600 });
    const b = makeScenario({ pki: a.pki, at: a.at, fmspc: '00906ED50001' });
    const s = await PcsTestServer.start(pcsData(a.collateral, b.collateral));
    try {
      const c = new CachedSource({ upstream: pcs(s), clock: () => a.at, rootPublicKey: a.rootPublicKey, maxMemoryEntries: 1 });
      const ra = { teeType: 'TDX', fmspc: '00906ed50000', ca: 'platform' } as const;
      const rb = { ...ra, fmspc: '00906ed50001' };
      await c.getCollateral(ra);
      await c.getCollateral(rb);
      await c.getCollateral(rb);
      expect(s.counts.tcb).toBe(2);
      await c.getCollateral(ra); // evicted by rb
      expect(s.counts.tcb).toBe(3);
    } finally {
      await s.close();
    }
  });
});

describe('CachedSource: only verified collateral is cached', () => {
  const cases: [string, (d: ReturnType<typeof pcsData>) => void, string][] = [
    ['TCB Info signature', (d) => {
      const t = d.tcb.get('TDX-b0c06f000000')!;
      d.tcb.set('TDX-b0c06f000000', { ...t, body: t.body.replace(/"signature":"([0-9a-f]+)"/, (_m, h: string) => `"signature":"${flipHex(h)}"`) });
    }, 'TcbInfoSignature'],
    ['QE Identity signature', (d) => {
      const q = d.qe.get('TDX')!;
      d.qe.set('TDX', { ...q, body: q.body.replace(/"signature":"([0-9a-f]+)"/, (_m, h: string) => `"signature":"${flipHex(h)}"`) });
    }, 'QeIdentitySignature'],
    ['PCK CRL signature', (d) => {
      const c = d.pckCrl.get('platform')!;
      const der = c.der.slice();
      der[der.length - 1] = der[der.length - 1]! ^ 1;
      d.pckCrl.set('platform', { ...c, der });
    }, 'CrlSignature'],
    ['root CA CRL signature', (d) => {
      const der = d.rootCrl.slice();
      der[der.length - 1] = der[der.length - 1]! ^ 1;
      d.rootCrl = der;
    }, 'CrlSignature'],
    ['TCB Info signed content changed', (d) => {
      const t = d.tcb.get('TDX-b0c06f000000')!;
      d.tcb.set('TDX-b0c06f000000', { ...t, body: t.body.replace('"tcbEvaluationDataNumber":17', '"tcbEvaluationDataNumber":18') });
    }, 'TcbInfoSignature'],
  ];
  for (const [name, mutate, code] of cases) {
    it(`${name} broken → ${code}, nothing cached`, async () => {
      mutate(server.data);
      const c = cached();
      await rejectsWith(c.getCollateral(TDX.request), code);
      await rejectsWith(c.getCollateral(TDX.request), code);
      expect(server.counts.tcb).toBe(2);
    });
  }

  it('another root key pinned → UntrustedRoot', async () => {
    const c = cached({ rootPublicKey: makeScenario().rootPublicKey });
    await rejectsWith(c.getCollateral(TDX.request), 'UntrustedRoot');
  });

  it('clock after nextUpdate at first fetch → CrlExpired (TDX: the PCK CRL expires first), CollateralExpired (SGX: the QE Identity does)', async () => {
    now = TDX.validUntil + 1;
    await rejectsWith(cached().getCollateral(TDX.request), 'CrlExpired');
    now = 1750329147 - 86_400; // before thisUpdate / issueDate
    await rejectsWith(cached().getCollateral(TDX.request), 'CrlExpired');
    const s = await PcsTestServer.start(pcsData(SGX.collateral));
    try {
      const c = new CachedSource({ upstream: pcs(s), clock: () => SGX.validUntil + 1 });
      const e = await rejectsWith(c.getCollateral(SGX.request), 'CollateralExpired');
      expect(e.evidence).toMatchObject({ check: 'qeIdentity.validity', field: 'nextUpdate' });
      await rejectsWith(c.getCollateral(SGX.request), 'CollateralExpired');
      expect(s.counts.qe).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('an upstream answering another request → CollateralMismatch', async () => {
    const real = pcs();
    const liar: CollateralSource = {
      getCollateral: async (r) => ({ ...(await real.getCollateral(r)), request: { ...r, ca: 'processor' } }) as CollateralBundle,
    };
    await rejectsWith(new CachedSource({ upstream: liar, clock }).getCollateral(TDX.request), 'CollateralMismatch');
  });
});

describe('CachedSource: stale-if-error and refresh-ahead', () => {
  it('default (staleIfErrorSeconds 0): an expired entry is never served', async () => {
    const c = cached();
    await c.getCollateral(TDX.request);
    now = TDX.validUntil + 5;
    server.fault = fail503('tcb');
    await rejectsWith(c.getCollateral(TDX.request), 'CollateralFetch');
  });

  it('within staleIfErrorSeconds an expired entry is served, flagged stale; past it, the error', async () => {
    const c = cached({ staleIfErrorSeconds: 600 });
    await c.getCollateral(TDX.request);
    now = TDX.validUntil + 60;
    server.fault = fail503('tcb');
    const stale = await c.getCollateral(TDX.request);
    expect(stale.metadata.cache).toMatchObject({ status: 'stale', stale: true, validUntil: TDX.validUntil, staleReason: { code: 'CollateralFetch' } });
    server.fault = undefined; // upstream back, but its (real, expired) data fails verification: still stale
    expect((await c.getCollateral(TDX.request)).metadata.cache?.staleReason?.code).toBe('CrlExpired');
    now = TDX.validUntil + 601;
    server.fault = fail503('tcb');
    await rejectsWith(c.getCollateral(TDX.request), 'CollateralFetch');
  });

  it('refresh-ahead: a hit near expiry starts one background refresh (throttled), answered from cache meanwhile', async () => {
    const errors: unknown[] = [];
    const c = cached({ refreshAheadSeconds: 3600, refreshRetrySeconds: 60, onError: (e) => errors.push(e) });
    now = TDX.validUntil - 1800;
    await c.getCollateral(TDX.request); // miss
    expect((await c.getCollateral(TDX.request)).metadata.cache?.status).toBe('hit'); // within retry interval: no refresh
    await c.idle();
    expect(server.counts.tcb).toBe(1);
    now += 61;
    const hits = await Promise.all(Array.from({ length: 10 }, () => c.getCollateral(TDX.request)));
    expect(hits.every((h) => h.metadata.cache?.status === 'hit')).toBe(true);
    await c.idle();
    expect(server.counts.tcb).toBe(2);
    expect(errors).toEqual([]);
  });

  it('a failing background refresh goes to onError (no unhandled rejection) and the entry stays', async () => {
    const errors: { code?: string; op: string }[] = [];
    const c = cached({ refreshAheadSeconds: 3600, refreshRetrySeconds: 0, onError: (e, ctx) => errors.push({ code: (e as { code?: string }).code, op: ctx.operation }) });
    now = TDX.validUntil - 1800;
    await c.getCollateral(TDX.request);
    server.fault = fail503('pckcrl');
    expect((await c.getCollateral(TDX.request)).metadata.cache?.status).toBe('hit');
    await c.idle();
    expect(errors).toEqual([{ code: 'CollateralFetch', op: 'refresh' }]);
    const noCallback = cached({ refreshAheadSeconds: 3600, refreshRetrySeconds: 0 });
    await noCallback.getCollateral(TDX.request).catch(() => undefined);
    server.fault = fail503('tcb');
    await noCallback.getCollateral(TDX.request).catch(() => undefined);
    await noCallback.idle();
    expect((await c.getCollateral(TDX.request)).metadata.cache?.status).toBe('hit');
    await c.idle();
  });

  it('one waiter aborting does not cancel the shared upstream request for the others', async () => {
    server.fault = (ctx, s) => {
      if (ctx.route !== 'tcb') return false;
      s.later(80, () => s.answer(ctx)); // slow TCB Info: the abort lands while the request is in flight
      return true;
    };
    const c = cached();
    const ac = new AbortController();
    const aborted = c.getCollateral(TDX.request, { signal: ac.signal });
    const others = Promise.all(Array.from({ length: 5 }, () => c.getCollateral(TDX.request)));
    setTimeout(() => ac.abort(), 20);
    await rejectsWith(aborted, 'CollateralFetch');
    expect((await others).length).toBe(5);
    expect(server.counts.tcb).toBe(1);
  });

  it('usage: missing upstream, a clock that is not a function, negative windows → InvalidArgument', () => {
    expect(() => new CachedSource({ upstream: pcs(), clock: 5 } as unknown as CachedSourceOptions)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => new CachedSource({ clock } as unknown as CachedSourceOptions)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => cached({ staleIfErrorSeconds: -1 })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
