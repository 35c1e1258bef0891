/**
 * SnpStaticSource: offline SEV-SNP bundles (air-gapped verification), looked
 * up by file name `<snpRequestKey>.json` (bundle.ts) through an injected
 * reader, so one source serves a directory (Node), files shipped with an
 * app, or a map in memory (`SnpStaticSource.fromBundles`). No network, no
 * clock. Bundles are parsed and fitted to the request (fit.ts); their
 * signatures are verified by SnpCachedSource or verifySnpAttestation.
 */
import { VerifyError, attestationError } from '../../errors.js';
import { raceSignal } from '../../sources/abort.js';
import { parseSnpBundle, serializeSnpBundle, snpBundleFileName } from './bundle.js';
import { checkSnpBundleFits } from './fit.js';
import { normalizeSnpRequest, sameSnpRequest, snpRequestKey } from './request.js';
import type { GetSnpCollateralOptions, SnpCollateralBundle, SnpCollateralRequest, SnpCollateralSource } from './types.js';

/** Reads one bundle file by name; undefined when absent. */
export type SnpBundleReader = (fileName: string, options: GetSnpCollateralOptions) => Promise<string | Uint8Array | undefined>;

export interface SnpStaticSourceOptions {
  readonly read: SnpBundleReader;
  /** Label for metadata.source. Default 'static'. */
  readonly name?: string;
}

export class SnpStaticSource implements SnpCollateralSource {
  readonly #read: SnpBundleReader;
  readonly #name: string;

  constructor(options: SnpStaticSourceOptions) {
    if (typeof options?.read !== 'function') {
      throw attestationError('InvalidArgument', 'SnpStaticSource: options.read must be a function', { check: 'snpStaticSource.read' });
    }
    this.#read = options.read;
    this.#name = options.name ?? 'static';
  }

  /** A source over bundles held in memory (browsers, edge runtimes, tests). */
  static fromBundles(bundles: readonly SnpCollateralBundle[], name = 'memory'): SnpStaticSource {
    const byName = new Map<string, string>();
    for (const b of bundles) byName.set(snpBundleFileName(b.request), serializeSnpBundle(b));
    return new SnpStaticSource({ name, read: (file) => Promise.resolve(byName.get(file)) });
  }

  getSnpCollateral: SnpCollateralSource['getSnpCollateral'] = (async (request: SnpCollateralRequest, options: GetSnpCollateralOptions = {}) => {
    const req = normalizeSnpRequest(request);
    const file = snpBundleFileName(req);
    const raw = await raceSignal(this.#read(file, options), options.signal, 'snp.static.aborted', 'bundle read');
    if (raw === undefined) {
      throw attestationError('CollateralMissing', `no offline SEV-SNP bundle ${file} in ${this.#name}`, {
        check: 'snp.static.bundle',
        field: file,
        expected: `${this.#name}/${file}`,
        found: 'absent',
      });
    }
    const bundle = parseSnpBundle(raw);
    if (!sameSnpRequest(bundle.request, req)) {
      throw new VerifyError('CollateralMismatch', `bundle ${file} holds collateral for another request`, {
        check: 'snp.static.bundle.request',
        field: file,
        expected: snpRequestKey(req),
        found: snpRequestKey(bundle.request),
      });
    }
    checkSnpBundleFits(bundle);
    return { ...bundle, metadata: { ...bundle.metadata, source: `static:${this.#name}/${file}` } } as SnpCollateralBundle;
  }) as SnpCollateralSource['getSnpCollateral'];
}
