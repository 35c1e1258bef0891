/**
 * The three crypto backends agree: P-256 verification accepts high-S
 * signatures (Intel's are not low-S normalised), refuses a wrong message, an
 * off-curve key and malformed lengths with `false` (never a throw), and the
 * hashes are equal. The core backends (noble, WebCrypto) carry SHA-256 only:
 * SHA-384 / SHA-512 come from `sha384Of` / `sha512Of` (their code stays out of
 * the core bundle).
 */
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { webCryptoBackend } from '../../src/crypto/webcrypto.js';
import { nodeBackend } from '../../src/crypto/node.js';
import { concatBytes, toHex } from '../../src/lib/bytes.js';
import { sha384Of, sha512Of } from '../../src/crypto/sha2.js';
import { createHash } from 'node:crypto';

const N = p256.Point.CURVE().n;
const priv = new Uint8Array(32).fill(7);
const pub = p256.getPublicKey(priv, false);
const msg = new TextEncoder().encode('tee-attest backend agreement');
const sig = p256.sign(msg, priv, { prehash: true, lowS: true });

function toBig(b: Uint8Array): bigint {
  return BigInt('0x' + toHex(b));
}
function fromBig(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}
/** The same signature with s replaced by n − s (the high-S twin). */
const highS = concatBytes(sig.subarray(0, 32), fromBig(N - toBig(sig.subarray(32))));

describe.each([
  ['noble', nobleBackend()],
  ['webcrypto', webCryptoBackend()],
  ['node', nodeBackend()],
])('%s backend', (_name, b) => {
  it('verifies a valid signature and its high-S twin', async () => {
    expect(await b.verifyP256(pub, msg, sig)).toBe(true);
    expect(toBig(highS.subarray(32)) > N / 2n).toBe(true);
    expect(await b.verifyP256(pub, msg, highS)).toBe(true);
  });
  it('refuses a wrong message, an off-curve key and malformed lengths with false', async () => {
    expect(await b.verifyP256(pub, msg.subarray(1), sig)).toBe(false);
    const offCurve = Uint8Array.from(pub);
    offCurve[64] = offCurve[64]! ^ 1;
    expect(await b.verifyP256(offCurve, msg, sig)).toBe(false);
    expect(await b.verifyP256(pub.subarray(1), msg, sig)).toBe(false);
    expect(await b.verifyP256(pub, msg, sig.subarray(1))).toBe(false);
    expect(await b.verifyP256(pub, msg, new Uint8Array(64))).toBe(false);
  });
  it('hashes agree with node:crypto (SHA-384 / SHA-512 the backend\'s own or the pure-JS fallback)', () => {
    const ref = (alg: string, d: Uint8Array) => createHash(alg).update(d).digest('hex');
    for (const data of [new Uint8Array(0), msg, new Uint8Array(5000).fill(0xab)]) {
      expect(toHex(b.sha256(data))).toBe(ref('sha256', data));
      expect(toHex(sha384Of(b)(data))).toBe(ref('sha384', data));
      expect(toHex(sha512Of(b)(data))).toBe(ref('sha512', data));
    }
  });
});
