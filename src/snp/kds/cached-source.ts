/**
 * SnpCachedSource: the verified collateral cache (src/sources/verified-cache.ts,
 * the same machinery as the DCAP CachedSource: one LRU, single-flight,
 * refresh-ahead, max age, stale-if-error, store deadline) in front of any
 * SnpCollateralSource.
 *
 * - Key: the request (snpRequestKey: product, hwid and TCB for VCEKs;
 *   product and key type for CA chains).
 * - Only verified collateral is cached (verify-collateral.ts): CA answers
 *   chain to the pinned ARK and their CRL is current; VCEK answers fit the
 *   request and chain through the product's (cached) CA answer. Entries read
 *   back from the persistent store are verified again.
 * - Expiry: a CA entry is fresh until the earliest notAfter of its
 *   certificates or its CRL's nextUpdate; a VCEK entry until the earliest
 *   notAfter of the VCEK, ASK and ARK; either is fetched again once older
 *   than `maxAgeSeconds` (default 4 h).
 * - Single-flight: concurrent misses for one key make one upstream call
 *   (KDS rate-limits).
 * - Time: `getSnpCollateral(request, { at })`, else the injected `clock`
 *   (util/time.ts Clock: unix seconds or a Date), else the system clock.
 */
import { attestationError } from '../../errors.js';
import { VerifiedCache, type CacheStore, type VerifiedCacheOptions, type VerifiedCacheSpec } from '../../sources/verified-cache.js';
import type { CryptoBackend } from '../../crypto/backend.js';
import type { ArkPins } from '../roots.js';
import type { ParsedSnpCa } from './fit.js';
import { caRequest, normalizeSnpRequest, snpRequestKey } from './request.js';
import type {
  GetSnpCollateralOptions,
  SnpCaCollateral,
  SnpCollateralBundle,
  SnpCollateralRequest,
  SnpCollateralSource,
  SnpVcekCollateral,
  SnpVcekRequest,
} from './types.js';
import { verifySnpCaCollateral, verifySnpVcekCollateral } from './verify-collateral.js';

/** The persistent tier (a directory, a KV store, ...). Not trusted: what it returns is re-verified. */
export type SnpCacheStore = CacheStore<SnpCollateralBundle>;

export interface SnpCachedSourceOptions extends Omit<VerifiedCacheOptions<SnpCollateralBundle>, 'store'> {
  readonly upstream: SnpCollateralSource;
  readonly crypto?: CryptoBackend;
  /** Trust anchors for verification before caching. Default: AMD's production ARKs. */
  readonly arkPins?: ArkPins;
  readonly store?: SnpCacheStore;
}

export class SnpCachedSource implements SnpCollateralSource {
  readonly #cache: VerifiedCache<SnpCollateralRequest, SnpCollateralBundle, ParsedSnpCa | undefined>;

  constructor(options: SnpCachedSourceOptions) {
    if (options === null || typeof options !== 'object' || typeof options.upstream?.getSnpCollateral !== 'function') {
      throw attestationError('InvalidArgument', 'SnpCachedSource: options.upstream must be an SnpCollateralSource', { check: 'snpCachedSource.upstream' });
    }
    const o = options;
    const spec: VerifiedCacheSpec<SnpCollateralRequest, SnpCollateralBundle, ParsedSnpCa | undefined> = {
      owner: 'SnpCachedSource',
      normalize: (r) => normalizeSnpRequest(r),
      key: snpRequestKey,
      fetch: (req) => o.upstream.getSnpCollateral(req),
      requestOf: (b) => b.request,
      verify: async (req, bundle, at) => {
        const opts = { at, ...(o.crypto ? { crypto: o.crypto } : {}), ...(o.arkPins ? { arkPins: o.arkPins } : {}) };
        if (req.kind === 'ca') {
          const { ca, validUntil } = await verifySnpCaCollateral(req, bundle.collateral as SnpCaCollateral, opts);
          return { validUntil, extra: ca };
        }
        const vreq = req as SnpVcekRequest;
        // The VCEK chains through the product's CA answer, itself through this cache.
        const caAnswer = await this.#cache.get(caRequest(vreq.product, 'VCEK'), { at });
        const ca = caAnswer.entry.extra;
        if (ca === undefined) {
          throw attestationError('CollateralMissing', 'the CA chain for the VCEK could not be obtained', { check: 'snp.cache.ca', field: snpRequestKey(caAnswer.bundle.request) });
        }
        // The VCEK entry lives as long as its certificates; the CRL is refreshed with the CA entry
        // and applied again by verifySnpAttestation at every use.
        const { validUntil } = await verifySnpVcekCollateral(vreq, bundle.collateral as SnpVcekCollateral, ca, opts);
        return { validUntil, extra: undefined };
      },
      fetchedAtOf: (b) => b.metadata.fetchedAt,
      strip(b, fetchedAt) {
        const { cache: _cache, ...metadata } = b.metadata;
        const stamped = metadata.fetchedAt === undefined && Number.isFinite(fetchedAt) ? { ...metadata, fetchedAt } : metadata;
        return { ...b, metadata: stamped } as SnpCollateralBundle;
      },
      annotate: (b, cache) => ({ ...b, metadata: { ...b.metadata, cache } }) as SnpCollateralBundle,
    };
    this.#cache = new VerifiedCache(spec, options);
  }

  getSnpCollateral: SnpCollateralSource['getSnpCollateral'] = (async (request: SnpCollateralRequest, options: GetSnpCollateralOptions = {}) =>
    (await this.#cache.get(request, options)).bundle) as SnpCollateralSource['getSnpCollateral'];

  /** Resolves when every upstream call and store read in flight has settled. */
  async idle(): Promise<void> {
    await this.#cache.idle();
  }

  clearMemory(): void {
    this.#cache.clearMemory();
  }
}
