/**
 * SnpCachedSource: a verifying, single-flight cache in front of any
 * SnpCollateralSource, on the design of the DCAP CachedSource
 * (src/collateral/store/cached-source.ts):
 *
 * - Key: the request (snpRequestKey: product, hwid and TCB for VCEKs;
 *   product and key type for CA chains).
 * - Only verified collateral is cached (verify-collateral.ts): CA answers
 *   chain to the pinned ARK and their CRL is current; VCEK answers fit the
 *   request and chain through the product's (cached) CA answer. Entries read
 *   back from the persistent store are verified again.
 * - Expiry: a CA entry is fresh until the earliest notAfter of its
 *   certificates or its CRL's nextUpdate; a VCEK entry until the earliest
 *   notAfter of the VCEK, ASK and ARK. An expired entry is fetched again.
 * - Not implemented (unlike the DCAP cache): refresh-ahead and stale-if-error.
 * - Single-flight: concurrent misses for one key make one upstream call
 *   (KDS rate-limits).
 *
 * The core never reads a clock: `clock` (milliseconds since the epoch) is required.
 */
import { AttestationError, VerifyError } from '../../errors.js';
import { LruMap } from '../../collateral/store/lru.js';
import { raceSignal } from '../../collateral/store/abort.js';
import { SingleFlight } from '../../collateral/store/single-flight.js';
import type { SnpCryptoBackend } from '../crypto.js';
import type { ArkPins } from '../roots.js';
import type { ParsedSnpCa } from './fit.js';
import { caRequest, normalizeSnpRequest, sameSnpRequest, snpRequestKey } from './request.js';
import type {
  GetSnpCollateralOptions,
  SnpCaCollateral,
  SnpCaRequest,
  SnpCollateralBundle,
  SnpCollateralRequest,
  SnpCollateralSource,
  SnpVcekCollateral,
  SnpVcekRequest,
} from './types.js';
import { verifySnpCaCollateral, verifySnpVcekCollateral } from './verify-collateral.js';
import { clockSeconds } from '../../util/options.js';

/** The persistent tier (a directory, a KV store, ...). Not trusted: what it returns is re-verified. */
export interface SnpCacheStore {
  get(key: string): Promise<SnpCollateralBundle | undefined>;
  set(key: string, bundle: SnpCollateralBundle): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface SnpCachedSourceOptions {
  readonly upstream: SnpCollateralSource;
  /** Current time in milliseconds since the epoch. Required: the core never reads a clock. */
  readonly clock: () => number;
  readonly crypto?: SnpCryptoBackend;
  /** Trust anchors for verification before caching. Default: AMD's production ARKs. */
  readonly arkPins?: ArkPins;
  /** Entries kept in memory (LRU). Default 256. */
  readonly maxMemoryEntries?: number;
  readonly store?: SnpCacheStore;
  /** Failures that are not thrown (persistent store read / write / delete). */
  readonly onError?: (error: unknown, context: { readonly key: string; readonly operation: 'store-read' | 'store-write' | 'store-delete' }) => void;
}

interface Entry {
  readonly bundle: SnpCollateralBundle;
  readonly validUntil: number;
  readonly verifiedAt: number;
  /** CA entries: the parsed, verified chain (used to verify VCEKs). */
  readonly ca?: ParsedSnpCa;
}

function withoutCache(b: SnpCollateralBundle): SnpCollateralBundle {
  const { cache: _cache, ...metadata } = b.metadata;
  return { ...b, metadata } as SnpCollateralBundle;
}

export class SnpCachedSource implements SnpCollateralSource {
  readonly #upstream: SnpCollateralSource;
  readonly #clock: () => number;
  readonly #crypto: SnpCryptoBackend | undefined;
  readonly #arkPins: ArkPins | undefined;
  readonly #memory: LruMap<string, Entry>;
  readonly #store: SnpCacheStore | undefined;
  readonly #onError: SnpCachedSourceOptions['onError'];
  readonly #flights = new SingleFlight<{ readonly entry: Entry; readonly fresh: boolean }>();

  constructor(options: SnpCachedSourceOptions) {
    if (options === null || typeof options !== 'object' || typeof options.upstream?.getSnpCollateral !== 'function') {
      throw new AttestationError('InvalidArgument', 'SnpCachedSource: options.upstream must be an SnpCollateralSource', { check: 'snpCachedSource.upstream' });
    }
    if (typeof options.clock !== 'function') {
      throw new AttestationError('InvalidArgument', 'SnpCachedSource: options.clock is required (the core never reads a clock)', { check: 'snpCachedSource.clock' });
    }
    const max = options.maxMemoryEntries ?? 256;
    if (!Number.isInteger(max) || max < 1) {
      throw new AttestationError('InvalidArgument', 'SnpCachedSource: maxMemoryEntries must be a positive integer', { check: 'snpCachedSource.maxMemoryEntries', found: String(max) });
    }
    this.#upstream = options.upstream;
    this.#clock = options.clock;
    this.#crypto = options.crypto;
    this.#arkPins = options.arkPins;
    this.#memory = new LruMap(max);
    this.#store = options.store;
    this.#onError = options.onError;
  }

  getSnpCollateral: SnpCollateralSource['getSnpCollateral'] = (async (request: SnpCollateralRequest, options: GetSnpCollateralOptions = {}) => {
    const req = normalizeSnpRequest(request);
    const key = snpRequestKey(req);
    const now = this.#now();
    const hit = this.#memory.get(key);
    if (hit !== undefined && now <= hit.validUntil) return this.#answer(hit, 'hit');
    const loaded = await raceSignal(this.#flights.run(key, () => this.#load(key, req)), options.signal, 'snp.cache.aborted', 'SEV-SNP collateral');
    return this.#answer(loaded.entry, loaded.fresh ? 'miss' : 'hit');
  }) as SnpCollateralSource['getSnpCollateral'];

  /** Resolves when every upstream call in flight has settled. */
  async idle(): Promise<void> {
    await this.#flights.idle();
  }

  clearMemory(): void {
    this.#memory.clear();
  }

  #now(): number {
    return clockSeconds(this.#clock, 'SnpCachedSource');
  }

  #answer(entry: Entry, status: 'hit' | 'miss'): SnpCollateralBundle {
    return {
      ...entry.bundle,
      metadata: { ...entry.bundle.metadata, cache: { status, validUntil: entry.validUntil, verifiedAt: entry.verifiedAt } },
    } as SnpCollateralBundle;
  }

  #report(error: unknown, key: string, operation: 'store-read' | 'store-write' | 'store-delete'): void {
    try {
      this.#onError?.(error, { key, operation });
    } catch {
      // A throwing callback must not become an unhandled rejection.
    }
  }

  /** The persistent tier first (re-verified), then the upstream; verified entries go to both tiers. */
  async #load(key: string, req: SnpCollateralRequest): Promise<{ readonly entry: Entry; readonly fresh: boolean }> {
    const stored = await this.#fromStore(key, req);
    if (stored !== undefined) {
      this.#memory.set(key, stored);
      return { entry: stored, fresh: false };
    }
    const bundle = await this.#upstream.getSnpCollateral(req);
    if (bundle === null || typeof bundle !== 'object' || !sameSnpRequest(bundle.request, req)) {
      throw new VerifyError('CollateralMismatch', 'upstream answered another SEV-SNP collateral request', {
        check: 'snp.cache.upstream.request',
        expected: key,
        found: bundle?.request ? snpRequestKey(bundle.request) : String(bundle),
      });
    }
    const entry = await this.#verify(req, withoutCache(bundle));
    this.#memory.set(key, entry);
    if (this.#store !== undefined) {
      try {
        await this.#store.set(key, entry.bundle);
      } catch (e) {
        this.#report(e, key, 'store-write');
      }
    }
    return { entry, fresh: true };
  }

  async #fromStore(key: string, req: SnpCollateralRequest): Promise<Entry | undefined> {
    const store = this.#store;
    if (store === undefined) return undefined;
    let bundle: SnpCollateralBundle | undefined;
    try {
      bundle = await store.get(key);
    } catch (e) {
      this.#report(e, key, 'store-read');
      return undefined;
    }
    if (bundle === undefined) return undefined;
    try {
      if (!sameSnpRequest(bundle.request, req)) {
        throw new VerifyError('CollateralMismatch', 'stored bundle is for another request', { check: 'snp.cache.store.request', expected: key, found: snpRequestKey(bundle.request) });
      }
      return await this.#verify(req, withoutCache(bundle));
    } catch (e) {
      this.#report(e, key, 'store-read');
      try {
        await store.delete(key);
      } catch (d) {
        this.#report(d, key, 'store-delete');
      }
      return undefined;
    }
  }

  async #verify(req: SnpCollateralRequest, bundle: SnpCollateralBundle): Promise<Entry> {
    const at = this.#now();
    const opts = { at, ...(this.#crypto ? { crypto: this.#crypto } : {}), ...(this.#arkPins ? { arkPins: this.#arkPins } : {}) };
    if (req.kind === 'ca') {
      const { ca, validUntil } = await verifySnpCaCollateral(req as SnpCaRequest, bundle.collateral as SnpCaCollateral, opts);
      return { bundle, validUntil, verifiedAt: at, ca };
    }
    const vreq = req as SnpVcekRequest;
    const caBundle = await this.getSnpCollateral(caRequest(vreq.product, 'VCEK'));
    const caEntry = this.#memory.get(snpRequestKey(caBundle.request));
    const ca = caEntry?.ca;
    if (ca === undefined) {
      throw new AttestationError('CollateralMissing', 'the CA chain for the VCEK could not be obtained', { check: 'snp.cache.ca', field: snpRequestKey(caBundle.request) });
    }
    // The VCEK entry lives as long as its certificates; the CRL is refreshed with the CA entry
    // and applied again by verifySnpAttestation at every use.
    const { validUntil } = await verifySnpVcekCollateral(vreq, bundle.collateral as SnpVcekCollateral, ca, opts);
    return { bundle, validUntil, verifiedAt: at };
  }
}
