/**
 * tee-attest: pure-TypeScript remote-attestation verification. This entry is
 * the Intel DCAP verification core, for every runtime (Node, browsers, edge).
 *
 * Pipeline: parse (quote, collateral) → verify (signatures, chains, CRLs,
 * dates, TCB evaluation as Intel's QVL) → policy (what this caller accepts).
 *
 * Other entries: `tee-attest/ra-tls` (RA-TLS certificates and the verifier
 * family), `tee-attest/collateral` (PCS / PCCS sources, caches, bundles),
 * `tee-attest/node` (Node adapters), `tee-attest/snp`, `tee-attest/provenance`,
 * `tee-attest/postgres`, `tee-attest/simulator`, `tee-attest/testing`.
 */
export { AttestationError, ParseError, VerifyError, PolicyError, UsageError, ErrorCodes, attestationError, isAttestationError } from './errors.js';
export type { ErrorCode, ErrorKind, Evidence, CodeOfKind, ParseCode, VerifyCode, PolicyCode, UsageCode, Violation, ErrorOfCode } from './errors.js';

export { verifyQuote, type VerifyQuoteOptions } from './verify/verify-quote.js';
export { createVerifier, type Verifier, type VerifierOptions } from './verify/verifier.js';
export { VerificationCache, type VerificationCacheOptions } from './verify/cache.js';
export type { VerifiedQuote, PckClaims, SgxEnclaveClaims, TdClaims, Td15ExClaims, TcbPassClaims } from './verify/result.js';
export { INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX, intelRootPublicKey } from './verify/root.js';

export { checkPolicy, assertPolicy, type QuotePolicy, type PolicyViolation } from './policy/policy.js';
export type { PolicyBase, TcbStatusPolicy, TdPolicy, ReportDataPolicy } from './policy/options.js';
export { DEFAULT_ACCEPTABLE_STATUSES, type TcbStatus } from './tcb/status.js';

export { parseQuote } from './quote/parse.js';
export type * from './quote/types.js';
export { tdAttributeFlags, sgxAttributeFlags, isDebugTd, isDebugEnclave } from './quote/attributes.js';

export { parseCollateral, type Collateral } from './collateral/parse.js';
export type { CollateralJson, PcsCollateral, CollateralInput } from './collateral/input.js';
export { parseTcbInfo, type TcbInfo, type TcbLevel } from './collateral/tcb-info.js';
export { parseQeIdentity, type QeIdentity } from './collateral/qe-identity.js';

export type { CryptoBackend } from './crypto/backend.js';
export { nobleBackend } from './crypto/noble.js';
export { webCryptoBackend, webCryptoAvailable } from './crypto/webcrypto.js';
export { defaultCryptoBackend } from './crypto/default.js';

export { toHex, fromHex } from './lib/bytes.js';
