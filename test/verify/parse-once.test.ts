/**
 * Issue #15 (cold and new-leaf cost): certificates are parsed once per
 * verification (Intel's root and CA recur in the quote's chain and in three
 * collateral chains), and a long-lived verifier keeps per-machine state out
 * of its shared memos: a fleet of distinct PCK leaves neither fills the
 * certificate memo (only CA certificates are kept) nor the signature memo (a
 * leaf's own signatures are remembered as verified facts, not as signatures).
 * Results are unchanged: every quote verifies with its expected status.
 */
import { describe, expect, it } from 'vitest';
import { parseChain, parseCollateral } from '../../src/collateral/parse.js';
import { parseQuote } from '../../src/quote/parse.js';
import { VerificationCache } from '../../src/verify/cache.js';
import { verifyQuote } from '../../src/verify/verify-quote.js';
import { buildQuote, makeScenario, mintPckCert } from '../../src/testing/index.js';
import { nobleBackend } from '../../src/crypto/noble.js';

const base = makeScenario();

function leafQuote(i: number): Uint8Array {
  const p = base.pck;
  const pck = mintPckCert(base.pki, {
    fmspc: p.fmspc, pceId: p.pceId, tcbComponents: p.tcbComponents, pcesvn: p.pcesvn, cpusvn: p.cpusvn,
    notBefore: p.notBefore, notAfter: p.notAfter, label: `parse-once leaf ${i}`,
  });
  return buildQuote({ ...base.quoteOptions, pck });
}

describe('certificates parsed once per call', () => {
  it('one parseCollateral shares the root certificate across its chains; two calls share nothing', () => {
    const a = parseCollateral(base.collateral);
    const roots = [a.tcbInfo.chain, a.qeIdentity.chain, a.pckCrlChain].map((c) => c[c.length - 1]!);
    expect(roots[0]!.subjectText).toContain('Root');
    expect(roots[1]).toBe(roots[0]);
    expect(roots[2]).toBe(roots[0]);
    const b = parseCollateral(base.collateral);
    expect(b.tcbInfo.chain.at(-1)).not.toBe(roots[0]);
    expect(b.tcbInfo.chain.at(-1)).toEqual(roots[0]);
  });

  it('a one-shot verification gives the same claims as before (root, CA and leaf parsed from the same bytes)', async () => {
    const q = buildQuote(base.quoteOptions);
    const r = await verifyQuote(q, base.collateral, { at: base.at, rootPublicKey: base.rootPublicKey });
    expect(r.status).toBe('UpToDate');
    const chain = parseChain(parseQuote(q).signatureData.certificationData.pemChain!);
    expect(r.pck.serial).toBe(chain[0]!.serialHex);
    expect(r.pck.ca).toBe(/Processor/.test(chain[1]!.subjectText) ? 'processor' : 'platform');
  });
});

describe('a fleet of new PCK leaves does not fill the shared memos', () => {
  it('the certificate memo keeps only CA certificates; the signature memo does not grow per leaf', async () => {
    const cache = new VerificationCache();
    const crypto = nobleBackend();
    const sizes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await verifyQuote(leafQuote(i), base.collateral, { at: base.at, rootPublicKey: base.rootPublicKey, crypto, cache });
      expect(r.status).toBe('UpToDate');
      sizes.push(cache.signatures.size);
    }
    // root and PCK CA (the TCB Signing certificate and every PCK leaf are not CAs)
    expect(cache.certificates.size).toBe(2);
    // after the first verification (collateral, CRLs, CA chain), no new signature results per leaf
    expect(new Set(sizes.slice(1))).toEqual(new Set([sizes[0]]));
  }, 60_000);

  it('a leaf verified before is still recognised (its facts are kept), and a tampered leaf is still refused', async () => {
    const cache = new VerificationCache();
    const q = leafQuote(100);
    const opts = { at: base.at, rootPublicKey: base.rootPublicKey, cache };
    expect((await verifyQuote(q, base.collateral, opts)).status).toBe('UpToDate');
    expect((await verifyQuote(q, base.collateral, opts)).status).toBe('UpToDate');
    // flip one byte inside the leaf certificate's signature (the PEM text in the certification data)
    const bad = q.slice();
    const text = new TextDecoder().decode(bad);
    const at = text.indexOf('-----END CERTIFICATE-----') - 10;
    bad[at] = bad[at] === 0x41 ? 0x42 : 0x41;
    await expect(verifyQuote(bad, base.collateral, opts)).rejects.toMatchObject({ code: expect.stringMatching(/PckChain|CertificateParse|PemParse/) });
  }, 60_000);
});
