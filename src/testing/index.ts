/**
 * Test-only factory for a FAKE Intel DCAP hierarchy, collateral and quotes.
 * Exported as the `./testing` subpath. Depends only on @noble/curves and
 * @noble/hashes; no Node built-ins (runs in browsers).
 *
 * NOTHING here is trusted by the verifier: the keys are derived from public
 * labels, so anyone can mint these certificates.
 */
/** Minimal DER encoder (namespaced: generic names like `sequence`, `integer`). */
export * as der from '../encode/der.js';
export * from '../encode/keys.js';
export * from '../encode/pem.js';
export * from '../encode/x509.js';
export * from './pki.js';
export * from './pck.js';
export * from './crl.js';
export * from './collateral.js';
export * from './quote.js';
export * from './scenario.js';

export { NoopVerifier, type NoopVerifierOptions } from './noop-verifier.js';
