/** KDS endpoints, KdsSource over an injected fetch, offline bundles, the verifying cache. */
import { describe, expect, it, vi } from 'vitest';
import type { FetchLike, FetchResponseLike } from '../../src/sources/http.js';
import { KdsSource } from '../../src/snp/kds/kds-source.js';
import { SnpStaticSource } from '../../src/snp/kds/static-source.js';
import { SnpCachedSource, type SnpCacheStore } from '../../src/snp/kds/cached-source.js';
import { caRequest, normalizeSnpRequest, snpRequestKey, vcekRequestForReport } from '../../src/snp/kds/request.js';
import { certChainUrl, crlUrl, vcekUrl } from '../../src/snp/kds/endpoints.js';
import { parseSnpBundle, serializeSnpBundle, snpBundleFileName } from '../../src/snp/kds/bundle.js';
import type { SnpCollateralBundle, SnpCollateralRequest, SnpCollateralSource } from '../../src/snp/kds/types.js';
import { parseSnpReport } from '../../src/snp/report.js';
import { toHex } from '../../src/lib/bytes.js';
import { NOW, catchAsync, expectCode, expectCodeAsync, vec, vecText } from './helpers.js';
import { T0, makeCa, makeCrl, makeLeaf, signedReport } from './pki.js';

const VIRTEE_REPORT = parseSnpReport(vec('virtee-sev/report_milan.bin'), { product: 'Milan' });
const VIRTEE_VCEK = vec('virtee-sev/vcek_milan.der');
const MILAN_CHAIN = vecText('virtee-sev/cert_chain_milan');

function response(status: number, body: Uint8Array | string = new Uint8Array(0), headers: Record<string, string> = {}): FetchResponseLike {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const h = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, headers: { get: (n) => h.get(n.toLowerCase()) ?? null }, body: null, arrayBuffer: async () => bytes.slice().buffer };
}

function fakeFetch(routes: Record<string, () => FetchResponseLike>): FetchLike & { calls: string[] } {
  const calls: string[] = [];
  const f = (async (url: string) => {
    calls.push(url);
    const r = routes[url];
    return r === undefined ? response(404) : r();
  }) as unknown as FetchLike & { calls: string[] };
  f.calls = calls;
  return f;
}

const KDS = 'https://kdsintf.amd.com';
const virteeVcekUrl = vcekUrl(KDS, vcekRequestForReport(VIRTEE_REPORT));

describe('KDS endpoints and requests', () => {
  it('VCEK URL: full CHIP_ID, two-digit SPLs; Turin: first 8 bytes and fmcSPL first', () => {
    expect(virteeVcekUrl).toBe(`${KDS}/vcek/v1/Milan/${toHex(VIRTEE_REPORT.chipId)}?blSPL=03&teeSPL=00&snpSPL=08&ucodeSPL=115`);
    const turin = parseSnpReport(signedReport(makeLeaf(makeCa('Turin')), { version: 5, product: 'Turin' }));
    const r = vcekRequestForReport(turin);
    expect(r.hwid).toHaveLength(16);
    expect(vcekUrl(KDS, r)).toBe(`${KDS}/vcek/v1/Turin/${r.hwid}?fmcSPL=01&blSPL=04&teeSPL=00&snpSPL=25&ucodeSPL=09`);
    expect(certChainUrl(KDS, caRequest('Genoa', 'VLEK'))).toBe(`${KDS}/vlek/v1/Genoa/cert_chain`);
    expect(crlUrl(KDS, caRequest('Milan', 'VCEK'))).toBe(`${KDS}/vcek/v1/Milan/crl`);
  });

  it('request keys are file-name safe and normalised', () => {
    const k = snpRequestKey({ ...vcekRequestForReport(VIRTEE_REPORT), hwid: toHex(VIRTEE_REPORT.chipId).toUpperCase() });
    expect(k).toBe(`snp-vcek-milan-${toHex(VIRTEE_REPORT.chipId)}-3-0-8-115`);
    expect(snpRequestKey(caRequest('Turin', 'VLEK'))).toBe('snp-ca-turin-vlek');
    for (const bad of [
      { kind: 'ca', product: 'Naples', keyType: 'VCEK' },
      { kind: 'ca', product: 'Milan', keyType: 'X' },
      { kind: 'vcek', product: 'Milan', hwid: 'zz', tcb: { bootloader: 0, tee: 0, snp: 0, microcode: 0 } },
      { kind: 'vcek', product: 'Turin', hwid: '00'.repeat(8), tcb: { bootloader: 0, tee: 0, snp: 0, microcode: 0 } },
      { kind: 'vcek', product: 'Milan', hwid: '00'.repeat(64), tcb: { bootloader: 0, tee: 0, snp: 0, microcode: 256 } },
      { kind: 'other', product: 'Milan' },
    ]) {
      expectCode(() => normalizeSnpRequest(bad as SnpCollateralRequest), 'InvalidArgument');
    }
  });

  it('a masked CHIP_ID or a v2 report without a product cannot name its VCEK', () => {
    expectCode(() => vcekRequestForReport(parseSnpReport(vec('virtee-sev/report_milan.bin'))), 'CollateralMissing');
    const masked = parseSnpReport(signedReport(makeLeaf(makeCa('Milan')), { maskChipKey: true }));
    expectCode(() => vcekRequestForReport(masked), 'CollateralMissing');
  });
});

describe('KdsSource', () => {
  const routes = {
    [virteeVcekUrl]: () => response(200, VIRTEE_VCEK),
    [`${KDS}/vcek/v1/Milan/cert_chain`]: () => response(200, MILAN_CHAIN),
  };

  it('fetches a VCEK and a cert chain (no I/O until asked)', async () => {
    const f = fakeFetch(routes);
    const kds = new KdsSource({ fetch: f, fetchCrl: false, clock: () => 1_700_000_000 });
    expect(f.calls).toEqual([]);
    const v = await kds.getSnpCollateral(vcekRequestForReport(VIRTEE_REPORT));
    expect(v.collateral).toEqual({ vcek: toHex(VIRTEE_VCEK) });
    expect(v.metadata).toEqual({ source: KDS, fetchedAt: 1_700_000_000 });
    const c = await kds.getSnpCollateral(caRequest('Milan', 'VCEK'));
    expect(c.collateral).toEqual({ certChain: MILAN_CHAIN });
    expect(f.calls).toEqual([virteeVcekUrl, `${KDS}/vcek/v1/Milan/cert_chain`]);
  });

  it('404 is CollateralMissing; 429 is CollateralFetch with Retry-After; another origin is refused', async () => {
    const kds = new KdsSource({ fetch: fakeFetch({}), fetchCrl: false });
    await expectCodeAsync(() => kds.getSnpCollateral(caRequest('Milan', 'VCEK')), 'CollateralMissing');
    const limited = new KdsSource({ fetch: fakeFetch({ [`${KDS}/vcek/v1/Milan/cert_chain`]: () => response(429, '', { 'Retry-After': '30' }) }), fetchCrl: false });
    const e = await expectCodeAsync(() => limited.getSnpCollateral(caRequest('Milan', 'VCEK')), 'CollateralFetch');
    expect(e.message).toContain('Retry-After: 30');
    const redirect = new KdsSource({ fetch: fakeFetch({ [`${KDS}/vcek/v1/Milan/cert_chain`]: () => response(302, '', { location: 'https://evil.example/x' }) }), fetchCrl: false });
    await expectCodeAsync(() => redirect.getSnpCollateral(caRequest('Milan', 'VCEK')), 'CollateralFetch');
  });

  it("an answer that does not fit (another chip's VCEK, another product's chain) is CollateralMismatch", async () => {
    const wrongChip = new KdsSource({ fetch: fakeFetch({ [virteeVcekUrl]: () => response(200, vec('go-sev-guest/vcek.testcer')) }) });
    await expectCodeAsync(() => wrongChip.getSnpCollateral(vcekRequestForReport(VIRTEE_REPORT)), 'CollateralMismatch');
    const wrongChain = new KdsSource({ fetch: fakeFetch({ [`${KDS}/vcek/v1/Genoa/cert_chain`]: () => response(200, MILAN_CHAIN) }), fetchCrl: false });
    await expectCodeAsync(() => wrongChain.getSnpCollateral(caRequest('Genoa', 'VCEK')), 'CollateralMismatch');
  });

  it('options are validated; http needs allowInsecureHttp', () => {
    expectCode(() => new KdsSource({} as never), 'InvalidArgument');
    expectCode(() => new KdsSource({ fetch: fakeFetch({}), baseUrl: 'http://kds.local' }), 'InvalidArgument');
    expect(new KdsSource({ fetch: fakeFetch({}), baseUrl: 'http://kds.local/', allowInsecureHttp: true }).baseUrl).toBe('http://kds.local');
    expectCode(() => new KdsSource({ fetch: fakeFetch({}), timeoutMs: 0 }), 'InvalidArgument');
  });
});

describe('offline bundles and SnpStaticSource', () => {
  const vcekBundle: SnpCollateralBundle = { request: vcekRequestForReport(VIRTEE_REPORT), collateral: { vcek: toHex(VIRTEE_VCEK) }, metadata: { source: KDS, fetchedAt: 1 } };
  const caBundle: SnpCollateralBundle = { request: caRequest('Milan', 'VCEK'), collateral: { certChain: MILAN_CHAIN }, metadata: { source: KDS } };

  it('serialise / parse round-trip; static lookups by file name', async () => {
    expect(parseSnpBundle(serializeSnpBundle(vcekBundle))).toEqual(vcekBundle);
    expect(snpBundleFileName(caBundle.request)).toBe('snp-ca-milan-vcek.json');
    const s = SnpStaticSource.fromBundles([vcekBundle, caBundle], 'mem');
    const got = await s.getSnpCollateral(caRequest('Milan', 'VCEK'));
    expect(got.collateral).toEqual(caBundle.collateral);
    expect(got.metadata.source).toBe('static:mem/snp-ca-milan-vcek.json');
    await expectCodeAsync(() => s.getSnpCollateral(caRequest('Genoa', 'VCEK')), 'CollateralMissing');
  });

  it('malformed bundles are CollateralParse; a bundle under another name is CollateralMismatch', async () => {
    for (const bad of ['{', '[]', '{"format":"x"}', JSON.stringify({ format: 'tee-attest/snp-kds-bundle@1', request: { kind: 'ca', product: 'Milan', keyType: 'VCEK' }, collateral: {} })]) {
      expectCode(() => parseSnpBundle(bad), 'CollateralParse');
    }
    const s = new SnpStaticSource({ read: async () => serializeSnpBundle(caBundle) });
    await expectCodeAsync(() => s.getSnpCollateral(caRequest('Milan', 'VLEK')), 'CollateralMismatch');
  });
});

describe('SnpCachedSource', () => {
  // Synthetic PKI so that a CRL signed by the ARK can be served too.
  const ca = makeCa('Genoa');
  const leaf = makeLeaf(ca);
  const report = parseSnpReport(signedReport(leaf, { version: 3, product: 'Genoa' }));
  const vReq = vcekRequestForReport(report);
  const pem = (der: Uint8Array): string => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;
  const caBundle = (crlNext = T0 + 10 * 86400): SnpCollateralBundle => ({
    request: caRequest('Genoa', 'VCEK'),
    collateral: { certChain: pem(ca.ask) + pem(ca.ark), crl: toHex(makeCrl(ca, { nextUpdate: crlNext })) },
    metadata: { source: 'test' },
  });
  const vcekBundle: SnpCollateralBundle = { request: vReq, collateral: { vcek: toHex(leaf.der) }, metadata: { source: 'test' } };

  function counting(bundles: SnpCollateralBundle[]): SnpCollateralSource & { calls: string[] } {
    const inner = SnpStaticSource.fromBundles(bundles);
    const calls: string[] = [];
    return {
      calls,
      getSnpCollateral: (async (r: SnpCollateralRequest) => {
        calls.push(snpRequestKey(r));
        await new Promise((res) => setTimeout(res, 5));
        return inner.getSnpCollateral(r);
      }) as SnpCollateralSource['getSnpCollateral'],
    };
  }

  it('verifies before caching; concurrent misses make one upstream call; hits after that', async () => {
    let now = T0 + 86400;
    const up = counting([caBundle(), vcekBundle]);
    const cache = new SnpCachedSource({ upstream: up, clock: () => now, arkPins: ca.arkPins });
    const all = await Promise.all(Array.from({ length: 5 }, () => cache.getSnpCollateral(vReq)));
    expect(all.every((b) => b.metadata.cache?.status === 'miss')).toBe(true);
    expect(up.calls).toEqual([snpRequestKey(vReq), 'snp-ca-genoa-vcek']); // the VCEK, then the CA that verifies it
    const again = await cache.getSnpCollateral(vReq);
    expect(again.metadata.cache).toMatchObject({ status: 'hit', verifiedAt: T0 + 86400 });
    const caHit = await cache.getSnpCollateral(caRequest('Genoa', 'VCEK'));
    expect(caHit.metadata.cache).toMatchObject({ status: 'hit', validUntil: T0 + 10 * 86400 });
    // Past the CRL's nextUpdate the CA entry is fetched again (and fails: the served CRL is stale).
    now = T0 + 11 * 86400;
    await expectCodeAsync(() => cache.getSnpCollateral(caRequest('Genoa', 'VCEK')), 'CrlExpired');
    expect(up.calls.filter((c) => c === 'snp-ca-genoa-vcek')).toHaveLength(2);
  });

  it('refuses to cache what does not verify (untrusted root with the default pins)', async () => {
    const up = counting([caBundle(), vcekBundle]);
    const cache = new SnpCachedSource({ upstream: up, clock: () => T0 + 86400 });
    await expectCodeAsync(() => cache.getSnpCollateral(vReq), 'UntrustedRoot');
    await expectCodeAsync(() => cache.getSnpCollateral(vReq), 'UntrustedRoot');
    expect(up.calls.filter((c) => c === 'snp-ca-genoa-vcek')).toHaveLength(2); // nothing was cached
  });

  it('the persistent store is written, and what it returns is re-verified (tampered entries are dropped)', async () => {
    const data = new Map<string, SnpCollateralBundle>();
    const store: SnpCacheStore = {
      get: async (k) => data.get(k),
      set: async (k, b) => void data.set(k, b),
      delete: async (k) => void data.delete(k),
    };
    const up = counting([caBundle(), vcekBundle]);
    const clock = (): number => T0 + 86400;
    await new SnpCachedSource({ upstream: up, clock, arkPins: ca.arkPins, store }).getSnpCollateral(vReq);
    expect([...data.keys()].sort()).toEqual([snpRequestKey(vReq), 'snp-ca-genoa-vcek'].sort());
    const fresh = new SnpCachedSource({ upstream: up, clock, arkPins: ca.arkPins, store });
    const hit = await fresh.getSnpCollateral(vReq);
    expect(hit.metadata.cache?.status).toBe('hit');
    expect(up.calls).toHaveLength(2);
    // Tamper with the stored VCEK: reported, deleted, fetched again.
    const other = makeLeaf(makeCa('Milan'));
    data.set(snpRequestKey(vReq), { ...vcekBundle, collateral: { vcek: toHex(other.der) } });
    const onError = vi.fn();
    const third = new SnpCachedSource({ upstream: up, clock, arkPins: ca.arkPins, store, onError });
    await third.getSnpCollateral(vReq);
    expect(onError).toHaveBeenCalledWith(expect.anything(), { key: snpRequestKey(vReq), operation: 'store-read' });
    expect(up.calls.filter((c) => c === snpRequestKey(vReq))).toHaveLength(2);
  });

  it('options are validated', () => {
    expectCode(() => new SnpCachedSource({} as never), 'InvalidArgument');
    expectCode(() => new SnpCachedSource({ upstream: counting([]), clock: 5 as never }), 'InvalidArgument');
    expectCode(() => new SnpCachedSource({ upstream: counting([]), clock: () => 0, maxMemoryEntries: 0 }), 'InvalidArgument');
  });

  it('an upstream that answers another request is CollateralMismatch', async () => {
    const liar: SnpCollateralSource = { getSnpCollateral: (async () => caBundle()) as SnpCollateralSource['getSnpCollateral'] };
    const cache = new SnpCachedSource({ upstream: liar, clock: () => NOW, arkPins: ca.arkPins });
    const e = await catchAsync(() => cache.getSnpCollateral(caRequest('Genoa', 'VLEK')));
    expect(e.code).toBe('CollateralMismatch');
  });
});
