/**
 * One CryptoBackend for DCAP and SEV-SNP (#12): the backends with the SNP
 * members (WebCrypto, pure JS, node:crypto) agree on P-384 / SHA-384 ECDSA and
 * RSASSA-PSS-SHA384 (salt 48) signatures made by OpenSSL, and refuse tampered
 * ones; the core entry's P-256-only backends are refused by SEV-SNP with a
 * coded InvalidArgument.
 */
import { describe, expect, it } from 'vitest';
import { constants, generateKeyPairSync, sign } from 'node:crypto';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { webCryptoBackend } from '../../src/crypto/webcrypto.js';
import { nodeBackend } from '../../src/crypto/node.js';
import { defaultSnpCryptoBackend, jsSnpBackend, webCryptoSnpBackend, type SnpCryptoBackend } from '../../src/snp/crypto.js';
import { SnpVerifier } from '../../src/snp/verifier.js';
import { expectCode } from '../support/codes.js';

const MESSAGE = new TextEncoder().encode('SEV-SNP report body');

const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const jwk = ec.publicKey.export({ format: 'jwk' });
const point = new Uint8Array([4, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
const ecSig = new Uint8Array(sign('sha384', MESSAGE, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }));

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rjwk = rsa.publicKey.export({ format: 'jwk' });
const rsaKey = { modulus: new Uint8Array(Buffer.from(rjwk.n!, 'base64url')), exponent: new Uint8Array(Buffer.from(rjwk.e!, 'base64url')) };
const rsaSig = new Uint8Array(sign('sha384', MESSAGE, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }));

const flip = (b: Uint8Array, i: number): Uint8Array => {
  const c = b.slice();
  c[i] = c[i]! ^ 1;
  return c;
};

const FULL: [string, () => SnpCryptoBackend][] = [
  ['webCryptoSnpBackend', () => webCryptoSnpBackend()],
  ['jsSnpBackend', () => jsSnpBackend()],
  ['nodeBackend', () => nodeBackend()],
  ['defaultSnpCryptoBackend', () => defaultSnpCryptoBackend()],
];

describe.each(FULL)('%s implements the SEV-SNP members of CryptoBackend', (_name, make) => {
  const b: CryptoBackend = make();

  it('P-384: accepts the OpenSSL signature, refuses a tampered signature, message or key', async () => {
    expect(await b.verifyP384!(point, MESSAGE, ecSig)).toBe(true);
    expect(await b.verifyP384!(point, MESSAGE, flip(ecSig, 10))).toBe(false);
    expect(await b.verifyP384!(point, flip(MESSAGE, 0), ecSig)).toBe(false);
    expect(await b.verifyP384!(flip(point, 96), MESSAGE, ecSig)).toBe(false);
    expect(await b.verifyP384!(point.subarray(0, 96), MESSAGE, ecSig)).toBe(false);
  });

  it('RSA-PSS-SHA384 (salt 48): accepts the OpenSSL signature, refuses tampering', async () => {
    expect(await b.verifyRsaPssSha384!(rsaKey, MESSAGE, rsaSig)).toBe(true);
    expect(await b.verifyRsaPssSha384!(rsaKey, MESSAGE, flip(rsaSig, 5))).toBe(false);
    expect(await b.verifyRsaPssSha384!(rsaKey, flip(MESSAGE, 3), rsaSig)).toBe(false);
    expect(await b.verifyRsaPssSha384!({ ...rsaKey, modulus: flip(rsaKey.modulus, 100) }, MESSAGE, rsaSig)).toBe(false);
  });

  it('keeps the DCAP members (P-256 and the hashes)', () => {
    expect(typeof b.verifyP256).toBe('function');
    expect(b.sha384!(new Uint8Array(0)).length).toBe(48);
    expect(b.sha512!(new Uint8Array(0)).length).toBe(64);
  });
});

describe('the core entry backends carry only P-256', () => {
  it('have no SEV-SNP members (their code stays out of the core bundle)', () => {
    for (const b of [nobleBackend(), webCryptoBackend()]) {
      expect(b.verifyP384).toBeUndefined();
      expect(b.verifyRsaPssSha384).toBeUndefined();
      // SHA-384 / SHA-512 too: DCAP needs SHA-256 only (RA-TLS uses sha384Of / sha512Of).
      expect(b.sha384).toBeUndefined();
      expect(b.sha512).toBeUndefined();
    }
  });

  it('SnpVerifier refuses them with InvalidArgument naming the option', () => {
    const e = expectCode(() => new SnpVerifier({ crypto: nobleBackend() }), 'InvalidArgument');
    expect(e.message).toContain('crypto');
  });

  it('webCryptoBackend without WebCrypto is a coded InvalidArgument, not a plain Error', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
    try {
      expectCode(() => webCryptoBackend(), 'InvalidArgument');
      expectCode(() => webCryptoSnpBackend(), 'InvalidArgument');
    } finally {
      Object.defineProperty(globalThis, 'crypto', saved!);
    }
  });
});
