/**
 * `tee-attest/ra-tls`: RA-TLS certificates (quote extraction, key binding,
 * event-log replay, verifyServerCertificate) and the RaTlsVerifier family
 * (DcapVerifier, IntelApiVerifier, CachedVerifier). Runs in every runtime.
 */
export * from './exports.js';
export * from '../verifier/index.js';
