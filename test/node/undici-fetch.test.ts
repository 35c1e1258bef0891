/**
 * The Node undici adapter on its own: its connect / header / body timeouts and
 * errors surface as CollateralFetch through PcsSource; no redirect is followed
 * by the adapter; close() releases it.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcsSource } from '../../src/sources/dcap/pcs-source.js';
import { createUndiciFetch } from '../../src/node/undici-fetch.js';
import { PcsTestServer, TDX, pcsData, rejectsWith } from '../sources/dcap/helpers.js';

let server: PcsTestServer;
beforeAll(async () => {
  server = await PcsTestServer.start(pcsData(TDX.collateral));
});
afterAll(async () => {
  await server.close();
});

function via(fetch: ReturnType<typeof createUndiciFetch>, base = server.url): PcsSource {
  return new PcsSource({ fetch, baseUrl: base, allowInsecureHttp: true, timeoutMs: 5_000 });
}

describe('createUndiciFetch', () => {
  it('headers timeout → CollateralFetch http.timeout (UND_ERR_HEADERS_TIMEOUT)', async () => {
    const f = createUndiciFetch({ headersTimeoutMs: 100 });
    server.fault = ({ route }) => route === 'qe';
    try {
      const e = await rejectsWith(via(f).getCollateral(TDX.request), 'CollateralFetch');
      expect(e.evidence).toMatchObject({ check: 'http.timeout', found: 'UND_ERR_HEADERS_TIMEOUT' });
    } finally {
      server.fault = undefined;
      await f.close();
    }
  });

  it('body idle timeout → CollateralFetch http.timeout', async () => {
    const f = createUndiciFetch({ bodyTimeoutMs: 100 });
    server.fault = ({ route, res }) => (route === 'tcb' ? (res.writeHead(200, { 'Content-Length': '999' }), res.write('{'), true) : false);
    try {
      const e = await rejectsWith(via(f).getCollateral(TDX.request), 'CollateralFetch');
      expect(e.evidence?.check).toBe('http.timeout');
    } finally {
      server.fault = undefined;
      await f.close();
    }
  });

  it('connection refused → CollateralFetch http.network; use after close() → CollateralFetch', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const f = createUndiciFetch({ connectTimeoutMs: 500 });
    const e = await rejectsWith(via(f, `http://127.0.0.1:${port}`).getCollateral(TDX.request), 'CollateralFetch');
    expect(e.evidence?.check).toBe('http.network');
    await f.close();
    await rejectsWith(via(f).getCollateral(TDX.request), 'CollateralFetch');
  });

  it('returns 3xx as is (redirect: manual) and keeps connections alive between requests', async () => {
    const f = createUndiciFetch();
    server.fault = ({ route, res }) => (route === 'other' ? (res.writeHead(302, { Location: 'http://example.invalid/' }).end(), true) : false);
    try {
      const res = await f(`${server.url}/elsewhere`, { method: 'GET', headers: {}, redirect: 'manual', signal: new AbortController().signal });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('http://example.invalid/');
      server.resetCounts();
      await via(f).getCollateral(TDX.request);
      await via(f).getCollateral(TDX.request);
      expect(server.total).toBe(8);
      expect(server.connections).toBeLessThanOrEqual(4); // the second round reuses the pooled sockets
    } finally {
      server.fault = undefined;
      await f.close();
    }
  });
});
