/**
 * Token-signing keys: PKCS#8 loading rules, the RFC 7638 kid, and PS384 /
 * ES256 signatures checked with node:crypto (an implementation independent
 * of the WebCrypto signing path).
 */
import { constants, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, jwkThumbprint, signingKeysFromPem, signingKeySet } from '../../src/service/index.js';
import { signJwt } from '../../src/service/signing-keys.js';
import { rejectsWith, throwsWith } from '../support/codes.js';

const pkcs8 = (type: 'rsa' | 'ec', opts: object): string =>
  generateKeyPairSync(type as 'rsa', opts as { modulusLength: number }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;

describe('signing keys', () => {
  it('kid is the RFC 7638 thumbprint (RFC 7638 §3.1 example key)', async () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(await jwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' })).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('PS384 and ES256 tokens verify with node:crypto against the served JWK', async () => {
    for (const alg of ['PS384', 'ES256'] as const) {
      const key = await generateSigningKey(alg);
      const token = await signJwt(key, { hello: 'world' });
      const [h, p, s] = token.split('.') as [string, string, string];
      const pub = createPublicKey({ key: key.jwk as never, format: 'jwk' });
      const data = Buffer.from(`${h}.${p}`);
      const sig = Buffer.from(s, 'base64url');
      const ok =
        alg === 'PS384'
          ? verify('sha384', data, { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, sig)
          : verify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, sig);
      expect(ok, alg).toBe(true);
      expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg, kid: key.kid, typ: 'JWT' });
    }
  });

  it('loads RSA and P-256 PKCS#8 blocks; refuses short RSA, other curves, PKCS#1 and duplicates', async () => {
    const rsa = pkcs8('rsa', { modulusLength: 2048 });
    const ec = pkcs8('ec', { namedCurve: 'P-256' });
    const keys = await signingKeysFromPem(rsa + ec);
    expect(keys.map((k) => k.alg)).toEqual(['PS384', 'ES256']);
    await rejectsWith(signingKeysFromPem(pkcs8('rsa', { modulusLength: 1024 })), 'InvalidArgument');
    await rejectsWith(signingKeysFromPem(pkcs8('ec', { namedCurve: 'P-384' })), 'InvalidArgument');
    const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
    await rejectsWith(signingKeysFromPem(pkcs1), 'InvalidArgument');
    await rejectsWith(signingKeysFromPem('not a pem'), 'InvalidArgument');
    const two = await signingKeysFromPem(rsa + pkcs8('rsa', { modulusLength: 2048 }));
    throwsWith(() => signingKeySet(two), 'InvalidArgument');
  });
});
