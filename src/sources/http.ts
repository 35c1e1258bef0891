/**
 * The one bounded HTTP layer of the library, over an injected fetch (the WHATWG
 * Fetch shape: `globalThis.fetch` of browsers, Deno, Bun, Workers and Node fits;
 * `createUndiciFetch()` is a hardened one for Node). Used by every collateral
 * source (Intel PCS / PCCS, AMD KDS) and by the remote verifiers.
 *
 *   - a total deadline (headers and body);
 *   - the body size limit enforced while streaming: the read stops at the
 *     first byte over the limit (and up front on a larger Content-Length),
 *     never after buffering the whole body;
 *   - redirects followed only within the same origin and only a few times
 *     (`httpGet`), or refused (`redirect: 'error'`).
 * Collateral failures are AttestationError CollateralFetch (evidence.check
 * `http.<failure>`, see `fetchError`).
 */
import { VerifyError, isAttestationError, attestationError } from '../errors.js';
import { linkSignal } from './abort.js';
import { integerOption } from '../lib/options.js';

// --- The one fetch type ---------------------------------------------------------------

export interface FetchRequestInit {
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** 'manual': redirects are inspected by the caller (httpGet); 'error': refused by the fetch implementation. */
  readonly redirect: 'manual' | 'error';
  readonly signal: AbortSignal;
}

export interface FetchResponseLike {
  readonly status: number;
  /** Browsers answer a manual redirect with type 'opaqueredirect' (status 0, no headers). */
  readonly type?: string;
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type FetchLike = (url: string, init: FetchRequestInit) => Promise<FetchResponseLike>;

/** `globalThis.fetch`, bound; InvalidArgument in a runtime without one. */
export function globalFetch(owner: string): FetchLike {
  const f = (globalThis as { fetch?: unknown }).fetch;
  if (typeof f !== 'function') {
    throw attestationError('InvalidArgument', `${owner}: no global fetch in this runtime; inject options.fetch`, { check: 'options.fetch' });
  }
  return f.bind(globalThis) as FetchLike;
}

// --- Errors -----------------------------------------------------------------------------

export type FetchFailure = 'status' | 'timeout' | 'network' | 'bodyTooLarge' | 'redirect' | 'aborted';

/** CollateralFetch: evidence.check is `http.<failure>`, evidence.field names the resource (tcbInfo, qeIdentity, vcek, ...). */
export function fetchError(
  failure: FetchFailure,
  what: string,
  message: string,
  extra: { expected?: string; found?: string } = {},
  cause?: unknown,
): VerifyError {
  return new VerifyError('CollateralFetch', `${what}: ${message}`, { check: `http.${failure}`, field: what, ...extra }, cause === undefined ? undefined : { cause });
}

export interface HttpGetOptions {
  readonly fetch: FetchLike;
  readonly headers: Record<string, string>;
  /** Deadline for the whole exchange, redirects and body included. */
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxSameOriginRedirects: number;
  readonly signal?: AbortSignal;
  /** Resource name for errors (tcbInfo, qeIdentity, pckCrl, rootCaCrl). */
  readonly what: string;
  /** Headers to send only to this origin (e.g. the API key to the PCS, not to a CRL host). */
  readonly privateHeadersOrigin?: string;
  readonly privateHeaders?: Record<string, string>;
}

export interface HttpResult {
  readonly status: number;
  /** Final URL (after same-origin redirects). */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  readonly body: Uint8Array;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

async function discard(res: FetchResponseLike): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // already errored or locked: nothing to free
  }
}

function contentLength(res: FetchResponseLike): number | undefined {
  const v = res.headers.get('content-length');
  if (v === null || !/^\d{1,15}$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

/**
 * Read a response body, stopping at the first byte over `max` (bodyTooLarge,
 * or the error `tooLarge` builds). A cancel on abort is never returned as a
 * complete body.
 */
export async function readBody(
  res: FetchResponseLike,
  max: number,
  signal: AbortSignal,
  what: string,
  tooLarge: (found: string) => Error = (found) => fetchError('bodyTooLarge', what, 'response body exceeds the limit', { expected: `<= ${max} bytes`, found }),
): Promise<Uint8Array> {
  const declared = contentLength(res);
  if (declared !== undefined && declared > max) {
    await discard(res);
    throw tooLarge(`${declared} bytes`);
  }
  if (res.body === null) {
    // No stream to count (a minimal fetch): the whole body is in memory already; refuse it all the same.
    const buf = new Uint8Array(await res.arrayBuffer());
    if (buf.length > max) throw tooLarge(`${buf.length} bytes`);
    return buf;
  }
  const reader = res.body.getReader();
  const onAbort = (): void => {
    reader.cancel().catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > max) {
        reader.cancel().catch(() => undefined);
        throw tooLarge(`> ${max} bytes`);
      }
      chunks.push(value);
    }
    // A cancel on abort ends the stream early: never return a truncated body as complete.
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

export async function httpGet(url: string, o: HttpGetOptions): Promise<HttpResult> {
  const controller = new AbortController();
  const unlink = linkSignal(o.signal, controller);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, o.timeoutMs);
  try {
    let current = url;
    for (let hop = 0; ; hop++) {
      const origin = new URL(current).origin;
      const headers = o.privateHeadersOrigin === origin ? { ...o.headers, ...o.privateHeaders } : { ...o.headers };
      const res = await o.fetch(current, { method: 'GET', headers, redirect: 'manual', signal: controller.signal });
      if (res.type === 'opaqueredirect') {
        throw fetchError('redirect', o.what, 'redirect refused (the fetch implementation hides its target)', { found: 'opaque redirect' });
      }
      if (!REDIRECT.has(res.status)) {
        if (res.status !== 200) {
          await discard(res);
          return { status: res.status, url: current, headers: res.headers, body: new Uint8Array(0) };
        }
        const body = await readBody(res, o.maxBodyBytes, controller.signal, o.what);
        return { status: res.status, url: current, headers: res.headers, body };
      }
      await discard(res);
      const location = res.headers.get('location');
      if (location === null) throw fetchError('redirect', o.what, `HTTP ${res.status} without a Location header`, { found: String(res.status) });
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw fetchError('redirect', o.what, 'redirect to an invalid URL', { found: location.slice(0, 200) });
      }
      if (next.origin !== origin) {
        throw fetchError('redirect', o.what, 'redirect to another origin refused', { expected: origin, found: next.origin });
      }
      if (hop >= o.maxSameOriginRedirects) {
        throw fetchError('redirect', o.what, 'too many redirects', { expected: `<= ${o.maxSameOriginRedirects}`, found: String(hop + 1) });
      }
      current = next.href;
    }
  } catch (e) {
    if (timedOut) throw fetchError('timeout', o.what, `no complete response within ${o.timeoutMs} ms`, { expected: `<= ${o.timeoutMs} ms` }, e);
    if (o.signal?.aborted === true) throw fetchError('aborted', o.what, 'request aborted by the caller', { found: 'aborted' }, e);
    if (isAttestationError(e)) throw e;
    throw fetchError('network', o.what, `request failed: ${e instanceof Error ? e.message : String(e)}`, {}, e);
  } finally {
    clearTimeout(timer);
    unlink();
  }
}

/**
 * 200 passes; 404 is CollateralMissing (`notFound` says what the server lacks);
 * anything else is CollateralFetch http.status, with Retry-After in the message
 * (KDS answers 429 when rate-limited).
 */
export function expectOk(r: HttpResult, what: string, notFound: string): HttpResult {
  if (r.status === 200) return r;
  if (r.status === 404) {
    throw attestationError('CollateralMissing', `${what}: ${notFound} (HTTP 404)`, { check: 'http.status', field: what, expected: '200', found: '404' });
  }
  const retryAfter = r.headers.get('retry-after');
  throw fetchError('status', what, `HTTP ${r.status}${retryAfter === null ? '' : ` (Retry-After: ${retryAfter.slice(0, 32)})`}`, {
    expected: '200',
    found: String(r.status),
  });
}

// --- A source's HTTP client -------------------------------------------------------------

export interface BoundedHttpOptions {
  /** The HTTP layer: `globalThis.fetch`, or `createUndiciFetch()` on Node. */
  readonly fetch: FetchLike;
  /** Deadline per HTTP request, headers and body. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Largest response body accepted (enforced while streaming). Default: the source's. */
  readonly maxBodyBytes?: number;
  /** Same-origin redirects followed per request (other origins are always refused). Default 3. */
  readonly maxSameOriginRedirects?: number;
}

export interface GetAllOptions {
  readonly signal?: AbortSignal;
  /** What a 404 means, for CollateralMissing ("the server has no such collateral"). */
  readonly notFound: string;
  /** Headers sent only to this origin (an API key to the PCS, never to a CRL host). */
  readonly privateHeadersOrigin?: string;
  readonly privateHeaders?: Record<string, string>;
}

/**
 * The HTTP client of a collateral source (Intel PCS / PCCS, AMD KDS): option
 * validation, and parallel bounded GETs of which the first failure cancels
 * the others; only 200 answers are returned (`expectOk`).
 */
export class BoundedHttp {
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #maxRedirects: number;

  constructor(owner: string, options: BoundedHttpOptions, defaultMaxBodyBytes: number) {
    if (typeof options?.fetch !== 'function') {
      throw attestationError('InvalidArgument', `${owner}: options.fetch must be a fetch-like function`, { check: `${owner}.fetch` });
    }
    this.#fetch = options.fetch;
    this.#timeoutMs = integerOption(options.timeoutMs, owner, 'timeoutMs', 10_000);
    this.#maxBodyBytes = integerOption(options.maxBodyBytes, owner, 'maxBodyBytes', defaultMaxBodyBytes);
    this.#maxRedirects = integerOption(options.maxSameOriginRedirects, owner, 'maxSameOriginRedirects', 3, 0);
  }

  /** GETs `requests` in parallel (`what` names each in errors); resolves to their 200 answers, in order. */
  async getAll(requests: readonly { readonly url: string; readonly what: string }[], o: GetAllOptions): Promise<HttpResult[]> {
    const controller = new AbortController();
    const unlink = linkSignal(o.signal, controller);
    try {
      return await Promise.all(
        requests.map(({ url, what }) =>
          httpGet(url, {
            fetch: this.#fetch,
            headers: {},
            ...(o.privateHeadersOrigin === undefined ? {} : { privateHeadersOrigin: o.privateHeadersOrigin, privateHeaders: o.privateHeaders ?? {} }),
            timeoutMs: this.#timeoutMs,
            maxBodyBytes: this.#maxBodyBytes,
            maxSameOriginRedirects: this.#maxRedirects,
            signal: controller.signal,
            what,
          })
            .then((r) => expectOk(r, what, o.notFound))
            .catch((e: unknown) => {
              controller.abort(); // the first failure cancels the sibling requests
              throw e;
            }),
        ),
      );
    } finally {
      unlink();
    }
  }
}
