/**
 * Without WebCrypto the default backend is noble: it must verify exactly like
 * nobleBackend() (bad inputs refused with false, never a throw).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { defaultCryptoBackend } from '../../src/crypto/default.js';
import { nobleBackend } from '../../src/crypto/noble.js';

const priv = new Uint8Array(32).fill(11);
const pub = p256.getPublicKey(priv, false);
const msg = new TextEncoder().encode('lazy noble');
const sig = p256.sign(msg, priv, { prehash: true });
const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto');

afterEach(() => {
  if (original !== undefined) Object.defineProperty(globalThis, 'crypto', original);
});

describe('defaultCryptoBackend without WebCrypto', () => {
  it('is noble and agrees with nobleBackend()', async () => {
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
    const b = defaultCryptoBackend();
    expect(b.name).toBe('noble');
    const eager = nobleBackend();
    const bad = sig.slice();
    bad[5] = bad[5]! ^ 1;
    for (const [k, s] of [[pub, sig], [pub, bad], [pub.subarray(1), sig]] as const) {
      expect(await b.verifyP256(k, msg, s)).toBe(await eager.verifyP256(k, msg, s));
    }
    expect(await b.verifyP256(pub, msg, sig)).toBe(true);
    expect(b.sha256(msg)).toEqual(eager.sha256(msg));
  });

  it('is WebCrypto when the runtime has it', () => {
    expect(defaultCryptoBackend().name).toBe('webcrypto');
  });
});
