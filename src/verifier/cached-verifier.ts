/**
 * CachedVerifier: remembers successful verifications of another verifier.
 *
 *   key      SHA-256 of the quote (plus SHA-256 of runtimeData / userData when
 *            given, since a remote verifier's answer depends on them);
 *   lifetime min(ttlSeconds, the result's own expiresAt: collateral or token
 *            expiry), default TTL 1 hour;
 *   size     bounded (default 1024 entries), least recently used evicted first
 *            (util/lru.ts, the library's one LRU);
 *   failures never cached: every rejection is retried on the next call;
 *   time     the injected clock, else each call's `at`; never a clock read.
 *            A time before an entry's storage time is a miss.
 *
 * Caching a verifier's answer caches its TCB verdict too: a platform revoked
 * after the entry was stored is still accepted until the entry expires. Keep
 * the TTL short where that matters.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { defaultCryptoBackend } from '../crypto/default.js';
import { attestationError } from '../errors.js';
import { toHex } from '../lib/bytes.js';
import { resolveTime } from './clock.js';
import type { VerifierClock, RaTlsVerifier, VerificationResult, RaTlsVerifyOptions } from './types.js';
import { optionalClock, optionalPositive, optionalWithMethods, requireOptionsObject } from '../lib/option-checks.js';
import { LruMap } from '../lib/lru.js';

export interface CachedVerifierOptions {
  /** Entry lifetime, seconds. Default 3600. */
  readonly ttlSeconds?: number;
  /** Maximum number of entries. Default 1024. */
  readonly maxEntries?: number;
  /** Time source for expiry; default: each call's `at`. */
  readonly clock?: VerifierClock;
  /** For SHA-256. Default: the library's default backend. */
  readonly crypto?: CryptoBackend;
}

const WHO = 'CachedVerifier';

interface Entry {
  readonly result: VerificationResult;
  readonly storedAt: number;
  readonly expiresAt: number;
}

export class CachedVerifier implements RaTlsVerifier {
  readonly name: string;
  readonly #inner: RaTlsVerifier;
  readonly #ttl: number;
  readonly #max: number;
  readonly #clock: VerifierClock | undefined;
  readonly #crypto: CryptoBackend;
  readonly #entries: LruMap<string, Entry>;

  constructor(inner: RaTlsVerifier, options: CachedVerifierOptions = {}) {
    if (inner === null || typeof inner !== 'object' || typeof inner.verify !== 'function') {
      throw attestationError('InvalidArgument', 'CachedVerifier wraps a RaTlsVerifier', { check: 'inner' });
    }
    // Every public option at construction (issue 11 §4): InvalidArgument naming the field.
    requireOptionsObject(options as unknown, WHO);
    optionalPositive(options.ttlSeconds, WHO, 'ttlSeconds', true);
    optionalPositive(options.maxEntries, WHO, 'maxEntries', true);
    optionalClock(options.clock, WHO);
    optionalWithMethods(options.crypto, WHO, 'crypto', ['sha256'], 'a CryptoBackend');
    this.#inner = inner;
    this.name = `cached:${inner.name}`;
    this.#ttl = options.ttlSeconds ?? 3600;
    this.#max = options.maxEntries ?? 1024;
    this.#clock = options.clock;
    this.#crypto = options.crypto ?? defaultCryptoBackend();
    this.#entries = new LruMap(this.#max);
  }

  /** Number of live entries (expired ones are dropped lazily). */
  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }

  #key(quote: Uint8Array, options: RaTlsVerifyOptions): string {
    let k = toHex(this.#crypto.sha256(quote));
    if (options.runtimeData !== undefined) k += ':r' + toHex(this.#crypto.sha256(options.runtimeData));
    if (options.userData !== undefined) k += ':u' + toHex(this.#crypto.sha256(options.userData));
    return k;
  }

  async verify(quote: Uint8Array, options: RaTlsVerifyOptions = {}): Promise<VerificationResult> {
    if (!(quote instanceof Uint8Array)) {
      throw attestationError('InvalidArgument', 'quote must be a Uint8Array', { check: 'quote', found: typeof quote });
    }
    const now = this.#clock !== undefined ? resolveTime(undefined, this.#clock, 'CachedVerifier') : resolveTime(options.at, undefined, 'CachedVerifier');
    const key = this.#key(quote, options);
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      if (now >= hit.storedAt && now < hit.expiresAt) return hit.result;
      this.#entries.delete(key);
    }
    const result = await this.#inner.verify(quote, options.at === undefined && this.#clock !== undefined ? { ...options, at: now } : options);
    const expiresAt = Math.min(now + this.#ttl, result.expiresAt ?? Number.POSITIVE_INFINITY);
    if (expiresAt > now) {
      this.#entries.set(key, { result, storedAt: now, expiresAt }); // the LRU evicts past maxEntries
    }
    return result;
  }
}
