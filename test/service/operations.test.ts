/**
 * Policies (policy_ids_matched / unmatched, policy_must_match), verifier
 * nonces (replay), per-key rate limits on an injected clock, health,
 * readiness, metrics, logs, graceful shutdown, open (loopback-only) mode,
 * SGX quotes and config validation.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { requestKey } from '../../src/sources/dcap/request.js';
import { createAppraisalService, parseServiceConfig } from '../../src/service/index.js';
import { makeScenario } from '../../src/testing/index.js';
import { toHex } from '../../src/lib/bytes.js';
import { throwsWith, rejectsWith } from '../support/codes.js';
import { API_KEY, OTHER_API_KEY, SGX_REQUEST, TDX_REQUEST, attest, b64, bundleOf, decodeJwtPart, scenario, startService, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function mrTdOf(quote: Uint8Array): string {
  // TD report body starts after the 48-byte header; MRTD is at body offset 136 (Intel TDX DCAP Quoting Library API, A.3.2).
  return toHex(quote.subarray(48 + 136, 48 + 184));
}

describe('policies', () => {
  const config = (mrtd: string) => ({
    apiKeys: [{ id: 'tenant-a', sha256: createHash('sha256').update(API_KEY).digest('hex') }],
    policies: {
      'prod-td': { allowedMrtds: [mrtd], acceptableTcbStatuses: ['UpToDate'] },
      'other-td': { allowedMrtds: ['11'.repeat(48)] },
      'app-pinned': { allowedAppIds: ['aa'.repeat(20)] },
      'allow-debug': { allowDebug: true, requireSeptVeDisable: false },
    },
  });

  it('reports matched and unmatched policy ids in the token', async () => {
    const s = scenario();
    h = await startService({ config: config(mrTdOf(s.quote)) });
    const res = await attest(h.url, { tdx: { quote: b64(s.quote) }, policy_ids: ['prod-td', 'other-td', 'app-pinned', 'allow-debug'] });
    expect(res.status).toBe(200);
    const claims = decodeJwtPart(res.json.token, 1);
    expect(claims.policy_ids_matched.map((p: { id: string }) => p.id)).toEqual(['prod-td', 'allow-debug']);
    expect(claims.policy_ids_unmatched.map((p: { id: string }) => p.id)).toEqual(['other-td', 'app-pinned']);
  });

  it('policy_must_match refuses with 403 and names the unmatched ids; unknown ids are 400', async () => {
    const s = scenario();
    h = await startService({ config: config(mrTdOf(s.quote)) });
    const ok = await attest(h.url, { tdx: { quote: b64(s.quote) }, policy_ids: ['prod-td'], policy_must_match: true });
    expect(ok.status).toBe(200);
    const refused = await attest(h.url, { tdx: { quote: b64(s.quote) }, policy_ids: ['prod-td', 'other-td'], policy_must_match: true });
    expect(refused.status).toBe(403);
    expect(refused.json.error.reason).toBe('policy_unmatched');
    expect(refused.json.error.policy_ids_unmatched).toEqual(['other-td']);
    for (const id of ['nope', '__proto__', 'constructor', 'toString']) {
      const unknown = await attest(h.url, { tdx: { quote: b64(s.quote) }, policy_ids: [id] });
      expect(unknown.status, id).toBe(400);
      expect(unknown.json.error.reason).toBe('unknown_policy');
    }
  });

  it('a debug TD matches only a policy that allows debug', async () => {
    const s = scenario();
    const debug = makeScenario({ pki: s.pki, quote: { debug: true } });
    h = await startService({ config: config(mrTdOf(debug.quote)) });
    const res = await attest(h.url, { tdx: { quote: b64(debug.quote) }, policy_ids: ['prod-td', 'allow-debug'] });
    const claims = decodeJwtPart(res.json.token, 1);
    expect(claims.policy_ids_matched.map((p: { id: string }) => p.id)).toEqual(['allow-debug']);
  });
});

describe('verifier nonce (replay protection)', () => {
  async function nonce(url: string): Promise<{ val: string; iat: string; signature: string }> {
    const r = await fetch(`${url}/appraisal/v2/nonce`, { headers: { 'x-api-key': API_KEY } });
    expect(r.status).toBe(200);
    return (await r.json()) as { val: string; iat: string; signature: string };
  }
  /** A quote whose REPORTDATA = SHA-512(nonce.val ‖ nonce.iat ‖ runtime_data), as ITA defines the binding. */
  function boundQuote(n: { val: string; iat: string }, runtime: Uint8Array): Uint8Array {
    const reportData = createHash('sha512')
      .update(Buffer.concat([Buffer.from(n.val, 'base64'), Buffer.from(n.iat, 'base64'), runtime]))
      .digest();
    return makeScenario({ pki: scenario().pki, quote: { tdBody: { reportData: new Uint8Array(reportData) } } }).quote;
  }

  it('accepts a fresh nonce once; a replay is 409, a forged nonce 400, an expired one 400', async () => {
    h = await startService();
    const runtime = new TextEncoder().encode('{"key":"k"}');
    const n = await nonce(h.url);
    const quote = boundQuote(n, runtime);
    const body = { tdx: { quote: b64(quote), runtime_data: b64(runtime), verifier_nonce: n } };
    const first = await attest(h.url, body);
    expect(first.status).toBe(200);
    expect(decodeJwtPart(first.json.token, 1).tdx.verifier_nonce).toEqual({ val: n.val, iat: n.iat });
    const replay = await attest(h.url, body);
    expect(replay.status).toBe(409);
    expect(replay.json.error.reason).toBe('nonce_replayed');

    const n2 = await nonce(h.url);
    const forgedVal = Buffer.from(n2.val, 'base64');
    forgedVal[0]! ^= 1;
    const forged = { ...n2, val: forgedVal.toString('base64') };
    const bad = await attest(h.url, { tdx: { quote: b64(boundQuote(forged, runtime)), runtime_data: b64(runtime), verifier_nonce: forged } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.reason).toBe('nonce_invalid');

    const n3 = await nonce(h.url);
    h.now += 301;
    const late = await attest(h.url, { tdx: { quote: b64(boundQuote(n3, runtime)), runtime_data: b64(runtime), verifier_nonce: n3 } });
    expect(late.status).toBe(400);
    expect(late.json.error.reason).toBe('nonce_expired');
  });

  it('requireNonce refuses requests without one', async () => {
    h = await startService({ requireNonce: true });
    const res = await attest(h.url, { tdx: { quote: b64(scenario().quote) } });
    expect(res.status).toBe(400);
    expect(res.json.error.reason).toBe('nonce_required');
  });
});

describe('rate limits (token bucket, injected clock)', () => {
  it('allows the burst, then 429 with Retry-After, then refills with time; keys are independent', async () => {
    h = await startService();
    const body = { tdx: { quote: b64(scenario().quote) } };
    const b = { 'x-api-key': OTHER_API_KEY }; // tenant-b: 1/s, burst 2
    expect((await attest(h.url, body, b)).status).toBe(200);
    expect((await attest(h.url, body, b)).status).toBe(200);
    const limited = await attest(h.url, body, b);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await attest(h.url, body)).status).toBe(200); // tenant-a has its own bucket
    h.now += 1;
    expect((await attest(h.url, body, b)).status).toBe(200);
    expect((await attest(h.url, body, b)).status).toBe(429);
  });
});

describe('health, readiness, metrics, logs', () => {
  it('/healthz is up; /readyz waits for the configured FMSPCs; /metrics counts outcomes, latency and cache hits', async () => {
    const s = scenario();
    h = await startService({ config: { apiKeys: [{ id: 'a', sha256: createHash('sha256').update(API_KEY).digest('hex') }], fmspcs: [{ teeType: 'TDX', fmspc: TDX_REQUEST.fmspc, ca: 'platform' }] }, warmRetrySeconds: 3600 });
    // The start-up warm-up ran against a healthy upstream.
    await expect(h.service.warm()).resolves.toBe(true);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    await attest(h.url, { tdx: { quote: b64(s.quote) } }, { 'x-api-key': API_KEY, 'x-request-id': 'req-123' });
    await attest(h.url, { tdx: { quote: b64(s.quote) } }, {});
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toContain('tee_attest_requests_total{endpoint="/appraisal/v2/attest",outcome="token"} 1');
    expect(text).toContain('tee_attest_requests_total{endpoint="/appraisal/v2/attest",outcome="unauthenticated"} 1');
    expect(text).toMatch(/tee_attest_verification_seconds_count 1\n/);
    // Three lookups: the start-up warm-up (a miss), the explicit warm-up (a miss when it overlapped
    // the first, else a hit) and the attest (a hit).
    const count = (r: string): number => Number(new RegExp(`tee_attest_collateral_cache_total\\{result="${r}"\\} (\\d+)`).exec(text)![1]);
    expect(count('hit') + count('miss')).toBe(3);
    expect(count('miss')).toBeGreaterThanOrEqual(1);
    expect(count('hit')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/tee_attest_collateral_cache_hit_ratio 0\.\d+/);
    expect(text).toContain(`tee_attest_collateral_age_seconds{collateral="${requestKey(TDX_REQUEST)}"} 60`);
    const entry = h.logs.find((l) => l.requestId === 'req-123')!;
    expect(entry).toMatchObject({ level: 'info', msg: 'request', status: 200, outcome: 'token', key: 'a', tcbStatus: 'UpToDate' });
  });

  it('/readyz is 503 until the collateral warms up', async () => {
    h = await startService({
      upstreamTable: new Map(),
      config: { apiKeys: [{ id: 'a', sha256: createHash('sha256').update(API_KEY).digest('hex') }], fmspcs: [{ teeType: 'TDX', fmspc: TDX_REQUEST.fmspc }] },
      warmRetrySeconds: 3600,
    });
    expect(await h.service.warm()).toBe(false);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(503);
    h.upstream.table.set(requestKey(TDX_REQUEST), bundleOf(scenario(), TDX_REQUEST));
    expect(await h.service.warm()).toBe(true);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    expect(h.service.ready()).toBe(true);
  });

  it('collateral outage: 503 collateral_unavailable', async () => {
    h = await startService({ upstreamTable: new Map() });
    const res = await attest(h.url, { tdx: { quote: b64(scenario().quote) } });
    expect(res.status).toBe(503);
    expect(res.json.error.reason).toBe('collateral_unavailable');
  });
});

describe('backpressure', () => {
  it('more attests in flight than maxConcurrentAttests: 503 busy with Retry-After', async () => {
    h = await startService({ config: { apiKeys: [{ id: 'a', sha256: createHash('sha256').update(API_KEY).digest('hex') }], maxConcurrentAttests: 1 } });
    let release!: () => void;
    h.upstream.gate = new Promise<void>((r) => (release = r));
    const first = attest(h.url, { tdx: { quote: b64(scenario().quote) } });
    while (h.upstream.calls === 0) await new Promise((r) => setTimeout(r, 5));
    const busy = await attest(h.url, { tdx: { quote: b64(scenario().quote) } });
    expect(busy.status).toBe(503);
    expect(busy.json.error.reason).toBe('busy');
    expect(busy.headers.get('retry-after')).toBe('1');
    release();
    expect((await first).status).toBe(200);
    expect((await attest(h.url, { tdx: { quote: b64(scenario().quote) } })).status).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests, refuses new ones with 503, then resolves close()', async () => {
    h = await startService();
    let release!: () => void;
    h.upstream.gate = new Promise<void>((r) => (release = r));
    const inFlight = attest(h.url, { tdx: { quote: b64(scenario().quote) } });
    while (h.upstream.calls === 0) await new Promise((r) => setTimeout(r, 5));
    const closed = h.service.close(30);
    const refused = await fetch(`${h.url}/healthz`);
    expect(refused.status).toBe(503);
    expect(h.service.ready()).toBe(false);
    release();
    expect((await inFlight).status).toBe(200);
    await closed;
  });
});

describe('open mode, SGX, config', () => {
  it('without API keys it serves loopback clients without a key, and says so in the log', async () => {
    h = await startService({ config: {} });
    expect(h.service.openAccess).toBe(true);
    expect(h.logs.some((l) => l.msg.includes('loopback'))).toBe(true);
    expect((await attest(h.url, { tdx: { quote: b64(scenario().quote) } }, {})).status).toBe(200);
  });

  it('without API keys a non-loopback peer is refused (403 loopback_only)', async () => {
    h = await startService({ config: {} });
    const { Readable } = await import('node:stream');
    const req = Object.assign(Readable.from([]), {
      method: 'GET',
      url: '/appraisal/v2/nonce',
      headers: {},
      socket: { remoteAddress: '10.1.2.3' },
    });
    const answer = await new Promise<{ status: number; body: string }>((resolve) => {
      let status = 0;
      const res = {
        statusCode: 200,
        headersSent: false,
        setHeader: () => {},
        on: () => {},
        writeHead: (s: number) => {
          status = s;
        },
        end: (body: string) => resolve({ status, body }),
      };
      h!.service.handler(req as never, res as never);
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error.reason).toBe('loopback_only');
  });

  it('appraises SGX quotes into sgx_* claims', async () => {
    const s = scenario();
    const sgx = makeScenario({ pki: s.pki, teeType: 'SGX' });
    h = await startService({ upstreamTable: new Map([[requestKey(SGX_REQUEST), bundleOf(sgx, SGX_REQUEST)]]) });
    const res = await attest(h.url, { sgx: { quote: b64(sgx.quote) } });
    expect(res.status).toBe(200);
    const claims = decodeJwtPart(res.json.token, 1);
    expect(claims.sgx.attester_type).toBe('SGX');
    expect(claims.sgx.sgx_mrenclave).toMatch(/^[0-9a-f]{64}$/);
    expect(claims.sgx.attester_tcb_status).toBe('UpToDate');
  });

  it('config validation is strict and coded', async () => {
    throwsWith(() => parseServiceConfig({ apiKey: [] }), 'InvalidArgument');
    throwsWith(() => parseServiceConfig({ apiKeys: [{ id: 'a', sha256: 'zz' }] }), 'InvalidArgument');
    throwsWith(() => parseServiceConfig({ policies: { p: { allowedMrtds: ['00'] } } }), 'InvalidArgument');
    // The one policy vocabulary: a key of another spelling (e.g. the pre-rename mrTd) is refused, never ignored.
    throwsWith(() => parseServiceConfig({ policies: { p: { mrTd: ['00'.repeat(48)] } } }), 'InvalidArgument');
    throwsWith(() => parseServiceConfig({ policies: { p: { acceptableTcbStatuses: ['Fine'] } } }), 'InvalidArgument');
    throwsWith(() => parseServiceConfig({ rateLimit: { perSecond: 0, burst: 1 } }), 'InvalidArgument');
    const proto = parseServiceConfig(JSON.parse('{"policies":{"__proto__":{"allowDebug":true}}}'));
    expect(Object.hasOwn(proto.policies!, '__proto__')).toBe(true); // a plain key, not a prototype
    await rejectsWith(createAppraisalService({ config: {}, allowedSigningKeys: undefined }), 'InvalidArgument'); // no collateral source
  });
});
