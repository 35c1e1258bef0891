/** Pure-JS backend on @noble/curves and @noble/hashes; runs everywhere. */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CryptoBackend } from './backend.js';

export function nobleBackend(): CryptoBackend {
  return {
    name: 'noble',
    sha256: (d) => sha256(d),
    async verifyP256(publicKey, message, signature) {
      if (publicKey.length !== 65 || signature.length !== 64) return false;
      try {
        // lowS: false — Intel's ECDSA signatures are not low-S normalised.
        return p256.verify(signature, message, publicKey, { lowS: false, prehash: true, format: 'compact' });
      } catch {
        return false;
      }
    },
  };
}
