/**
 * Node-only backend on node:crypto (OpenSSL): synchronous P-256 verification
 * without a thread-pool hop, and native hashes. Public keys are converted to
 * KeyObjects once and kept in a per-instance LRU.
 * Import it from `tee-attest/node`; the core never loads node:crypto itself.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { CryptoBackend } from './backend.js';
import { LruMap } from '../util/lru.js';
import { toHex } from '../util/bytes.js';

/** DER prefix of a SubjectPublicKeyInfo for an uncompressed P-256 point (id-ecPublicKey, prime256v1). */
const P256_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
  0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
]);

export interface NodeBackendOptions {
  /** How many public keys to keep as KeyObjects (default 256). */
  readonly keyCacheSize?: number;
}

export function nodeBackend(options: NodeBackendOptions = {}): CryptoBackend {
  const keys = new LruMap<string, KeyObject | null>(options.keyCacheSize ?? 256);
  const keyOf = (raw: Uint8Array): KeyObject | null => {
    const id = toHex(raw);
    let k = keys.get(id);
    if (k === undefined) {
      const spki = new Uint8Array(P256_SPKI_PREFIX.length + raw.length);
      spki.set(P256_SPKI_PREFIX);
      spki.set(raw, P256_SPKI_PREFIX.length);
      try {
        k = createPublicKey({ key: Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength), format: 'der', type: 'spki' });
      } catch {
        k = null; // not a point on the curve
      }
      keys.set(id, k);
    }
    return k;
  };
  const hash = (alg: string) => (d: Uint8Array) => new Uint8Array(createHash(alg).update(d).digest());
  return {
    name: 'node',
    sha256: hash('sha256'),
    sha384: hash('sha384'),
    sha512: hash('sha512'),
    async verifyP256(publicKey, message, signature) {
      if (publicKey.length !== 65 || publicKey[0] !== 0x04 || signature.length !== 64) return false;
      const key = keyOf(publicKey);
      if (key === null) return false;
      try {
        // ieee-p1363 = raw r ‖ s; OpenSSL accepts high-S signatures.
        return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
      } catch {
        return false;
      }
    },
  };
}
