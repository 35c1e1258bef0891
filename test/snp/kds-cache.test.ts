/**
 * SnpCachedSource is an instance of the one verified cache
 * (src/sources/verified-cache.ts): max age, stale-if-error, refresh-ahead,
 * the caller's time and the store deadline hold for SEV-SNP as for DCAP.
 */
import { describe, expect, it } from 'vitest';
import { attestationError } from '../../src/errors.js';
import { SnpCachedSource, type SnpCacheStore } from '../../src/snp/kds/cached-source.js';
import { SnpStaticSource } from '../../src/snp/kds/static-source.js';
import { caRequest, snpRequestKey, vcekRequestForReport } from '../../src/snp/kds/request.js';
import type { SnpCollateralBundle, SnpCollateralRequest, SnpCollateralSource } from '../../src/snp/kds/types.js';
import { parseSnpReport } from '../../src/snp/report.js';
import { toHex } from '../../src/lib/bytes.js';
import { SnpVerifier } from '../../src/snp/verifier.js';
import { AMD_KDS_BASE_URL, certChainUrl, crlUrl, vcekUrl } from '../../src/snp/kds/endpoints.js';
import type { FetchLike } from '../../src/sources/http.js';
import { expectCodeAsync } from './helpers.js';
import { T0, makeCa, makeCrl, makeLeaf, signedReport } from './pki.js';

const ca = makeCa('Genoa');
const leaf = makeLeaf(ca);
const report = parseSnpReport(signedReport(leaf, { version: 3, product: 'Genoa' }));
const vReq = vcekRequestForReport(report);
const CA_REQ = caRequest('Genoa', 'VCEK');
const pem = (der: Uint8Array): string => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;
const caBundle: SnpCollateralBundle = {
  request: CA_REQ,
  collateral: { certChain: pem(ca.ask) + pem(ca.ark), crl: toHex(makeCrl(ca, { nextUpdate: T0 + 10 * 86400 })) },
  metadata: { source: 'test' },
};
const vcekBundle: SnpCollateralBundle = { request: vReq, collateral: { vcek: toHex(leaf.der) }, metadata: { source: 'test' } };

/** A source that counts calls per key and can be switched off. */
function flaky(): SnpCollateralSource & { calls: string[]; down: boolean } {
  const inner = SnpStaticSource.fromBundles([caBundle, vcekBundle]);
  const s = {
    calls: [] as string[],
    down: false,
    getSnpCollateral: (async (r: SnpCollateralRequest) => {
      s.calls.push(snpRequestKey(r));
      if (s.down) throw attestationError('CollateralFetch', 'KDS down', { check: 'http.status', found: '503' });
      return inner.getSnpCollateral(r);
    }) as SnpCollateralSource['getSnpCollateral'],
  };
  return s;
}

describe('SnpCachedSource on the generic verified cache', () => {
  it('maxAgeSeconds: a fresh CA entry is fetched again after it; while KDS fails, the old one is served flagged', async () => {
    let now = T0 + 86400;
    const up = flaky();
    const c = new SnpCachedSource({ upstream: up, clock: () => now, arkPins: ca.arkPins, maxAgeSeconds: 3600, refreshAheadSeconds: 0 });
    await c.getSnpCollateral(CA_REQ);
    now += 3600;
    expect((await c.getSnpCollateral(CA_REQ)).metadata.cache?.status).toBe('miss');
    up.down = true;
    now += 3600;
    const b = await c.getSnpCollateral(CA_REQ);
    expect(b.metadata.cache).toMatchObject({ status: 'hit', refreshFailed: { code: 'CollateralFetch' } });
    expect(up.calls.filter((k) => k === 'snp-ca-genoa-vcek')).toHaveLength(3);
  });

  it('stale-if-error (opt-in): past expiry, served flagged stale while KDS fails; without it, the failure', async () => {
    let now = T0 + 86400;
    const up = flaky();
    const opts = { upstream: up, clock: () => now, arkPins: ca.arkPins, refreshAheadSeconds: 0 };
    const stale = new SnpCachedSource({ ...opts, staleIfErrorSeconds: 86400 });
    const strict = new SnpCachedSource(opts);
    await stale.getSnpCollateral(CA_REQ);
    await strict.getSnpCollateral(CA_REQ);
    up.down = true;
    now = T0 + 10 * 86400 + 60; // past the CRL's nextUpdate
    expect((await stale.getSnpCollateral(CA_REQ)).metadata.cache).toMatchObject({ status: 'stale', stale: true, staleReason: { code: 'CollateralFetch' } });
    await expectCodeAsync(() => strict.getSnpCollateral(CA_REQ), 'CollateralFetch');
  });

  it('refresh-ahead: a hit close to expiry starts one background refresh', async () => {
    let now = T0 + 86400;
    const up = flaky();
    const c = new SnpCachedSource({ upstream: up, clock: () => now, arkPins: ca.arkPins, refreshAheadSeconds: 3600, maxAgeSeconds: 30 * 86400 });
    await c.getSnpCollateral(CA_REQ);
    now = T0 + 10 * 86400 - 60;
    expect((await c.getSnpCollateral(CA_REQ)).metadata.cache?.status).toBe('hit');
    await c.idle();
    expect(up.calls.filter((k) => k === 'snp-ca-genoa-vcek')).toHaveLength(2);
  });

  it("VCEK answers verify at the caller's time (options.at), through the cached CA answer", async () => {
    const up = flaky();
    const c = new SnpCachedSource({ upstream: up, clock: () => 0, arkPins: ca.arkPins });
    const b = await c.getSnpCollateral(vReq, { at: T0 + 86400 });
    expect(b.metadata.cache).toMatchObject({ status: 'miss', verifiedAt: T0 + 86400 });
  });

  it('a store that never answers is a miss after storeTimeoutMs', async () => {
    const store: SnpCacheStore = { get: () => new Promise<never>(() => undefined), set: async () => undefined, delete: async () => undefined };
    const c = new SnpCachedSource({ upstream: flaky(), clock: () => T0 + 86400, arkPins: ca.arkPins, store, storeTimeoutMs: 30 });
    expect((await c.getSnpCollateral(CA_REQ)).metadata.cache?.status).toBe('miss');
  });
});

describe("SnpVerifier({ collateral: 'kds' }): AMD KDS behind the verified cache", () => {
  /** A fake KDS: the synthetic PKI's VCEK, chain and CRL at AMD's URLs; counts requests. */
  function fakeKds(): FetchLike & { urls: string[] } {
    const routes = new Map<string, Uint8Array>([
      [vcekUrl(AMD_KDS_BASE_URL, vReq), leaf.der],
      [certChainUrl(AMD_KDS_BASE_URL, CA_REQ), new TextEncoder().encode(pem(ca.ask) + pem(ca.ark))],
      [crlUrl(AMD_KDS_BASE_URL, CA_REQ), makeCrl(ca, { nextUpdate: T0 + 10 * 86400 })],
    ]);
    const urls: string[] = [];
    const f = (async (url: string) => {
      urls.push(url);
      const body = routes.get(url);
      return {
        status: body === undefined ? 404 : 200,
        headers: { get: () => null },
        body: null,
        arrayBuffer: async () => (body ?? new Uint8Array(0)).slice().buffer,
      };
    }) as unknown as FetchLike & { urls: string[] };
    f.urls = urls;
    return f;
  }

  it('fetches the VCEK, chain and CRL once, verifies the report, and answers the next one from the cache', async () => {
    const f = fakeKds();
    const v = new SnpVerifier({ collateral: 'kds', fetch: f, arkPins: ca.arkPins, requireCrl: true, policy: 'skip' });
    const evidence = signedReport(leaf, { version: 3, product: 'Genoa' });
    const r = await v.verify(evidence, { at: T0 + 86400 });
    expect(r.snp.crlChecked).toBe(true);
    expect(f.urls.length).toBe(3);
    await v.verify(evidence, { at: T0 + 86400 + 60 });
    expect(f.urls.length).toBe(3);
  });

  it('without it, no source and no network (the default); a millisecond clock is InvalidArgument', () => {
    expect(() => new SnpVerifier()).not.toThrow();
    expect(() => new SnpVerifier({ collateral: 'kds', fetch: fakeKds(), clock: Date.now })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
