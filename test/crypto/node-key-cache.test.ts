/**
 * Issue #15: node:crypto backends share imported keys process-wide, keyed by
 * the exact key bytes. A fresh backend must answer exactly like the first one,
 * and a caller mutating its key buffer in place must never reach the key
 * imported for the old bytes.
 */
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { nodeBackend } from '../../src/crypto/node.js';

const priv = new Uint8Array(32).fill(9);
const pub = p256.getPublicKey(priv, false);
const other = p256.getPublicKey(new Uint8Array(32).fill(10), false);
const msg = new TextEncoder().encode('shared key cache');
const sig = p256.sign(msg, priv, { prehash: true });

describe('node backend: process-wide imported keys', () => {
  it('a fresh backend verifies with a key another backend imported, and refuses a wrong one', async () => {
    expect(await nodeBackend().verifyP256(pub, msg, sig)).toBe(true);
    const fresh = nodeBackend();
    expect(await fresh.verifyP256(pub, msg, sig)).toBe(true);
    expect(await fresh.verifyP256(other, msg, sig)).toBe(false);
  });

  it('follows the key bytes when the caller mutates its buffer in place', async () => {
    const key = pub.slice();
    const b = nodeBackend();
    expect(await b.verifyP256(key, msg, sig)).toBe(true);
    key.set(other);
    expect(await b.verifyP256(key, msg, sig)).toBe(false);
    expect(await nodeBackend().verifyP256(key, msg, sig)).toBe(false);
    key.set(pub);
    expect(await nodeBackend().verifyP256(key, msg, sig)).toBe(true);
  });

  it('an off-curve point stays refused in every backend', async () => {
    const bad = pub.slice();
    bad[64] = bad[64]! ^ 1;
    for (let i = 0; i < 3; i++) expect(await nodeBackend().verifyP256(bad, msg, sig)).toBe(false);
  });

  it('a tiny per-backend cache still answers correctly (evictions fall back to the shared map)', async () => {
    const b = nodeBackend({ keyCacheSize: 1 });
    for (let i = 0; i < 3; i++) {
      expect(await b.verifyP256(pub, msg, sig)).toBe(true);
      expect(await b.verifyP256(other, msg, sig)).toBe(false);
    }
  });
});
