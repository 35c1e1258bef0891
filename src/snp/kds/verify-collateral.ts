/**
 * Verify SEV-SNP collateral on its own (no report): what SnpCachedSource
 * checks before it stores anything, so that it only ever holds material AMD
 * signed that was valid when stored.
 *
 *   - CA answers: the ARK is pinned for the product, the ASK / ASVK is signed
 *     by it, both are valid at `at`, and the CRL, when present, is signed by
 *     the ARK, current, and does not revoke the ASK / ASVK (chain.ts
 *     verifySnpCaChain);
 *   - VCEK answers: the VCEK fits the request (fit.ts) and chains through the
 *     product's verified CA answer (chain.ts verifySnpChain).
 */
import type { AnyAlgCrl } from '../../x509/crl.js';
import { verifySnpCaChain, verifySnpChain } from '../chain.js';
import type { CryptoBackend } from '../../crypto/backend.js';
import { defaultSnpCryptoBackend } from '../crypto.js';
import { amdArkPins, type ArkPins } from '../roots.js';
import { parseSnpCaCollateral, parseSnpVcekCollateral, type ParsedSnpCa } from './fit.js';
import type { SnpCaCollateral, SnpCaRequest, SnpVcekCollateral, SnpVcekRequest } from './types.js';

export interface VerifySnpCollateralOptions {
  /** Verification time, unix seconds. */
  readonly at: number;
  readonly crypto?: CryptoBackend;
  readonly arkPins?: ArkPins;
}

export async function verifySnpCaCollateral(
  request: SnpCaRequest,
  collateral: SnpCaCollateral,
  options: VerifySnpCollateralOptions,
): Promise<{ readonly ca: ParsedSnpCa; readonly validUntil: number }> {
  const ca = parseSnpCaCollateral(request, collateral);
  const r = await verifySnpCaChain(
    { product: request.product, keyType: request.keyType, intermediate: ca.intermediate, ark: ca.ark },
    { at: options.at, crypto: options.crypto ?? defaultSnpCryptoBackend(), arkPins: options.arkPins ?? amdArkPins(), crl: ca.crl },
  );
  return { ca, validUntil: r.expiresAt };
}

export async function verifySnpVcekCollateral(
  request: SnpVcekRequest,
  collateral: SnpVcekCollateral,
  ca: { readonly intermediate: ParsedSnpCa['intermediate']; readonly ark: ParsedSnpCa['ark']; readonly crl?: AnyAlgCrl },
  options: VerifySnpCollateralOptions,
): Promise<{ readonly validUntil: number }> {
  const vcek = parseSnpVcekCollateral(request, collateral);
  const r = await verifySnpChain(
    { product: request.product, keyType: 'VCEK', leaf: vcek, intermediate: ca.intermediate, ark: ca.ark },
    { at: options.at, crypto: options.crypto ?? defaultSnpCryptoBackend(), arkPins: options.arkPins ?? amdArkPins() },
  );
  // A VCEK entry lives as long as the VCEK and its CA certificates (the CRL is refreshed with the CA entry).
  return { validUntil: r.expiresAt };
}
