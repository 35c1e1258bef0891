/**
 * The WebCrypto backend with every operation of `CryptoBackend`: P-256 and
 * SHA-256 of `webCryptoBackend`, SHA-384 / SHA-512 (synchronous, from
 * @noble/hashes), plus the SEV-SNP ones through `crypto.subtle`:
 *   - ECDSA P-384 with SHA-384 (FIPS 186-5), the report signature (ABI spec
 *     Table 139); AMD does not low-S normalise, WebCrypto accepts high S;
 *   - RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48 (RFC 8017 §8.1), AMD's KDS
 *     certificates and CRL.
 * Imported keys are kept in a small per-instance LRU. A module of its own so
 * that the core `tee-attest` bundle carries none of it.
 */
import type { CryptoBackend } from './backend.js';
import { webCryptoBackend, type WebCryptoBackendOptions } from './webcrypto.js';
import { withSha2 } from './sha2.js';
import { toHex } from '../lib/bytes.js';
import { base64UrlEncode } from '../lib/base64.js';

export function webCryptoSnpBackend(options: WebCryptoBackendOptions = {}): CryptoBackend {
  const base = withSha2(webCryptoBackend(options)); // refuses a runtime without WebCrypto (InvalidArgument)
  const subtle = (options.subtle ?? (globalThis as { crypto?: Crypto }).crypto?.subtle)!;
  const max = options.keyCacheSize ?? 256;
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
    ...base,
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
        subtle.importKey('raw', publicKey.slice() as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: 'P-384' }, false, ['verify']),
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
