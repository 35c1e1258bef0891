/**
 * tee-attest SEV-SNP: AMD SEV-SNP attestation report verification.
 *
 * Pipeline: parse (parseSnpReport) → verify (verifySnpAttestation: ARK →
 * ASK / ASVK → VCEK / VLEK chain to a pinned ARK, CRL, report signature,
 * REPORTED_TCB and CHIP_ID against the certificate) → policy
 * (checkSnpPolicy / assertSnpPolicy). Runtime-neutral: no Node built-ins, no
 * clock, no I/O at import. See docs/snp.md.
 */
export { parseSnpReport, firmwareVersionText, type SnpReport, type ParseSnpReportOptions, type SnpFirmwareVersion } from './report.js';
export { REPORT_SIZE as SNP_REPORT_SIZE, SIGNED_LENGTH as SNP_SIGNED_LENGTH } from './layout.js';
export { productFromCpuid, productFromName, tcbLayoutOf, SNP_PRODUCTS, type SnpProduct, type TcbLayout } from './product.js';
export { decodeTcb, encodeTcb, tcbBelow, tcbText, type SnpTcb, type TcbComponent } from './tcb.js';
export { decodeGuestPolicy, decodePlatformInfo, type SnpGuestPolicy, type SnpPlatformInfo, type SnpSignerInfo, type SnpSigningKey } from './guest-policy.js';
export { parseEndorsementExtensions, AMD_OID, type SnpEndorsementExtensions } from './extensions.js';
export { verifySnpAttestation, type SnpEndorsements, type VerifySnpOptions, type VerifiedSnpReport } from './verify.js';
export { verifySnpChain, verifySnpCaChain, verifySnpCrl, type SnpChain, type SnpCaChain, type SnpChainOptions, type SnpChainResult, type SnpKeyType } from './chain.js';
export { checkSnpPolicy, assertSnpPolicy, type SnpPolicy, type SnpPolicyViolation, type SnpMinTcb, type SnpVersion } from './policy.js';
export { AMD_ARK_SPKI_SHA256, amdArkPins, builtinCaCert, type ArkPins } from './roots.js';
export {
  defaultSnpCryptoBackend,
  webCryptoSnpBackend,
  jsSnpBackend,
  snpWebCryptoAvailable,
  type SnpCryptoBackend,
  type RsaPublicKey,
  type WebCryptoSnpBackendOptions,
} from './crypto.js';
export {
  parseSnpCertTable,
  splitSnpEvidence,
  endorsementsFromCertTable,
  CERT_TABLE_GUIDS,
  type SnpCertTableEntry,
  type CertTableRole,
} from './cert-table.js';
export { SnpVerifier, type SnpVerifierOptions, type SnpVerificationResult } from './verifier.js';
export type { CertificateInput } from './inputs.js';

// KDS: sources, cache, offline bundles.
export type {
  SnpCollateralSource,
  SnpCollateralRequest,
  SnpVcekRequest,
  SnpCaRequest,
  SnpCollateralBundle,
  SnpVcekCollateral,
  SnpCaCollateral,
  SnpCollateralMetadata,
  SnpCacheMetadata,
  GetSnpCollateralOptions,
} from './kds/types.js';
export { normalizeSnpRequest, snpRequestKey, sameSnpRequest, vcekRequestForReport, caRequest } from './kds/request.js';
export { AMD_KDS_BASE_URL, vcekUrl, certChainUrl, crlUrl } from './kds/endpoints.js';
export { KdsSource, type KdsSourceOptions } from './kds/kds-source.js';
export { SnpStaticSource, type SnpStaticSourceOptions, type SnpBundleReader } from './kds/static-source.js';
export { SnpCachedSource, type SnpCachedSourceOptions, type SnpCacheStore } from './kds/cached-source.js';
export { SNP_BUNDLE_FORMAT, MAX_SNP_BUNDLE_BYTES, parseSnpBundle, serializeSnpBundle, snpBundleFileName } from './kds/bundle.js';
export { verifySnpCaCollateral, verifySnpVcekCollateral, type VerifySnpCollateralOptions } from './kds/verify-collateral.js';
