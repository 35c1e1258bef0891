/**
 * Node-only: the zero-config collateral source with its filesystem tier
 * (#13 §3): Intel PCS (or `pcs.baseUrl`) over the hardened undici fetch,
 * behind the verified collateral cache, whose persistent tier is a directory
 * (default `$XDG_CACHE_HOME/tee-attest/collateral`, else
 * `~/.cache/tee-attest/collateral`; `cacheDir: false` for memory only).
 * The directory is not trusted: every entry read back is verified again.
 *
 *   new DcapVerifier({ collateral: nodeCollateralSource() })
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PcsSource, type PcsSourceOptions } from '../sources/dcap/pcs-source.js';
import { createUndiciFetch } from './undici-fetch.js';
import { CachedSource, type CachedSourceOptions } from '../sources/dcap/cached-source.js';
import { FsCacheStore } from './fs-cache-store.js';

export interface NodeCollateralSourceOptions extends Omit<CachedSourceOptions, 'upstream' | 'store'> {
  /** The persistent tier's directory, or false for none. Default: the user's cache directory (see above). */
  readonly cacheDir?: string | false;
  /** Options of the PcsSource upstream; `fetch` defaults to createUndiciFetch(). */
  readonly pcs?: Partial<PcsSourceOptions>;
}

/** `$XDG_CACHE_HOME/tee-attest/collateral`, else `~/.cache/tee-attest/collateral`. */
export function defaultCollateralCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'tee-attest', 'collateral');
}

export function nodeCollateralSource(options: NodeCollateralSourceOptions = {}): CachedSource {
  const { cacheDir, pcs, ...cache } = options;
  const dir = cacheDir === undefined ? defaultCollateralCacheDir() : cacheDir;
  return new CachedSource({
    ...cache,
    upstream: new PcsSource({ ...pcs, fetch: pcs?.fetch ?? createUndiciFetch() }),
    ...(dir === false ? {} : { store: new FsCacheStore(dir) }),
  });
}
