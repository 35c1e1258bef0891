/**
 * Node-only convenience: a CachedSource with, when `cacheDir` is given, the
 * filesystem tier (FsCacheStore). The clock defaults to the system clock
 * (util/time.ts systemClock), as for every cache.
 */
import { CachedSource, type CachedSourceOptions } from '../sources/dcap/cached-source.js';
import { FsCacheStore } from './fs-cache-store.js';

export interface NodeCachedSourceOptions extends CachedSourceOptions {
  /** Directory of the persistent cache (created on first write). */
  readonly cacheDir?: string;
}

export function createNodeCachedSource(options: NodeCachedSourceOptions): CachedSource {
  const { cacheDir, ...rest } = options;
  return new CachedSource({
    ...rest,
    ...(cacheDir !== undefined && rest.store === undefined ? { store: new FsCacheStore(cacheDir) } : {}),
  });
}
