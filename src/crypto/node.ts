/**
 * Node-only backend on node:crypto (OpenSSL): synchronous P-256 verification
 * without a thread-pool hop, and native hashes. Public keys are converted to
 * KeyObjects once and kept in a per-instance LRU, backed by one bounded
 * process-wide map so that a fresh backend does not re-import Intel's fixed
 * keys (root, PCK platform/processor CA, TCB signing).
 * P-384 and RSA-PSS (SEV-SNP) go through node:crypto's WebCrypto (the same
 * OpenSSL), with the WebCrypto backend's key cache; that module (and the hash
 * code it carries) loads on the first SEV-SNP operation only.
 * Import it from `tee-attest/node`; the core never loads node:crypto itself.
 */
import { createHash, createPublicKey, verify, webcrypto, type KeyObject } from 'node:crypto';
import type { CryptoBackend } from './backend.js';
import { BytesMap } from '../lib/bytes-map.js';

export interface NodeBackendOptions {
  /** How many public keys to keep as KeyObjects (default 256). */
  readonly keyCacheSize?: number;
}

/**
 * Imported keys shared by every node backend of this process, keyed by the
 * exact 65 key bytes (private copies, compared on every hit). A KeyObject is
 * immutable and stands for exactly those bytes, so sharing it is sound.
 */
const shared = new BytesMap<KeyObject | null>(64);

/**
 * Imports an uncompressed P-256 point as a KeyObject. JWK is the cheapest
 * route node:crypto offers (about 60 % of SPKI DER; WebCrypto's "raw" import
 * runs the same OpenSSL key check and adds JavaScript overhead). A point that
 * is not on the curve is refused here (null).
 */
function importPoint(raw: Uint8Array): KeyObject | null {
  try {
    return createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: Buffer.from(raw.buffer, raw.byteOffset + 1, 32).toString('base64url'),
        y: Buffer.from(raw.buffer, raw.byteOffset + 33, 32).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    return null;
  }
}

export function nodeBackend(options: NodeBackendOptions = {}): CryptoBackend {
  // Keyed by the exact key bytes (a private copy is compared on every hit).
  const keys = new BytesMap<KeyObject | null>(options.keyCacheSize ?? 256);
  const keyOf = (raw: Uint8Array): KeyObject | null => {
    let k = keys.get(raw);
    if (k !== undefined) return k;
    k = shared.get(raw);
    if (k === undefined) {
      k = importPoint(raw);
      shared.set([raw], k);
    }
    keys.set([raw], k);
    return k;
  };
  // SEV-SNP operations: loaded and created on first use.
  let web: Promise<CryptoBackend> | undefined;
  const snp = (): Promise<CryptoBackend> =>
    (web ??= import('./webcrypto-snp.js').then(({ webCryptoSnpBackend }) =>
      webCryptoSnpBackend({ subtle: webcrypto.subtle as SubtleCrypto, ...(options.keyCacheSize === undefined ? {} : { keyCacheSize: options.keyCacheSize }) }),
    ));
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
    verifyP384: async (publicKey, message, signature) => (await snp()).verifyP384!(publicKey, message, signature),
    verifyRsaPssSha384: async (key, message, signature) => (await snp()).verifyRsaPssSha384!(key, message, signature),
  };
}
