/**
 * Collateral sources: where the verifier's collateral comes from (Intel PCS,
 * a PCCS, offline bundles, a cache in front of any of those).
 *
 * A source answers one question: "the collateral for TEE type T, FMSPC F, PCK
 * CA C". The answer is a `CollateralBundle`: the raw PCS / PCCS v4 responses
 * (JSON-safe text, ready for `parseCollateral` / `verifyQuote`) plus where and
 * when they were obtained. Sources never read a clock unless one is injected.
 */
import type { PcsCollateral } from '../../collateral/input.js';
import type { TeeType } from '../../quote/types.js';
import type { TimeInput } from '../../lib/time.js';
import type { CacheMetadata as GenericCacheMetadata } from '../verified-cache.js';

/** Which Intel PCK CA issued the platform's PCK certificate ([PCS-v4] "Get PCK Cert CRL", `ca` parameter). */
export type PckCa = 'platform' | 'processor';

/**
 * [PCS-v4] `update` query parameter of "Get TCB Info" / "Get QE Identity":
 * `standard` (the default when absent) or `early` (collateral of the next TCB
 * recovery event, published before the standard one).
 */
export type TcbUpdateType = 'standard' | 'early';

export interface CollateralRequest {
  readonly teeType: TeeType;
  /** FMSPC: 6 bytes as 12 hex digits, either case (normalised to lower case). */
  readonly fmspc: string;
  readonly ca: PckCa;
  /** Absent: the server's default (standard). A separate cache key when 'early'. */
  readonly update?: TcbUpdateType;
}

/**
 * `PcsCollateral` in a JSON-safe form, as every source returns it:
 *   - `tcbInfo` / `qeIdentity`: the response bodies exactly as served
 *     (`{"tcbInfo":{...},"signature":"..."}`, `{"enclaveIdentity":{...},"signature":"..."}`);
 *   - issuer chains: PEM (percent-decoding of the response headers undone);
 *   - CRLs: DER as lower-case hex.
 * Pass it to `verifyQuote` / `parseCollateral` as is.
 */
export interface BundleCollateral extends PcsCollateral {
  readonly tcbInfo: string;
  readonly tcbInfoIssuerChain: string;
  readonly qeIdentity: string;
  readonly qeIdentityIssuerChain: string;
  readonly pckCrl: string;
  readonly pckCrlIssuerChain: string;
  readonly rootCaCrl: string;
}

/** How a CachedSource answered (absent on answers straight from an upstream source): the generic cache's metadata. */
export type CacheMetadata = GenericCacheMetadata;

export interface CollateralMetadata {
  /** Where the collateral came from: a PCS / PCCS base URL, `static:<file>`, ... */
  readonly source: string;
  /** Unix seconds when the collateral was fetched (absent when the source has no clock). */
  readonly fetchedAt?: number;
  /** [PCS-v4] `Request-ID` response headers, by endpoint (tcb, qeIdentity, pckCrl, rootCaCrl). */
  readonly requestIds?: Readonly<Record<string, string>>;
  /** Set by CachedSource. */
  readonly cache?: CacheMetadata;
}

export interface CollateralBundle {
  readonly request: CollateralRequest;
  readonly collateral: BundleCollateral;
  readonly metadata: CollateralMetadata;
}

export interface GetCollateralOptions {
  /** Abort the wait (and, for sources that own the request, the request itself). */
  readonly signal?: AbortSignal;
  /**
   * The caller's time (unix seconds, RFC 3339 or a Date): a cache judges
   * freshness and verifies at this time instead of reading its clock.
   * DcapVerifier passes its verification time here.
   */
  readonly at?: TimeInput;
}

/**
 * Anything that can produce collateral. Implementations throw AttestationError
 * with a stable code: CollateralFetch (network, HTTP status, timeout, body too
 * large, redirect), CollateralMissing (404, absent bundle, absent header),
 * CollateralParse / PemParse / CertificateParse / CrlParse (malformed),
 * FmspcMismatch / CollateralMismatch (answer does not fit the request),
 * InvalidArgument (malformed request).
 */
export interface CollateralSource {
  getCollateral(request: CollateralRequest, options?: GetCollateralOptions): Promise<CollateralBundle>;
}
