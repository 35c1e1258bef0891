/**
 * The online half of the CLI's collateral: an HTTP client (undici, loaded on
 * the first request), a PcsSource for --pccs, a verifying filesystem cache for
 * --cache. Loaded only by commands that fetch.
 *
 * Messages a user can act on: a network failure names the host and the cause
 * (ECONNREFUSED, ENOTFOUND, a timeout); progress (what is fetched, from
 * where) goes to stderr when it is a terminal.
 */
import { AttestationError, VerifyError } from '../errors.js';
import type { FetchLike } from '../sources/dcap/fetch-like.js';
import { PcsSource, type PcsSourceOptions } from '../sources/dcap/pcs-source.js';
import { createUndiciFetch } from '../node/undici-fetch.js';
import { createNodeCachedSource } from '../node/cached-source-node.js';
import type { CollateralBundle, CollateralRequest } from '../sources/dcap/types.js';
import { systemClock, type Clock } from '../lib/time.js';

export interface OnlineOptions {
  /** PCS / PCCS base URL. */
  readonly pccs?: string;
  readonly apiKey?: string;
  /** Filesystem cache directory (requires `pccs`). */
  readonly cacheDir?: string;
  readonly rootCaCrl?: PcsSourceOptions['rootCaCrl'];
  readonly timeoutMs?: number;
  readonly allowInsecureHttp?: boolean;
  /** Root the cache verifies against before storing. Default: the pinned Intel root. */
  readonly rootPublicKey?: Uint8Array;
  /** Test seam: the HTTP layer (default: undici). */
  readonly fetch?: FetchLike;
  /** The verification time as a Clock (seconds): sources and caches judge freshness at it. Default: the system clock. */
  readonly clock?: Clock;
  /** Progress lines (what is fetched, from where); the CLI passes one only when stderr is a terminal. */
  readonly progress?: (line: string) => void;
}

/** The cause of a network failure, as text: a system error code (ECONNREFUSED) and message, else the innermost message. */
function causeText(e: unknown): string | undefined {
  let code: string | undefined;
  let innermost: string | undefined;
  for (let cur: unknown = (e as { cause?: unknown })?.cause, depth = 0; cur !== null && typeof cur === 'object' && depth < 6; depth++) {
    const c = cur as { code?: unknown; message?: unknown; cause?: unknown };
    const message = typeof c.message === 'string' && c.message !== '' ? c.message : undefined;
    if (typeof c.code === 'string' && !c.code.startsWith('UND_ERR_')) code = message === undefined ? c.code : `${c.code}: ${message}`;
    if (message !== undefined) innermost = message;
    cur = c.cause;
  }
  return code ?? innermost;
}

/** Wraps a FetchLike: progress lines, and failures that name the host and the cause. */
export function describedFetch(inner: FetchLike, progress?: (line: string) => void): FetchLike {
  return async (url, init) => {
    const u = new URL(url);
    progress?.(`fetching ${u.host}${u.pathname} …`);
    try {
      return await inner(url, init);
    } catch (e) {
      if (e instanceof AttestationError && e.code === 'CollateralFetch') {
        const cause = causeText(e);
        throw new VerifyError(
          'CollateralFetch',
          `${u.host}: ${e.message}${cause === undefined || e.message.includes(cause) ? '' : ` (${cause})`}`,
          { ...(e.evidence ?? {}), check: e.evidence?.check ?? 'http.network', field: u.host },
          { cause: e },
        );
      }
      throw e;
    }
  };
}

async function withFetch<T>(given: FetchLike | undefined, timeoutMs: number | undefined, progress: ((l: string) => void) | undefined, run: (f: FetchLike) => Promise<T>): Promise<T> {
  if (given !== undefined) return run(describedFetch(given, progress));
  const t = timeoutMs ?? 10_000;
  const f = createUndiciFetch({ connectTimeoutMs: Math.min(t, 5_000), headersTimeoutMs: t, bodyTimeoutMs: t });
  try {
    return await run(describedFetch(f, progress));
  } finally {
    await f.close();
  }
}

export function pcsSource(fetch: FetchLike, o: OnlineOptions): PcsSource {
  return new PcsSource({
    fetch,
    ...(o.pccs !== undefined ? { baseUrl: o.pccs } : {}),
    ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
    ...(o.rootCaCrl !== undefined ? { rootCaCrl: o.rootCaCrl } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.allowInsecureHttp === true ? { allowInsecureHttp: true } : {}),
    clock: o.clock ?? systemClock,
  });
}

/** Collateral for `request` from --pccs (through the --cache directory when given). */
export async function fetchCollateralOnline(o: OnlineOptions & { readonly pccs: string }, request: CollateralRequest): Promise<CollateralBundle> {
  return withFetch(o.fetch, o.timeoutMs, o.progress, async (fetch) => {
    const pcs = pcsSource(fetch, o);
    if (o.cacheDir === undefined) return pcs.getCollateral(request);
    const cached = createNodeCachedSource({
      upstream: pcs,
      cacheDir: o.cacheDir,
      clock: o.clock ?? systemClock,
      refreshAheadSeconds: 0, // one-shot CLI process: no background work
      ...(o.rootPublicKey !== undefined ? { rootPublicKey: o.rootPublicKey } : {}),
    });
    return cached.getCollateral(request);
  });
}

/** Runs `run` with a described fetch (undici unless `given`), closing the client afterwards. */
export function withCliFetch<T>(o: Pick<OnlineOptions, 'fetch' | 'timeoutMs' | 'progress'>, run: (f: FetchLike) => Promise<T>): Promise<T> {
  return withFetch(o.fetch, o.timeoutMs, o.progress, run);
}
