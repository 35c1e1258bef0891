/**
 * The HTTP the remote verifiers need, through the library's one fetch type
 * and bounded body reader (src/sources/http.ts), so `globalThis.fetch` of
 * Node >= 20, browsers and edge runtimes fits and tests can substitute
 * anything. Every failure is VerifierUnavailable: network errors, non-2xx
 * statuses, redirects (not followed: `redirect: 'error'`), bodies over the
 * limit (refused while streaming, at the first byte over it) and timeouts.
 */
import { VerifyError, attestationError } from '../errors.js';
import { globalFetch, readBody, type FetchLike, type FetchRequestInit, type FetchResponseLike } from '../sources/http.js';

export type { FetchLike, FetchResponseLike };
/** The request init the verifiers send (the one fetch type's init). */
export type FetchInit = FetchRequestInit;

export function defaultFetch(): FetchLike {
  return globalFetch('verifier');
}

/** Refuses non-https URLs unless `allowInsecureTransport` (tests against a local stub). */
export function checkUrl(url: string, field: string, allowInsecureTransport: boolean): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw attestationError('InvalidArgument', `${field} is not a URL`, { check: `options.${field}`, found: String(url).slice(0, 200) });
  }
  if (u.protocol !== 'https:' && !(allowInsecureTransport && u.protocol === 'http:')) {
    throw attestationError('InvalidArgument', `${field} must be an https URL (allowInsecureTransport relaxes this for tests)`, {
      check: `options.${field}`,
      expected: 'https:',
      found: u.protocol,
    });
  }
  return u.toString();
}

export interface FetchTextOptions {
  /** For messages, e.g. "Intel Trust Authority attest". */
  readonly what: string;
  readonly maxBytes: number;
  /** Default 30 000 ms. */
  readonly timeoutMs?: number;
}

const UTF8 = new TextDecoder('utf-8');

export async function fetchText(
  fetch: FetchLike,
  url: string,
  init: { readonly method: 'GET' | 'POST'; readonly headers: Record<string, string>; readonly body?: string },
  o: FetchTextOptions,
): Promise<string> {
  const timeout = o.timeoutMs ?? 30_000;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  const tooLarge = (): VerifyError =>
    new VerifyError('VerifierUnavailable', `${o.what}: response larger than ${o.maxBytes} bytes`, { check: 'http.size', field: url });
  let res: FetchResponseLike;
  let body: Uint8Array;
  try {
    try {
      res = await fetch(url, { ...init, redirect: 'error', signal: controller.signal });
    } catch (e) {
      throw new VerifyError('VerifierUnavailable', `${o.what}: request failed`, { check: 'http.request', field: url }, { cause: e });
    }
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel().catch(() => undefined);
      throw new VerifyError('VerifierUnavailable', `${o.what}: HTTP ${res.status}`, {
        check: 'http.status',
        field: url,
        expected: '2xx',
        found: String(res.status),
      });
    }
    try {
      body = await readBody(res, o.maxBytes, controller.signal, o.what, tooLarge);
    } catch (e) {
      if (e instanceof VerifyError && e.code === 'VerifierUnavailable') throw e;
      throw new VerifyError('VerifierUnavailable', `${o.what}: request failed`, { check: 'http.request', field: url }, { cause: e });
    }
  } finally {
    clearTimeout(timer);
  }
  return UTF8.decode(body);
}
