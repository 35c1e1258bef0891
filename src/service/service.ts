/**
 * createAppraisalService: Intel Trust Authority's appraisal API, self-hosted.
 *
 *   POST /appraisal/v2/attest   verify a quote (engine + verified collateral),
 *                               apply the named policies, answer {token} (or
 *                               an EAR with Accept: application/eat+jwt)
 *   GET  /appraisal/v2/nonce    a signed verifier nonce (optional freshness)
 *   GET  /certs                 the token-signing JWKS
 *   GET  /healthz, /readyz      liveness; readiness (configured FMSPCs warm)
 *   GET  /metrics               Prometheus text
 *
 * The handler is a plain Node (req, res) function: mount it on any
 * http/https server. Parse, then verify, then policy: the request is parsed
 * strictly, the quote verified by the injected `verifier` (createVerifier by
 * default; a worker pool has the same shape), and only the verified claims
 * reach the policies and the token.
 */
import { randomUUID, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { isAttestationError, attestationError } from '../errors.js';
import { collateralRequestForQuote, requestKey } from '../sources/dcap/request.js';
import type { CollateralRequest, CollateralSource } from '../sources/dcap/types.js';
import { bytesEqual, concatBytes } from '../lib/bytes.js';
import { readClock, systemClock, toUnixSeconds, type Clock, type TimeInput } from '../lib/time.js';
import { createVerifier, type Verifier } from '../verify/verifier.js';
import type { VerifiedQuote } from '../verify/result.js';
import { parseJsonBounded } from '../ra-tls/bounded-json.js';
import { ApiKeyRing } from './api-keys.js';
import { drain, fromAttestationError, HttpError, readBody, send, sendJson } from './http.js';
import { evaluatePolicies } from './policies.js';
import { VerifierNonces } from './nonce.js';
import { earClaims, EAR_MEDIA_TYPE, itaClaims } from './claims.js';
import { buildCollateralSource, type ServiceCollateralOptions } from './collateral.js';
import { parseServiceConfig, type RateLimitConfig, type ServiceConfig } from './config.js';
import { ServiceMetrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import { BadRequest, parseAttestRequest, type AttestRequest } from './request.js';
import { loadSigningKeys, signJwt, type SigningKeySet } from './signing-keys.js';

export const DEFAULT_ISSUER = 'tee-attest appraisal service';
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
export const DEFAULT_RATE_LIMIT: RateLimitConfig = { perSecond: 50, burst: 100 };
export { NONCE_LIFETIME_SECONDS } from './nonce.js';
const ENDPOINTS = new Set(['/healthz', '/readyz', '/certs', '/metrics', '/appraisal/v2/nonce', '/appraisal/v2/attest']);

/** What the service needs of a verifier: `createVerifier()` and the worker pool both fit. */
export type QuoteVerifier = Pick<Verifier, 'verifyQuote'>;

export interface ServiceLogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly [k: string]: unknown;
}

export interface AppraisalServiceOptions extends ServiceCollateralOptions {
  /** The config document (validated here), see config.ts. */
  readonly config?: ServiceConfig | unknown;
  /** Collateral source to use instead of pccs / collateralDir (tests, custom stacks). */
  readonly source?: CollateralSource;
  /** Quote verifier. Default createVerifier({ rootPublicKey }). */
  readonly verifier?: QuoteVerifier;
  /** Fixed verification time (replays, tests). Default: the clock at each request. */
  readonly at?: TimeInput;
  /** Time source for tokens, rate limits and the collateral cache. Default systemClock. */
  readonly clock?: Clock;
  /** Signing keys. Default: from `signingKeyFile`, else generated at start (PS384 + ES256). */
  readonly allowedSigningKeys?: SigningKeySet;
  readonly signingKeyFile?: string;
  /** Answer EAR instead of the ITA token whatever the Accept header says. Default false. */
  readonly earByDefault?: boolean;
  /** Quote trailing bytes rule. Default 'zeros'. */
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  /** Require a verifier nonce on every attest request. Default false. */
  readonly requireNonce?: boolean;
  /** Structured log sink. Default: one JSON line per entry on stderr. */
  readonly log?: (entry: ServiceLogEntry) => void;
  /** Retry period of the collateral warm-up while not ready, seconds. Default 30. */
  readonly warmRetrySeconds?: number;
}

export interface AppraisalService {
  /** The Node request handler. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly jwks: SigningKeySet['jwks'];
  readonly metrics: ServiceMetrics;
  /** True once the configured FMSPCs' collateral was fetched and verified. */
  ready(): boolean;
  /** Fetch the configured FMSPCs' collateral now; resolves true when all succeeded. */
  warm(): Promise<boolean>;
  /** True when no API key is configured: the caller must serve on loopback only. */
  readonly openAccess: boolean;
  /** Stop taking requests, wait for in-flight ones (at most `graceSeconds`, default 10), release resources. */
  close(graceSeconds?: number): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export async function createAppraisalService(options: AppraisalServiceOptions): Promise<AppraisalService> {
  if (options === null || typeof options !== 'object') {
    throw attestationError('InvalidArgument', 'createAppraisalService needs an options object', { check: 'service.options' });
  }
  const config = parseServiceConfig(options.config ?? {});
  const retrySeconds = options.warmRetrySeconds ?? 30;
  if (typeof retrySeconds !== 'number' || !Number.isFinite(retrySeconds) || retrySeconds < 1 || retrySeconds > 86_400) {
    throw attestationError('InvalidArgument', 'createAppraisalService: warmRetrySeconds must be in 1..86400', { check: 'service.warmRetrySeconds', found: String(retrySeconds) });
  }
  const clock = options.clock ?? systemClock;
  const fixedAt = options.at === undefined ? undefined : toUnixSeconds(options.at, 'service.at');
  const verifyClock: Clock = fixedAt === undefined ? clock : () => fixedAt;
  const log =
    options.log ??
    ((entry: ServiceLogEntry) => {
      process.stderr.write(JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n');
    });
  const keys = options.allowedSigningKeys ?? (await loadSigningKeys(options.signingKeyFile));
  const built =
    options.source === undefined
      ? buildCollateralSource(options, verifyClock, (e, key) =>
          log({ level: 'warn', msg: 'collateral cache', key, code: isAttestationError(e) ? e.code : 'unknown' }),
        )
      : { source: options.source, close: async () => {} };
  const source = built.source;
  const verifier = options.verifier ?? createVerifier(options.rootPublicKey === undefined ? {} : { rootPublicKey: options.rootPublicKey });
  const ring = new ApiKeyRing(config.apiKeys ?? []);
  const limiter = new RateLimiter(clock);
  const metrics = new ServiceMetrics();
  const issuer = config.issuer ?? DEFAULT_ISSUER;
  const lifetime = config.tokenLifetimeSeconds ?? 300;
  const maxBody = config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const policies = config.policies ?? {};
  const fmspcs: readonly CollateralRequest[] = config.fmspcs ?? [];
  const trailingBytes = options.trailingBytes ?? 'zeros';

  let isReady = fmspcs.length === 0;
  let closing = false;
  let inFlight = 0;
  let attestsInFlight = 0;
  const maxAttests = config.maxConcurrentAttests ?? 256;
  let idleWaiters: (() => void)[] = [];
  let warmTimer: NodeJS.Timeout | undefined;

  const now = (): number => readClock(clock, 'AppraisalService');
  const verificationTime = (): number => readClock(verifyClock, 'AppraisalService');
  const nonces = new VerifierNonces(keys.forAlg('PS384') ?? keys.keys[0]!, now);

  function noteCollateral(key: string, b: Awaited<ReturnType<CollateralSource['getCollateral']>>, at: number): void {
    const since = b.metadata.fetchedAt ?? b.metadata.cache?.verifiedAt;
    metrics.collateral(key, b.metadata.cache?.status, since === undefined ? undefined : Math.max(0, at - since));
  }

  async function warm(): Promise<boolean> {
    const results = await Promise.allSettled(
      fmspcs.map(async (r) => {
        const at = verificationTime();
        const b = await source.getCollateral(r, { at });
        noteCollateral(requestKey(r), b, at);
      }),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    for (const f of failed) {
      const e = (f as PromiseRejectedResult).reason;
      log({ level: 'warn', msg: 'collateral warm-up failed', code: isAttestationError(e) ? e.code : 'unknown' });
    }
    if (failed.length === 0 && !isReady) {
      isReady = true;
      log({ level: 'info', msg: 'ready: collateral warm', fmspcs: fmspcs.length });
    }
    return failed.length === 0;
  }

  const warmRetry = retrySeconds * 1000;
  const scheduleWarm = (): void => {
    if (isReady || closing) return;
    void warm().then((ok) => {
      if (!ok && !closing) {
        warmTimer = setTimeout(scheduleWarm, warmRetry);
        warmTimer.unref();
      }
    });
  };
  scheduleWarm();

  async function checkNonce(r: AttestRequest): Promise<Uint8Array> {
    if (r.nonce !== undefined) return nonces.consume(r.nonce);
    if (options.requireNonce === true) throw new HttpError(400, 'nonce_required', 'this service requires a verifier_nonce');
    return new Uint8Array(0);
  }

  async function attest(req: IncomingMessage, res: ServerResponse, ctx: Record<string, unknown>): Promise<string> {
    const ctype = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (ctype !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'Content-Type must be application/json');
    const body = await readBody(req, maxBody);
    let doc: unknown;
    try {
      doc = parseJsonBounded(new Uint8Array(body), { maxLength: maxBody, maxDepth: 8 }, 'InvalidArgument', 'attest request');
    } catch {
      throw new HttpError(400, 'invalid_request', 'body is not JSON (or nested deeper than 8)');
    }
    const r = parseAttestRequest(doc);
    const unknown = r.policyIds.find((id) => !Object.hasOwn(policies, id));
    if (unknown !== undefined) throw new HttpError(400, 'unknown_policy', `unknown policy id ${unknown}`);
    const key = keys.forAlg(r.alg);
    if (key === undefined) throw new HttpError(400, 'unsupported_algorithm', `this service has no ${r.alg} key`);
    const prefix = await checkNonce(r);
    const at = verificationTime();

    let request: CollateralRequest;
    try {
      request = collateralRequestForQuote(r.quote, { trailingBytes });
    } catch (e) {
      if (isAttestationError(e)) throw fromAttestationError(e, 'verify');
      throw e;
    }
    if (request.teeType !== r.teeType) throw new HttpError(400, 'invalid_request', `the quote is ${request.teeType}, sent as ${r.teeType.toLowerCase()}`);
    let bundle;
    try {
      bundle = await source.getCollateral(request, { at });
    } catch (e) {
      if (isAttestationError(e)) throw fromAttestationError(e, 'collateral');
      throw e;
    }
    noteCollateral(requestKey(request), bundle, at);
    const t0 = performance.now();
    let v: VerifiedQuote;
    try {
      v = await verifier.verifyQuote(r.quote, bundle.collateral, { at, trailingBytes });
    } catch (e) {
      if (isAttestationError(e)) throw fromAttestationError(e, 'verify');
      throw e;
    } finally {
      metrics.verification((performance.now() - t0) / 1000);
    }
    ctx.tcbStatus = v.status;

    // ITA binding rule: REPORTDATA = SHA-512(nonce.val ‖ nonce.iat ‖ runtime_data) when either is given.
    if (r.runtimeData !== undefined || r.nonce !== undefined) {
      const expected = createHash('sha512').update(concatBytes(prefix, r.runtimeData ?? new Uint8Array(0))).digest();
      if (!bytesEqual(new Uint8Array(expected), Buffer.from(v.report.reportData, 'hex'))) {
        throw new HttpError(400, 'report_data_mismatch', 'REPORTDATA is not SHA-512(verifier_nonce.val ‖ verifier_nonce.iat ‖ runtime_data)');
      }
    }

    const outcome = evaluatePolicies(policies, v, r.policyIds);
    ctx.policiesUnmatched = outcome.unmatched;
    if (r.policyMustMatch && outcome.unmatched.length > 0) {
      throw new HttpError(403, 'policy_unmatched', `policies not matched: ${outcome.unmatched.join(', ')}`, 'PolicyViolation', {
        policy_ids_unmatched: outcome.unmatched,
        violations: outcome.why,
      });
    }
    const iat = at;
    const tokenCtx = {
      issuer,
      iat,
      // A token never outlives the collateral it was appraised with.
      exp: Math.max(iat + 1, Math.min(iat + lifetime, v.collateralExpiresAt)),
      jti: randomUUID(),
      policies: outcome,
      ...(r.runtimeData === undefined ? {} : { runtimeData: Buffer.from(r.runtimeData).toString('base64') }),
      ...(r.userData === undefined ? {} : { userData: Buffer.from(r.userData).toString('base64') }),
      ...(r.nonce === undefined ? {} : { verifierNonce: r.nonce.raw }),
    };
    const accept = String(req.headers.accept ?? '').toLowerCase();
    if (options.earByDefault === true || accept.includes(EAR_MEDIA_TYPE)) {
      const jwt = await signJwt(key, earClaims(v, tokenCtx), 'JWT');
      send(res, 200, jwt, EAR_MEDIA_TYPE);
      return 'ear';
    }
    const token = await signJwt(key, itaClaims(v, tokenCtx), 'JWT');
    sendJson(res, 200, { token });
    return 'token';
  }

  /** API key and rate limit; returns the key id (or `loopback` in open mode). */
  function authenticate(req: IncomingMessage): string {
    if (ring.size === 0) {
      if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) throw new HttpError(403, 'loopback_only', 'no API key is configured: loopback clients only');
      return 'loopback';
    }
    const header = req.headers['x-api-key'];
    const entry = ring.match(typeof header === 'string' ? header : undefined);
    if (entry === undefined) throw new HttpError(401, 'unauthenticated', 'missing or unknown x-api-key');
    return entry.id;
  }

  function limit(id: string): void {
    const entry = (config.apiKeys ?? []).find((k) => k.id === id);
    const wait = limiter.take(id, entry?.rateLimit ?? config.rateLimit ?? DEFAULT_RATE_LIMIT);
    if (wait > 0) throw new HttpError(429, 'rate_limited', 'rate limit exceeded', undefined, { retryAfter: wait });
  }

  async function route(req: IncomingMessage, res: ServerResponse, ctx: Record<string, unknown>): Promise<string> {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    ctx.path = path.slice(0, 128);
    ctx.endpoint = ENDPOINTS.has(path) ? path : 'other'; // metrics labels stay bounded
    const only = (m: string): void => {
      if (method !== m) throw new HttpError(405, 'method_not_allowed', `use ${m}`, undefined, { allow: m });
    };
    switch (path) {
      case '/healthz':
        only('GET');
        sendJson(res, 200, { status: 'ok' });
        return 'ok';
      case '/readyz': {
        only('GET');
        const ok = isReady && !closing;
        sendJson(res, ok ? 200 : 503, { ready: ok, ...(closing ? { closing: true } : {}) });
        return ok ? 'ok' : 'not_ready';
      }
      case '/certs':
        only('GET');
        sendJson(res, 200, keys.jwks, { 'cache-control': 'public, max-age=300' });
        return 'ok';
      case '/metrics':
        only('GET');
        send(res, 200, metrics.render({ ready: isReady && !closing, inFlight }), 'text/plain; version=0.0.4');
        return 'ok';
      case '/appraisal/v2/nonce': {
        only('GET');
        const id = authenticate(req);
        ctx.key = id;
        limit(id);
        sendJson(res, 200, await nonces.issue());
        return 'ok';
      }
      case '/appraisal/v2/attest': {
        only('POST');
        const id = authenticate(req);
        ctx.key = id;
        limit(id);
        if (attestsInFlight >= maxAttests) throw new HttpError(503, 'busy', 'too many attest requests in flight', undefined, { retryAfter: 1 });
        attestsInFlight += 1;
        try {
          return await attest(req, res, ctx);
        } finally {
          attestsInFlight -= 1;
        }
      }
      default:
        throw new HttpError(404, 'not_found', 'no such endpoint');
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    const ctx: Record<string, unknown> = { requestId, method: req.method };
    const started = performance.now();
    if (closing) {
      metrics.request('any', 'shutting_down');
      sendJson(res, 503, { error: { reason: 'shutting_down', message: 'the service is shutting down' } }, { connection: 'close' });
      return;
    }
    inFlight += 1;
    route(req, res, ctx)
      .then(
        (outcome) => ({ status: res.statusCode, outcome }),
        (e: unknown) => {
          let h: HttpError;
          if (e instanceof HttpError) h = e;
          else if (e instanceof BadRequest) h = new HttpError(e.status, e.reason, e.message);
          else if (isAttestationError(e)) h = fromAttestationError(e, 'verify');
          else {
            log({ level: 'error', msg: 'unexpected failure', requestId, error: e instanceof Error ? e.name : typeof e });
            h = new HttpError(500, 'internal', 'internal error');
          }
          const headers: Record<string, string> = {};
          if (h.extra?.retryAfter !== undefined) headers['retry-after'] = String(h.extra.retryAfter);
          if (h.extra?.allow !== undefined) headers.allow = String(h.extra.allow);
          const { retryAfter: _r, allow: _a, ...extra } = h.extra ?? {};
          if (!res.headersSent) {
            sendJson(res, h.status, { error: { reason: h.reason, message: h.message, ...(h.code === undefined ? {} : { code: h.code }), ...extra } }, headers);
          }
          if (h.status === 413) drain(req);
          ctx.code = h.code;
          return { status: h.status, outcome: h.reason };
        },
      )
      .then(({ status, outcome }) => {
        metrics.request(String(ctx.endpoint ?? 'other'), outcome);
        log({ level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info', msg: 'request', ...ctx, status, outcome, ms: Math.round((performance.now() - started) * 100) / 100 });
      })
      .finally(() => {
        inFlight -= 1;
        if (inFlight === 0) {
          const w = idleWaiters;
          idleWaiters = [];
          for (const f of w) f();
        }
      });
  };

  if (ring.size === 0) log({ level: 'warn', msg: 'no API key configured: serving loopback clients only' });

  return {
    handler,
    jwks: keys.jwks,
    metrics,
    ready: () => isReady && !closing,
    warm,
    openAccess: ring.size === 0,
    async close(graceSeconds = 10) {
      closing = true;
      if (warmTimer !== undefined) clearTimeout(warmTimer);
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, graceSeconds * 1000);
          t.unref();
          idleWaiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      await built.close();
      log({ level: 'info', msg: 'closed' });
    },
  };
}
