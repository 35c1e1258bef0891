/**
 * WebCrypto backend: P-256 verification through `crypto.subtle` (native, much
 * faster than pure JS), hashes from noble (synchronous). Imported keys are kept
 * in a small per-instance LRU so repeated checks against Intel's CA keys do not
 * re-import them.
 */
import { attestationError } from '../errors.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CryptoBackend } from './backend.js';
import { toHex } from '../lib/bytes.js';

export interface WebCryptoBackendOptions {
  /** The SubtleCrypto to use (default: globalThis.crypto.subtle). */
  subtle?: SubtleCrypto;
  /** How many imported public keys to keep (default 256). */
  keyCacheSize?: number;
}

export function webCryptoAvailable(): boolean {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  return typeof c?.subtle?.verify === 'function' && typeof c.subtle.importKey === 'function';
}

export function webCryptoBackend(options: WebCryptoBackendOptions = {}): CryptoBackend {
  const subtle = options.subtle ?? (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (subtle === undefined) throw attestationError('InvalidArgument', 'WebCrypto is not available in this runtime: pass options.subtle', { check: 'webCryptoBackend.subtle' });
  const max = options.keyCacheSize ?? 256;
  const keys = new Map<string, Promise<CryptoKey | null>>();

  function importKey(raw: Uint8Array): Promise<CryptoKey | null> {
    const id = toHex(raw);
    const hit = keys.get(id);
    if (hit !== undefined) {
      keys.delete(id);
      keys.set(id, hit);
      return hit;
    }
    const p = subtle!
      .importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
      .catch(() => null);
    keys.set(id, p);
    if (keys.size > max) keys.delete(keys.keys().next().value as string);
    return p;
  }

  return {
    name: 'webcrypto',
    sha256: (d) => sha256(d),
    sha384: (d) => sha384(d),
    sha512: (d) => sha512(d),
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
