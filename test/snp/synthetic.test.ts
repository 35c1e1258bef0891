/**
 * verifySnpAttestation against a synthetic AMD-like PKI (pki.ts): the cases
 * no public vector covers (Turin / FMC layout, v5, Genoa, CRLs, every
 * mismatch and chain rule), with both crypto backends.
 */
import { describe, expect, it } from 'vitest';
import { KeyUsageBit, extension, keyUsageExt } from '../../src/encode/x509.js';
import { integer } from '../../src/encode/der.js';
import { jsSnpBackend, webCryptoSnpBackend } from '../../src/snp/crypto.js';
import { parseCertificateAnyAlg } from '../../src/x509/certificate.js';
import { verifySnpCaChain } from '../../src/snp/chain.js';
import { verifySnpAttestation, type SnpEndorsements, type VerifySnpOptions } from '../../src/snp/verify.js';
import { toHex } from '../../src/lib/bytes.js';
import { T0, T_END, amdName, buildCert, caExtensions, makeCa, makeCrl, makeLeaf, signReport, reportBytes, signedReport, spkiOf } from './pki.js';
import { expectCodeAsync } from './helpers.js';
import { createPublicKey } from 'node:crypto';

const AT = T0 + 86400;
const milan = makeCa('Milan');
const genoa = makeCa('Genoa');
const turin = makeCa('Turin');
const chain = (ca: typeof milan, vlek = false): Uint8Array[] => [vlek ? ca.asvk : ca.ask, ca.ark];
const opts = (ca: typeof milan, extra: Partial<VerifySnpOptions> = {}): VerifySnpOptions => ({ at: AT, arkPins: ca.arkPins, ...extra });

describe.each([
  ['webcrypto', webCryptoSnpBackend()],
  ['js', jsSnpBackend()],
])('synthetic PKI (%s backend)', (_n, crypto) => {
  it('Turin v5: FMC-layout TCB, 8-byte hwID, mitigation vectors', async () => {
    const leaf = makeLeaf(turin);
    const report = signedReport(leaf, { version: 5, product: 'Turin', launchMit: 0x3n, currentMit: 0xbn });
    const v = await verifySnpAttestation(report, { vcek: leaf.der, certChain: chain(turin) }, opts(turin, { crypto }));
    expect(v.product).toBe('Turin');
    expect(v.reportedTcb).toMatchObject({ fmc: 1, bootloader: 4, tee: 0, snp: 25, microcode: 9 });
    expect(v.launchMitVector).toBe('0000000000000003');
    expect(v.chipIdCheck).toBe('matched');
  });

  it('Genoa v3 signed by a VLEK through the ASVK', async () => {
    const leaf = makeLeaf(genoa, { keyType: 'VLEK' });
    const report = signedReport(leaf, { version: 3, product: 'Genoa', signingKey: 1, chipId: new Uint8Array(64) });
    const v = await verifySnpAttestation(report, { vlek: leaf.der, certChain: chain(genoa, true) }, opts(genoa, { crypto }));
    expect(v.signingKey).toBe('VLEK');
    expect(v.endorsement.extensions.cspId).toBe('CN=csp.example');
  });

  it('Milan v2, and a high-S signature is accepted (AMD does not normalise S)', async () => {
    const leaf = makeLeaf(milan);
    const report = signedReport(leaf, { version: 2 });
    await verifySnpAttestation(report, { vcek: leaf.der, certChain: chain(milan) }, opts(milan, { crypto }));
    const n = BigInt('0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973');
    const le = (o: number): bigint => BigInt('0x' + toHex(report.subarray(o, o + 48).slice().reverse()));
    const s2 = n - le(0x2e8);
    const high = report.slice();
    const sBytes = Uint8Array.from(Buffer.from(s2.toString(16).padStart(96, '0'), 'hex')).reverse();
    high.set(sBytes, 0x2e8);
    await verifySnpAttestation(high, { vcek: leaf.der, certChain: chain(milan) }, opts(milan, { crypto }));
  });

  it('a tampered report is SnpReportSignature', async () => {
    const leaf = makeLeaf(milan);
    const report = signedReport(leaf);
    report[0x90] = report[0x90]! ^ 1;
    await expectCodeAsync(() => verifySnpAttestation(report, { vcek: leaf.der, certChain: chain(milan) }, opts(milan, { crypto })), 'SnpReportSignature');
  });

  it('CRL: current, not revoking the ASK → checked; revoked / expired / wrong signer → refused', async () => {
    const leaf = makeLeaf(milan);
    const report = signedReport(leaf);
    const e: SnpEndorsements = { vcek: leaf.der, certChain: chain(milan) };
    const v = await verifySnpAttestation(report, { ...e, crl: makeCrl(milan, { nextUpdate: AT + 3600, revoked: [7] }) }, opts(milan, { crypto }));
    expect(v.crlChecked).toBe(true);
    expect(v.expiresAt).toBe(AT + 3600);
    expect(v.checks).toContain('snp.crl');
    await expectCodeAsync(() => verifySnpAttestation(report, { ...e, crl: makeCrl(milan, { revoked: [0x10001] }) }, opts(milan, { crypto })), 'CrlRevoked');
    await expectCodeAsync(() => verifySnpAttestation(report, { ...e, crl: makeCrl(milan, { nextUpdate: AT - 1 }) }, opts(milan, { crypto })), 'CrlExpired');
    await expectCodeAsync(() => verifySnpAttestation(report, { ...e, crl: makeCrl(milan, { thisUpdate: AT + 1 }) }, opts(milan, { crypto })), 'CrlExpired');
    await expectCodeAsync(() => verifySnpAttestation(report, { ...e, crl: makeCrl(milan, { nextUpdate: null }) }, opts(milan, { crypto })), 'CrlExpired');
    await expectCodeAsync(() => verifySnpAttestation(report, { ...e, crl: makeCrl(milan, { signer: milan.askKey }) }, opts(milan, { crypto })), 'CrlSignature');
    await expectCodeAsync(() => verifySnpAttestation(report, { ...e, crl: makeCrl(milan, { issuerCn: 'SEV-Milan' }) }, opts(milan, { crypto })), 'CrlSignature');
    await expectCodeAsync(() => verifySnpAttestation(report, { ...e, crl: makeCrl(milan, { criticalExtension: true }) }, opts(milan, { crypto })), 'CrlParse');
  });
});

describe('synthetic PKI: mismatches and chain rules', () => {
  const leaf = makeLeaf(milan);
  const good = signedReport(leaf);
  const e: SnpEndorsements = { vcek: leaf.der, certChain: chain(milan) };

  it('the default pins refuse the synthetic ARK (UntrustedRoot)', async () => {
    await expectCodeAsync(() => verifySnpAttestation(good, e, { at: AT }), 'UntrustedRoot');
  });

  it('REPORTED_TCB ≠ VCEK SPLs → SnpTcbMismatch (Milan ucode; Turin FMC only)', async () => {
    const r = signedReport(leaf, { tcb: { bootloader: 3, tee: 0, snp: 8, microcode: 116 } });
    const err = await expectCodeAsync(() => verifySnpAttestation(r, e, opts(milan)), 'SnpTcbMismatch');
    expect(err.evidence).toMatchObject({ expected: 'bl=3 tee=0 snp=8 ucode=115', found: 'bl=3 tee=0 snp=8 ucode=116' });
    const tl = makeLeaf(turin);
    const tr = signedReport(tl, { version: 5, product: 'Turin', tcb: { fmc: 2, bootloader: 4, tee: 0, snp: 25, microcode: 9 } });
    const te = await expectCodeAsync(() => verifySnpAttestation(tr, { vcek: tl.der, certChain: chain(turin) }, opts(turin)), 'SnpTcbMismatch');
    expect(te.message).toContain('fmc');
  });

  it('CHIP_ID ≠ hwID → SnpChipIdMismatch; a masked CHIP_ID is reported as masked', async () => {
    const chip = new Uint8Array(64).fill(9);
    await expectCodeAsync(() => verifySnpAttestation(signedReport(leaf, { chipId: chip }), e, opts(milan)), 'SnpChipIdMismatch');
    const masked = await verifySnpAttestation(signedReport(leaf, { maskChipKey: true }), e, opts(milan));
    expect(masked.chipIdCheck).toBe('masked');
    await expectCodeAsync(() => verifySnpAttestation(signedReport(leaf, { maskChipKey: true, chipId: chip }), e, opts(milan)), 'SnpChipIdMismatch');
  });

  it('a v2 report is decoded with the Milan / Genoa layout unless the product is named (Turin)', async () => {
    const tl = makeLeaf(turin);
    const r = signedReport(tl, { version: 2, product: 'Turin' });
    await expectCodeAsync(() => verifySnpAttestation(r, { vcek: tl.der, certChain: chain(turin) }, opts(turin)), 'SnpReportParse');
    const v = await verifySnpAttestation(r, { vcek: tl.der, certChain: chain(turin) }, opts(turin, { product: 'Turin' }));
    expect(v.reportedTcb.fmc).toBe(1);
    // A Genoa v2 report parsed without a product is re-decoded with the VCEK's product.
    const gl = makeLeaf(genoa);
    const g = await verifySnpAttestation(signedReport(gl, { version: 2, product: 'Genoa' }), { vcek: gl.der, certChain: chain(genoa) }, opts(genoa));
    expect(g.report.product).toBe('Genoa');
  });

  it('hwID wrapped in an OCTET STRING is accepted', async () => {
    const w = makeLeaf(milan, { hwIdWrapped: true });
    const v = await verifySnpAttestation(signedReport(w), { vcek: w.der, certChain: chain(milan) }, opts(milan));
    expect(v.endorsement.extensions.hwIdEncoding).toBe('octet-string');
  });

  it('CPUID Genoa with a Milan VCEK → SnpProductMismatch', async () => {
    await expectCodeAsync(() => verifySnpAttestation(signedReport(leaf, { product: 'Genoa', tcb: { bootloader: 3, tee: 0, snp: 8, microcode: 115 } }), e, opts(milan)), 'SnpProductMismatch');
  });

  it('unsigned report (SIGNING_KEY 7) and a VLEK certificate given as the VCEK → SnpSigningKeyMismatch', async () => {
    await expectCodeAsync(() => verifySnpAttestation(signedReport(leaf, { signingKey: 7 }), e, opts(milan)), 'SnpSigningKeyMismatch');
    const vlek = makeLeaf(milan, { keyType: 'VLEK' });
    await expectCodeAsync(() => verifySnpAttestation(good, { vcek: vlek.der, certChain: chain(milan, true) }, opts(milan)), 'SnpSigningKeyMismatch');
  });

  it('extension errors are SnpExtensionParse (or SnpReportUnsupported for an unknown product)', async () => {
    const cases = [
      makeLeaf(milan, { omit: ['1.3.6.1.4.1.3704.1.3.1'] }),
      makeLeaf(milan, { omit: ['1.3.6.1.4.1.3704.1.2'] }),
      makeLeaf(milan, { omit: ['1.3.6.1.4.1.3704.1.4'] }),
      makeLeaf(milan, { hwId: new Uint8Array(63) }),
      makeLeaf(milan, { extra: [extension('1.3.6.1.4.1.3704.1.3.9', false, integer(0))] }),
      makeLeaf(milan, { extra: [extension('1.3.6.1.4.1.3704.1.3.6', false, integer(256))] }),
      makeLeaf(turin, { omit: ['1.3.6.1.4.1.3704.1.3.9'] }),
    ];
    for (const [i, l] of cases.entries()) {
      const ca = i === cases.length - 1 ? turin : milan;
      const r = signedReport(l, ca === turin ? { version: 5, product: 'Turin' } : {});
      const err = await expectCodeAsync(() => verifySnpAttestation(r, { vcek: l.der, certChain: chain(ca) }, opts(ca)), 'SnpExtensionParse');
      expect(err.evidence?.field).toMatch(/^1\.3\.6\.1\.4\.1\.3704\.1\./);
    }
    const venice = makeLeaf(milan, { productName: 'Venice' });
    await expectCodeAsync(() => verifySnpAttestation(signedReport(venice), { vcek: venice.der, certChain: chain(milan) }, opts(milan)), 'SnpReportUnsupported');
  });

  it('chain rules: wrong ARK / ASK names, signatures, CA flags, critical extensions, validity', async () => {
    const at = opts(milan);
    // ASK that is not a CA.
    const noCa = makeCa('Milan', { askExtensions: [keyUsageExt([KeyUsageBit.keyCertSign])] });
    const l1 = makeLeaf(noCa);
    await expectCodeAsync(() => verifySnpAttestation(signedReport(l1), { vcek: l1.der, certChain: chain(noCa) }, at), 'CertificateInvalid');
    // ARK with a pathLen of 0 above the ASK.
    const pl = makeCa('Milan', { arkExtensions: caExtensions(0) });
    const l2 = makeLeaf(pl);
    const ple = await expectCodeAsync(() => verifySnpAttestation(signedReport(l2), { vcek: l2.der, certChain: chain(pl) }, at), 'CertificateInvalid');
    expect(ple.evidence?.check).toBe('snp.chain.pathLen');
    // An unknown critical extension on the VCEK.
    const crit = makeLeaf(milan, { extra: [extension('1.2.3.4', true, integer(1))] });
    await expectCodeAsync(() => verifySnpAttestation(signedReport(crit), { vcek: crit.der, certChain: chain(milan) }, at), 'CertificateInvalid');
    // Expired VCEK.
    const old = makeLeaf(milan, { notAfter: AT - 10 });
    await expectCodeAsync(() => verifySnpAttestation(signedReport(old), { vcek: old.der, certChain: chain(milan) }, at), 'CertificateExpired');
    // Not yet valid.
    await expectCodeAsync(() => verifySnpAttestation(good, e, { ...at, at: T0 - 1 }), 'CertificateExpired');
    await expectCodeAsync(() => verifySnpAttestation(good, e, { ...at, at: T_END + 1 }), 'CertificateExpired');
    // ASK named for another role.
    const badName = makeCa('Milan', { askCn: 'SEV-Genoa' });
    const l3 = makeLeaf(badName);
    // (the VCEK names SEV-Milan as its issuer, so the names do not chain)
    expect((await expectCodeAsync(() => verifySnpAttestation(signedReport(l3), { vcek: l3.der, certChain: chain(badName) }, at), 'SnpCertChain')).evidence?.check).toBe('snp.chain.issuer');
    // the CA chain alone: an ASK of another product is SnpProductMismatch
    await expectCodeAsync(
      () => verifySnpCaChain({ product: 'Milan', keyType: 'VCEK', intermediate: parseCertificateAnyAlg(badName.ask), ark: parseCertificateAnyAlg(badName.ark) }, { at: AT, crypto: webCryptoSnpBackend(), arkPins: badName.arkPins }),
      'SnpProductMismatch',
    );
    // A VCEK whose subject is not SEV-VCEK.
    const odd = makeLeaf(milan, { subjectCn: 'Something' });
    await expectCodeAsync(() => verifySnpAttestation(signedReport(odd), { vcek: odd.der, certChain: chain(milan) }, at), 'SnpCertChain');
    // ASK signed by the ASK key itself (not by the ARK).
    const selfAsk = buildCert({
      serial: 0x10001,
      issuer: amdName('ARK-Milan'),
      subject: amdName('SEV-Milan'),
      spki: spkiOf(createPublicKey(milan.askKey)),
      extensions: caExtensions(0),
      signer: milan.askKey,
    });
    const se = await expectCodeAsync(() => verifySnpAttestation(good, { vcek: leaf.der, certChain: [selfAsk, milan.ark] }, at), 'SnpCertChain');
    expect(se.evidence).toMatchObject({ check: 'snp.chain.signature', field: 'intermediate' });
    // Two ARKs in the chain input.
    await expectCodeAsync(() => verifySnpAttestation(good, { vcek: leaf.der, certChain: [milan.ark, milan.ark] }, at), 'SnpCertChain');
    // The synthetic VCEK with the real (built-in) ASK: names do not chain.
    await expectCodeAsync(() => verifySnpAttestation(good, { vcek: leaf.der }, at), 'SnpCertChain');
  });

  it('reports signed by a different key are SnpReportSignature', async () => {
    const other = makeLeaf(genoa);
    await expectCodeAsync(() => verifySnpAttestation(signReport(reportBytes(), other.key), e, opts(milan)), 'SnpReportSignature');
  });

  it('certificate inputs: PEM text, hex text and DER arrays are accepted; junk is CertificateParse', async () => {
    const pem = (der: Uint8Array): string => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;
    await verifySnpAttestation(good, { vcek: pem(leaf.der), certChain: pem(milan.ask) + pem(milan.ark) }, opts(milan));
    await verifySnpAttestation(good, { vcek: toHex(leaf.der), certChain: [milan.ark, milan.ask] }, opts(milan));
    await verifySnpAttestation(good, { ...e, crl: toHex(makeCrl(milan)) }, opts(milan));
    await verifySnpAttestation(good, { ...e, crl: `-----BEGIN X509 CRL-----\n${Buffer.from(makeCrl(milan)).toString('base64')}\n-----END X509 CRL-----\n` }, opts(milan));
    await expectCodeAsync(() => verifySnpAttestation(good, { vcek: 'not a certificate' }, opts(milan)), 'CertificateParse');
    await expectCodeAsync(() => verifySnpAttestation(good, { ...e, crl: 'zz' }, opts(milan)), 'CrlParse');
  });
});
