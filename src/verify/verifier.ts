/**
 * A long-lived verifier: one crypto backend, one root key and one
 * VerificationCache shared by every call. Use it when a process verifies many
 * quotes (a server checking clients, a pool re-checking connections).
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { defaultCryptoBackend } from '../crypto/default.js';
import type { CollateralInput } from '../collateral/input.js';
import type { Collateral } from '../collateral/parse.js';
import type { Quote } from '../quote/types.js';
import { VerificationCache, type VerificationCacheOptions } from './cache.js';
import type { VerifiedQuote } from './result.js';
import { verifyQuote, type VerifyQuoteOptions } from './verify-quote.js';

export interface VerifierOptions {
  readonly crypto?: CryptoBackend;
  readonly rootPublicKey?: Uint8Array;
  readonly trailingBytes?: VerifyQuoteOptions['trailingBytes'];
  /** An existing cache to share, or sizes for a new one. */
  readonly cache?: VerificationCache | VerificationCacheOptions;
}

export interface Verifier {
  readonly cache: VerificationCache;
  verifyQuote(
    quote: Uint8Array | Quote,
    collateral: CollateralInput | Collateral,
    options: Pick<VerifyQuoteOptions, 'at' | 'trailingBytes'>,
  ): Promise<VerifiedQuote>;
}

export function createVerifier(options: VerifierOptions = {}): Verifier {
  const cache = options.cache instanceof VerificationCache ? options.cache : new VerificationCache(options.cache);
  const crypto = options.crypto ?? defaultCryptoBackend();
  return {
    cache,
    verifyQuote: (quote, collateral, callOptions) =>
      verifyQuote(quote, collateral, {
        crypto,
        cache,
        ...(options.rootPublicKey ? { rootPublicKey: options.rootPublicKey } : {}),
        ...(options.trailingBytes ? { trailingBytes: options.trailingBytes } : {}),
        ...callOptions,
      }),
  };
}
