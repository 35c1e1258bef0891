/**
 * CachedSource: a verifying, single-flight, two-tier cache in front of any
 * CollateralSource.
 *
 * - Key: TEE type, FMSPC, PCK CA and update type (`requestKey`, e.g.
 *   `tdx-b0c06f000000-platform`).
 * - Only verified collateral is cached: before storing, the bundle's TCB Info
 *   and QE Identity signatures and chains, the PCK CRL and its issuer chain and
 *   the root CA CRL are verified against the pinned root at the injected
 *   clock's time (verify-bundle.ts). Entries read back from the persistent
 *   store are verified again.
 * - Expiry: an entry is fresh until the earliest nextUpdate of what it holds
 *   (TCB Info, QE Identity, both CRLs; certificate notAfter too).
 * - Single-flight: concurrent misses for one key make one upstream call.
 * - Refresh-ahead: a hit within `refreshAheadSeconds` of expiry starts one
 *   background refresh (at most one per `refreshRetrySeconds`); its failures go
 *   to `onError`, never to an unhandled rejection.
 * - Stale-if-error (opt-in, default off): when the upstream fails, an expired
 *   entry may be served for `staleIfErrorSeconds` past its expiry, flagged
 *   `metadata.cache.stale = true` with the failure in `staleReason`.
 *
 * The core never reads a clock: `clock` is required (milliseconds since the
 * epoch, the Date.now convention); the Node adapter defaults it to Date.now.
 */
import { AttestationError, VerifyError, isAttestationError } from '../../errors.js';
import type { CryptoBackend } from '../../crypto/backend.js';
import { parseCollateral } from '../parse.js';
import { raceSignal } from './abort.js';
import type { CollateralCacheStore } from './cache-store.js';
import { LruMap } from './lru.js';
import { normalizeRequest, requestKey, sameRequest } from './request.js';
import { SingleFlight } from './single-flight.js';
import type { CollateralBundle, CollateralRequest, CollateralSource, GetCollateralOptions } from './types.js';
import { collateralValidity, verifyCollateralBundle, verifyParsedCollateral } from './verify-bundle.js';
import { clockSeconds } from '../../util/options.js';

export type CacheOperation = 'refresh' | 'store-read' | 'store-write' | 'store-delete';

export interface CachedSourceOptions {
  readonly upstream: CollateralSource;
  /** Current time in milliseconds since the epoch. Required: the core never reads a clock. */
  readonly clock: () => number;
  /** Trust anchor for verification before caching. Default: the pinned Intel SGX Root CA key. */
  readonly rootPublicKey?: Uint8Array;
  readonly crypto?: CryptoBackend;
  /** Entries kept in memory (LRU). Default 256. */
  readonly maxMemoryEntries?: number;
  /** Persistent second tier; what it returns is re-verified. Default: none. */
  readonly store?: CollateralCacheStore;
  /** Start a background refresh when a hit is this close (seconds) to expiry. Default 3600; 0 disables. */
  readonly refreshAheadSeconds?: number;
  /** At most one background refresh per key per this many seconds. Default 60. */
  readonly refreshRetrySeconds?: number;
  /**
   * Relaxation, off by default (0): for this many seconds past expiry, serve the
   * expired entry (flagged stale) when the upstream fails.
   */
  readonly staleIfErrorSeconds?: number;
  /** Failures that are not thrown (background refresh, store read / write / delete). */
  readonly onError?: (error: unknown, context: { readonly key: string; readonly operation: CacheOperation }) => void;
}

interface Entry {
  /** The bundle as the upstream returned it, without cache metadata. */
  readonly bundle: CollateralBundle;
  readonly validUntil: number;
  readonly verifiedAt: number;
  /** Unix seconds of the last upstream call for this key (throttles refresh-ahead). */
  lastAttempt: number;
}

function nonNegative(v: number | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new AttestationError('InvalidArgument', `CachedSource: ${name} must be a non-negative number`, {
      check: `cachedSource.${name}`,
      found: String(v),
    });
  }
  return v;
}

function withoutCacheMetadata(b: CollateralBundle): CollateralBundle {
  const { cache: _cache, ...metadata } = b.metadata;
  return { request: b.request, collateral: b.collateral, metadata };
}

export class CachedSource implements CollateralSource {
  readonly #upstream: CollateralSource;
  readonly #clock: () => number;
  readonly #rootPublicKey: Uint8Array | undefined;
  readonly #crypto: CryptoBackend | undefined;
  readonly #memory: LruMap<string, Entry>;
  readonly #store: CollateralCacheStore | undefined;
  readonly #refreshAhead: number;
  readonly #refreshRetry: number;
  readonly #staleIfError: number;
  readonly #onError: CachedSourceOptions['onError'];
  readonly #fetches = new SingleFlight<Entry>();
  readonly #loads = new SingleFlight<Entry | undefined>();

  constructor(options: CachedSourceOptions) {
    if (options === null || typeof options !== 'object' || typeof options.upstream?.getCollateral !== 'function') {
      throw new AttestationError('InvalidArgument', 'CachedSource: options.upstream must be a CollateralSource', { check: 'cachedSource.upstream' });
    }
    if (typeof options.clock !== 'function') {
      throw new AttestationError('InvalidArgument', 'CachedSource: options.clock is required (the core never reads a clock)', {
        check: 'cachedSource.clock',
      });
    }
    this.#upstream = options.upstream;
    this.#clock = options.clock;
    this.#rootPublicKey = options.rootPublicKey;
    this.#crypto = options.crypto;
    this.#memory = new LruMap(Math.max(1, Math.floor(nonNegative(options.maxMemoryEntries, 'maxMemoryEntries', 256))));
    this.#store = options.store;
    this.#refreshAhead = nonNegative(options.refreshAheadSeconds, 'refreshAheadSeconds', 3600);
    this.#refreshRetry = nonNegative(options.refreshRetrySeconds, 'refreshRetrySeconds', 60);
    this.#staleIfError = nonNegative(options.staleIfErrorSeconds, 'staleIfErrorSeconds', 0);
    this.#onError = options.onError;
  }

  async getCollateral(request: CollateralRequest, options: GetCollateralOptions = {}): Promise<CollateralBundle> {
    const req = normalizeRequest(request);
    const key = requestKey(req);
    const signal = options.signal;
    const now = this.#now();
    const entry = this.#memory.get(key) ?? (await raceSignal(this.#loadFromStore(key, req), signal, 'cache.aborted', 'collateral cache read'));

    if (entry !== undefined && now <= entry.validUntil) {
      if (this.#refreshAhead > 0 && entry.validUntil - now <= this.#refreshAhead) this.#refreshInBackground(key, req, entry, now);
      return this.#answer(entry, 'hit');
    }
    try {
      return this.#answer(await raceSignal(this.#fetch(key, req), signal, 'cache.aborted', 'collateral fetch'), 'miss');
    } catch (e) {
      if (signal?.aborted === true) throw e;
      const later = this.#now();
      if (
        entry !== undefined &&
        this.#staleIfError > 0 &&
        later <= entry.validUntil + this.#staleIfError &&
        isAttestationError(e) &&
        e.kind !== 'usage'
      ) {
        return this.#answer(entry, 'stale', e);
      }
      if (entry !== undefined && later > entry.validUntil + this.#staleIfError) this.#memory.delete(key);
      throw e;
    }
  }

  /** Resolves when every in-flight upstream call (foreground or background) has settled. */
  async idle(): Promise<void> {
    await this.#loads.idle();
    await this.#fetches.idle();
  }

  /** Forget the in-memory tier (the persistent store is kept). */
  clearMemory(): void {
    this.#memory.clear();
  }

  #now(): number {
    return clockSeconds(this.#clock, 'CachedSource');
  }

  #report(error: unknown, key: string, operation: CacheOperation): void {
    try {
      this.#onError?.(error, { key, operation });
    } catch {
      // A throwing error callback must not turn into an unhandled rejection either.
    }
  }

  #answer(entry: Entry, status: 'hit' | 'miss' | 'stale', reason?: AttestationError): CollateralBundle {
    const b = entry.bundle;
    return {
      request: b.request,
      collateral: b.collateral,
      metadata: {
        ...b.metadata,
        cache: {
          status,
          stale: status === 'stale',
          validUntil: entry.validUntil,
          verifiedAt: entry.verifiedAt,
          ...(reason === undefined ? {} : { staleReason: { code: reason.code, message: reason.message } }),
        },
      },
    };
  }

  #refreshInBackground(key: string, req: CollateralRequest, entry: Entry, now: number): void {
    if (this.#fetches.has(key) || now - entry.lastAttempt < this.#refreshRetry) return;
    entry.lastAttempt = now;
    this.#fetch(key, req).catch((e: unknown) => this.#report(e, key, 'refresh'));
  }

  /** One upstream call per key at a time: fetch, verify at the clock's time, then store in both tiers. */
  #fetch(key: string, req: CollateralRequest): Promise<Entry> {
    return this.#fetches.run(key, async () => {
      const bundle = await this.#upstream.getCollateral(req);
      if (bundle === null || typeof bundle !== 'object' || !sameRequest(bundle.request, req)) {
        throw new VerifyError('CollateralMismatch', 'upstream answered another collateral request', {
          check: 'cache.upstream.request',
          expected: key,
          found: bundle?.request ? requestKey(bundle.request) : String(bundle),
        });
      }
      const at = this.#now();
      const { validUntil } = await verifyCollateralBundle(bundle, {
        at,
        ...(this.#rootPublicKey ? { rootPublicKey: this.#rootPublicKey } : {}),
        ...(this.#crypto ? { crypto: this.#crypto } : {}),
      });
      const entry: Entry = { bundle: withoutCacheMetadata(bundle), validUntil, verifiedAt: at, lastAttempt: at };
      this.#memory.set(key, entry);
      if (this.#store !== undefined) {
        try {
          await this.#store.set(key, entry.bundle);
        } catch (e) {
          this.#report(e, key, 'store-write');
        }
      }
      return entry;
    });
  }

  /** Read the persistent tier; re-verify what it holds (at `now`, or at its expiry for a stale candidate). */
  #loadFromStore(key: string, req: CollateralRequest): Promise<Entry | undefined> {
    const store = this.#store;
    if (store === undefined) return Promise.resolve(undefined);
    return this.#loads.run(key, async () => {
      let bundle: CollateralBundle | undefined;
      try {
        bundle = await store.get(key);
      } catch (e) {
        this.#report(e, key, 'store-read');
        return undefined;
      }
      if (bundle === undefined) return undefined;
      const now = this.#now();
      try {
        if (!sameRequest(bundle.request, req)) {
          throw new VerifyError('CollateralMismatch', 'cached bundle is for another request', {
            check: 'cache.store.request',
            expected: key,
            found: requestKey(bundle.request),
          });
        }
        const parsed = parseCollateral(bundle.collateral);
        const { validUntil } = collateralValidity(parsed);
        if (now > validUntil + this.#staleIfError) return undefined; // useless even as a stale answer
        const at = Math.min(now, validUntil);
        await verifyParsedCollateral(req, parsed, {
          at,
          ...(this.#rootPublicKey ? { rootPublicKey: this.#rootPublicKey } : {}),
          ...(this.#crypto ? { crypto: this.#crypto } : {}),
        });
        const entry: Entry = { bundle: withoutCacheMetadata(bundle), validUntil, verifiedAt: at, lastAttempt: Number.NEGATIVE_INFINITY };
        if (this.#memory.get(key) === undefined) this.#memory.set(key, entry);
        return this.#memory.get(key);
      } catch (e) {
        this.#report(e, key, 'store-read');
        try {
          await store.delete(key);
        } catch (d) {
          this.#report(d, key, 'store-delete');
        }
        return undefined;
      }
    });
  }
}
