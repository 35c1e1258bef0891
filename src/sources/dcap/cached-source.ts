/**
 * CachedSource: the verified collateral cache (src/sources/verified-cache.ts:
 * one LRU, single-flight, refresh-ahead, max age, stale-if-error, store
 * deadline) in front of any DCAP CollateralSource.
 *
 * - Key: TEE type, FMSPC, PCK CA and update type (`requestKey`, e.g.
 *   `tdx-b0c06f000000-platform`).
 * - Only verified collateral is cached: before storing, the bundle's TCB Info
 *   and QE Identity signatures and chains, the PCK CRL and its issuer chain and
 *   the root CA CRL are verified against the pinned root at the caller's time
 *   (verify-bundle.ts). Entries read back from the persistent store are
 *   verified again.
 * - Expiry: an entry is fresh until the earliest nextUpdate of what it holds
 *   (TCB Info, QE Identity, both CRLs; certificate notAfter too), and is
 *   fetched again once older than `maxAgeSeconds` (default 4 h): see
 *   docs/collateral.md for the resulting revocation bound.
 * - Time: `getCollateral(request, { at })`, else the injected `clock`
 *   (util/time.ts Clock: unix seconds or a Date), else the system clock.
 */
import { attestationError } from '../../errors.js';
import type { CryptoBackend } from '../../crypto/backend.js';
import { parseCollateral } from '../../collateral/parse.js';
import { VerifiedCache, type CacheOperation, type VerifiedCacheOptions, type VerifiedCacheSpec } from '../verified-cache.js';
import type { CollateralCacheStore } from './cache-store.js';
import { normalizeRequest, requestKey } from './request.js';
import type { CollateralBundle, CollateralRequest, CollateralSource, GetCollateralOptions } from './types.js';
import { collateralValidity, verifyParsedCollateral } from './verify-bundle.js';

export type { CacheOperation };

export interface CachedSourceOptions extends Omit<VerifiedCacheOptions<CollateralBundle>, 'store'> {
  readonly upstream: CollateralSource;
  /** Trust anchor for verification before caching. Default: the pinned Intel SGX Root CA key. */
  readonly rootPublicKey?: Uint8Array;
  readonly crypto?: CryptoBackend;
  /** Persistent second tier; what it returns is re-verified. Default: none. */
  readonly store?: CollateralCacheStore;
}

function dcapSpec(o: CachedSourceOptions): VerifiedCacheSpec<CollateralRequest, CollateralBundle, undefined> {
  const verifyOptions = (at: number) => ({
    at,
    ...(o.rootPublicKey ? { rootPublicKey: o.rootPublicKey } : {}),
    ...(o.crypto ? { crypto: o.crypto } : {}),
  });
  return {
    owner: 'CachedSource',
    normalize: normalizeRequest,
    key: requestKey,
    fetch: (req) => o.upstream.getCollateral(req),
    requestOf: (b) => b.request,
    async verify(req, bundle, at) {
      if (bundle === null || typeof bundle !== 'object') {
        throw attestationError('CollateralMismatch', 'not a collateral bundle', { check: 'cache.bundle' });
      }
      const parsed = parseCollateral(bundle.collateral);
      await verifyParsedCollateral(req, parsed, verifyOptions(at));
      return { validUntil: collateralValidity(parsed).validUntil, extra: undefined };
    },
    validUntilOf: (_req, bundle) => collateralValidity(parseCollateral(bundle.collateral)).validUntil,
    fetchedAtOf: (b) => b.metadata.fetchedAt,
    strip(b, fetchedAt) {
      const { cache: _cache, ...metadata } = b.metadata;
      const stamped = metadata.fetchedAt === undefined && Number.isFinite(fetchedAt) ? { ...metadata, fetchedAt } : metadata;
      return { request: b.request, collateral: b.collateral, metadata: stamped };
    },
    annotate: (b, cache) => ({ request: b.request, collateral: b.collateral, metadata: { ...b.metadata, cache } }),
  };
}

export class CachedSource implements CollateralSource {
  readonly #cache: VerifiedCache<CollateralRequest, CollateralBundle, undefined>;

  constructor(options: CachedSourceOptions) {
    if (options === null || typeof options !== 'object' || typeof options.upstream?.getCollateral !== 'function') {
      throw attestationError('InvalidArgument', 'CachedSource: options.upstream must be a CollateralSource', { check: 'cachedSource.upstream' });
    }
    this.#cache = new VerifiedCache(dcapSpec(options), options);
  }

  async getCollateral(request: CollateralRequest, options: GetCollateralOptions = {}): Promise<CollateralBundle> {
    return (await this.#cache.get(request, options)).bundle;
  }

  /** Resolves when every in-flight upstream call and store read (foreground or background) has settled. */
  async idle(): Promise<void> {
    await this.#cache.idle();
  }

  /** Forget the in-memory tier (the persistent store is kept). */
  clearMemory(): void {
    this.#cache.clearMemory();
  }
}
