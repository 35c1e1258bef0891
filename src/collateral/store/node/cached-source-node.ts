/**
 * Node-only convenience: a CachedSource with the clock defaulting to Date.now
 * and, when `cacheDir` is given, the filesystem tier (FsCacheStore).
 */
import { CachedSource, type CachedSourceOptions } from '../cached-source.js';
import { FsCacheStore } from './fs-cache-store.js';

export interface NodeCachedSourceOptions extends Omit<CachedSourceOptions, 'clock'> {
  /** Default Date.now. */
  readonly clock?: () => number;
  /** Directory of the persistent cache (created on first write). */
  readonly cacheDir?: string;
}

export function createNodeCachedSource(options: NodeCachedSourceOptions): CachedSource {
  const { cacheDir, clock, ...rest } = options;
  return new CachedSource({
    ...rest,
    clock: clock ?? Date.now,
    ...(cacheDir !== undefined && rest.store === undefined ? { store: new FsCacheStore(cacheDir) } : {}),
  });
}
