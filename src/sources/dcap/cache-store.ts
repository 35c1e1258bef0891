/**
 * The persistent tier of CachedSource (the filesystem store in
 * `node/fs-cache-store.ts`, or anything else: a KV namespace, a database).
 * A store is NOT trusted: whatever it returns is parsed and re-verified
 * before it is served; a store that fails to read is treated as empty.
 */
import type { CollateralBundle } from './types.js';

export interface CollateralCacheStore {
  /** The bundle stored under `key`, or undefined. */
  get(key: string): Promise<CollateralBundle | undefined>;
  /** Store (replace) the bundle under `key`; should be atomic (a reader sees the old or the new bundle, never a mix). */
  set(key: string, bundle: CollateralBundle): Promise<void>;
  delete(key: string): Promise<void>;
}
