/**
 * `tee-attest/service` (Node only): a self-hosted appraisal service with
 * Intel Trust Authority's API (docs/service.md).
 */
export {
  createAppraisalService,
  DEFAULT_ISSUER,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_RATE_LIMIT,
  NONCE_LIFETIME_SECONDS,
  type AppraisalService,
  type AppraisalServiceOptions,
  type QuoteVerifier,
  type ServiceLogEntry,
} from './service.js';
export { parseServiceConfig, type ServiceConfig, type ServicePolicy, type ApiKeyConfig, type RateLimitConfig } from './config.js';
export { hashApiKey } from './api-keys.js';
export {
  generateSigningKey,
  jwkThumbprint,
  loadSigningKeys,
  signingKeysFromPem,
  signingKeySet,
  SERVICE_TOKEN_ALGORITHMS,
  type ServiceTokenAlgorithm,
  type SigningKey,
  type SigningKeySet,
  type PublicJwk,
} from './signing-keys.js';
export { EAR_MEDIA_TYPE, EAR_PROFILE, type EarStatus } from './claims.js';
export type { ServiceCollateralOptions } from './collateral.js';
export {
  runServeCommand,
  SERVE_BOOLEAN_FLAGS,
  SERVE_HELP,
  SERVE_VALUE_FLAGS,
  type ServeCommandOptions,
  type ServeHandle,
  type ServeIo,
} from './serve-command.js';
