/**
 * The crypto an SEV-SNP verification needs, injected like the DCAP
 * CryptoBackend (src/crypto/backend.ts), which only knows P-256:
 *
 *   - RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48 (RFC 8017 §8.1): the
 *     ARK, ASK / ASVK and VCEK / VLEK certificates and the KDS CRL;
 *   - ECDSA P-384 with SHA-384 (FIPS 186-5): the report signature
 *     (ABI spec Table 139). AMD does not low-S normalise: high S is accepted.
 *
 * `webCryptoSnpBackend` uses crypto.subtle (Node 20+, browsers, edge
 * runtimes). `jsSnpBackend` is pure JS (@noble/curves p384, BigInt RSA) for
 * runtimes without WebCrypto. `defaultSnpCryptoBackend` picks WebCrypto when
 * present.
 */
import { attestationError } from '../errors.js';
import { p384 } from '@noble/curves/nist.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { toHex } from '../lib/bytes.js';
import { base64UrlEncode } from '../lib/base64.js';
import { verifyRsaPssSha384Js } from './rsa-pss.js';

export interface RsaPublicKey {
  /** Big-endian magnitude. */
  readonly modulus: Uint8Array;
  readonly exponent: Uint8Array;
}

export interface SnpCryptoBackend {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  sha384(data: Uint8Array): Uint8Array;
  /** RSASSA-PSS-SHA384 (salt 48). False for a bad signature or an unusable key. */
  verifyRsaPssSha384(key: RsaPublicKey, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /**
   * ECDSA P-384 with SHA-384 over `message`.
   * @param publicKey SEC1 uncompressed point (97 bytes).
   * @param signature raw r ‖ s (96 bytes, big-endian).
   */
  verifyP384(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

function p384Js(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 97 || publicKey[0] !== 0x04 || signature.length !== 96) return false;
  try {
    return p384.verify(signature, message, publicKey, { lowS: false, prehash: true, format: 'compact' });
  } catch {
    return false;
  }
}

/** Pure-JS backend: @noble/curves P-384 and BigInt RSASSA-PSS. Runs everywhere. */
export function jsSnpBackend(): SnpCryptoBackend {
  return {
    name: 'js',
    sha256: (d) => sha256(d),
    sha384: (d) => sha384(d),
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

export function snpWebCryptoAvailable(): boolean {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  return typeof c?.subtle?.verify === 'function' && typeof c.subtle.importKey === 'function';
}

export interface WebCryptoSnpBackendOptions {
  /** The SubtleCrypto to use (default: globalThis.crypto.subtle). */
  readonly subtle?: SubtleCrypto;
  /** How many imported public keys to keep (default 64). */
  readonly keyCacheSize?: number;
}

/** crypto.subtle for RSA-PSS and P-384 (keys kept in a small per-instance LRU); noble for hashes. */
export function webCryptoSnpBackend(options: WebCryptoSnpBackendOptions = {}): SnpCryptoBackend {
  const subtle = options.subtle ?? (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (subtle === undefined) throw attestationError('InvalidArgument', 'WebCrypto is not available in this runtime: pass options.subtle', { check: 'webCryptoSnpBackend.subtle' });
  const max = options.keyCacheSize ?? 64;
  const keys = new Map<string, Promise<CryptoKey | null>>();

  const cached = (id: string, make: () => Promise<CryptoKey>): Promise<CryptoKey | null> => {
    const hit = keys.get(id);
    if (hit !== undefined) {
      keys.delete(id);
      keys.set(id, hit);
      return hit;
    }
    const p = make().catch(() => null);
    keys.set(id, p);
    if (keys.size > max) keys.delete(keys.keys().next().value as string);
    return p;
  };

  return {
    name: 'webcrypto',
    sha256: (d) => sha256(d),
    sha384: (d) => sha384(d),
    async verifyRsaPssSha384(key, message, signature) {
      const id = `rsa:${toHex(key.exponent)}:${toHex(key.modulus)}`;
      const k = await cached(id, () =>
        subtle.importKey(
          'jwk',
          { kty: 'RSA', n: base64UrlEncode(key.modulus), e: base64UrlEncode(key.exponent), ext: true },
          { name: 'RSA-PSS', hash: 'SHA-384' },
          false,
          ['verify'],
        ),
      );
      if (k === null) return false;
      try {
        return await subtle.verify({ name: 'RSA-PSS', saltLength: 48 }, k, signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
      } catch {
        return false;
      }
    },
    async verifyP384(publicKey, message, signature) {
      if (publicKey.length !== 97 || publicKey[0] !== 0x04 || signature.length !== 96) return false;
      const k = await cached(`p384:${toHex(publicKey)}`, () =>
        subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: 'P-384' }, false, ['verify']),
      );
      if (k === null) return false;
      try {
        // WebCrypto ECDSA takes IEEE P1363 (raw r ‖ s) and accepts high S.
        return await subtle.verify({ name: 'ECDSA', hash: 'SHA-384' }, k, signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
      } catch {
        return false;
      }
    },
  };
}

/** WebCrypto when the runtime has it, pure JS otherwise. */
export function defaultSnpCryptoBackend(): SnpCryptoBackend {
  return snpWebCryptoAvailable() ? webCryptoSnpBackend() : jsSnpBackend();
}
