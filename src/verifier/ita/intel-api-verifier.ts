/**
 * IntelApiVerifier: quote appraisal by Intel Trust Authority (ITA).
 *
 *   POST {apiUrl}/appraisal/v2/attest          (ITA REST API v2, as the Intel
 *   x-api-key: <key>                            trustauthority-client connector
 *   { "tdx": { "quote": b64, "runtime_data"?: b64, "user_data"?: b64 },   sends it)
 *     "policy_ids"?: [uuid], "policy_must_match"?: bool, "token_signing_alg": "PS384" | "RS256" }
 *   → 200 { "token": "<JWT>" }
 *
 * The token is then verified here, not trusted: signature (PS384 / RS256 via
 * WebCrypto) with a key from the PINNED JWKS URL (the token's `jku` is never
 * followed), `iss`, `exp` / `nbf` / `iat` against the verification time
 * (options.at or the injected clock), and its TDX claims (v1 flat or v2
 * nested) must describe the quote that was sent: MRTD, RTMR0-3 and
 * REPORTDATA are compared with the quote parsed locally. When policyIds are
 * sent, every one must come back in policy_ids_matched and none in
 * policy_ids_unmatched (TokenPolicyUnmatched otherwise).
 */
import { VerifyError, attestationError } from '../../errors.js';
import { isPlainObject, parseJsonBounded } from '../../ra-tls/bounded-json.js';
import { base64Encode } from '../../lib/base64.js';
import { resolveTime } from '../clock.js';
import { checkUrl, defaultFetch, fetchText, type FetchLike } from '../http.js';
import { checkItaPolicies, itaTdxClaims, type ItaTdxClaims } from './ita-claims.js';
import { invalidOption, optionalBoolean, optionalFunction, optionalPositive, optionalNonNegative, optionalStringList, requireOptionsObject } from '../../ra-tls/option-checks.js';
import { defaultSubtle, JwksClient } from './jwks.js';
import { checkIssuer, checkTokenTimes, decodeJwt, JWT_ALGORITHMS, type JwtAlgorithm, verifyJwtSignature } from './jwt.js';
import { parseTdxQuote, tdFields } from '../td-fields.js';
import type { VerifierClock, RaTlsVerifier, VerificationResult, RaTlsVerifyOptions } from '../types.js';

/** ITA endpoints (US region). EU: https://api.eu.trustauthority.intel.com, https://portal.eu.trustauthority.intel.com/certs. */
export const ITA_API_URL = 'https://api.trustauthority.intel.com';
export const ITA_JWKS_URL = 'https://portal.trustauthority.intel.com/certs';
export const ITA_ISSUER = 'Intel Trust Authority';
export const ITA_ATTEST_PATH = '/appraisal/v2/attest';

const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface IntelApiVerifierOptions {
  /** ITA attestation API key (sent as x-api-key). */
  readonly apiKey: string;
  /** Injected fetch. Default: globalThis.fetch. */
  readonly fetch?: FetchLike;
  /** Used when `verify` gets no `at`. */
  readonly clock?: VerifierClock;
  /** API base URL. Default ITA_API_URL. */
  readonly apiUrl?: string;
  /** The pinned token-signing JWKS URL. Default ITA_JWKS_URL. */
  readonly jwksUrl?: string;
  /** Accepted `iss` values. Default ["Intel Trust Authority"]. */
  readonly issuers?: readonly string[];
  /** Algorithm requested from ITA. Default PS384. */
  readonly tokenSigningAlg?: JwtAlgorithm;
  /** Algorithms accepted on returned tokens. Default PS384 and RS256. */
  readonly allowedAlgorithms?: readonly JwtAlgorithm[];
  /** ITA policy ids to appraise against, and whether they must all match. */
  readonly policyIds?: readonly string[];
  readonly policyMustMatch?: boolean;
  /** Tolerance for exp / nbf / iat, seconds. Default 0. */
  readonly clockSkewSeconds?: number;
  /** JWKS cache lifetime, seconds. Default 3600. */
  readonly jwksCacheSeconds?: number;
  /** Per-request timeout. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Deprecated, not used: tokens are verified by jose on the runtime's WebCrypto (globalThis.crypto.subtle). */
  readonly subtle?: SubtleCrypto;
  /** INSECURE: allow http:// URLs (tests against a local stub). Default false. */
  readonly allowInsecureTransport?: boolean;
}

const WHO = 'IntelApiVerifier';
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Types and shapes of every option (values are never echoed: apiKey is a secret). */
function validateItaOptions(o: IntelApiVerifierOptions): void {
  optionalFunction(o.fetch, WHO, 'fetch');
  optionalFunction(o.clock, WHO, 'clock');
  for (const k of ['apiUrl', 'jwksUrl'] as const) if (o[k] !== undefined && typeof o[k] !== 'string') throw invalidOption(WHO, k, 'must be a URL string', o[k]);
  optionalStringList(o.issuers, WHO, 'issuers');
  optionalStringList(o.allowedAlgorithms, WHO, 'allowedAlgorithms');
  optionalStringList(o.policyIds, WHO, 'policyIds');
  o.policyIds?.forEach((id, i) => {
    if (!UUID.test(id)) throw invalidOption(WHO, `policyIds[${i}]`, 'must be an ITA policy id (UUID)', id);
  });
  optionalBoolean(o.policyMustMatch, WHO, 'policyMustMatch');
  optionalBoolean(o.allowInsecureTransport, WHO, 'allowInsecureTransport');
  optionalNonNegative(o.clockSkewSeconds, WHO, 'clockSkewSeconds');
  optionalPositive(o.jwksCacheSeconds, WHO, 'jwksCacheSeconds');
  optionalPositive(o.timeoutMs, WHO, 'timeoutMs', true);
  if (o.subtle !== undefined && (o.subtle === null || typeof o.subtle !== 'object')) throw invalidOption(WHO, 'subtle', 'must be a SubtleCrypto', o.subtle);
}

function claimMismatch(claim: string, expected: string, found: string): never {
  throw new VerifyError('TokenClaims', `token claim ${claim} does not match the submitted quote`, {
    check: 'ita.claims.quote',
    field: claim,
    expected,
    found,
  });
}

export class IntelApiVerifier implements RaTlsVerifier {
  readonly name = 'intel-trust-authority';
  readonly #o: IntelApiVerifierOptions;
  readonly #fetch: FetchLike;
  readonly #attestUrl: string;
  readonly #jwks: JwksClient;

  constructor(options: IntelApiVerifierOptions) {
    requireOptionsObject(options, WHO);
    if (typeof options.apiKey !== 'string' || options.apiKey.length === 0) {
      throw attestationError('InvalidArgument', 'IntelApiVerifier needs an apiKey', { check: 'options.apiKey' });
    }
    validateItaOptions(options);
    const insecure = options.allowInsecureTransport === true;
    const alg = options.tokenSigningAlg ?? 'PS384';
    if (!JWT_ALGORITHMS.includes(alg)) {
      throw attestationError('InvalidArgument', 'tokenSigningAlg must be PS384 or RS256', { check: 'options.tokenSigningAlg', found: String(alg) });
    }
    this.#o = options;
    this.#fetch = options.fetch ?? defaultFetch();
    this.#attestUrl = checkUrl((options.apiUrl ?? ITA_API_URL).replace(/\/+$/, '') + ITA_ATTEST_PATH, 'apiUrl', insecure);
    this.#jwks = new JwksClient({
      url: checkUrl(options.jwksUrl ?? ITA_JWKS_URL, 'jwksUrl', insecure),
      fetch: this.#fetch,
      subtle: options.subtle ?? defaultSubtle(),
      ...(options.jwksCacheSeconds === undefined ? {} : { cacheSeconds: options.jwksCacheSeconds }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /** Requests a token for `quote` (no verification). */
  async requestToken(quote: Uint8Array, options: RaTlsVerifyOptions = {}): Promise<string> {
    const o = this.#o;
    const body = {
      tdx: {
        quote: base64Encode(quote),
        ...(options.runtimeData === undefined ? {} : { runtime_data: base64Encode(options.runtimeData) }),
        ...(options.userData === undefined ? {} : { user_data: base64Encode(options.userData) }),
      },
      ...(o.policyIds === undefined || o.policyIds.length === 0 ? {} : { policy_ids: o.policyIds }),
      ...(o.policyMustMatch === true ? { policy_must_match: true } : {}),
      token_signing_alg: o.tokenSigningAlg ?? 'PS384',
    };
    const text = await fetchText(
      this.#fetch,
      this.#attestUrl,
      {
        method: 'POST',
        headers: { 'x-api-key': o.apiKey, Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      },
      { what: 'Intel Trust Authority attest', maxBytes: MAX_RESPONSE_BYTES, ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) },
    );
    let doc: unknown;
    try {
      doc = parseJsonBounded(text, { maxLength: MAX_RESPONSE_BYTES, maxDepth: 16 }, 'TokenParse', 'attest response');
    } catch (e) {
      throw new VerifyError('VerifierUnavailable', 'Intel Trust Authority attest: response is not JSON', { check: 'ita.response' }, { cause: e });
    }
    if (!isPlainObject(doc) || typeof doc.token !== 'string') {
      throw new VerifyError('VerifierUnavailable', 'Intel Trust Authority attest: response has no token', { check: 'ita.response', field: 'token' });
    }
    return doc.token;
  }

  /** Verifies a token (signature, issuer, times) and reads its TDX claims. */
  async verifyToken(
    token: string,
    now: number,
  ): Promise<{ header: Record<string, unknown>; claims: Record<string, unknown>; tdx: ItaTdxClaims; exp: number }> {
    const jwt = decodeJwt(token, this.#o.allowedAlgorithms ?? JWT_ALGORITHMS);
    const key = await this.#jwks.key(jwt.kid, jwt.alg, now);
    await verifyJwtSignature(jwt, key, this.#o.subtle ?? defaultSubtle());
    checkIssuer(jwt.claims, this.#o.issuers ?? [ITA_ISSUER]);
    const { exp } = checkTokenTimes(jwt.claims, now, this.#o.clockSkewSeconds ?? 0);
    return { header: jwt.header, claims: jwt.claims, tdx: itaTdxClaims(jwt.claims), exp };
  }

  async verify(quote: Uint8Array, options: RaTlsVerifyOptions = {}): Promise<VerificationResult> {
    const now = resolveTime(options.at, this.#o.clock, 'IntelApiVerifier');
    const parsed = parseTdxQuote(quote);
    const local = tdFields(parsed.body);
    const token = await this.requestToken(quote, options);
    const { header, claims, tdx, exp } = await this.verifyToken(token, now);

    for (const k of ['mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3', 'reportData'] as const) {
      if (tdx[k] !== local[k]) claimMismatch(k, local[k], tdx[k]);
    }
    if (tdx.mrConfigId !== undefined && tdx.mrConfigId !== local.mrConfigId) claimMismatch('mrConfigId', local.mrConfigId, tdx.mrConfigId);
    // Every policy sent must have matched (issue 11 §4).
    checkItaPolicies(claims, this.#o.policyIds ?? []);

    return {
      verifier: this.name,
      authenticated: true,
      ...local,
      // Debug if either the token or the quote's TDATTRIBUTES says so.
      isDebug: local.isDebug || tdx.isDebug,
      tcbStatus: tdx.tcbStatus,
      advisoryIds: tdx.advisoryIds,
      ...(tdx.tcbDate === undefined ? {} : { tcbDate: tdx.tcbDate }),
      verifiedAt: now,
      expiresAt: exp,
      token: { jwt: token, header, claims },
    };
  }
}
