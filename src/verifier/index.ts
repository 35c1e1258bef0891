/**
 * The RaTlsVerifier family: local DCAP, Intel Trust Authority, and a cache.
 * (The insecure NoopVerifier lives in the testing subpath.)
 */
export type { VerifierClock, RaTlsVerifier, VerificationResult, RaTlsVerifyOptions } from './types.js';
export { DcapVerifier, collateralProviderFromSource, type CollateralProvider, type DcapVerifierOptions } from './dcap-verifier.js';
export {
  IntelApiVerifier,
  ITA_API_URL,
  ITA_ATTEST_PATH,
  ITA_ISSUER,
  ITA_JWKS_URL,
  type IntelApiVerifierOptions,
} from './ita/intel-api-verifier.js';
export { CachedVerifier, type CachedVerifierOptions } from './cached-verifier.js';
export { itaTdxClaims, tcbStatusFromIta, type ItaTdxClaims } from './ita/ita-claims.js';
export { decodeJwt, JWT_ALGORITHMS, type DecodedJwt, type JwtAlgorithm } from './ita/jwt.js';
export type { FetchInit, FetchLike, FetchResponseLike } from './http.js';
