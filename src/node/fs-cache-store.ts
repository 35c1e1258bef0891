/**
 * Node-only: the filesystem tier of CachedSource. One file per key,
 * `<dir>/<key>.json` in the offline bundle format (bundle.ts), so a cache
 * directory is also a valid StaticSource / `--collateral DIR` directory.
 * Writes are atomic (temporary file + rename); entries survive restarts.
 * Nothing read here is trusted: CachedSource re-verifies it. Reads open the
 * file once without following links or blocking (read-limited.ts); whatever
 * else sits at a key (a directory, a link, a FIFO) is removed by `delete`
 * and replaced by `set`, so a planted entry cannot disable the tier for good.
 */
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { attestationError } from '../errors.js';
import { MAX_BUNDLE_BYTES, parseBundle, serializeBundle } from '../sources/dcap/bundle.js';
import type { CollateralCacheStore } from '../sources/dcap/cache-store.js';
import type { CollateralBundle } from '../sources/dcap/types.js';
import { writeFileAtomic } from './atomic-write.js';
import { readFileLimited } from './read-limited.js';

function fileOf(dir: string, key: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,127}$/.test(key)) {
    throw attestationError('InvalidArgument', `cache key is not a safe file name: ${key.slice(0, 64)}`, { check: 'cache.key', found: key.slice(0, 64) });
  }
  return join(dir, `${key}.json`);
}

export class FsCacheStore implements CollateralCacheStore {
  readonly dir: string;
  readonly #maxBytes: number;

  constructor(dir: string, options: { readonly maxFileBytes?: number } = {}) {
    if (typeof dir !== 'string' || dir === '') throw attestationError('InvalidArgument', 'FsCacheStore needs a directory', { check: 'cache.dir' });
    this.dir = dir;
    this.#maxBytes = options.maxFileBytes ?? MAX_BUNDLE_BYTES;
  }

  async get(key: string): Promise<CollateralBundle | undefined> {
    const data = await readFileLimited(fileOf(this.dir, key), this.#maxBytes);
    return data === undefined ? undefined : parseBundle(data);
  }

  async set(key: string, bundle: CollateralBundle): Promise<void> {
    const path = fileOf(this.dir, key);
    try {
      await writeFileAtomic(path, serializeBundle(bundle));
    } catch (e) {
      // rename(2) cannot replace a directory: clear what sits at the key, then write once more.
      if (!(await removeNonFile(path))) throw e;
      await writeFileAtomic(path, serializeBundle(bundle));
    }
  }

  /** Removes the entry, whatever it is (a directory planted at the key is removed with its contents; links are not followed). */
  async delete(key: string): Promise<void> {
    const path = fileOf(this.dir, key);
    if (!(await removeNonFile(path))) await rm(path, { force: true });
  }
}

/** Removes `path` when it is a directory (links are not followed: lstat). True when something was removed. */
async function removeNonFile(path: string): Promise<boolean> {
  let isDir: boolean;
  try {
    isDir = (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
  if (!isDir) return false;
  await rm(path, { recursive: true, force: true });
  return true;
}
