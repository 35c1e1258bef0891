/**
 * SHA-384 and SHA-512 for the code that needs them (RA-TLS event-log replay
 * and key binding, the simulator, SEV-SNP): the backend's own when it has
 * them (node:crypto), otherwise @noble/hashes. The core DCAP backends leave
 * both out (`CryptoBackend.sha384` / `sha512` are optional) so that the core
 * bundle carries no SHA-512 code; this module is never imported by the core
 * entry.
 */
import { sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CryptoBackend } from './backend.js';

export type HashFunction = (data: Uint8Array) => Uint8Array;

/** SHA-384 of `backend`, or the pure-JS one. */
export function sha384Of(backend: CryptoBackend): HashFunction {
  return backend.sha384 ?? ((d) => sha384(d));
}

/** SHA-512 of `backend`, or the pure-JS one. */
export function sha512Of(backend: CryptoBackend): HashFunction {
  return backend.sha512 ?? ((d) => sha512(d));
}

/** `backend` with both hashes filled in (its own where it has them). */
export function withSha2(backend: CryptoBackend): CryptoBackend {
  return { ...backend, sha384: sha384Of(backend), sha512: sha512Of(backend) };
}
