/**
 * Where `verify` gets its collateral, and a record of where it came from:
 *
 *   --collateral FILE   a collateral JSON file (PCS / dcap-qvl shape) or a
 *                       bundle file written by `collateral fetch`;
 *   --collateral DIR    a directory of bundle files (tried first);
 *   --pccs URL          Intel PCS or a PCCS, through a verifying filesystem
 *                       cache with --cache DIR.
 *
 * The online path (HTTP client, PCS source, cache) is loaded only when
 * --pccs is given: an offline verify never loads it.
 */
import { statSync } from 'node:fs';
import { ParseError, isAttestationError } from '../errors.js';
import type { CollateralInput } from '../collateral/input.js';
import { BUNDLE_FORMAT, parseBundle } from '../sources/dcap/bundle.js';
import { collateralRequestForQuote } from '../sources/dcap/request.js';
import type { CollateralBundle, CollateralRequest } from '../sources/dcap/types.js';
import { usage } from './args.js';
import type { OnlineOptions } from './collateral-online.js';
import { readFileOrUsage } from './io.js';

/** Where the collateral of one verification came from (printed by verify, human and JSON). */
export interface CollateralOrigin {
  /** file: a collateral JSON file; bundle-file: a `collateral fetch` bundle; directory: a bundle directory; pccs: fetched (maybe cached). */
  readonly kind: 'file' | 'bundle-file' | 'directory' | 'pccs';
  /** The file, directory or PCS / PCCS URL. */
  readonly source: string;
  /** Cache status: none (no cache involved), miss (fetched now), hit (fresh cache entry), stale (expired entry served because the fetch failed). */
  readonly cache: 'none' | 'miss' | 'hit' | 'stale';
  /** The cache directory, with --cache. */
  readonly cacheDir?: string;
  /** Unix seconds until which every item of the collateral is valid (null when unknown, e.g. unparsable collateral). */
  readonly validUntil: number | null;
  /** Unix seconds at which the collateral was fetched, when recorded. */
  readonly fetchedAt?: number;
  /** The TEE / FMSPC / CA the collateral is for, when known from a bundle. */
  readonly request?: CollateralRequest;
}

export interface ResolvedCollateral {
  readonly collateral: CollateralInput;
  readonly origin: CollateralOrigin;
}

/** Collateral for `verify`: offline (file, bundle, directory) or online (OnlineOptions: --pccs, --cache, ...). */
export interface ResolveCollateralOptions extends OnlineOptions {
  /** The quote to verify (binary); its TEE type, FMSPC and PCK CA select the collateral. */
  readonly quote: Uint8Array;
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  /** Directory of offline bundles. Tried first when --pccs is also given. */
  readonly collateralDir?: string;
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function originOf(bundle: CollateralBundle, kind: CollateralOrigin['kind'], source: string, cacheDir?: string): CollateralOrigin {
  const c = bundle.metadata.cache;
  return {
    kind,
    source,
    cache: c === undefined ? 'none' : c.status,
    ...(cacheDir === undefined ? {} : { cacheDir }),
    validUntil: c === undefined ? null : c.validUntil,
    ...(bundle.metadata.fetchedAt === undefined ? {} : { fetchedAt: bundle.metadata.fetchedAt }),
    request: bundle.request,
  };
}

/**
 * Collateral from offline bundles and / or a PCS / PCCS (through a verifying
 * filesystem cache when `cacheDir` is given). With both a directory and a
 * PCCS, the directory is tried first and the PCCS only when the directory has
 * no bundle for the quote (CollateralMissing).
 */
export async function resolveCollateralForVerify(o: ResolveCollateralOptions): Promise<CollateralBundle & { readonly origin: CollateralOrigin }> {
  if (o.collateralDir === undefined && o.pccs === undefined) throw usage('give --collateral FILE|DIR and / or --pccs URL', '--collateral');
  if (o.cacheDir !== undefined && o.pccs === undefined) throw usage('--cache needs --pccs (the cache sits in front of a PCS / PCCS)', '--cache');
  const request = collateralRequestForQuote(o.quote, { trailingBytes: o.trailingBytes ?? 'zeros' });
  const { staticSourceFromDirectory } = await import('../node/directory-source.js');
  if (o.pccs === undefined) {
    const b = await staticSourceFromDirectory(o.collateralDir!).getCollateral(request); // offline: no HTTP client at all
    return { ...b, origin: originOf(b, 'directory', o.collateralDir!) };
  }
  const { fetchCollateralOnline } = await import('./collateral-online.js');
  if (o.collateralDir !== undefined) {
    try {
      const b = await staticSourceFromDirectory(o.collateralDir).getCollateral(request);
      return { ...b, origin: originOf(b, 'directory', o.collateralDir) };
    } catch (e) {
      if (!(isAttestationError(e) && e.code === 'CollateralMissing')) throw e;
    }
  }
  const b = await fetchCollateralOnline({ ...o, pccs: o.pccs }, request);
  return { ...b, origin: originOf(b, 'pccs', o.pccs, o.cacheDir) };
}

/** A `--collateral FILE`: a bundle file (`collateral fetch`) or a bare collateral JSON object. */
export function readCollateralFile(path: string): ResolvedCollateral {
  const bytes = readFileOrUsage(path, 'collateral');
  const text = new TextDecoder().decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ParseError('CollateralParse', `--collateral ${path} is not JSON: ${(e as Error).message}`, { check: 'cli.collateral', field: '--collateral', found: path });
  }
  if (json !== null && typeof json === 'object' && !Array.isArray(json) && 'format' in json) {
    const format = (json as { format?: unknown }).format;
    if (format !== BUNDLE_FORMAT) {
      throw new ParseError('CollateralParse', `--collateral ${path}: unknown bundle format ${JSON.stringify(String(format).slice(0, 60))} (expected "${BUNDLE_FORMAT}")`, {
        check: 'cli.collateral',
        field: '--collateral',
        found: path,
      });
    }
    const b = parseBundle(bytes);
    return { collateral: b.collateral, origin: { ...originOf(b, 'bundle-file', path), cache: 'none' } };
  }
  return { collateral: json as CollateralInput, origin: { kind: 'file', source: path, cache: 'none', validUntil: null } };
}
