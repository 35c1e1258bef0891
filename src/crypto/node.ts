/**
 * Node-only backend on node:crypto (OpenSSL): synchronous P-256 verification
 * without a thread-pool hop, and native hashes. Public keys are converted to
 * KeyObjects once and kept in a per-instance LRU.
 * Import it from `tee-attest/node`; the core never loads node:crypto itself.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { CryptoBackend } from './backend.js';
import { LruMap } from '../lib/lru.js';
import { toHex } from '../lib/bytes.js';

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
      // JWK import is the cheapest way into a KeyObject (about 60 % of the
      // cost of SPKI DER); a point that is not on the curve is refused here.
      const jwk = {
        kty: 'EC',
        crv: 'P-256',
        x: Buffer.from(raw.buffer, raw.byteOffset + 1, 32).toString('base64url'),
        y: Buffer.from(raw.buffer, raw.byteOffset + 33, 32).toString('base64url'),
      };
      try {
        k = createPublicKey({ key: jwk, format: 'jwk' });
      } catch {
        k = null;
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
