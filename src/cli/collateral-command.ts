/**
 * `dcap collateral fetch`: fetch, verify and write an offline collateral
 * bundle for air-gapped verification; and the collateral resolution behind
 * `dcap verify --pccs URL [--cache DIR]` / `--collateral DIR`.
 *
 *   dcap collateral fetch (--quote FILE | --fmspc HEX --tee sgx|tdx --ca platform|processor)
 *                         --out DIR [--pccs URL] [--api-key K] [--update standard|early]
 *                         [--root-ca-crl intel|pccs|URL] [--root FILE] [--timeout MS]
 *                         [--insecure-http] [--json]
 *
 * The bundle is verified (signatures, chains, CRLs, validity at the current
 * time, against the pinned root or --root) before it is written, atomically,
 * to DIR/<tee>-<fmspc>-<ca>[-early].json. Exit 0: written; 2: fetch or
 * verification failed; 1: usage error.
 */
import { statSync } from 'node:fs';
import { AttestationError, isAttestationError } from '../errors.js';
import type { CollateralInput } from '../collateral/input.js';
import { createUndiciFetch } from '../collateral/pcs/undici-fetch.js';
import type { FetchLike } from '../collateral/pcs/fetch-like.js';
import { PcsSource, type PcsSourceOptions } from '../collateral/pcs/pcs-source.js';
import { createNodeCachedSource } from '../collateral/store/node/cached-source-node.js';
import { staticSourceFromDirectory, writeBundleFile } from '../collateral/store/node/directory-source.js';
import { FallbackSource } from '../collateral/store/fallback-source.js';
import { collateralRequestForQuote, normalizeRequest } from '../collateral/store/request.js';
import type { CollateralBundle, CollateralRequest, CollateralSource, TcbUpdateType } from '../collateral/store/types.js';
import { verifyCollateralBundle } from '../collateral/store/verify-bundle.js';
import { isoFromSeconds } from '../util/time.js';
import { parseArgs, usage } from './args.js';
import { decodeBinaryOrHex, loadRootKey, readFileOrUsage, readJsonFile } from './io.js';

export const COLLATERAL_HELP = `  dcap collateral fetch (--quote FILE | --fmspc HEX --tee sgx|tdx --ca platform|processor) --out DIR
                        [--pccs URL] [--api-key K] [--update standard|early] [--root-ca-crl intel|pccs|URL]
                        [--root FILE] [--timeout MS] [--insecure-http] [--json]
      Fetch collateral from Intel PCS (default) or a PCCS, verify it, and write the offline bundle
      DIR/<tee>-<fmspc>-<ca>.json (use it with: dcap verify --collateral DIR).
      Exit 0: written; 2: fetch or verification failed; 1: usage error.
`;

/** Extra `dcap verify` options handled by `collateralForVerify` (the lead adds them to verify's parseArgs). */
export const VERIFY_COLLATERAL_VALUE_OPTIONS = ['pccs', 'cache', 'api-key', 'root-ca-crl', 'timeout'] as const;
export const VERIFY_COLLATERAL_FLAG_OPTIONS = ['insecure-http'] as const;

export const VERIFY_COLLATERAL_HELP = `      --collateral FILE|DIR  a collateral JSON file, or a directory of offline bundles (dcap collateral fetch)
      --pccs URL             fetch collateral from this PCS / PCCS (https://api.trustedservices.intel.com for Intel PCS)
      --cache DIR            with --pccs: verified filesystem cache (also a valid --collateral DIR)
      --api-key K            Ocp-Apim-Subscription-Key for --pccs
      --root-ca-crl intel|pccs|URL   where the root CA CRL comes from (default: intel for Intel PCS, else pccs)
      --timeout MS           per-request HTTP deadline (default 10000)
      --insecure-http        allow an http:// --pccs URL
`;

/** Test seams: the HTTP layer and the clock (defaults: undici, Date.now). */
export interface CollateralCliDeps {
  readonly fetch?: FetchLike;
  readonly clock?: () => number;
  readonly stdout?: (text: string) => void;
}

export interface ResolveCollateralOptions {
  /** The quote to verify (binary); its TEE type, FMSPC and PCK CA select the collateral. */
  readonly quote: Uint8Array;
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  /** Directory of offline bundles (StaticSource). Tried first when --pccs is also given. */
  readonly collateralDir?: string;
  /** PCS / PCCS base URL. */
  readonly pccs?: string;
  readonly apiKey?: string;
  /** Filesystem cache directory (requires `pccs`). */
  readonly cacheDir?: string;
  readonly rootCaCrl?: PcsSourceOptions['rootCaCrl'];
  readonly timeoutMs?: number;
  readonly allowInsecureHttp?: boolean;
  /** Root the cache verifies against before storing. Default: the pinned Intel root. */
  readonly rootPublicKey?: Uint8Array;
  readonly fetch?: FetchLike;
  readonly clock?: () => number;
}

function parseRootCaCrl(v: string | undefined): PcsSourceOptions['rootCaCrl'] | undefined {
  if (v === undefined) return undefined;
  if (v === 'intel' || v === 'pccs') return v;
  if (/^https?:\/\//.test(v)) return { url: v };
  throw usage('--root-ca-crl is intel | pccs | an http(s) URL');
}

function parseTimeout(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,7}$/.test(v) || Number(v) < 1) throw usage('--timeout takes a number of milliseconds');
  return Number(v);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function withFetch<T>(given: FetchLike | undefined, timeoutMs: number | undefined, run: (f: FetchLike) => Promise<T>): Promise<T> {
  if (given !== undefined) return run(given);
  const t = timeoutMs ?? 10_000;
  const f = createUndiciFetch({ connectTimeoutMs: Math.min(t, 5_000), headersTimeoutMs: t, bodyTimeoutMs: t });
  try {
    return await run(f);
  } finally {
    await f.close();
  }
}

/**
 * Collateral for `dcap verify` from offline bundles and / or a PCS / PCCS
 * (through a verifying filesystem cache when `cacheDir` is given). With both a
 * directory and a PCCS, the directory is tried first and the PCCS only when
 * the directory has no bundle for the quote (CollateralMissing).
 */
export async function resolveCollateralForVerify(o: ResolveCollateralOptions): Promise<CollateralBundle> {
  if (o.collateralDir === undefined && o.pccs === undefined) throw usage('collateral: give --collateral DIR and / or --pccs URL');
  if (o.cacheDir !== undefined && o.pccs === undefined) throw usage('--cache needs --pccs (the cache sits in front of a PCS / PCCS)');
  const request = collateralRequestForQuote(o.quote, { trailingBytes: o.trailingBytes ?? 'zeros' });
  const pccs = o.pccs;
  if (pccs === undefined) return staticSourceFromDirectory(o.collateralDir!).getCollateral(request); // offline: no HTTP client at all
  return withFetch(o.fetch, o.timeoutMs, async (fetch) => {
    const pcs = new PcsSource({
      fetch,
      baseUrl: pccs,
      ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
      ...(o.rootCaCrl !== undefined ? { rootCaCrl: o.rootCaCrl } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.allowInsecureHttp === true ? { allowInsecureHttp: true } : {}),
      clock: o.clock ?? Date.now,
    });
    const online: CollateralSource =
      o.cacheDir === undefined
        ? pcs
        : createNodeCachedSource({
            upstream: pcs,
            cacheDir: o.cacheDir,
            clock: o.clock ?? Date.now,
            refreshAheadSeconds: 0, // one-shot CLI process: no background work
            ...(o.rootPublicKey !== undefined ? { rootPublicKey: o.rootPublicKey } : {}),
          });
    const source = o.collateralDir === undefined ? online : new FallbackSource([staticSourceFromDirectory(o.collateralDir), online]);
    return source.getCollateral(request);
  });
}

/**
 * `dcap verify` glue: the collateral for `--collateral FILE|DIR`, `--pccs URL`,
 * `--cache DIR`, `--api-key K`, `--root-ca-crl`, `--timeout`, `--insecure-http`.
 * A `--collateral` that is a file keeps its old meaning (a JSON file).
 */
export async function collateralForVerify(
  values: ReadonlyMap<string, string>,
  flags: ReadonlySet<string>,
  quote: Uint8Array,
  extra: { rootPublicKey?: Uint8Array; trailingBytes?: 'reject' | 'zeros' | 'any' } & CollateralCliDeps = {},
): Promise<CollateralInput> {
  const collateral = values.get('collateral');
  const pccs = values.get('pccs');
  if (pccs === undefined) {
    for (const o of ['cache', 'api-key', 'root-ca-crl']) if (values.has(o)) throw usage(`--${o} needs --pccs`);
  }
  if (collateral !== undefined && pccs === undefined && !isDirectory(collateral)) {
    return readJsonFile(collateral, 'collateral') as CollateralInput;
  }
  if (collateral !== undefined && !isDirectory(collateral)) throw usage('with --pccs, --collateral must be a bundle directory');
  const cacheDir = values.get('cache');
  const apiKey = values.get('api-key');
  const rootCaCrl = parseRootCaCrl(values.get('root-ca-crl'));
  const timeoutMs = parseTimeout(values.get('timeout'));
  const bundle = await resolveCollateralForVerify({
    quote,
    ...(extra.trailingBytes !== undefined ? { trailingBytes: extra.trailingBytes } : {}),
    ...(collateral !== undefined ? { collateralDir: collateral } : {}),
    ...(pccs !== undefined ? { pccs } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    ...(rootCaCrl !== undefined ? { rootCaCrl } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(flags.has('insecure-http') ? { allowInsecureHttp: true } : {}),
    ...(extra.rootPublicKey !== undefined ? { rootPublicKey: extra.rootPublicKey } : {}),
    ...(extra.fetch !== undefined ? { fetch: extra.fetch } : {}),
    ...(extra.clock !== undefined ? { clock: extra.clock } : {}),
  });
  return bundle.collateral;
}

function requestFromArgs(values: ReadonlyMap<string, string>): CollateralRequest {
  const quotePath = values.get('quote');
  const fmspc = values.get('fmspc');
  const tee = values.get('tee');
  const ca = values.get('ca');
  const update = values.get('update');
  if (update !== undefined && update !== 'standard' && update !== 'early') throw usage('--update is standard | early');
  const withUpdate = (r: CollateralRequest): CollateralRequest => (update === undefined ? r : { ...r, update: update as TcbUpdateType });
  if (quotePath !== undefined) {
    if (fmspc !== undefined || tee !== undefined || ca !== undefined) throw usage('give either --quote or --fmspc/--tee/--ca, not both');
    const quote = decodeBinaryOrHex(readFileOrUsage(quotePath, 'quote'));
    return withUpdate(collateralRequestForQuote(quote, { trailingBytes: 'any' }));
  }
  if (fmspc === undefined || tee === undefined || ca === undefined) throw usage('give --quote FILE, or all of --fmspc HEX --tee sgx|tdx --ca platform|processor');
  const teeType = tee.toUpperCase();
  if (teeType !== 'SGX' && teeType !== 'TDX') throw usage('--tee is sgx | tdx');
  if (ca !== 'platform' && ca !== 'processor') throw usage('--ca is platform | processor');
  if (!/^[0-9a-fA-F]{12}$/.test(fmspc)) throw usage('--fmspc takes 12 hex digits');
  return normalizeRequest(withUpdate({ teeType, fmspc, ca }));
}

async function fetchCommand(argv: readonly string[], deps: CollateralCliDeps): Promise<number> {
  const args = parseArgs(
    argv,
    ['quote', 'out', 'pccs', 'api-key', 'fmspc', 'tee', 'ca', 'update', 'root', 'root-ca-crl', 'timeout'],
    ['json', 'insecure-http'],
  );
  const out = args.values.get('out');
  if (out === undefined) throw usage('--out DIR is required');
  const json = args.flags.has('json');
  const write = deps.stdout ?? ((s: string) => void process.stdout.write(s));
  const clock = deps.clock ?? Date.now;
  const rootPath = args.values.get('root');
  const rootCaCrl = parseRootCaCrl(args.values.get('root-ca-crl'));
  const timeoutMs = parseTimeout(args.values.get('timeout'));
  const pccs = args.values.get('pccs');
  const apiKey = args.values.get('api-key');
  const request = requestFromArgs(args.values);
  const rootPublicKey = rootPath === undefined ? undefined : loadRootKey(rootPath);

  try {
    const { bundle, validUntil, path } = await withFetch(deps.fetch, timeoutMs, async (fetch) => {
      const source = new PcsSource({
        fetch,
        ...(pccs !== undefined ? { baseUrl: pccs } : {}),
        ...(apiKey !== undefined ? { apiKey } : {}),
        ...(rootCaCrl !== undefined ? { rootCaCrl } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(args.flags.has('insecure-http') ? { allowInsecureHttp: true } : {}),
        clock,
      });
      const b = await source.getCollateral(request);
      const v = await verifyCollateralBundle(b, {
        at: Math.floor(clock() / 1000),
        ...(rootPublicKey !== undefined ? { rootPublicKey } : {}),
      });
      return { bundle: b, validUntil: v.validUntil, path: await writeBundleFile(out, b) };
    });
    if (json) {
      write(JSON.stringify({ ok: true, path, request: bundle.request, source: bundle.metadata.source, validUntil, error: null }) + '\n');
    } else {
      const r = bundle.request;
      write(
        `wrote ${path}\n  ${r.teeType} FMSPC ${r.fmspc} ${r.ca} CA${r.update ? ` (${r.update})` : ''} from ${bundle.metadata.source}\n` +
          `  verified; valid until ${isoFromSeconds(validUntil)}\n`,
      );
    }
    return 0;
  } catch (e) {
    if (!isAttestationError(e) || e.kind === 'usage') throw e;
    const error = { code: e.code, kind: e.kind, message: e.message, ...(e.evidence ? { evidence: e.evidence } : {}) };
    write(json ? JSON.stringify({ ok: false, path: null, request, error }) + '\n' : `FAILED  ${e.code}: ${e.message}\n`);
    return 2;
  }
}

/** `dcap collateral <subcommand> …`; argv starts with 'collateral'. */
export async function collateralCommand(argv: readonly string[], deps: CollateralCliDeps = {}): Promise<number> {
  const [, sub, ...rest] = argv;
  switch (sub) {
    case 'fetch':
      return fetchCommand(['fetch', ...rest], deps);
    default:
      throw new AttestationError('InvalidArgument', sub === undefined ? 'collateral: missing subcommand (fetch)' : `collateral: unknown subcommand ${sub}`, {
        check: 'cli.usage',
      });
  }
}
