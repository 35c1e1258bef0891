/**
 * Real vectors end to end: every bundled sample verifies to the result its
 * MANIFEST (or the acceptance list, from Intel's rules) gives, with
 * both crypto backends; the go-tdx-guest byte-mutation cases fail with the
 * right code.
 */
import { describe, expect, it } from 'vitest';
import { verifyQuote } from '../../src/verify/verify-quote.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { webCryptoBackend } from '../../src/crypto/webcrypto.js';
import { bin, json, rejectsWith, rootKeyFromPem, samples, V } from './vector-helpers.js';

const backends = { noble: nobleBackend(), webcrypto: webCryptoBackend() };

describe('bundled samples (vectors/samples.json)', () => {
  for (const [backendName, crypto] of Object.entries(backends)) {
    for (const s of samples) {
      it(`${s.name} [${backendName}]`, async () => {
        const run = verifyQuote(bin(`vectors/${s.quote}`), json(`vectors/${s.collateral}`), {
          at: s.at,
          crypto,
          ...(s.trailingBytes ? { trailingBytes: s.trailingBytes } : {}),
          ...(s.root ? { rootPublicKey: rootKeyFromPem(`vectors/${s.root}`) } : {}),
        });
        if (s.expect.error !== undefined) {
          await rejectsWith(run, s.expect.error);
        } else {
          const v = await run;
          expect(v.status).toBe(s.expect.status);
          expect(v.advisoryIds).toEqual(s.expect.advisoryIds);
        }
      });
    }
  }
});

describe('dcap-qvl vectors: claims match the MANIFEST', () => {
  it('sgx_quote: platform/QE statuses, PCK facts, enclave fields', async () => {
    const v = await verifyQuote(bin(`${V}dcap-qvl/sgx_quote`), json(`${V}dcap-qvl/sgx_quote_collateral.json`), {
      at: 1752919277,
    });
    expect(v.teeType).toBe('SGX');
    expect(v.quoteVersion).toBe(3);
    expect(v.platformStatus).toBe('ConfigurationAndSWHardeningNeeded');
    expect(v.qeStatus).toBe('UpToDate');
    expect(v.fmspc).toBe('00a067110000');
    expect(v.pck.ppid).toBe('d04ec06d4e6d92dc90d0ad3cf5ee2ddf');
    expect(v.pck.pcesvn).toBe(13);
    expect(v.pck.tcbComponents.slice(0, 6)).toEqual([11, 11, 2, 2, 255, 1]);
    expect(v.pck.ca).toBe('processor');
    expect(v.qe.isvSvn).toBe(10);
    if (v.report.kind !== 'sgx') throw new Error('expected an SGX report');
    expect(v.report.mrEnclave.startsWith('33d8736d')).toBe(true);
    expect(v.report.mrEnclave.endsWith('452fbb')).toBe(true);
    expect(v.report.mrSigner.startsWith('815f42f1')).toBe(true);
    expect(new TextDecoder().decode(Buffer.from(v.report.reportData, 'hex').subarray(0, 13))).toBe('Hello, world!');
    expect(v.report.debug).toBe(false);
  });

  it('tdx_quote: MRTD, TDX module TDX_01, SEPT_VE_DISABLE, PCK facts', async () => {
    const v = await verifyQuote(bin(`${V}dcap-qvl/tdx_quote`), json(`${V}dcap-qvl/tdx_quote_collateral.json`), {
      at: 1752919234,
    });
    if (v.report.kind === 'sgx') throw new Error('expected a TD report');
    expect(v.report.mrTd).toBe(
      '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7',
    );
    expect(v.report.tdAttributes).toBe('0000001000000000');
    expect(v.report.septVeDisable).toBe(true);
    expect(v.report.debug).toBe(false);
    expect(v.report.xfam).toBe('e702060000000000');
    expect(v.report.teeTcbSvn.startsWith('060103')).toBe(true);
    expect(v.moduleIdentity).toBe('TDX_01');
    expect(v.moduleStatus).toBe('UpToDate');
    expect(v.qe.isvSvn).toBe(6);
    expect(v.pck.ppid).toBe('811dca2a26b952e85bb6448b097ba4fd');
    expect(v.pck.pcesvn).toBe(11);
    expect(v.pck.ca).toBe('platform');
    expect(v.fmspc).toBe('b0c06f000000');
  });

  it('tdx_quote: at the TCB Info nextUpdate − 1 the PCK CRL has already expired (MANIFEST pitfall)', async () => {
    await rejectsWith(
      verifyQuote(bin(`${V}dcap-qvl/tdx_quote`), json(`${V}dcap-qvl/tdx_quote_collateral.json`), { at: 1752920162 }),
      'CrlExpired',
    );
  });

  it('tdx_quote: a day before the window the PCK CRL (thisUpdate 2025-06-19T10:00:35Z) is not yet valid', async () => {
    await rejectsWith(
      verifyQuote(bin(`${V}dcap-qvl/tdx_quote`), json(`${V}dcap-qvl/tdx_quote_collateral.json`), { at: 1750329147 - 86400 }),
      'CrlExpired',
    );
  });

  it('tdx_quote: a minute before the QE Identity issueDate (the window start) → CollateralExpired', async () => {
    const e = await rejectsWith(
      verifyQuote(bin(`${V}dcap-qvl/tdx_quote`), json(`${V}dcap-qvl/tdx_quote_collateral.json`), { at: 1750329147 - 60 }),
      'CollateralExpired',
    );
    expect(e.evidence?.check).toBe('qeIdentity.validity');
    expect(e.evidence?.field).toBe('issueDate');
  });

  it('tdx_quote with the zero padding rejected strictly (trailingBytes: reject) → QuoteParse', async () => {
    await rejectsWith(
      verifyQuote(bin(`${V}dcap-qvl/tdx_quote`), json(`${V}dcap-qvl/tdx_quote_collateral.json`), {
        at: 1752919234,
        trailingBytes: 'reject',
      }),
      'QuoteParse',
    );
  });

  it('SPR E4 without the trailing-bytes relaxation → QuoteParse (39 non-zero test bytes)', async () => {
    await rejectsWith(
      verifyQuote(bin(`${V}go-tdx-guest/testing/testdata/tdx_prod_quote_SPR_E4.dat`), json(`${V}bundles/go-tdx-guest-spr-e4.json`), {
        at: '2023-06-20T00:00:00Z',
      }),
      'QuoteParse',
    );
  });

  it('the tdx_quote with the SGX collateral → PckChain (its PCK CRL is the Processor CA\'s)', async () => {
    await rejectsWith(
      verifyQuote(bin(`${V}dcap-qvl/tdx_quote`), json(`${V}dcap-qvl/sgx_quote_collateral.json`), { at: 1752919234 }),
      // The SGX collateral's PCK CRL is the Processor CA's; the TDX quote's leaf is Platform-CA issued.
      'PckChain',
    );
  });
});

/**
 * go-tdx-guest verify_test.go TestNegativeVerification: one byte of the SPR E4
 * quote changed at a time. Our verifier runs the full pipeline with the
 * go-tdx-guest collateral, so each case must fail at the step that the
 * changed byte belongs to.
 */
describe('go-tdx-guest byte-mutation cases (TestNegativeVerification)', () => {
  const base = bin(`${V}go-tdx-guest/testing/testdata/tdx_prod_quote_SPR_E4.dat`);
  const collateral = json(`${V}bundles/go-tdx-guest-spr-e4.json`);
  const cases: [string, number, number, string][] = [
    ['version byte changed (v3 is SGX only)', 0x00, 3, 'QuoteUnsupported'],
    ['signature data size byte changed', 0x278, 0x10, 'QuoteParse'],
    ['certificate chain byte changed (PEM armour)', 0x1343, 0x32, 'PemParse'],
    ['root certificate byte changed', 0x1329, 0x32, 'PckChain'],
    ['intermediate certificate byte changed', 0xf5f, 0x32, 'PckChain'],
    ['PCK certificate byte changed', 0xb77, 0x32, 'PckChain'],
    ['header byte changed', 0x1e, 0x32, 'QuoteSignature'],
    ['TD quote body byte changed', 0x3c, 0x32, 'QuoteSignature'],
  ];
  for (const [name, index, value, code] of cases) {
    it(`${name} → ${code}`, async () => {
      const q = Uint8Array.from(base);
      q[index] = value;
      await rejectsWith(verifyQuote(q, collateral, { at: '2023-07-01T01:00:00Z', trailingBytes: 'any' }), code);
    });
  }
  it('the unmutated quote gets past every authenticity check to TcbNotSupported', async () => {
    const e = await rejectsWith(
      verifyQuote(base, collateral, { at: '2023-07-01T01:00:00Z', trailingBytes: 'any' }),
      'TcbNotSupported',
    );
    expect(e.evidence?.check).toBe('tcb.sgxLevel');
  });
});
