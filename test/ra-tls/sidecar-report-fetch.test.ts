/**
 * fetchAttestationReport: https unless allowInsecureHttp, the size and time
 * limits, no redirects, coded failures (AttestationReportFetch). Loopback
 * HTTP servers only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAttestationReport } from '../../src/ra-tls/sidecar-report-fetch.js';
import { rejectsWith } from './helpers.js';

let server: Server;
let base: string;
const BODY = JSON.stringify({ hello: 'report' });

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/attestation') res.writeHead(200, { 'content-type': 'application/json' }).end(BODY);
    else if (req.url === '/big') res.writeHead(200).end('x'.repeat(4096));
    else if (req.url === '/redirect') res.writeHead(302, { location: '/attestation' }).end();
    else if (req.url === '/hang') res.writeHead(200); // never ends
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('fetchAttestationReport', () => {
  it('http only with allowInsecureHttp; the body bytes come back', async () => {
    const e = await rejectsWith(fetchAttestationReport(`${base}/attestation`), 'InvalidArgument');
    expect(e.evidence?.check).toBe('options.allowInsecureHttp');
    const body = await fetchAttestationReport(`${base}/attestation`, { allowInsecureHttp: true });
    expect(new TextDecoder().decode(body)).toBe(BODY);
  });

  it('limits and failures are AttestationReportFetch', async () => {
    const o = { allowInsecureHttp: true } as const;
    expect((await rejectsWith(fetchAttestationReport(`${base}/big`, { ...o, maxBytes: 1024 }), 'AttestationReportFetch')).evidence?.check).toBe('http.bodyTooLarge');
    expect((await rejectsWith(fetchAttestationReport(`${base}/missing`, o), 'AttestationReportFetch')).evidence?.found).toBe('404');
    await rejectsWith(fetchAttestationReport(`${base}/redirect`, o), 'AttestationReportFetch');
    expect((await rejectsWith(fetchAttestationReport(`${base}/hang`, { ...o, timeoutMs: 200 }), 'AttestationReportFetch')).evidence?.check).toBe('http.timeout');
    await rejectsWith(fetchAttestationReport('http://127.0.0.1:1/attestation', o), 'AttestationReportFetch');
  });

  it('options are checked', async () => {
    await rejectsWith(fetchAttestationReport('not a url'), 'InvalidArgument');
    await rejectsWith(fetchAttestationReport('ftp://127.0.0.1/attestation', { allowInsecureHttp: true }), 'InvalidArgument');
    await rejectsWith(fetchAttestationReport(`${base}/attestation`, { allowInsecureHttp: 'yes' as never }), 'InvalidArgument');
    await rejectsWith(fetchAttestationReport(`${base}/attestation`, { allowInsecureHttp: true, maxBytes: 0 }), 'InvalidArgument');
  });
});
