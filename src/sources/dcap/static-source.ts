/**
 * StaticSource: offline bundles (air-gapped verification). Bundles are looked
 * up by file name `<tee>-<fmspc>-<ca>[-early].json` (bundle.ts describes the
 * format) through an injected reader, so the same source serves a directory
 * (Node: `node/directory-reader.ts`), files bundled with an app, or a map in
 * memory (`StaticSource.fromBundles`). No network, no clock.
 *
 * Nothing is verified here beyond "the bundle answers the request" (FMSPC,
 * TEE type, QE identity id, PCK CRL issuer); `verifyQuote` or a CachedSource
 * verifies signatures and dates.
 */
import { VerifyError, attestationError } from '../../errors.js';
import { parseCollateral } from '../../collateral/parse.js';
import { raceSignal } from '../abort.js';
import { bundleFileName, parseBundle, serializeBundle } from './bundle.js';
import { checkCollateralFits } from './fit.js';
import { normalizeRequest, requestKey, sameRequest } from './request.js';
import type { CollateralBundle, CollateralRequest, CollateralSource, GetCollateralOptions } from './types.js';

/** Reads one bundle file by name; undefined when there is no such file. */
export type BundleReader = (fileName: string, options: GetCollateralOptions) => Promise<string | Uint8Array | undefined>;

export interface StaticSourceOptions {
  readonly read: BundleReader;
  /** Label for `metadata.source` (e.g. the directory). Default 'static'. */
  readonly name?: string;
}

export class StaticSource implements CollateralSource {
  readonly #read: BundleReader;
  readonly #name: string;

  constructor(options: StaticSourceOptions) {
    if (typeof options?.read !== 'function') {
      throw attestationError('InvalidArgument', 'StaticSource: options.read must be a function', { check: 'staticSource.read' });
    }
    this.#read = options.read;
    this.#name = options.name ?? 'static';
  }

  /** A source over bundles held in memory (browsers, edge runtimes, tests). */
  static fromBundles(bundles: readonly CollateralBundle[], name = 'memory'): StaticSource {
    const byName = new Map<string, string>();
    for (const b of bundles) byName.set(bundleFileName(b.request), serializeBundle(b));
    return new StaticSource({ name, read: (file) => Promise.resolve(byName.get(file)) });
  }

  async getCollateral(request: CollateralRequest, options: GetCollateralOptions = {}): Promise<CollateralBundle> {
    const req = normalizeRequest(request);
    const file = bundleFileName(req);
    const raw = await raceSignal(this.#read(file, options), options.signal, 'static.aborted', 'bundle read');
    if (raw === undefined) {
      throw attestationError('CollateralMissing', `no offline collateral bundle ${file} in ${this.#name}`, {
        check: 'static.bundle',
        field: file,
        expected: `${this.#name}/${file}`,
        found: 'absent',
      });
    }
    const bundle = parseBundle(raw, req);
    if (!sameRequest(bundle.request, req)) {
      throw new VerifyError('CollateralMismatch', `bundle ${file} holds collateral for another request`, {
        check: 'static.bundle.request',
        field: file,
        expected: requestKey(req),
        found: requestKey(bundle.request),
      });
    }
    checkCollateralFits(req, parseCollateral(bundle.collateral));
    return { ...bundle, request: req, metadata: { ...bundle.metadata, source: `static:${this.#name}/${file}` } };
  }
}
