/**
 * The appraisal service end to end over loopback: our IntelApiVerifier
 * (apiUrl + jwksUrl pointed at the service) verifies a test-factory quote;
 * refusals (forged, oversized, unauthenticated, wrong method / type) carry
 * the right HTTP status; a token signed by another service's key is refused
 * by the client; tokens expire for the client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webcrypto } from 'node:crypto';
import { DEFAULT_ISSUER, EAR_MEDIA_TYPE } from '../../src/service/index.js';
import { makeScenario } from '../../src/testing/index.js';
import { IntelApiVerifier } from '../../src/verifier/ita/intel-api-verifier.js';
import { rejectsWith } from '../support/codes.js';
import { API_KEY, attest, b64, decodeJwtPart, scenario, startService, type Harness } from './helpers.js';

let h: Harness;
let other: Harness;

beforeAll(async () => {
  h = await startService();
  other = await startService();
});
afterAll(async () => {
  await h?.close();
  await other?.close();
});

function client(apiUrl: string, jwksUrl: string, extra: Partial<ConstructorParameters<typeof IntelApiVerifier>[0]> = {}): IntelApiVerifier {
  return new IntelApiVerifier({ apiKey: API_KEY, apiUrl, jwksUrl, issuers: [DEFAULT_ISSUER], allowInsecureTransport: true, ...extra });
}

describe('IntelApiVerifier against the service', () => {
  it('verifies a test-factory TDX quote end to end', async () => {
    const s = scenario();
    const r = await client(h.url, `${h.url}/certs`).verify(s.quote, { at: s.at });
    expect(r.verifier).toBe('intel-trust-authority');
    expect(r.authenticated).toBe(true);
    expect(r.tcbStatus).toBe('UpToDate');
    expect(r.advisoryIds).toEqual([]);
    expect(r.isDebug).toBe(false);
    expect(r.tcbDate).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const claims = r.token!.claims as Record<string, any>;
    expect(claims.iss).toBe(DEFAULT_ISSUER);
    expect(claims.iat).toBe(s.at);
    expect(claims.exp).toBe(s.at + 300);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.tdx.attester_type).toBe('TDX');
    expect(r.token!.header.alg).toBe('PS384');
  });

  it('issues a fresh jti per token', async () => {
    const s = scenario();
    const c = client(h.url, `${h.url}/certs`);
    const [a, b] = await Promise.all([c.requestToken(s.quote), c.requestToken(s.quote)]);
    expect(decodeJwtPart(a, 1).jti).not.toBe(decodeJwtPart(b, 1).jti);
  });

  it('refuses a token signed by another service key (JWKS of another instance)', async () => {
    const s = scenario();
    await rejectsWith(client(h.url, `${other.url}/certs`).verify(s.quote, { at: s.at }), 'TokenSignature');
  });

  it('a replayed token is refused once it expires', async () => {
    const s = scenario();
    const c = client(h.url, `${h.url}/certs`);
    const token = await c.requestToken(s.quote);
    await expect(c.verifyToken(token, s.at + 299)).resolves.toBeDefined();
    await rejectsWith(c.verifyToken(token, s.at + 300), 'TokenExpired');
  });

  it('checks runtime_data: REPORTDATA must be SHA-512(runtime_data)', async () => {
    const s = scenario();
    const res = await attest(h.url, { tdx: { quote: b64(s.quote), runtime_data: b64(new Uint8Array([1, 2, 3])) } });
    expect(res.status).toBe(400);
    expect(res.json.error.reason).toBe('report_data_mismatch');
  });
});

describe('refusals', () => {
  it('forged quote signature: 400 with the engine code', async () => {
    const s = scenario();
    const forged = makeScenario({ pki: s.pki, corrupt: { quoteSignature: true } });
    const res = await attest(h.url, { tdx: { quote: b64(forged.quote) } });
    expect(res.status).toBe(400);
    expect(res.json.error.reason).toBe('verification_failed');
    expect(res.json.error.code).toBe('QuoteSignature');
  });

  it('quote from another (untrusted) PKI: 400', async () => {
    const forged = makeScenario({ label: 'someone else' });
    const res = await attest(h.url, { tdx: { quote: b64(forged.quote) } });
    expect(res.status).toBe(400);
    expect(res.json.error.reason).toBe('verification_failed');
  });

  it('a tampered quote byte: 400', async () => {
    const q = new Uint8Array(scenario().quote);
    q[200] = q[200]! ^ 1;
    const res = await attest(h.url, { tdx: { quote: b64(q) } });
    expect(res.status).toBe(400);
  });

  it('unauthenticated: no key or an unknown key is 401, and the key is never logged', async () => {
    const s = scenario();
    expect((await attest(h.url, { tdx: { quote: b64(s.quote) } }, {})).status).toBe(401);
    const res = await attest(h.url, { tdx: { quote: b64(s.quote) } }, { 'x-api-key': 'not-a-key' });
    expect(res.status).toBe(401);
    expect(res.json.error.reason).toBe('unauthenticated');
    expect(JSON.stringify(h.logs)).not.toContain('not-a-key');
    expect(JSON.stringify(h.logs)).not.toContain(API_KEY);
  });

  it('oversized body: 413 (declared and streamed)', async () => {
    const big = 'A'.repeat(300 * 1024);
    const res = await attest(h.url, { tdx: { quote: big } });
    expect(res.status).toBe(413);
    expect(res.json.error.reason).toBe('too_large');
  });

  it('malformed requests: 400; wrong type 415; wrong method 405; unknown path 404', async () => {
    const s = scenario();
    expect((await attest(h.url, '{not json')).status).toBe(400);
    expect((await attest(h.url, { tdx: { quote: 'not base64!' } })).status).toBe(400);
    expect((await attest(h.url, { tdx: { quote: b64(s.quote) }, sgx: { quote: b64(s.quote) } })).status).toBe(400);
    expect((await attest(h.url, { tdx: { quote: b64(s.quote) }, extra: 1 })).status).toBe(400);
    expect((await attest(h.url, { tdx: { quote: b64(s.quote) }, token_signing_alg: 'HS256' })).json.error.reason).toBe('unsupported_algorithm');
    expect((await attest(h.url, { sgx: { quote: b64(s.quote) } })).status).toBe(400); // a TDX quote sent as sgx
    const typed = await attest(h.url, JSON.stringify({ tdx: { quote: b64(s.quote) } }), { 'x-api-key': API_KEY, 'content-type': 'text/plain' });
    expect(typed.status).toBe(415);
    const get = await fetch(`${h.url}/appraisal/v2/attest`, { headers: { 'x-api-key': API_KEY } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${h.url}/nope`)).status).toBe(404);
    const deep = await attest(h.url, '['.repeat(10_000) + ']'.repeat(10_000));
    expect(deep.status).toBe(400);
    for (let i = 0; i < 3; i++) await fetch(`${h.url}/random-${i}`);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).not.toContain('random-'); // attacker-chosen paths never become metric labels
    expect(metrics).toContain('endpoint="other",outcome="not_found"');
  });
});

describe('token formats', () => {
  it('ES256 on request, verifiable with the served JWKS', async () => {
    const s = scenario();
    const res = await attest(h.url, { tdx: { quote: b64(s.quote) }, token_signing_alg: 'ES256' });
    expect(res.status).toBe(200);
    const token: string = res.json.token;
    const header = decodeJwtPart(token, 0);
    expect(header.alg).toBe('ES256');
    const jwks = (await (await fetch(`${h.url}/certs`)).json()) as { keys: Record<string, string>[] };
    const jwk = jwks.keys.find((k) => k.kid === header.kid)!;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    const key = await webcrypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const [p0, p1, sig] = token.split('.');
    const ok = await webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, Buffer.from(sig!, 'base64url'), Buffer.from(`${p0}.${p1}`));
    expect(ok).toBe(true);
  });

  it('EAR with Accept: application/eat+jwt', async () => {
    const s = scenario();
    const res = await attest(h.url, { tdx: { quote: b64(s.quote) } }, { 'x-api-key': API_KEY, accept: EAR_MEDIA_TYPE });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(EAR_MEDIA_TYPE);
    const ear = decodeJwtPart(res.text, 1);
    expect(ear.eat_profile).toBe('tag:github.com,2023:veraison/ear');
    expect(ear.iat).toBe(s.at);
    expect(ear.submods.TDX['ear.status']).toBe('affirming');
    expect(ear.submods.TDX['ear.trustworthiness-vector']).toEqual({ hardware: 2, configuration: 2 });
    expect(ear.submods.TDX['ear.veraison.annotated-evidence'].tdx_mrtd).toMatch(/^[0-9a-f]{96}$/);
  });

  it('EAR marks a debug TD contraindicated', async () => {
    const s = scenario();
    const debug = makeScenario({ pki: s.pki, quote: { debug: true } });
    const res = await attest(h.url, { tdx: { quote: b64(debug.quote) } }, { 'x-api-key': API_KEY, accept: EAR_MEDIA_TYPE });
    expect(res.status).toBe(200);
    const ear = decodeJwtPart(res.text, 1);
    expect(ear.submods.TDX['ear.status']).toBe('contraindicated');
    const ita = await attest(h.url, { tdx: { quote: b64(debug.quote) } });
    expect(decodeJwtPart(ita.json.token, 1).tdx.tdx_is_debuggable).toBe(true);
  });
});
