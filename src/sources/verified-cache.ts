/**
 * VerifiedCache: the one verifying, single-flight, two-tier cache in front of
 * a collateral source. DCAP (`CachedSource`, Intel PCS / PCCS) and SEV-SNP
 * (`SnpCachedSource`, AMD KDS) are thin instances: they supply the request
 * key, the upstream call and the verification (`VerifiedCacheSpec`).
 *
 * - Verified only: what the upstream returns is verified at the caller's time
 *   before it is kept; what the persistent store returns is verified again.
 * - Expiry: an entry is fresh until its `validUntil` (the earliest nextUpdate /
 *   notAfter of what it holds).
 * - Max age (#19 §3): an entry older than `maxAgeSeconds` (default 4 h) is
 *   fetched again in the foreground before it is served; while that refetch
 *   fails, the old entry is served (flagged `refreshFailed`) only as long as
 *   it is still valid, and the refetch is retried at most once per
 *   `refreshRetrySeconds`. This bounds revocation latency (a new CRL or TCB
 *   Info is seen within maxAgeSeconds while the upstream is reachable).
 * - Refresh-ahead: a hit within `refreshAheadSeconds` of expiry starts one
 *   background refresh (at most one per `refreshRetrySeconds`).
 * - Stale-if-error (relaxation, off by default, capped at
 *   MAX_STALE_IF_ERROR_SECONDS): when the upstream fails, an expired entry
 *   may be served for `staleIfErrorSeconds` past its expiry, flagged stale.
 * - Single-flight: concurrent misses for one key make one upstream call and
 *   one store read.
 * - Store deadline (#19 §1): every store read, write and delete has a
 *   deadline (`storeTimeoutMs`); a store that does not answer is a miss, and
 *   the single-flight never keeps a hung read past its deadline.
 * - Time: `options.at` of the call (the caller's time: a verifier's `at`, the
 *   CLI's `--at`), else the injected `Clock` (util/time.ts; unix seconds or a
 *   Date, never milliseconds), else the system clock.
 */
import { isAttestationError, attestationError } from '../errors.js';
import { LruMap } from '../lib/lru.js';
import { readClock, systemClock, toUnixSeconds, type Clock, type TimeInput } from '../lib/time.js';
import { raceSignal, withDeadline } from './abort.js';
import { SingleFlight } from './single-flight.js';

/** Longest stale-if-error window accepted (7 days). */
export const MAX_STALE_IF_ERROR_SECONDS = 7 * 24 * 3600;
/** Default max age of a cached entry before it is fetched again (4 hours). */
export const DEFAULT_MAX_AGE_SECONDS = 4 * 3600;
/** Default deadline of one persistent-store operation. */
export const DEFAULT_STORE_TIMEOUT_MS = 5_000;

export type CacheOperation = 'refresh' | 'store-read' | 'store-write' | 'store-delete';

/** The persistent tier (a directory, a KV namespace, a database). NOT trusted: what it returns is verified again. */
export interface CacheStore<B> {
  get(key: string): Promise<B | undefined>;
  /** Store (replace) atomically: a reader sees the old or the new bundle, never a mix. */
  set(key: string, bundle: B): Promise<void>;
  delete(key: string): Promise<void>;
}

/** How the cache answered. */
export interface CacheMetadata {
  /** `miss`: fetched now; `hit`: served from the cache, fresh; `stale`: expired, served because the upstream failed. */
  readonly status: 'miss' | 'hit' | 'stale';
  /** True only when `status` is 'stale': the collateral is past `validUntil`. */
  readonly stale: boolean;
  /** Unix seconds: the earliest nextUpdate / notAfter of what the bundle holds. */
  readonly validUntil: number;
  /** Unix seconds at which the signatures, chains and CRLs were last verified. */
  readonly verifiedAt: number;
  /** For stale answers: the upstream failure that made the cache serve expired collateral. */
  readonly staleReason?: { readonly code: string; readonly message: string };
  /** A hit older than maxAgeSeconds whose refetch failed: the failure (the entry is still valid). */
  readonly refreshFailed?: { readonly code: string; readonly message: string };
}

export interface VerifiedCacheOptions<B> {
  /** Time source when a call passes no `at`: unix seconds or a Date (util/time.ts). Default: the system clock. */
  readonly clock?: Clock;
  /** Entries kept in memory (LRU). Default 256. */
  readonly maxMemoryEntries?: number;
  /** Persistent second tier; what it returns is re-verified. Default: none. */
  readonly store?: CacheStore<B>;
  /** Fetch a fresh entry again once it is this old (seconds since it was fetched). Default 14 400 (4 h). */
  readonly maxAgeSeconds?: number;
  /** Start a background refresh when a hit is this close (seconds) to expiry. Default 3600; 0 disables. */
  readonly refreshAheadSeconds?: number;
  /** At most one refresh (background or max-age) per key per this many seconds. Default 60. */
  readonly refreshRetrySeconds?: number;
  /** Relaxation, off by default (0): serve an expired entry this many seconds past expiry when the upstream fails. At most 604 800 (7 days). */
  readonly staleIfErrorSeconds?: number;
  /** Deadline of one store read / write / delete, milliseconds. Default 5000. */
  readonly storeTimeoutMs?: number;
  /** Failures that are not thrown (refreshes, store read / write / delete). */
  readonly onError?: (error: unknown, context: { readonly key: string; readonly operation: CacheOperation }) => void;
}

/** What an instance supplies. `R` is the request, `B` the bundle (without cache metadata), `X` what verification yields. */
export interface VerifiedCacheSpec<R, B, X> {
  /** Names the instance in errors (e.g. 'CachedSource'). */
  readonly owner: string;
  /** Validates and normalises a request (InvalidArgument). */
  normalize(request: R): R;
  /** The cache key, [a-z0-9-] only. */
  key(request: R): string;
  /** The upstream call. */
  fetch(request: R): Promise<B>;
  /** The request a bundle answers (compared by key with the one asked). */
  requestOf(bundle: B): R;
  /** Verifies `bundle` for `request` at `at` (unix seconds); returns its validity end. */
  verify(request: R, bundle: B, at: number): Promise<{ readonly validUntil: number; readonly extra: X }>;
  /** The validity end without verifying (lets a stale store entry be verified at its own expiry). Optional. */
  validUntilOf?(request: R, bundle: B): number;
  /** When the bundle was fetched (its metadata), unix seconds; undefined when unknown. */
  fetchedAtOf(bundle: B): number | undefined;
  /** The bundle without cache metadata, stamped with `fetchedAt` when it has none. */
  strip(bundle: B, fetchedAt: number): B;
  /** The bundle with `cache` metadata added. */
  annotate(bundle: B, cache: CacheMetadata): B;
}

export interface CacheEntry<B, X> {
  readonly bundle: B;
  readonly validUntil: number;
  readonly verifiedAt: number;
  /** Unix seconds when the upstream answered (max-age clock). */
  readonly fetchedAt: number;
  readonly extra: X;
  /** Unix seconds of the last upstream call for this key (throttles refreshes). */
  lastAttempt: number;
}

export interface CacheGetOptions {
  readonly signal?: AbortSignal;
  /** The caller's time; default the cache's clock. */
  readonly at?: TimeInput;
}

function failure(e: unknown): { code: string; message: string } {
  return isAttestationError(e) ? { code: e.code, message: e.message } : { code: 'CollateralFetch', message: e instanceof Error ? e.message : String(e) };
}

function numberOption(v: number | undefined, owner: string, name: string, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
    throw attestationError('InvalidArgument', `${owner}: ${name} must be a number in 0..${max}`, {
      check: `${owner}.${name}`,
      expected: `0..${max}`,
      found: String(v),
    });
  }
  return v;
}

export class VerifiedCache<R, B, X> {
  readonly #spec: VerifiedCacheSpec<R, B, X>;
  readonly #clock: Clock;
  readonly #memory: LruMap<string, CacheEntry<B, X>>;
  readonly #store: CacheStore<B> | undefined;
  readonly #maxAge: number;
  readonly #refreshAhead: number;
  readonly #refreshRetry: number;
  readonly #staleIfError: number;
  readonly #storeTimeoutMs: number;
  readonly #onError: VerifiedCacheOptions<B>['onError'];
  readonly #fetches = new SingleFlight<CacheEntry<B, X>>();
  readonly #loads = new SingleFlight<CacheEntry<B, X> | undefined>();

  constructor(spec: VerifiedCacheSpec<R, B, X>, options: VerifiedCacheOptions<B>) {
    const owner = spec.owner;
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw attestationError('InvalidArgument', `${owner}: clock must be a function returning unix seconds or a Date`, { check: `${owner}.clock` });
    }
    if (options.store !== undefined && (options.store === null || typeof options.store.get !== 'function' || typeof options.store.set !== 'function')) {
      throw attestationError('InvalidArgument', `${owner}: store must have get / set / delete`, { check: `${owner}.store` });
    }
    this.#spec = spec;
    this.#clock = options.clock ?? systemClock;
    const maxEntries = numberOption(options.maxMemoryEntries, owner, 'maxMemoryEntries', 256);
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw attestationError('InvalidArgument', `${owner}: maxMemoryEntries must be a positive integer`, { check: `${owner}.maxMemoryEntries`, found: String(maxEntries) });
    }
    this.#memory = new LruMap(maxEntries);
    this.#store = options.store;
    this.#maxAge = numberOption(options.maxAgeSeconds, owner, 'maxAgeSeconds', DEFAULT_MAX_AGE_SECONDS);
    this.#refreshAhead = numberOption(options.refreshAheadSeconds, owner, 'refreshAheadSeconds', 3600);
    this.#refreshRetry = numberOption(options.refreshRetrySeconds, owner, 'refreshRetrySeconds', 60);
    this.#staleIfError = numberOption(options.staleIfErrorSeconds, owner, 'staleIfErrorSeconds', 0, MAX_STALE_IF_ERROR_SECONDS);
    this.#storeTimeoutMs = numberOption(options.storeTimeoutMs, owner, 'storeTimeoutMs', DEFAULT_STORE_TIMEOUT_MS, 600_000);
    this.#onError = options.onError;
  }

  /** The answer for `request` with its cache metadata, and the entry behind it. */
  async get(request: R, options: CacheGetOptions = {}): Promise<{ readonly bundle: B; readonly entry: CacheEntry<B, X> }> {
    const spec = this.#spec;
    const req = spec.normalize(request);
    const key = spec.key(req);
    const signal = options.signal;
    const now = this.#now(options.at);
    const entry = this.#memory.get(key) ?? (await raceSignal(this.#loadFromStore(key, req, now), signal, 'cache.aborted', `${spec.owner} store read`));

    if (entry !== undefined && now <= entry.validUntil) {
      const aged = now - entry.fetchedAt >= this.#maxAge;
      if (!aged) {
        if (this.#refreshAhead > 0 && entry.validUntil - now <= this.#refreshAhead) this.#refreshInBackground(key, req, entry, now);
        return this.#answer(entry, 'hit');
      }
      // Max age reached: revalidate in the foreground (joined when one is in flight, else at most once per refreshRetry).
      if (this.#fetches.has(key) || now - entry.lastAttempt >= this.#refreshRetry) {
        entry.lastAttempt = now;
        try {
          return this.#answer(await raceSignal(this.#fetch(key, req, now), signal, 'cache.aborted', `${spec.owner} fetch`), 'miss');
        } catch (e) {
          if (signal?.aborted === true) throw e;
          this.#report(e, key, 'refresh');
          // Still valid: keep serving it while the refetch fails, flagged.
          if (isAttestationError(e) && e.kind === 'usage') throw e;
          return this.#answer(entry, 'hit', undefined, e);
        }
      }
      return this.#answer(entry, 'hit');
    }
    try {
      return this.#answer(await raceSignal(this.#fetch(key, req, now), signal, 'cache.aborted', `${spec.owner} fetch`), 'miss');
    } catch (e) {
      if (signal?.aborted === true) throw e;
      if (
        entry !== undefined &&
        this.#staleIfError > 0 &&
        now <= entry.validUntil + this.#staleIfError &&
        isAttestationError(e) &&
        e.kind !== 'usage'
      ) {
        return this.#answer(entry, 'stale', e);
      }
      if (entry !== undefined && now > entry.validUntil + this.#staleIfError) this.#memory.delete(key);
      throw e;
    }
  }

  /** Resolves when every in-flight upstream call and store read (foreground or background) has settled. */
  async idle(): Promise<void> {
    await this.#loads.idle();
    await this.#fetches.idle();
  }

  /** Forget the in-memory tier (the persistent store is kept). */
  clearMemory(): void {
    this.#memory.clear();
  }

  #now(at: TimeInput | undefined): number {
    return at !== undefined ? toUnixSeconds(at) : readClock(this.#clock, this.#spec.owner);
  }

  #report(error: unknown, key: string, operation: CacheOperation): void {
    try {
      this.#onError?.(error, { key, operation });
    } catch {
      // A throwing error callback must not turn into an unhandled rejection either.
    }
  }

  #answer(entry: CacheEntry<B, X>, status: CacheMetadata['status'], staleReason?: unknown, refreshFailed?: unknown): { bundle: B; entry: CacheEntry<B, X> } {
    const cache: CacheMetadata = {
      status,
      stale: status === 'stale',
      validUntil: entry.validUntil,
      verifiedAt: entry.verifiedAt,
      ...(staleReason === undefined ? {} : { staleReason: failure(staleReason) }),
      ...(refreshFailed === undefined ? {} : { refreshFailed: failure(refreshFailed) }),
    };
    return { bundle: this.#spec.annotate(entry.bundle, cache), entry };
  }

  #refreshInBackground(key: string, req: R, entry: CacheEntry<B, X>, now: number): void {
    if (this.#fetches.has(key) || now - entry.lastAttempt < this.#refreshRetry) return;
    entry.lastAttempt = now;
    this.#fetch(key, req, now).catch((e: unknown) => this.#report(e, key, 'refresh'));
  }

  /** Store operations never outlive their deadline. */
  #storeOp<T>(p: () => Promise<T>, what: string): Promise<T> {
    let started: Promise<T>;
    try {
      started = p();
    } catch (e) {
      started = Promise.reject(e);
    }
    return withDeadline(started, this.#storeTimeoutMs, 'cache.store.timeout', `${this.#spec.owner} store ${what}`);
  }

  /** One upstream call per key at a time: fetch, verify at `now`, then keep in both tiers. */
  #fetch(key: string, req: R, now: number): Promise<CacheEntry<B, X>> {
    const spec = this.#spec;
    return this.#fetches.run(key, async () => {
      const bundle = await spec.fetch(req);
      let answered: string;
      try {
        answered = spec.key(spec.requestOf(bundle));
      } catch {
        answered = String(bundle);
      }
      if (answered !== key) {
        throw attestationError('CollateralMismatch', 'upstream answered another collateral request', {
          check: 'cache.upstream.request',
          expected: key,
          found: answered.slice(0, 140),
        });
      }
      const { validUntil, extra } = await spec.verify(req, bundle, now);
      const stripped = spec.strip(bundle, now);
      const entry: CacheEntry<B, X> = { bundle: stripped, validUntil, verifiedAt: now, fetchedAt: now, extra, lastAttempt: now };
      this.#memory.set(key, entry);
      const store = this.#store;
      if (store !== undefined) {
        try {
          await this.#storeOp(() => store.set(key, stripped), 'write');
        } catch (e) {
          this.#report(e, key, 'store-write');
        }
      }
      return entry;
    });
  }

  /**
   * Read the persistent tier (with a deadline: a store that does not answer is
   * a miss) and verify what it holds, at `now`, or at its own expiry for a
   * stale-if-error candidate. What fails verification is deleted.
   */
  #loadFromStore(key: string, req: R, now: number): Promise<CacheEntry<B, X> | undefined> {
    const store = this.#store;
    if (store === undefined) return Promise.resolve(undefined);
    const spec = this.#spec;
    return this.#loads.run(key, async () => {
      let bundle: B | undefined;
      try {
        bundle = await this.#storeOp(() => store.get(key), 'read');
      } catch (e) {
        this.#report(e, key, 'store-read');
        // Something unreadable (a directory, a link, a special file, garbage) sits at the key: clear it so the
        // tier works again. A timeout or an I/O failure deletes nothing.
        if (isAttestationError(e) && e.kind === 'parse') await this.#delete(key);
        return undefined;
      }
      if (bundle === undefined) return undefined;
      try {
        const answered = spec.key(spec.requestOf(bundle));
        if (answered !== key) {
          throw attestationError('CollateralMismatch', 'cached bundle is for another request', { check: 'cache.store.request', expected: key, found: answered });
        }
        let at = now;
        if (spec.validUntilOf !== undefined) {
          const validUntil = spec.validUntilOf(req, bundle);
          if (now > validUntil + this.#staleIfError) return undefined; // useless even as a stale answer
          at = Math.min(now, validUntil);
        }
        const { validUntil, extra } = await spec.verify(req, bundle, at);
        // An unknown or future fetch time counts as "fetched long ago": revalidated at first use.
        const stamped = spec.fetchedAtOf(bundle);
        const fetchedAt = stamped === undefined || stamped > now ? Number.NEGATIVE_INFINITY : stamped;
        const entry: CacheEntry<B, X> = { bundle: spec.strip(bundle, fetchedAt), validUntil, verifiedAt: at, fetchedAt, extra, lastAttempt: Number.NEGATIVE_INFINITY };
        if (this.#memory.get(key) === undefined) this.#memory.set(key, entry);
        return this.#memory.get(key);
      } catch (e) {
        this.#report(e, key, 'store-read');
        await this.#delete(key);
        return undefined;
      }
    });
  }

  async #delete(key: string): Promise<void> {
    const store = this.#store;
    if (store === undefined) return;
    try {
      await this.#storeOp(() => store.delete(key), 'delete');
    } catch (d) {
      this.#report(d, key, 'store-delete');
    }
  }
}
