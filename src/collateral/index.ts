/**
 * `tee-attest/collateral`: collateral sources (Intel PCS / PCCS v4 over an
 * injected fetch, offline bundles), the verified-only cache and bundle helpers.
 * Runs in every runtime; the Node filesystem cache and undici client are in
 * `tee-attest/node`.
 */
export * from '../sources/dcap/index.js';
