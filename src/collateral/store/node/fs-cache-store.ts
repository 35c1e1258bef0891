/**
 * Node-only: the filesystem tier of CachedSource. One file per key,
 * `<dir>/<key>.json` in the offline bundle format (bundle.ts), so a cache
 * directory is also a valid StaticSource / `--collateral DIR` directory.
 * Writes are atomic (temporary file + rename); entries survive restarts.
 * Nothing read here is trusted: CachedSource re-verifies it.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AttestationError } from '../../../errors.js';
import { MAX_BUNDLE_BYTES, parseBundle, serializeBundle } from '../bundle.js';
import type { CollateralCacheStore } from '../cache-store.js';
import type { CollateralBundle } from '../types.js';
import { writeFileAtomic } from './atomic-write.js';
import { readFileLimited } from './read-limited.js';

function fileOf(dir: string, key: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,127}$/.test(key)) {
    throw new AttestationError('InvalidArgument', `cache key is not a safe file name: ${key.slice(0, 64)}`, { check: 'cache.key', found: key.slice(0, 64) });
  }
  return join(dir, `${key}.json`);
}

export class FsCacheStore implements CollateralCacheStore {
  readonly dir: string;
  readonly #maxBytes: number;

  constructor(dir: string, options: { readonly maxFileBytes?: number } = {}) {
    if (typeof dir !== 'string' || dir === '') throw new AttestationError('InvalidArgument', 'FsCacheStore needs a directory', { check: 'cache.dir' });
    this.dir = dir;
    this.#maxBytes = options.maxFileBytes ?? MAX_BUNDLE_BYTES;
  }

  async get(key: string): Promise<CollateralBundle | undefined> {
    const data = await readFileLimited(fileOf(this.dir, key), this.#maxBytes);
    return data === undefined ? undefined : parseBundle(data);
  }

  async set(key: string, bundle: CollateralBundle): Promise<void> {
    await writeFileAtomic(fileOf(this.dir, key), serializeBundle(bundle));
  }

  async delete(key: string): Promise<void> {
    await rm(fileOf(this.dir, key), { force: true });
  }
}
