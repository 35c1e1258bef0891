/**
 * Adversarial class 4a (issue 11 §4): Intel Trust Authority policy ids.
 * When policyIds are sent, ITA's token says which matched
 * (policy_ids_matched / policy_ids_unmatched). Unless every id sent is
 * matched and none is unmatched, the verifier refuses (TokenPolicyUnmatched)
 * instead of returning a result as if the policies had been honoured.
 */
import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseQuote } from '../../src/quote/parse.js';
import type { TdReportBody } from '../../src/quote/types.js';
import { toHex } from '../../src/lib/bytes.js';
import { base64UrlEncode } from '../../src/lib/base64.js';
import { IntelApiVerifier } from '../../src/verifier/ita/intel-api-verifier.js';
import type { FetchLike } from '../../src/verifier/http.js';
import { rejectsWith, throwsWith } from '../support/codes.js';
import { bin } from '../ra-tls/helpers.js';

const QUOTE = bin('sqlx-ra-tls-fixture-tdx_quote.bin');
const NOW = 1_750_000_000;
const P1 = '4d8a6f54-0000-4000-8000-000000000001';
const P2 = '4d8a6f54-0000-4000-8000-000000000002';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const JWK = { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'k1', alg: 'PS384' };

const b64json = (v: unknown): string => base64UrlEncode(new TextEncoder().encode(JSON.stringify(v)));
function token(extra: Record<string, unknown>): string {
  const b = parseQuote(QUOTE, { trailingBytes: 'zeros' }).body as TdReportBody;
  const claims = {
    iss: 'Intel Trust Authority',
    iat: NOW - 10,
    nbf: NOW - 10,
    exp: NOW + 300,
    tdx: {
      attester_type: 'TDX',
      tdx_mrtd: toHex(b.mrTd),
      tdx_rtmr0: toHex(b.rtmr0),
      tdx_rtmr1: toHex(b.rtmr1),
      tdx_rtmr2: toHex(b.rtmr2),
      tdx_rtmr3: toHex(b.rtmr3),
      tdx_report_data: toHex(b.reportData),
      attester_tcb_status: 'UpToDate',
    },
    ...extra,
  };
  const input = `${b64json({ alg: 'PS384', kid: 'k1', typ: 'JWT' })}.${b64json(claims)}`;
  const sig = sign('sha384', Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 });
  return `${input}.${base64UrlEncode(new Uint8Array(sig))}`;
}

function verifierAnswering(extra: Record<string, unknown>, policyIds?: string[]): IntelApiVerifier {
  const fetch: FetchLike = async (url) => {
    const body = url.endsWith('/certs') ? JSON.stringify({ keys: [JWK] }) : JSON.stringify({ token: token(extra) });
    return new Response(body, { status: 200 });
  };
  return new IntelApiVerifier({ apiKey: 'k', fetch, ...(policyIds === undefined ? {} : { policyIds }) });
}

const ref = (id: string) => ({ id, version: 'v1' });

describe('ITA policy ids', () => {
  it('every policy sent and matched: accepted', async () => {
    const r = await verifierAnswering({ policy_ids_matched: [ref(P1), ref(P2)], policy_ids_unmatched: [] }, [P1, P2]).verify(QUOTE, { at: NOW });
    expect(r.authenticated).toBe(true);
  });

  it('a policy reported unmatched is refused', async () => {
    const e = await rejectsWith(
      verifierAnswering({ policy_ids_matched: [ref(P1)], policy_ids_unmatched: [ref(P2)] }, [P1, P2]).verify(QUOTE, { at: NOW }),
      'TokenPolicyUnmatched',
    );
    expect(e.evidence?.found).toContain(P2);
  });

  it('a policy missing from policy_ids_matched is refused', async () => {
    await rejectsWith(verifierAnswering({ policy_ids_matched: [ref(P1)] }, [P1, P2]).verify(QUOTE, { at: NOW }), 'TokenPolicyUnmatched');
  });

  it('no policy claims at all while policies were sent is refused', async () => {
    await rejectsWith(verifierAnswering({}, [P1]).verify(QUOTE, { at: NOW }), 'TokenPolicyUnmatched');
  });

  it('v1 flat tokens (ids as strings) follow the same rule', async () => {
    await verifierAnswering({ policy_ids_matched: [P1] }, [P1]).verify(QUOTE, { at: NOW });
    await rejectsWith(verifierAnswering({ policy_ids_matched: [P2] }, [P1]).verify(QUOTE, { at: NOW }), 'TokenPolicyUnmatched');
  });

  it('without policyIds nothing is required', async () => {
    expect((await verifierAnswering({}).verify(QUOTE, { at: NOW })).authenticated).toBe(true);
  });

  it('malformed policyIds are InvalidArgument at construction', () => {
    for (const policyIds of [[], [''], ['not-a-uuid'], 'x' as unknown as string[], [5] as unknown as string[]]) {
      throwsWith(() => new IntelApiVerifier({ apiKey: 'k', fetch: async () => new Response('', { status: 200 }), policyIds }), 'InvalidArgument');
    }
  });
});
