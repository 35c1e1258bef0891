/**
 * FallbackSource: try sources in order; move to the next one only when a
 * source has no collateral for the request (CollateralMissing). Any other
 * failure (fetch, parse, mismatch) is reported as is: a broken first source
 * must not silently hand over to another.
 */
import { isAttestationError, attestationError } from '../../errors.js';
import type { CollateralBundle, CollateralRequest, CollateralSource, GetCollateralOptions } from './types.js';

export class FallbackSource implements CollateralSource {
  readonly #sources: readonly CollateralSource[];

  constructor(sources: readonly CollateralSource[]) {
    if (!Array.isArray(sources) || sources.length === 0) {
      throw attestationError('InvalidArgument', 'FallbackSource needs at least one source', { check: 'fallbackSource.sources' });
    }
    this.#sources = [...sources];
  }

  async getCollateral(request: CollateralRequest, options?: GetCollateralOptions): Promise<CollateralBundle> {
    let last: unknown;
    for (const source of this.#sources) {
      try {
        return await source.getCollateral(request, options);
      } catch (e) {
        if (!isAttestationError(e) || e.code !== 'CollateralMissing') throw e;
        last = e;
      }
    }
    throw last;
  }
}
