/**
 * DcapVerifier and its collateral sources (#12 move 1, #13 §3):
 *   - `trailingBytes: 'any'` with a collateral source accepts what verifyQuote
 *     accepts: the quote is parsed once and the parsed quote goes down;
 *   - one time type: `clock: Date.now` (milliseconds) is InvalidArgument;
 *     the verification time reaches the collateral cache;
 *   - zero-config: `new DcapVerifier()` uses Intel PCS behind the verified
 *     collateral cache, over an injected fetch (here: a fake PCS on loopback
 *     answering for Intel's URLs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticSource } from '../../../src/sources/dcap/static-source.js';
import { toBundleCollateral } from '../../../src/sources/dcap/bundle.js';
import type { CollateralBundle } from '../../../src/sources/dcap/types.js';
import { INTEL_PCS_BASE_URL, INTEL_ROOT_CA_CRL_URL } from '../../../src/sources/dcap/endpoints.js';
import { parseQuote } from '../../../src/quote/parse.js';
import type { FetchLike } from '../../../src/sources/http.js';
import { concatBytes } from '../../../src/lib/bytes.js';
import { DcapVerifier } from '../../../src/verifier/dcap-verifier.js';
import { verifyQuote } from '../../../src/verify/verify-quote.js';
import { nodeCollateralSource, defaultCollateralCacheDir } from '../../../src/node/default-source.js';
import { PcsTestServer, TDX, pcsData, rejectsWith, tempDir } from './helpers.js';

const bundle: CollateralBundle = { request: TDX.request, collateral: toBundleCollateral(TDX.collateral), metadata: { source: 'test' } };
const WITH_GARBAGE = concatBytes(TDX.quote, new Uint8Array([1, 2, 3, 4]));

let server: PcsTestServer;
beforeAll(async () => {
  server = await PcsTestServer.start(pcsData(TDX.collateral));
});
afterAll(async () => {
  await server.close();
});

/** globalThis.fetch, with Intel's PCS and root CA CRL URLs answered by the loopback fake. */
function fakeIntel(): FetchLike & { urls: string[] } {
  const urls: string[] = [];
  const f = (async (url, init) => {
    urls.push(url);
    const local = url.startsWith(INTEL_PCS_BASE_URL)
      ? server.url + url.slice(INTEL_PCS_BASE_URL.length)
      : url === INTEL_ROOT_CA_CRL_URL
        ? `${server.url}/IntelSGXRootCA.der`
        : 'http://127.0.0.1:1/refused';
    return globalThis.fetch(local, init as RequestInit) as unknown as ReturnType<FetchLike>;
  }) as FetchLike & { urls: string[] };
  f.urls = urls;
  return f;
}

describe('DcapVerifier: the parsed quote goes down to the collateral source (#12 move 1)', () => {
  it("trailingBytes 'any' with a collateral source accepts what verifyQuote accepts", async () => {
    const direct = await verifyQuote(WITH_GARBAGE, TDX.collateral, { at: TDX.at, trailingBytes: 'any' });
    expect(direct.status).toBe('UpToDate');
    const v = new DcapVerifier({ trailingBytes: 'any', collateral: StaticSource.fromBundles([bundle]) });
    const r = await v.verify(WITH_GARBAGE, { at: TDX.at });
    expect(r.tcbStatus).toBe(direct.status);
    // The default ('zeros') still refuses the garbage, once, at the verifier's own parse.
    await rejectsWith(new DcapVerifier({ collateral: StaticSource.fromBundles([bundle]) }).verify(WITH_GARBAGE, { at: TDX.at }), 'QuoteParse');
  });

  it('verify accepts a parsed quote as well as bytes', async () => {
    const v = new DcapVerifier({ collateral: StaticSource.fromBundles([bundle]) });
    const parsed = parseQuote(WITH_GARBAGE, { trailingBytes: 'any' });
    expect((await v.verify(parsed, { at: TDX.at })).mrtd).toBe((await v.verify(TDX.quote, { at: TDX.at })).mrtd);
  });
});

describe('DcapVerifier: one time type (#12 move 1)', () => {
  it('clock: Date.now (milliseconds) is InvalidArgument, not CertificateExpired', () => {
    expect(() => new DcapVerifier({ clock: Date.now, collateral: StaticSource.fromBundles([bundle]) })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
  });

  it("the verification time reaches the collateral cache: it judges freshness at the caller's at, not its clock", async () => {
    const f = fakeIntel();
    // The cache's own clock (the system clock) is long past this collateral's nextUpdate; the verifier's `at` is not.
    const v = new DcapVerifier({ fetch: f });
    expect((await v.verify(TDX.quote, { at: TDX.at })).tcbStatus).toBe('UpToDate');
    const calls = f.urls.length;
    expect((await v.verify(TDX.quote, { at: TDX.at })).tcbStatus).toBe('UpToDate');
    expect(f.urls.length).toBe(calls); // a cache hit at the caller's time
  });
});

describe('DcapVerifier zero-config (#13 §3)', () => {
  it('new DcapVerifier() → Intel PCS (v4 endpoints and the root CA CRL distribution point) behind the verified cache', async () => {
    const f = fakeIntel();
    const v = new DcapVerifier({ fetch: f, clock: () => TDX.at });
    const r = await v.verify(TDX.quote);
    expect(r.tcbStatus).toBe('UpToDate');
    expect(f.urls.sort()).toEqual(
      [
        `${INTEL_PCS_BASE_URL}/tdx/certification/v4/tcb?fmspc=B0C06F000000`,
        `${INTEL_PCS_BASE_URL}/tdx/certification/v4/qe/identity`,
        `${INTEL_PCS_BASE_URL}/sgx/certification/v4/pckcrl?ca=platform&encoding=der`,
        INTEL_ROOT_CA_CRL_URL,
      ].sort(),
    );
  });

  it('with no time given it reads the system clock (this 2025 collateral has expired by now)', async () => {
    const e = await new DcapVerifier({ fetch: fakeIntel() }).verify(TDX.quote).catch((x: unknown) => x);
    expect((e as { kind?: string }).kind).toBe('verify');
  });

  it('the default fetch is globalThis.fetch (constructing makes no request)', () => {
    expect(() => new DcapVerifier()).not.toThrow();
  });
});

describe('tee-attest/node: nodeCollateralSource() adds the filesystem tier (#13 §3)', () => {
  // (refresh-ahead off: this vector expires one second after its `at`, which would start a background refresh)
  it('new DcapVerifier({ collateral: nodeCollateralSource() }): a restart is served from the cache directory', async () => {
    const tmp = tempDir();
    try {
      const make = (): DcapVerifier =>
        new DcapVerifier({ collateral: nodeCollateralSource({ cacheDir: tmp.dir, pcs: { baseUrl: server.url, allowInsecureHttp: true }, refreshAheadSeconds: 0 }) });
      server.resetCounts();
      expect((await make().verify(TDX.quote, { at: TDX.at })).tcbStatus).toBe('UpToDate');
      expect((await make().verify(TDX.quote, { at: TDX.at })).tcbStatus).toBe('UpToDate');
      expect(server.counts.tcb).toBe(1);
    } finally {
      tmp.remove();
    }
  });

  it('the default cache directory follows XDG_CACHE_HOME', () => {
    const saved = process.env.XDG_CACHE_HOME;
    try {
      process.env.XDG_CACHE_HOME = '/x/cache';
      expect(defaultCollateralCacheDir()).toBe('/x/cache/tee-attest/collateral');
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
