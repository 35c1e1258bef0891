import { bytesToHex } from '../support/hex.js';
import 'reflect-metadata';
import { X509Crl, X509Certificate as PX509, cryptoProvider } from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestPki, mintCrl } from '../../src/testing/index.js';
import { ab, hasOpenssl, openssl } from './helpers.js';

cryptoProvider.set(webcrypto as unknown as Crypto);

const pki = createTestPki();
const T = 1_767_139_200; // 2025-12-31
const N = T + 30 * 86_400;

describe('mintCrl', () => {
  it('mints an empty v2 CRL with crlNumber and AKI, signed by the issuer', async () => {
    const crl = mintCrl(pki.root, { thisUpdate: T, nextUpdate: N });
    expect(crl.hex).toBe(bytesToHex(crl.der));
    expect(crl.pem.startsWith('-----BEGIN X509 CRL-----\n')).toBe(true);
    const p = new X509Crl(ab(crl.der));
    expect(p.version).toBe(1); // v2
    expect(p.thisUpdate.getTime() / 1000).toBe(T);
    expect(p.nextUpdate!.getTime() / 1000).toBe(N);
    expect(p.entries.length).toBe(0);
    expect(p.issuer).toBe('CN=Intel SGX Root CA, O=Intel Corporation, L=Santa Clara, ST=CA, C=US');
    expect(await p.verify({ publicKey: await new PX509(ab(pki.root.cert)).publicKey.export() })).toBe(true);
    expect(await p.verify({ publicKey: await new PX509(ab(pki.platformCa.cert)).publicKey.export() })).toBe(false);
    if (hasOpenssl()) {
      const text = openssl(['crl', '-inform', 'DER', '-noout', '-text'], crl.der);
      expect(text).toContain('Version 2 (0x1)');
      expect(text).toContain('X509v3 CRL Number');
      expect(text).toContain('X509v3 Authority Key Identifier');
      expect(text.replace(/[\s:]/g, '').toLowerCase()).toContain(bytesToHex(pki.root.keyId));
      expect(text).toContain('No Revoked Certificates');
    }
  });

  it('lists revoked serials with revocation date and optional reason', async () => {
    const crl = mintCrl(pki.platformCa, {
      thisUpdate: T,
      nextUpdate: N,
      revokedSerials: ['8d7c9d935d2c87485930bed1c30f05c9b14221b6', '01'],
      reasonCode: 1,
      revoked: [{ serial: '7f', revocationDate: T - 100 }],
      crlNumber: 300,
    });
    const p = new X509Crl(ab(crl.der));
    expect(p.entries.map((e) => e.serialNumber.toLowerCase())).toEqual(['8d7c9d935d2c87485930bed1c30f05c9b14221b6', '01', '7f']);
    expect(crl.hex).toContain('0215008d7c9d935d2c87485930bed1c30f05c9b14221b6'); // DER-minimal, sign byte
    expect(p.entries[0]!.revocationDate.getTime() / 1000).toBe(T);
    expect(p.entries[2]!.revocationDate.getTime() / 1000).toBe(T - 100);
    expect(p.entries[0]!.reason).toBe(1);
    expect(p.entries[2]!.reason).toBeUndefined();
    expect(await p.verify({ publicKey: await new PX509(ab(pki.platformCa.cert)).publicKey.export() })).toBe(true);
    if (hasOpenssl()) {
      const text = openssl(['crl', '-inform', 'DER', '-noout', '-text'], crl.der);
      expect(text).toContain('Serial Number: 8D7C9D935D2C87485930BED1C30F05C9B14221B6');
      expect(text).toContain('Key Compromise');
      expect(text).toMatch(/CRL Number: \n\s+300/);
    }
  });

  it('corruptSignature yields a well-formed CRL that fails verification', async () => {
    const good = mintCrl(pki.root, { thisUpdate: T, nextUpdate: N });
    const bad = mintCrl(pki.root, { thisUpdate: T, nextUpdate: N, corruptSignature: true });
    expect(bad.der.length).toBe(good.der.length);
    const p = new X509Crl(ab(bad.der));
    expect(await p.verify({ publicKey: await new PX509(ab(pki.root.cert)).publicKey.export() })).toBe(false);
    if (hasOpenssl()) openssl(['crl', '-inform', 'DER', '-noout', '-text'], bad.der); // still parses
  });

  it('is deterministic', () => {
    expect(mintCrl(pki.root, { thisUpdate: T, nextUpdate: N }).hex).toBe(mintCrl(pki.root, { thisUpdate: T, nextUpdate: N }).hex);
  });
});
