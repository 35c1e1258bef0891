import type { CryptoBackend } from './backend.js';
import { nobleBackend } from './noble.js';
import { webCryptoAvailable, webCryptoBackend } from './webcrypto.js';

/** WebCrypto when the runtime has it (fast), pure-JS noble otherwise. */
export function defaultCryptoBackend(): CryptoBackend {
  return webCryptoAvailable() ? webCryptoBackend() : nobleBackend();
}
