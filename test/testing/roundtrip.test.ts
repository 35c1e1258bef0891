/**
 * Round-trips the factory's output through the library's own parsers (and,
 * the full verifier).
 */
import { bytesToHex } from '../support/hex.js';
import { describe, expect, it } from 'vitest';
import { makeScenario, mintCrl, createTestPki } from '../../src/testing/index.js';
import { parseQuote } from '../../src/quote/parse.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parseSgxExtension } from '../../src/x509/sgx-extension.js';
import { parseCrl } from '../../src/x509/crl.js';
import { parseCollateral } from '../../src/collateral/parse.js';
import { verifyQuote } from '../../src/verify/verify-quote.js';
import { pemBlocks } from './helpers.js';

function der(pem: string): Uint8Array {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

describe('round trip through the library parsers', () => {
  for (const [name, opts] of [
    ['TDX v4', {}],
    ['SGX v3', { teeType: 'SGX' }],
    ['TDX v5 TD1.5', { quoteVersion: 5, bodyType: 3 }],
    ['SGX v5', { teeType: 'SGX', quoteVersion: 5 }],
    ['processor CA', { pckCa: 'processor' }],
  ] as const) {
    it(name, async () => {
      const s = makeScenario(opts as Parameters<typeof makeScenario>[0]);
      const q = parseQuote(s.quote);
      const o = s.quoteOptions;
      expect(q.version).toBe(o.version);
      expect(q.teeType).toBe(o.teeType);
      if (q.version === 5) expect(q.bodyType).toBe(o.bodyType);
      expect(q.signedData.length + 4 + q.signatureData.raw.length).toBe(s.quote.length);
      expect(bytesToHex(q.signatureData.attestationKey)).toBe(bytesToHex(s.attestationPublicKey.subarray(1)));
      expect(q.signatureData.qeAuthData.length).toBe(32);
      expect(q.signatureData.qeReport.isvSvn).toBe(o.qeSvn);
      expect(q.signatureData.certificationData.type).toBe(5);
      expect(q.signatureData.certificationData.pemChain).toBe(s.pck.chainPem);
      if (q.body.kind === 'sgx') {
        expect(bytesToHex(q.body.cpuSvn)).toBe(bytesToHex(s.pck.cpusvn));
      } else {
        expect([...q.body.teeTcbSvn]).toEqual([4, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        expect(q.body.tdAttributes[3]).toBe(0x10);
      }

      const certs = pemBlocks(s.pck.chainPem).map((p) => parseCertificate(der(p)));
      expect(certs.map((c: { serialHex: string }) => c.serialHex)).toEqual([s.pck.serialHex, s.pck.issuer.serialHex, s.pki.root.serialHex]);
      expect(bytesToHex(certs[0]!.publicKey)).toBe(bytesToHex(s.pck.publicKey));
      expect(certs[0]!.notBefore).toBe(s.pck.notBefore);
      expect(certs[0]!.notAfter).toBe(s.pck.notAfter);
      expect(certs[1]!.basicConstraints?.ca).toBe(true);
      expect(certs[0]!.unknownCriticalExtensions).toEqual([]);
      expect(bytesToHex(certs[0]!.authorityKeyId!)).toBe(bytesToHex(s.pck.issuer.keyId));
      expect(bytesToHex(certs[1]!.subjectKeyId!)).toBe(bytesToHex(s.pck.issuer.keyId));
      const ext = parseSgxExtension(certs[0]!);
      expect(ext.tcbComponents).toEqual([...s.pck.tcbComponents]);
      expect(ext.pcesvn).toBe(s.pck.pcesvn);
      expect(bytesToHex(ext.cpusvn)).toBe(bytesToHex(s.pck.cpusvn));
      expect(bytesToHex(ext.fmspc).toUpperCase()).toBe(s.pck.fmspc);
      expect(bytesToHex(ext.pceId)).toBe('0000');
      if (s.pck.ca === 'platform') {
        expect(ext.sgxType).toBe('Scalable');
        expect(ext.platformInstanceId?.length).toBe(16);
        expect(ext.configuration).toEqual({ dynamicPlatform: true, cachedKeys: true, smtEnabled: true });
      } else {
        expect(ext.sgxType).toBe('Standard');
        expect(ext.platformInstanceId).toBeUndefined();
        expect(ext.configuration).toBeUndefined();
      }
    });
  }

  it('SGX extension with high-bit component values', async () => {
    const comps = [255, 128, 127, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 200, 17];
    const s = makeScenario({ pckComponents: comps, pcesvn: 0x8000 });
    const ext = parseSgxExtension(parseCertificate(s.pck.cert));
    expect(ext.tcbComponents).toEqual(comps);
    expect(ext.pcesvn).toBe(0x8000);
  });
});

describe('CRLs through the library parser', () => {
  it('parses entries, numbers and AKI', async () => {
    const pki = createTestPki();
    const crl = mintCrl(pki.platformCa, {
      thisUpdate: 1_767_139_200,
      nextUpdate: 1_769_817_600,
      revokedSerials: ['8d7c9d935d2c87485930bed1c30f05c9b14221b6', '01'],
      reasonCode: 1,
      crlNumber: 5,
    });
    const c = parseCrl(crl.der);
    expect(c.version).toBe(2);
    expect(c.thisUpdate).toBe(1_767_139_200);
    expect(c.nextUpdate).toBe(1_769_817_600);
    expect([...c.revokedSerials]).toEqual(['8d7c9d935d2c87485930bed1c30f05c9b14221b6', '01']);
    expect(c.revoked[0]?.reasonCode).toBe(1);
    expect(c.crlNumber).toBe('5');
    expect(bytesToHex(c.authorityKeyId!)).toBe(bytesToHex(pki.platformCa.keyId));
    expect(c.unknownCriticalExtensions).toEqual([]);
  });
});

describe('collateral through the library parser', () => {
  it('parses both bundle shapes', async () => {
    for (const teeType of ['TDX', 'SGX'] as const) {
      const s = makeScenario({ teeType });
      const a = parseCollateral(s.collateral);
      const b = parseCollateral(s.pcsCollateral);
      for (const c of [a, b]) {
        expect(bytesToHex(c.tcbInfo.signature)).toBe(s.signedTcbInfo.signatureHex);
        expect(bytesToHex(c.qeIdentity.signature)).toBe(s.signedQeIdentity.signatureHex);
        expect(c.tcbInfo.chain.length).toBe(2);
        expect(c.pckCrlChain.length).toBe(2);
      }
    }
  });
});

describe('end to end through verifyQuote', () => {
  const verify = async (s: ReturnType<typeof makeScenario>) => {
    return verifyQuote(s.quote, s.collateral, { at: s.at, rootPublicKey: s.rootPublicKey });
  };

  it('default scenarios are UpToDate with no advisories', async () => {
    for (const opts of [{}, { teeType: 'SGX' }, { quoteVersion: 5, bodyType: 3 }] as const) {
      const r = await verify(makeScenario(opts as Parameters<typeof makeScenario>[0]));
      expect(r.status).toBe('UpToDate');
      expect(r.advisoryIds).toEqual([]);
    }
  });

  it('a revoked PCK is rejected', async () => {
    await expect(verify(makeScenario({ revokePck: true }))).rejects.toMatchObject({ code: 'CrlRevoked' });
  });
});
