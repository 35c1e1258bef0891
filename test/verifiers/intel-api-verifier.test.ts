/**
 * IntelApiVerifier against a local Intel Trust Authority stub (node:http on
 * 127.0.0.1, random port) that issues JWTs signed with an RSA key generated
 * here and serves the JWKS. Covers the v1 flat and v2 nested claim layouts,
 * PS384 and RS256, and the rejections: bad key, expired token, wrong issuer,
 * alg=none, tampered payload, unknown algorithm, claims for another quote.
 */
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseQuote } from '../../src/quote/parse.js';
import type { TdReportBody } from '../../src/quote/types.js';
import { verifyServerCertificate } from '../../src/ra-tls/verify-server-certificate.js';
import { toHex } from '../../src/lib/bytes.js';
import { base64Encode, base64UrlEncode } from '../../src/lib/base64.js';
import { CachedVerifier } from '../../src/verifier/cached-verifier.js';
import { IntelApiVerifier, type IntelApiVerifierOptions } from '../../src/verifier/ita/intel-api-verifier.js';
import { tcbStatusFromIta } from '../../src/verifier/ita/ita-claims.js';
import { bin, makeRaTlsScenario, rejectsWith, throwsWith } from '../ra-tls/helpers.js';

const QUOTE = bin('sqlx-ra-tls-fixture-tdx_quote.bin');
const NOW = 1_750_000_000;
const API_KEY = 'test-api-key';

function rsa(bits = 2048): { privateKey: KeyObject; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) as Record<string, unknown> };
}
const KEY = rsa();
const OTHER_KEY = rsa();
const SMALL_KEY = rsa(1024);

function b64json(v: unknown): string {
  return base64UrlEncode(new TextEncoder().encode(JSON.stringify(v)));
}

function jwt(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject = KEY.privateKey): string {
  const input = `${b64json(header)}.${b64json(claims)}`;
  const data = Buffer.from(input);
  const sig =
    header.alg === 'RS256'
      ? sign('sha256', data, key)
      : sign('sha384', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 });
  return `${input}.${base64UrlEncode(new Uint8Array(sig))}`;
}

function tdxClaims(quote: Uint8Array): Record<string, unknown> {
  const b = parseQuote(quote, { trailingBytes: 'zeros' }).body as TdReportBody;
  return {
    attester_type: 'TDX',
    tdx_mrtd: toHex(b.mrTd).toUpperCase(),
    tdx_rtmr0: toHex(b.rtmr0),
    tdx_rtmr1: toHex(b.rtmr1),
    tdx_rtmr2: toHex(b.rtmr2),
    tdx_rtmr3: toHex(b.rtmr3),
    tdx_report_data: toHex(b.reportData),
    tdx_mrconfigid: toHex(b.mrConfigId),
    tdx_is_debuggable: false,
    attester_tcb_status: 'UpToDate',
    attester_advisory_ids: [],
    attester_tcb_date: '2024-03-13T00:00:00Z',
  };
}

const registered = (): Record<string, unknown> => ({
  iss: 'Intel Trust Authority',
  iat: NOW - 10,
  nbf: NOW - 10,
  exp: NOW + 300,
  ver: '2.0.0',
  jti: 'test',
});

/** What the stub answers, per test. */
interface StubState {
  issue: (quote: Uint8Array, body: Record<string, unknown>) => string | { status: number; body: string };
  jwks: () => unknown;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
}
const state: StubState = { issue: () => '', jwks: () => ({}), requests: [] };

let server: Server;
let base: string;

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      state.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.method === 'GET' && req.url === '/certs') return reply(res, 200, JSON.stringify(state.jwks()));
      if (req.method === 'POST' && req.url === '/appraisal/v2/attest') {
        if (req.headers['x-api-key'] !== API_KEY) return reply(res, 401, '{"error":"unauthorized"}');
        const doc = JSON.parse(body) as { tdx: { quote: string } };
        const out = state.issue(new Uint8Array(Buffer.from(doc.tdx.quote, 'base64')), doc as unknown as Record<string, unknown>);
        return typeof out === 'string' ? reply(res, 200, JSON.stringify({ token: out })) : reply(res, out.status, out.body);
      }
      reply(res, 404, '{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  state.requests = [];
  state.jwks = () => ({ keys: [{ ...KEY.jwk, kid: 'k1', alg: 'PS384', use: 'sig' }, { ...KEY.jwk, kid: 'k-rs', alg: 'RS256' }] });
  state.issue = (q) => jwt({ alg: 'PS384', kid: 'k1', typ: 'JWT', jku: 'https://evil.example/certs' }, { ...registered(), tdx: tdxClaims(q) });
});

function verifier(o: Partial<IntelApiVerifierOptions> = {}): IntelApiVerifier {
  return new IntelApiVerifier({ apiKey: API_KEY, apiUrl: base, jwksUrl: `${base}/certs`, allowInsecureTransport: true, ...o });
}

describe('IntelApiVerifier: accepted tokens', () => {
  it('v2 nested claims, PS384: result from the token, cross-checked with the quote', async () => {
    const r = await verifier().verify(QUOTE, { at: NOW, runtimeData: Uint8Array.of(1, 2, 3) });
    expect(r.verifier).toBe('intel-trust-authority');
    expect(r.authenticated).toBe(true);
    expect(r.tcbStatus).toBe('UpToDate');
    expect(r.mrtd.startsWith('91eb2b44')).toBe(true);
    expect(r.isDebug).toBe(false);
    expect(r.expiresAt).toBe(NOW + 300);
    expect(r.tcbDate).toBe('2024-03-13T00:00:00Z');
    expect(r.token?.header.alg).toBe('PS384');

    const attest = state.requests.find((x) => x.url === '/appraisal/v2/attest')!;
    expect(attest.headers['x-api-key']).toBe(API_KEY);
    expect(attest.headers['content-type']).toBe('application/json');
    const body = JSON.parse(attest.body) as { tdx: { quote: string; runtime_data: string }; token_signing_alg: string };
    expect(body.tdx.quote).toBe(base64Encode(QUOTE));
    expect(body.tdx.runtime_data).toBe('AQID');
    expect(body.token_signing_alg).toBe('PS384');
    // The token's jku is never followed: only the pinned JWKS URL was fetched.
    expect(state.requests.map((x) => x.url).sort()).toEqual(['/appraisal/v2/attest', '/certs']);
  });

  it('v1 flat claims, RS256, ITA upper-snake TCB status and advisories', async () => {
    state.issue = (q) =>
      jwt({ alg: 'RS256', kid: 'k-rs' }, {
        ...registered(),
        ...tdxClaims(q),
        attester_tcb_status: 'OUT_OF_DATE',
        attester_advisory_ids: ['INTEL-SA-00837'],
        // Every policy sent must come back matched (issue 11 §4).
        policy_ids_matched: [{ id: '4d8a6f54-0000-4000-8000-000000000000', version: 'v1' }],
      });
    const v = verifier({ tokenSigningAlg: 'RS256', policyIds: ['4d8a6f54-0000-4000-8000-000000000000'], policyMustMatch: true });
    const r = await v.verify(QUOTE, { at: NOW });
    expect(r.tcbStatus).toBe('OutOfDate');
    expect(r.advisoryIds).toEqual(['INTEL-SA-00837']);
    const body = JSON.parse(state.requests.find((x) => x.method === 'POST')!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ token_signing_alg: 'RS256', policy_ids: ['4d8a6f54-0000-4000-8000-000000000000'], policy_must_match: true });
  });

  it("ITA's own spelling OK is UpToDate (ITA docs, TDX token example: attester_tcb_status \"OK\")", async () => {
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'k1' }, { ...registered(), tdx: { ...tdxClaims(q), attester_tcb_status: 'OK' } });
    const r = await verifier().verify(QUOTE, { at: NOW });
    expect(r.tcbStatus).toBe('UpToDate');
    expect(tcbStatusFromIta('OK')).toBe('UpToDate');
    expect(tcbStatusFromIta('ok')).toBe('UpToDate');
    expect(tcbStatusFromIta('UP_TO_DATE')).toBe('UpToDate');
    expect(() => tcbStatusFromIta('OKAY')).toThrow(/unknown TCB status/);
  });

  it('a debuggable claim makes the result debug', async () => {
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'k1' }, { ...registered(), tdx: { ...tdxClaims(q), tdx_is_debuggable: true } });
    expect((await verifier().verify(QUOTE, { at: NOW })).isDebug).toBe(true);
  });

  it('an injected clock is used when no `at` is given; none at all is a usage error', async () => {
    expect((await verifier({ clock: () => NOW }).verify(QUOTE)).tcbStatus).toBe('UpToDate');
    await rejectsWith(verifier().verify(QUOTE), 'InvalidArgument');
  });

  it('the JWKS is fetched once and cached', async () => {
    const v = verifier();
    await v.verify(QUOTE, { at: NOW });
    await v.verify(QUOTE, { at: NOW + 10 });
    expect(state.requests.filter((x) => x.url === '/certs')).toHaveLength(1);
    await v.verify(QUOTE, { at: NOW + 4000 }).catch(() => undefined); // cache expired → refetch (token itself expired)
    expect(state.requests.filter((x) => x.url === '/certs')).toHaveLength(2);
  });

  it('a rotated key (unknown kid) triggers one refetch', async () => {
    const v = verifier();
    await v.verify(QUOTE, { at: NOW });
    state.jwks = () => ({ keys: [{ ...OTHER_KEY.jwk, kid: 'k2' }] });
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'k2' }, { ...registered(), tdx: tdxClaims(q) }, OTHER_KEY.privateKey);
    await v.verify(QUOTE, { at: NOW + 100 });
    expect(state.requests.filter((x) => x.url === '/certs')).toHaveLength(2);
  });
});

describe('IntelApiVerifier: rejected tokens', () => {
  it('bad key: signed by a key that is not the JWKS key for its kid', async () => {
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'k1' }, { ...registered(), tdx: tdxClaims(q) }, OTHER_KEY.privateKey);
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenSignature');
  });

  it('expired token', async () => {
    await rejectsWith(verifier().verify(QUOTE, { at: NOW + 301 }), 'TokenExpired');
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'k1' }, { ...registered(), exp: NOW - 1, tdx: tdxClaims(q) });
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenExpired');
    // ... accepted with explicit skew tolerance.
    expect((await verifier({ clockSkewSeconds: 5 }).verify(QUOTE, { at: NOW })).tcbStatus).toBe('UpToDate');
  });

  it('not yet valid (nbf) and issued in the future (iat)', async () => {
    await rejectsWith(verifier().verify(QUOTE, { at: NOW - 60 }), 'TokenExpired');
  });

  it('missing exp', async () => {
    state.issue = (q) => {
      const c: Record<string, unknown> = { ...registered(), tdx: tdxClaims(q) };
      delete c.exp;
      return jwt({ alg: 'PS384', kid: 'k1' }, c);
    };
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenClaims');
  });

  it('wrong issuer', async () => {
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'k1' }, { ...registered(), iss: 'Evil Trust Authority', tdx: tdxClaims(q) });
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenClaims');
    expect((await verifier({ issuers: ['Evil Trust Authority'] }).verify(QUOTE, { at: NOW })).authenticated).toBe(true);
  });

  it('alg=none (unsigned token)', async () => {
    state.issue = (q) => `${b64json({ alg: 'none', kid: 'k1' })}.${b64json({ ...registered(), tdx: tdxClaims(q) })}.`;
    const e = await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenSignature');
    expect(e.evidence?.check).toBe('jwt.alg');
    state.issue = (q) => `${b64json({ alg: 'NONE', kid: 'k1' })}.${b64json({ ...registered(), tdx: tdxClaims(q) })}.AA`;
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenSignature');
  });

  it('tampered payload (claims changed after signing)', async () => {
    state.issue = (q) => {
      const t = jwt({ alg: 'PS384', kid: 'k1' }, { ...registered(), tdx: { ...tdxClaims(q), attester_tcb_status: 'OutOfDate' } });
      const [h, , s] = t.split('.');
      return `${h}.${b64json({ ...registered(), tdx: tdxClaims(q) })}.${s}`;
    };
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenSignature');
  });

  it('unknown / unsupported algorithms (HS256 with the public key as secret, ES256)', async () => {
    for (const alg of ['HS256', 'ES256', 'PS256']) {
      state.issue = (q) => `${b64json({ alg, kid: 'k1' })}.${b64json({ ...registered(), tdx: tdxClaims(q) })}.AAAA`;
      await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenSignature');
    }
    // RS256 refused when only PS384 is allowed.
    state.issue = (q) => jwt({ alg: 'RS256', kid: 'k-rs' }, { ...registered(), tdx: tdxClaims(q) });
    await rejectsWith(verifier({ allowedAlgorithms: ['PS384'] }).verify(QUOTE, { at: NOW }), 'TokenSignature');
  });

  it('a PS384 token checked against a key whose JWK says RS256', async () => {
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'k-rs' }, { ...registered(), tdx: tdxClaims(q) });
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenSignature');
  });

  it('unknown kid, missing kid, crit header', async () => {
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'nope' }, { ...registered(), tdx: tdxClaims(q) });
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenSignature');
    state.issue = (q) => jwt({ alg: 'PS384' }, { ...registered(), tdx: tdxClaims(q) });
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenSignature');
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'k1', crit: ['exp'] }, { ...registered(), tdx: tdxClaims(q) });
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenSignature');
  });

  it('RSA keys under 2048 bits are refused', async () => {
    state.jwks = () => ({ keys: [{ ...SMALL_KEY.jwk, kid: 'small' }] });
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'small' }, { ...registered(), tdx: tdxClaims(q) }, SMALL_KEY.privateKey);
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenSignature');
  });

  it('claims about another quote', async () => {
    state.issue = () => jwt({ alg: 'PS384', kid: 'k1' }, { ...registered(), tdx: { ...tdxClaims(QUOTE), tdx_report_data: 'ab'.repeat(64) } });
    const e = await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenClaims');
    expect(e.evidence?.field).toBe('reportData');
  });

  it('missing or malformed TDX claims, non-TDX attester, unknown status', async () => {
    const mutations: ((c: Record<string, unknown>) => void)[] = [
      (c) => delete c.tdx_mrtd,
      (c) => (c.tdx_rtmr3 = 'zz'),
      (c) => (c.attester_type = 'SGX'),
      (c) => (c.attester_tcb_status = 'Fine'),
      (c) => (c.attester_advisory_ids = 'INTEL-SA-1'),
    ];
    for (const m of mutations) {
      state.issue = (q) => {
        const c = tdxClaims(q);
        m(c);
        return jwt({ alg: 'PS384', kid: 'k1' }, { ...registered(), tdx: c });
      };
      await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenClaims');
    }
  });

  it('malformed tokens are TokenParse', async () => {
    for (const t of ['a.b', 'not a jwt', `${b64json({ alg: 'PS384', kid: 'k1' })}.%%%.sig`, `${b64json([1])}.${b64json({})}.AA`]) {
      state.issue = () => t;
      await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenParse');
    }
  });

  it('service failures are VerifierUnavailable', async () => {
    state.issue = () => ({ status: 500, body: '{"error":"boom"}' });
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'VerifierUnavailable');
    state.issue = () => ({ status: 200, body: '{"no":"token"}' });
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'VerifierUnavailable');
    state.issue = () => ({ status: 200, body: 'not json' });
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'VerifierUnavailable');
    await rejectsWith(verifier({ apiKey: 'wrong' }).verify(QUOTE, { at: NOW }), 'VerifierUnavailable');
    await rejectsWith(verifier({ apiUrl: 'http://127.0.0.1:1' }).verify(QUOTE, { at: NOW }), 'VerifierUnavailable');
    state.jwks = () => ({ nokeys: true });
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'k1' }, { ...registered(), tdx: tdxClaims(q) });
    await rejectsWith(verifier().verify(QUOTE, { at: NOW }), 'TokenParse');
  });

  it('configuration: https required unless allowInsecureTransport; apiKey required', () => {
    throwsWith(() => new IntelApiVerifier({ apiKey: 'k', apiUrl: base }), 'InvalidArgument');
    throwsWith(() => new IntelApiVerifier({ apiKey: 'k', jwksUrl: `${base}/certs` }), 'InvalidArgument');
    throwsWith(() => new IntelApiVerifier({ apiKey: '' }), 'InvalidArgument');
    throwsWith(() => new IntelApiVerifier({ apiKey: 'k', tokenSigningAlg: 'HS256' as never }), 'InvalidArgument');
    expect(new IntelApiVerifier({ apiKey: 'k' }).name).toBe('intel-trust-authority');
  });
});

describe('IntelApiVerifier behind verifyServerCertificate and CachedVerifier', () => {
  it('RA-TLS certificate verified through ITA; the cache answers the second call without HTTP', async () => {
    const s = makeRaTlsScenario();
    const cached = new CachedVerifier(verifier());
    const v1 = await verifyServerCertificate(s.cert, { verifier: cached, at: NOW, sendBindingAsRuntimeData: true, allowedComposeHashes: ['22'.repeat(32)] });
    expect(v1.result.verifier).toBe('intel-trust-authority');
    const attest = JSON.parse(state.requests.find((x) => x.method === 'POST')!.body) as { tdx: { runtime_data: string } };
    expect(Buffer.from(attest.tdx.runtime_data, 'base64').subarray(0, 11).toString()).toBe('ratls-cert:');
    const n = state.requests.length;
    await verifyServerCertificate(s.cert, { verifier: cached, at: NOW + 5, sendBindingAsRuntimeData: true });
    expect(state.requests.length).toBe(n);
    // Token expiry bounds the cache entry.
    await rejectsWith(verifyServerCertificate(s.cert, { verifier: cached, at: NOW + 400, sendBindingAsRuntimeData: true }), 'TokenExpired');
  });

  it('an OutOfDate ITA verdict is refused by the default policy', async () => {
    const s = makeRaTlsScenario();
    state.issue = (q) => jwt({ alg: 'PS384', kid: 'k1' }, { ...registered(), tdx: { ...tdxClaims(q), attester_tcb_status: 'OutOfDate' } });
    await rejectsWith(verifyServerCertificate(s.cert, { verifier: verifier(), at: NOW }), 'PolicyTcbStatus');
  });
});

