/**
 * PcsSource against a real HTTP server on 127.0.0.1 serving the dcap-qvl
 * vectors in the PCS v4 format: the happy paths end to end through
 * verifyQuote, then every injected fault gives a coded error.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PcsSource, type PcsSourceOptions } from '../../../src/sources/dcap/pcs-source.js';
import { createUndiciFetch } from '../../../src/node/undici-fetch.js';
import type { FetchLike } from '../../../src/sources/dcap/fetch-like.js';
import { verifyQuote } from '../../../src/verify/verify-quote.js';
import { PcsTestServer, SGX, TDX, pcsData, qeBody, rejectsWith } from './helpers.js';

const undici = createUndiciFetch({ connectTimeoutMs: 1_000, headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000 });
const nativeFetch = globalThis.fetch as unknown as FetchLike;
let server: PcsTestServer;

function source(extra: Partial<PcsSourceOptions> = {}): PcsSource {
  return new PcsSource({ fetch: undici, baseUrl: server.url, allowInsecureHttp: true, timeoutMs: 2_000, ...extra });
}

beforeAll(async () => {
  server = await PcsTestServer.start(pcsData(TDX.collateral));
});
afterEach(() => {
  server.fault = undefined;
  server.data = pcsData(TDX.collateral);
  server.resetCounts();
});
afterAll(async () => {
  await server.close();
  await undici.close();
});

describe('PcsSource: happy paths', () => {
  it('TDX: four v4 endpoints, one request each; verifyQuote gives UpToDate []', async () => {
    const b = await source({ apiKey: 'k-123', clock: () => 1752900000 }).getCollateral(TDX.request);
    expect(server.counts).toMatchObject({ tcb: 1, qe: 1, pckcrl: 1, rootcacrl: 1 });
    expect(server.requests.map((r) => r.path).sort()).toEqual([
      '/sgx/certification/v4/pckcrl?ca=platform&encoding=der',
      '/sgx/certification/v4/rootcacrl',
      '/tdx/certification/v4/qe/identity',
      '/tdx/certification/v4/tcb?fmspc=B0C06F000000',
    ]);
    expect(server.requests.every((r) => r.headers['ocp-apim-subscription-key'] === 'k-123')).toBe(true);
    expect(b.request).toEqual(TDX.request);
    expect(b.collateral.tcbInfoIssuerChain.startsWith('-----BEGIN CERTIFICATE-----')).toBe(true);
    expect(b.metadata).toMatchObject({ source: server.url, fetchedAt: 1752900000, requestIds: { tcbInfo: 'req-tcb-1' } });
    const v = await verifyQuote(TDX.quote, b.collateral, { at: TDX.at });
    expect(v.status).toBe('UpToDate');
    expect(v.advisoryIds).toEqual([]);
  });

  it('SGX processor CA, PCCS root CA CRL as DER, globalThis.fetch: ConfigurationAndSWHardeningNeeded', async () => {
    const s = await PcsTestServer.start(pcsData(SGX.collateral), { rootCrlEncoding: 'der' });
    try {
      const b = await new PcsSource({ fetch: nativeFetch, baseUrl: `${s.url}/sgx/certification/v4/`, allowInsecureHttp: true }).getCollateral(SGX.request);
      expect(s.requests.find((r) => r.route === 'pckcrl')?.path).toBe('/sgx/certification/v4/pckcrl?ca=processor&encoding=der');
      expect(s.requests.find((r) => r.route === 'tcb')?.path).toBe('/sgx/certification/v4/tcb?fmspc=00A067110000');
      const v = await verifyQuote(SGX.quote, b.collateral, { at: SGX.at });
      expect(v.status).toBe('ConfigurationAndSWHardeningNeeded');
      expect(v.advisoryIds).toEqual(['INTEL-SA-00289', 'INTEL-SA-00615']);
    } finally {
      await s.close();
    }
  });

  it('legacy SGX-TCB-Info-Issuer-Chain header; root CA CRL from a distribution-point URL on another origin gets no API key', async () => {
    const legacy = await PcsTestServer.start(pcsData(TDX.collateral), { legacyTcbHeader: true });
    const crlHost = await PcsTestServer.start(pcsData(TDX.collateral));
    try {
      const b = await new PcsSource({
        fetch: undici,
        baseUrl: legacy.url,
        apiKey: 'secret',
        rootCaCrl: { url: `${crlHost.url}/IntelSGXRootCA.der` },
        allowInsecureHttp: true,
      }).getCollateral(TDX.request);
      expect(legacy.counts.rootcacrl).toBe(0);
      expect(crlHost.counts.intelrootcrl).toBe(1);
      expect(crlHost.requests[0]!.headers['ocp-apim-subscription-key']).toBeUndefined();
      expect((await verifyQuote(TDX.quote, b.collateral, { at: TDX.at })).status).toBe('UpToDate');
    } finally {
      await legacy.close();
      await crlHost.close();
    }
  });

  it('follows a same-origin redirect (at most maxSameOriginRedirects)', async () => {
    server.fault = ({ route, url, res }) => {
      if (route === 'tcb' && !url.searchParams.has('moved')) {
        res.writeHead(307, { Location: `${url.pathname}${url.search}&moved=1` });
        res.end();
        return true;
      }
      return false;
    };
    await source().getCollateral(TDX.request);
    expect(server.counts.tcb).toBe(2);
  });
});

describe('PcsSource: faults give coded errors', () => {
  it('HTTP 500 / 503 → CollateralFetch http.status', async () => {
    server.fault = ({ route, res }) => {
      if (route !== 'qe') return false;
      res.writeHead(503, { 'Retry-After': '120' });
      res.end('busy');
      return true;
    };
    const e = await rejectsWith(source().getCollateral(TDX.request), 'CollateralFetch');
    expect(e.evidence).toMatchObject({ check: 'http.status', field: 'qeIdentity', found: '503' });
    server.fault = ({ route, res }) => (route === 'tcb' ? (res.writeHead(500).end(), true) : false);
    expect((await rejectsWith(source().getCollateral(TDX.request), 'CollateralFetch')).evidence?.found).toBe('500');
  });

  it('HTTP 404 (unknown FMSPC) → CollateralMissing', async () => {
    await rejectsWith(source().getCollateral({ ...TDX.request, fmspc: '00906ed50000' }), 'CollateralMissing');
  });

  it('server never answers → CollateralFetch http.timeout within the deadline', async () => {
    server.fault = ({ route }) => route === 'tcb'; // request swallowed, no response
    // The deadline, not the test runner's timeout, ends the request: the coded timeout is the proof.
    const e = await rejectsWith(source({ timeoutMs: 150 }).getCollateral(TDX.request), 'CollateralFetch');
    expect(e.evidence?.check).toBe('http.timeout');
  });

  it('slow body (headers, then a trickle) → CollateralFetch http.timeout', async () => {
    server.fault = ({ route, res }, s) => {
      if (route !== 'tcb') return false;
      res.writeHead(200, { 'Content-Length': '5000' });
      res.write('{"tcbInfo":');
      for (let i = 1; i <= 20; i++) s.later(40 * i, () => res.write(' '));
      return true;
    };
    const e = await rejectsWith(source({ timeoutMs: 200 }).getCollateral(TDX.request), 'CollateralFetch');
    expect(e.evidence?.check).toBe('http.timeout');
  });

  it('truncated JSON → CollateralParse; HTML error page with 200 → CollateralParse', async () => {
    const full = server.data.tcb.get('TDX-b0c06f000000')!;
    server.data.tcb.set('TDX-b0c06f000000', { ...full, body: full.body.slice(0, 700) });
    await rejectsWith(source().getCollateral(TDX.request), 'CollateralParse');
    server.data.tcb.set('TDX-b0c06f000000', { ...full, body: '<html>Service Unavailable</html>' });
    await rejectsWith(source().getCollateral(TDX.request), 'CollateralParse');
    server.data.tcb.set('TDX-b0c06f000000', { ...full, body: `{"tcbInfo":{"id":"TDX"},"signature":"00"}` });
    await rejectsWith(source().getCollateral(TDX.request), 'CollateralParse');
  });

  it('connection closed mid-body → CollateralFetch http.network', async () => {
    server.fault = ({ route, res }) => {
      if (route !== 'pckcrl') return false;
      res.writeHead(200, { 'Content-Length': '10000' });
      res.write(Buffer.alloc(100, 0x30));
      res.socket?.destroy();
      return true;
    };
    const e = await rejectsWith(source().getCollateral(TDX.request), 'CollateralFetch');
    expect(e.evidence?.check).toBe('http.network');
  });

  it('missing issuer-chain header → CollateralMissing; garbage header → PemParse', async () => {
    server.fault = ({ route, res }) => {
      if (route !== 'qe') return false;
      res.writeHead(200).end(qeBody(TDX.collateral));
      return true;
    };
    await rejectsWith(source().getCollateral(TDX.request), 'CollateralMissing');
    server.fault = ({ route, res }) => {
      if (route !== 'qe') return false;
      res.writeHead(200, { 'SGX-Enclave-Identity-Issuer-Chain': '-----BEGIN%20CERTIFICATE-----%0Anot-base64%0A-----END%20CERTIFICATE-----' }).end(qeBody(TDX.collateral));
      return true;
    };
    await rejectsWith(source().getCollateral(TDX.request), 'PemParse');
  });

  it('oversized body → CollateralFetch http.bodyTooLarge (Content-Length, and streamed without one)', async () => {
    const big = Buffer.alloc(200_000, 0x20);
    server.fault = ({ route, res }) => (route === 'tcb' ? (res.writeHead(200, { 'Content-Length': String(big.length) }).end(big), true) : false);
    const e1 = await rejectsWith(source({ maxBodyBytes: 64 * 1024 }).getCollateral(TDX.request), 'CollateralFetch');
    expect(e1.evidence?.check).toBe('http.bodyTooLarge');
    server.fault = ({ route, res }) => {
      if (route !== 'tcb') return false;
      res.writeHead(200); // chunked
      for (let i = 0; i < 20; i++) res.write(big.subarray(0, 10_000));
      res.end();
      return true;
    };
    for (const fetch of [undici, nativeFetch, createUndiciFetch({ maxBodyBytes: 64 * 1024 })]) {
      const e = await rejectsWith(source({ fetch, maxBodyBytes: 64 * 1024 }).getCollateral(TDX.request), 'CollateralFetch');
      expect(e.evidence?.check).toBe('http.bodyTooLarge');
    }
  });

  it('redirect to another host → CollateralFetch http.redirect, nothing requested there; redirect loop refused', async () => {
    const other = await PcsTestServer.start(pcsData(TDX.collateral));
    try {
      server.fault = ({ route, url, res }) => {
        if (route !== 'tcb') return false;
        res.writeHead(302, { Location: `${other.url}${url.pathname}${url.search}` }).end();
        return true;
      };
      const e = await rejectsWith(source().getCollateral(TDX.request), 'CollateralFetch');
      expect(e.evidence).toMatchObject({ check: 'http.redirect', found: other.url });
      expect(other.total).toBe(0);
      server.fault = ({ route, url, res }) => (route === 'tcb' ? (res.writeHead(301, { Location: url.pathname + url.search }).end(), true) : false);
      const loop = await rejectsWith(source({ maxSameOriginRedirects: 2 }).getCollateral(TDX.request), 'CollateralFetch');
      expect(loop.evidence?.check).toBe('http.redirect');
      expect(server.counts.tcb).toBe(1 + 3);
    } finally {
      await other.close();
    }
  });

  it('answer for another FMSPC → FmspcMismatch; SGX QE Identity for TDX → CollateralMismatch; wrong CA CRL → CollateralMismatch', async () => {
    server.data.tcb.set('TDX-b0c06f000001', server.data.tcb.get('TDX-b0c06f000000')!);
    await rejectsWith(source().getCollateral({ ...TDX.request, fmspc: 'B0C06F000001' }), 'FmspcMismatch');
    server.data.qe.set('TDX', pcsData(SGX.collateral).qe.get('SGX')!);
    await rejectsWith(source().getCollateral(TDX.request), 'CollateralMismatch');
    server.data = pcsData(TDX.collateral);
    server.data.pckCrl.set('processor', server.data.pckCrl.get('platform')!);
    await rejectsWith(source().getCollateral({ ...TDX.request, ca: 'processor' }), 'CollateralMismatch');
  });

  it('caller abort → CollateralFetch http.aborted', async () => {
    server.fault = ({ route }) => route === 'tcb';
    const ac = new AbortController();
    const p = source().getCollateral(TDX.request, { signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    const e = await rejectsWith(p, 'CollateralFetch');
    expect(e.evidence?.check).toBe('http.aborted');
  });

  it('usage: http:// without allowInsecureHttp, bad FMSPC, bad options → InvalidArgument', async () => {
    expect(() => new PcsSource({ fetch: undici, baseUrl: server.url })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => new PcsSource({ fetch: undici, baseUrl: 'ftp://x' , allowInsecureHttp: true})).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => source({ timeoutMs: -1 })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    await rejectsWith(source().getCollateral({ ...TDX.request, fmspc: 'zz' }), 'InvalidArgument');
    expect(server.total).toBe(0);
  });
});
