/**
 * The pure-JS backend with the SEV-SNP operations: `nobleBackend` (P-256,
 * SHA-256) with SHA-384 / SHA-512, plus @noble/curves P-384 and BigInt RSASSA-PSS (./rsa-pss.ts). A
 * module of its own so that the core `tee-attest` bundle, which exports
 * `nobleBackend`, carries no P-384 / RSA code; `tee-attest/snp` exports it as
 * `jsSnpBackend`.
 */
import { p384 } from '@noble/curves/nist.js';
import type { CryptoBackend } from './backend.js';
import { nobleBackend } from './noble.js';
import { withSha2 } from './sha2.js';
import { verifyRsaPssSha384Js } from './rsa-pss.js';

function p384Js(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 97 || publicKey[0] !== 0x04 || signature.length !== 96) return false;
  try {
    // lowS: false — AMD's ECDSA signatures are not low-S normalised.
    return p384.verify(signature, message, publicKey, { lowS: false, prehash: true, format: 'compact' });
  } catch {
    return false;
  }
}

/** Pure JS, every operation (P-256, P-384, RSA-PSS): runs everywhere. */
export function nobleSnpBackend(): CryptoBackend {
  return {
    ...withSha2(nobleBackend()),
    verifyRsaPssSha384: async (key, message, signature) => {
      try {
        return verifyRsaPssSha384Js(key.modulus, key.exponent, message, signature);
      } catch {
        return false;
      }
    },
    verifyP384: async (publicKey, message, signature) => p384Js(publicKey, message, signature),
  };
}
