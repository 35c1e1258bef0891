/**
 * SEV-SNP collateral sources: where VCEKs, cert chains and CRLs come from
 * (AMD KDS, offline bundles, a verifying cache in front of either), mirroring
 * the DCAP collateral store (src/sources/dcap/types.ts).
 *
 * Two kinds of request, so that per-product material is fetched and cached
 * once, not once per chip:
 *   - `vcek`: the VCEK of one chip at one TCB
 *     (KDS GET /vcek/v1/{product}/{hwid}?[fmcSPL=..&]blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..);
 *   - `ca`: a product's CA chain for VCEKs or VLEKs and the ARK's CRL
 *     (KDS GET /{vcek|vlek}/v1/{product}/cert_chain and /crl).
 * VLEKs themselves are not served by KDS: hosts hand them out with the report.
 */
import type { SnpKeyType } from '../chain.js';
import type { SnpProduct } from '../product.js';
import type { CacheMetadata } from '../../sources/verified-cache.js';
import type { TimeInput } from '../../lib/time.js';

export interface SnpVcekRequest {
  readonly kind: 'vcek';
  readonly product: SnpProduct;
  /** CHIP_ID as hex: 64 bytes, or its first 8 bytes on Turin (normalised to lower case). */
  readonly hwid: string;
  /** The REPORTED_TCB SPLs; `fmc` is required on Turin and refused elsewhere. */
  readonly tcb: { readonly bootloader: number; readonly tee: number; readonly snp: number; readonly microcode: number; readonly fmc?: number };
}

export interface SnpCaRequest {
  readonly kind: 'ca';
  readonly product: SnpProduct;
  readonly keyType: SnpKeyType;
}

export type SnpCollateralRequest = SnpVcekRequest | SnpCaRequest;

/** JSON-safe collateral: certificates as PEM, DER as lower-case hex. */
export interface SnpVcekCollateral {
  /** The VCEK DER, hex. */
  readonly vcek: string;
}

export interface SnpCaCollateral {
  /** KDS cert_chain body: the ASK / ASVK then the ARK, PEM. */
  readonly certChain: string;
  /** The ARK's CRL DER, hex; absent when the source did not fetch it. */
  readonly crl?: string;
}

/** How SnpCachedSource answered: the generic cache's metadata (src/sources/verified-cache.ts). */
export type SnpCacheMetadata = CacheMetadata;

export interface SnpCollateralMetadata {
  /** Where it came from: a KDS base URL, `static:<name>/<file>`, ... */
  readonly source: string;
  /** Unix seconds when fetched (absent when the source has no clock). */
  readonly fetchedAt?: number;
  /** Set by SnpCachedSource. */
  readonly cache?: SnpCacheMetadata;
}

export type SnpCollateralBundle =
  | { readonly request: SnpVcekRequest; readonly collateral: SnpVcekCollateral; readonly metadata: SnpCollateralMetadata }
  | { readonly request: SnpCaRequest; readonly collateral: SnpCaCollateral; readonly metadata: SnpCollateralMetadata };

export interface GetSnpCollateralOptions {
  readonly signal?: AbortSignal;
  /** The caller's time (unix seconds, RFC 3339 or a Date): a cache judges freshness and verifies at it. */
  readonly at?: TimeInput;
}

/**
 * Anything that produces SEV-SNP collateral. Failures are AttestationError:
 * CollateralFetch (network, HTTP status, timeout, size, redirect),
 * CollateralMissing (404, absent bundle), CollateralParse / CertificateParse /
 * CrlParse / PemParse (malformed), CollateralMismatch (answer for another
 * request), InvalidArgument (malformed request).
 */
export interface SnpCollateralSource {
  getSnpCollateral(request: SnpVcekRequest, options?: GetSnpCollateralOptions): Promise<SnpCollateralBundle & { readonly request: SnpVcekRequest }>;
  getSnpCollateral(request: SnpCaRequest, options?: GetSnpCollateralOptions): Promise<SnpCollateralBundle & { readonly request: SnpCaRequest }>;
  getSnpCollateral(request: SnpCollateralRequest, options?: GetSnpCollateralOptions): Promise<SnpCollateralBundle>;
}
