/**
 * WebCrypto backend: P-256 verification through `crypto.subtle` (native, much
 * faster than pure JS), hashes from noble (synchronous). Imported keys are kept
 * in a small per-instance LRU so repeated checks against Intel's CA keys do not
 * re-import them. `webCryptoSnpBackend` (./webcrypto-snp.ts) adds the P-384
 * and RSA-PSS members (SEV-SNP) in a module of its own, so the core bundle
 * carries none of their code.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { CryptoBackend } from './backend.js';
import { BytesMap } from '../lib/bytes-map.js';
import { attestationError } from '../errors.js';

export interface WebCryptoBackendOptions {
  /** The SubtleCrypto to use (default: globalThis.crypto.subtle). */
  readonly subtle?: SubtleCrypto;
  /** How many imported public keys to keep (default 256). */
  readonly keyCacheSize?: number;
}

export function webCryptoAvailable(): boolean {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  return typeof c?.subtle?.verify === 'function' && typeof c.subtle.importKey === 'function';
}

export function webCryptoBackend(options: WebCryptoBackendOptions = {}): CryptoBackend {
  const subtle = options.subtle ?? (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (subtle === undefined) throw attestationError('InvalidArgument', 'WebCrypto is not available in this runtime: pass options.subtle', { check: 'webCryptoBackend.subtle' });
  // Keyed by the exact key bytes (a private copy is compared on every hit).
  const keys = new BytesMap<Promise<CryptoKey | null>>(options.keyCacheSize ?? 256);

  function importKey(raw: Uint8Array): Promise<CryptoKey | null> {
    const hit = keys.get(raw);
    if (hit !== undefined) return hit;
    const p = subtle!
      .importKey('raw', raw.slice() as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
      .catch(() => null);
    keys.set([raw], p);
    return p;
  }

  return {
    name: 'webcrypto',
    sha256: (d) => sha256(d),
    async verifyP256(publicKey, message, signature) {
      if (publicKey.length !== 65 || publicKey[0] !== 0x04 || signature.length !== 64) return false;
      const key = await importKey(publicKey);
      if (key === null) return false;
      try {
        // WebCrypto ECDSA takes IEEE P1363 (raw r ‖ s) and accepts high-S.
        return await subtle!.verify(
          { name: 'ECDSA', hash: 'SHA-256' },
          key,
          signature as Uint8Array<ArrayBuffer>,
          message as Uint8Array<ArrayBuffer>,
        );
      } catch {
        return false;
      }
    },
  };
}
