import { bytesToHex } from '../support/hex.js';
import 'reflect-metadata';
import { X509Certificate as PX509, BasicConstraintsExtension, KeyUsagesExtension, KeyUsageFlags, AuthorityKeyIdentifierExtension, SubjectKeyIdentifierExtension, CRLDistributionPointsExtension, cryptoProvider } from '@peculiar/x509';
import { createHash, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestPki, INTEL_NAMES, ROOT_CRL_URL, tcbSigningChainPem, pckCaChainPem, type TestCertificate } from '../../src/testing/index.js';
import { ab, pemBlocks, spkiKey, x509 } from './helpers.js';

cryptoProvider.set(webcrypto as unknown as Crypto);

const pki = createTestPki();
const roles = ['root', 'platformCa', 'processorCa', 'tcbSigning'] as const;

describe('createTestPki', () => {
  it('mints parseable certificates with Intel names', () => {
    for (const role of roles) {
      const c = pki[role];
      const x = x509(c.pem);
      expect(Buffer.from(x.raw).equals(Buffer.from(c.cert))).toBe(true);
      expect(x.subject).toBe(`CN=${INTEL_NAMES[role]}\nO=Intel Corporation\nL=Santa Clara\nST=CA\nC=US`);
      expect(x.issuer).toBe(`CN=${INTEL_NAMES.root}\nO=Intel Corporation\nL=Santa Clara\nST=CA\nC=US`);
      expect(c.publicKey.length).toBe(65);
      expect(c.privateKey.length).toBe(32);
      expect(x.publicKey.export({ format: 'der', type: 'spki' }).subarray(-65).equals(Buffer.from(c.publicKey))).toBe(true);
      expect(x.serialNumber.toLowerCase().replace(/^00/, '')).toBe(c.serialHex);
    }
    expect(pki.rootPublicKey).toEqual(pki.root.publicKey);
  });

  it('chains: every certificate verifies under the root key; root is self-signed', () => {
    const root = x509(pki.root.pem);
    expect(root.verify(root.publicKey)).toBe(true);
    for (const role of ['platformCa', 'processorCa', 'tcbSigning'] as const) {
      const x = x509(pki[role].pem);
      expect(x.verify(root.publicKey)).toBe(true);
      expect(x.checkIssued(root)).toBe(true);
      expect(x.verify(x509(pki.tcbSigning.pem).publicKey)).toBe(false);
    }
    expect(x509(pki.tcbSigning.pem).verify(spkiKey(pki.rootPublicKey))).toBe(true);
  });

  it('carries Intel-style extensions', async () => {
    const check = (c: TestCertificate, ca: boolean, pathLen: number | undefined, issuer: TestCertificate) => {
      const p = new PX509(ab(c.cert));
      const bc = p.getExtension(BasicConstraintsExtension)!;
      expect(bc.critical).toBe(true);
      expect(bc.ca).toBe(ca);
      expect(bc.pathLength).toBe(pathLen);
      const ku = p.getExtension(KeyUsagesExtension)!;
      expect(ku.critical).toBe(true);
      expect(ku.usages).toBe(
        ca ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign : KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation,
      );
      expect(p.getExtension(SubjectKeyIdentifierExtension)!.keyId).toBe(bytesToHex(c.keyId));
      expect(p.getExtension(AuthorityKeyIdentifierExtension)!.keyId).toBe(bytesToHex(issuer.keyId));
      const dp = p.getExtension(CRLDistributionPointsExtension)!;
      expect(dp.distributionPoints[0]!.distributionPoint!.fullName![0]!.uniformResourceIdentifier).toBe(ROOT_CRL_URL);
      expect(p.signatureAlgorithm.name).toBe('ECDSA');
    };
    check(pki.root, true, 1, pki.root);
    check(pki.platformCa, true, 0, pki.root);
    check(pki.processorCa, true, 0, pki.root);
    check(pki.tcbSigning, false, undefined, pki.root);
    expect(x509(pki.root.pem).ca).toBe(true);
    expect(x509(pki.tcbSigning.pem).ca).toBe(false);
    expect(await new PX509(ab(pki.platformCa.cert)).verify({ publicKey: await new PX509(ab(pki.root.cert)).publicKey.export() })).toBe(true);
  });

  it('is deterministic and label-separated', () => {
    const again = createTestPki();
    for (const role of roles) expect(again[role].pem).toBe(pki[role].pem);
    const other = createTestPki({ label: 'someone else' });
    expect(bytesToHex(other.rootPublicKey)).not.toBe(bytesToHex(pki.rootPublicKey));
    expect(x509(other.platformCa.pem).verify(x509(pki.root.pem).publicKey)).toBe(false);
  });

  it('derives the root key from sha256(label + " root")', () => {
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const h = BigInt('0x' + createHash('sha256').update('tee-attest test root').digest('hex'));
    expect(bytesToHex(pki.root.privateKey)).toBe(((h % (n - 1n)) + 1n).toString(16).padStart(64, '0'));
  });

  it('honours validity windows, CN overrides and signature corruption', () => {
    const t = createTestPki({
      validity: { tcbSigning: { notBefore: 1_700_000_000, notAfter: 2_600_000_000 } },
      commonNames: { root: 'TEST Intel SGX Root CA' },
      corruptSignature: { processorCa: true },
    });
    const tcb = x509(t.tcbSigning.pem);
    expect(Date.parse(tcb.validFrom) / 1000).toBe(1_700_000_000);
    expect(Date.parse(tcb.validTo) / 1000).toBe(2_600_000_000); // 2052: GeneralizedTime
    expect(t.tcbSigning.notAfter).toBe(2_600_000_000);
    expect(x509(t.root.pem).subject.startsWith('CN=TEST Intel SGX Root CA')).toBe(true);
    expect(x509(t.platformCa.pem).issuer.startsWith('CN=TEST Intel SGX Root CA')).toBe(true);
    expect(x509(t.platformCa.pem).verify(x509(t.root.pem).publicKey)).toBe(true);
    expect(x509(t.processorCa.pem).verify(x509(t.root.pem).publicKey)).toBe(false);
  });

  it('assembles issuer chains', () => {
    expect(pemBlocks(tcbSigningChainPem(pki))).toEqual([pki.tcbSigning.pem, pki.root.pem]);
    expect(pemBlocks(pckCaChainPem(pki, 'processor'))).toEqual([pki.processorCa.pem, pki.root.pem]);
  });
});
