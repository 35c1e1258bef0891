/**
 * Where the service's collateral comes from: offline bundles (`collateralDir`)
 * and / or Intel PCS or a PCCS (`pccs`), the latter through the verifying
 * CachedSource (memory, plus `cacheDir` on disk: a directory that N replicas
 * may share, since every entry read back is verified again). Everything the
 * cache holds was verified against the pinned root before it was stored.
 */
import { PcsSource } from '../sources/dcap/pcs-source.js';
import type { FetchLike } from '../sources/dcap/fetch-like.js';
import { createUndiciFetch } from '../node/undici-fetch.js';
import { CachedSource } from '../sources/dcap/cached-source.js';
import { FallbackSource } from '../sources/dcap/fallback-source.js';
import { FsCacheStore } from '../node/fs-cache-store.js';
import { staticSourceFromDirectory } from '../node/directory-source.js';
import type { CollateralSource } from '../sources/dcap/types.js';
import { attestationError } from '../errors.js';
import type { Clock } from '../lib/time.js';

export interface ServiceCollateralOptions {
  /** PCS / PCCS base URL (https://api.trustedservices.intel.com for Intel PCS). */
  readonly pccs?: string;
  /** Ocp-Apim-Subscription-Key for Intel PCS (never logged). */
  readonly pccsApiKey?: string;
  /** Shared verified cache directory (with `pccs`). */
  readonly cacheDir?: string;
  /** Directory of offline bundles, tried first. */
  readonly collateralDir?: string;
  /** INSECURE: allow an http:// PCCS URL. */
  readonly allowInsecureHttp?: boolean;
  readonly fetch?: FetchLike;
  readonly rootPublicKey?: Uint8Array;
}

export interface BuiltSource {
  readonly source: CollateralSource;
  close(): Promise<void>;
}

export function buildCollateralSource(o: ServiceCollateralOptions, clock: Clock, onError: (e: unknown, key: string) => void): BuiltSource {
  if (o.pccs === undefined && o.collateralDir === undefined) {
    throw attestationError('InvalidArgument', 'appraisal service: give a collateral source (pccs, collateralDir or source)', {
      check: 'service.collateral',
    });
  }
  if (o.cacheDir !== undefined && o.pccs === undefined) {
    throw attestationError('InvalidArgument', 'appraisal service: cacheDir needs pccs (the cache sits in front of a PCS / PCCS)', {
      check: 'service.cacheDir',
    });
  }
  const offline = o.collateralDir === undefined ? undefined : staticSourceFromDirectory(o.collateralDir);
  if (o.pccs === undefined) return { source: offline!, close: async () => {} };
  const ownFetch = o.fetch === undefined ? createUndiciFetch({ connectTimeoutMs: 5_000, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000 }) : undefined;
  const pcs = new PcsSource({
    fetch: o.fetch ?? ownFetch!,
    baseUrl: o.pccs,
    ...(o.pccsApiKey === undefined ? {} : { apiKey: o.pccsApiKey }),
    ...(o.allowInsecureHttp === true ? { allowInsecureHttp: true } : {}),
    clock,
  });
  const cached = new CachedSource({
    upstream: pcs,
    clock,
    ...(o.cacheDir === undefined ? {} : { store: new FsCacheStore(o.cacheDir) }),
    ...(o.rootPublicKey === undefined ? {} : { rootPublicKey: o.rootPublicKey }),
    onError: (e, ctx) => onError(e, ctx.key),
  });
  return {
    source: offline === undefined ? cached : new FallbackSource([offline, cached]),
    close: async () => {
      await cached.idle();
      await ownFetch?.close();
    },
  };
}
