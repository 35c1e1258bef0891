import type { CryptoBackend } from './backend.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { webCryptoAvailable, webCryptoBackend } from './webcrypto.js';

let noble: Promise<CryptoBackend> | undefined;

/**
 * The noble backend, with @noble/curves loaded on the first signature check
 * (a dynamic import: where the runtime has WebCrypto, or a bundler splits
 * chunks, the curve code is never loaded). Hashes are synchronous, from
 * @noble/hashes, as in the WebCrypto backend.
 */
function lazyNobleBackend(): CryptoBackend {
  return {
    name: 'noble',
    sha256: (d) => sha256(d),
    sha384: (d) => sha384(d),
    sha512: (d) => sha512(d),
    async verifyP256(publicKey, message, signature) {
      noble ??= import('./noble.js').then((m) => m.nobleBackend());
      return (await noble).verifyP256(publicKey, message, signature);
    },
  };
}

/** WebCrypto when the runtime has it (fast), pure-JS noble otherwise (loaded on first use). */
export function defaultCryptoBackend(): CryptoBackend {
  return webCryptoAvailable() ? webCryptoBackend() : lazyNobleBackend();
}
