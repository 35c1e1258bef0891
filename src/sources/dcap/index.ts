/**
 * Collateral store: sources (Intel PCS / PCCS v4, offline bundles, fallback),
 * the verifying cache, and the bundle format. Runtime-neutral (no Node
 * built-ins); Node adapters are in `./node/index.ts`.
 */
export type {
  BundleCollateral,
  CacheMetadata,
  CollateralBundle,
  CollateralMetadata,
  CollateralRequest,
  CollateralSource,
  GetCollateralOptions,
  PckCa,
  TcbUpdateType,
} from './types.js';
export { collateralRequestForQuote, normalizeRequest, requestKey, sameRequest, pckCaOfName } from './request.js';
export {
  BUNDLE_FORMAT,
  MAX_BUNDLE_BYTES,
  bundleFileName,
  collateralJsonToBundle,
  parseBundle,
  serializeBundle,
  toBundleCollateral,
} from './bundle.js';
export { checkCollateralFits } from './fit.js';
export {
  collateralValidity,
  verifyCollateralBundle,
  verifyParsedCollateral,
  type CollateralValidity,
  type VerifyBundleOptions,
} from './verify-bundle.js';
export type { CollateralCacheStore } from './cache-store.js';
export { CachedSource, type CachedSourceOptions, type CacheOperation } from './cached-source.js';
export {
  VerifiedCache,
  MAX_STALE_IF_ERROR_SECONDS,
  DEFAULT_MAX_AGE_SECONDS,
  DEFAULT_STORE_TIMEOUT_MS,
  type CacheStore,
  type CacheEntry,
  type CacheGetOptions,
  type VerifiedCacheOptions,
  type VerifiedCacheSpec,
} from '../verified-cache.js';
export { StaticSource, type BundleReader, type StaticSourceOptions } from './static-source.js';
export { FallbackSource } from './fallback-source.js';
export { PcsSource, type PcsSourceOptions } from './pcs-source.js';
export { INTEL_PCS_BASE_URL, INTEL_ROOT_CA_CRL_URL, PCS_HEADERS } from './endpoints.js';
// The library's one fetch type (src/sources/http.ts), under the names this entry has always exported.
export type {
  FetchLike as CollateralFetchLike,
  FetchRequestInit as CollateralFetchInit,
  FetchResponseLike as CollateralFetchResponse,
} from '../http.js';
