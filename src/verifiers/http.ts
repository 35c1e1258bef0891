/**
 * The HTTP the remote verifiers need, through an injected fetch (WHATWG Fetch
 * shape, so `globalThis.fetch` of Node >= 20, browsers and edge runtimes
 * fits, and tests can substitute anything). Every failure is
 * VerifierUnavailable: network errors, non-2xx statuses, redirects (not
 * followed: `redirect: 'error'`), oversized bodies and timeouts.
 */
import { AttestationError, VerifyError } from '../errors.js';

export interface FetchInit {
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  readonly redirect?: 'error';
}

export interface FetchResponseLike {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

export function defaultFetch(): FetchLike {
  const f = (globalThis as { fetch?: unknown }).fetch;
  if (typeof f !== 'function') {
    throw new AttestationError('InvalidArgument', 'no global fetch in this runtime; inject options.fetch', { check: 'options.fetch' });
  }
  return f.bind(globalThis) as FetchLike;
}

/** Refuses non-https URLs unless `allowInsecureTransport` (tests against a local stub). */
export function checkUrl(url: string, field: string, allowInsecureTransport: boolean): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AttestationError('InvalidArgument', `${field} is not a URL`, { check: `options.${field}`, found: String(url).slice(0, 200) });
  }
  if (u.protocol !== 'https:' && !(allowInsecureTransport && u.protocol === 'http:')) {
    throw new AttestationError('InvalidArgument', `${field} must be an https URL (allowInsecureTransport relaxes this for tests)`, {
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

export async function fetchText(fetch: FetchLike, url: string, init: Omit<FetchInit, 'signal' | 'redirect'>, o: FetchTextOptions): Promise<string> {
  const timeout = o.timeoutMs ?? 30_000;
  const signal = typeof AbortSignal !== 'undefined' && typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(timeout) : undefined;
  let res: FetchResponseLike;
  let text: string;
  try {
    res = await fetch(url, { ...init, redirect: 'error', ...(signal === undefined ? {} : { signal }) });
    text = await res.text();
  } catch (e) {
    throw new VerifyError('VerifierUnavailable', `${o.what}: request failed`, { check: 'http.request', field: url }, { cause: e });
  }
  if (!res.ok) {
    throw new VerifyError('VerifierUnavailable', `${o.what}: HTTP ${res.status}`, {
      check: 'http.status',
      field: url,
      expected: '2xx',
      found: String(res.status),
    });
  }
  if (typeof text !== 'string' || text.length > o.maxBytes) {
    throw new VerifyError('VerifierUnavailable', `${o.what}: response larger than ${o.maxBytes} bytes`, {
      check: 'http.size',
      field: url,
    });
  }
  return text;
}
