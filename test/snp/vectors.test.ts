/**
 * The real SEV-SNP vectors (vectors/snp/README.md): expected results from
 * ../shared/vectors/snp/MANIFEST.md, at the pinned NOW.
 */
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors.js';
import { assertSnpPolicy, checkSnpPolicy } from '../../src/snp/policy.js';
import { jsSnpBackend, webCryptoSnpBackend } from '../../src/snp/crypto.js';
import { parseSnpReport } from '../../src/snp/report.js';
import { verifySnpAttestation } from '../../src/snp/verify.js';
import { verifySnpChain } from '../../src/snp/chain.js';
import { parseEndorsementExtensions } from '../../src/snp/extensions.js';
import { certificateFromInput, certificatesFromInput } from '../../src/snp/inputs.js';
import { amdArkPins, builtinCaCert } from '../../src/snp/roots.js';
import { toHex } from '../../src/lib/bytes.js';
import { NOW, VLEK_NOW, expectCodeAsync, flip, vec, vecText } from './helpers.js';

const GO = { report: vec('go-sev-guest/attestation.bin'), vcek: vec('go-sev-guest/vcek.testcer'), chain: vec('go-sev-guest/milan.testcer') };
const VIRTEE = { report: vec('virtee-sev/report_milan.bin'), vcek: vec('virtee-sev/vcek_milan.der'), chain: vec('virtee-sev/cert_chain_milan') };
const TRUSTEE = { report: vec('trustee/test-report.bin'), vcek: vec('trustee/test-vcek.der') };
const TRUSTEE_VLEK = { report: vec('trustee/test-vlek-report.bin'), vlek: vec('trustee/test-vlek.der') };

describe.each([
  ['webcrypto', webCryptoSnpBackend()],
  ['js', jsSnpBackend()],
])('real vectors (%s backend)', (_name, crypto) => {
  it('go-sev-guest attestation.bin: verifies; DEBUG set, so the default policy refuses it', async () => {
    const v = await verifySnpAttestation(GO.report, { vcek: GO.vcek, certChain: GO.chain }, { at: NOW, crypto });
    expect(v.product).toBe('Milan');
    expect(v.reportVersion).toBe(2);
    expect(v.signingKey).toBe('VCEK');
    expect(v.policy.raw).toBe('00000000000b0000');
    expect(v.debug).toBe(true);
    expect(v.measurement).toMatch(/^b07af962.*e4872b01$/);
    expect(v.reportData).toBe('0102030405' + '00'.repeat(59));
    expect([v.reportedTcb.bootloader, v.reportedTcb.tee, v.reportedTcb.snp, v.reportedTcb.microcode]).toEqual([2, 0, 5, 68]);
    expect(v.chipIdCheck).toBe('matched');
    expect(v.endorsement.extensions.productName).toBe('Milan-B0');
    const violations = checkSnpPolicy(v);
    expect(violations.map((x) => x.code)).toEqual(['PolicyDebug']);
    expect(() => assertSnpPolicy(v)).toThrow(PolicyError);
    expect(checkSnpPolicy(v, { allowDebug: true })).toEqual([]);
  });

  it('virtee report_milan: verifies and passes the default policy', async () => {
    const v = await verifySnpAttestation(VIRTEE.report, { vcek: VIRTEE.vcek, certChain: VIRTEE.chain }, { at: NOW, crypto });
    expect([v.reportedTcb.bootloader, v.reportedTcb.tee, v.reportedTcb.snp, v.reportedTcb.microcode]).toEqual([3, 0, 8, 115]);
    expect(v.policy.raw).toBe('0000000000030000');
    expect(v.policy.smt).toBe(true);
    expect(v.debug).toBe(false);
    expect(v.measurement).toMatch(/^7a1e5c26.*cd81841f$/);
    expect(v.currentFirmware).toBe(v.committedFirmware);
    expect(checkSnpPolicy(v)).toEqual([]);
  });

  it("virtee's own negatives: report[21]^=0x80 breaks the signature; vcek[40]^=0xff breaks the VCEK", async () => {
    await expectCodeAsync(() => verifySnpAttestation(flip(VIRTEE.report, 21, 0x80), { vcek: VIRTEE.vcek }, { at: NOW, crypto }), 'SnpReportSignature');
    // Byte 40 is inside the RSASSA-PSS hash OID: refused while parsing, before any signature check.
    const p = await expectCodeAsync(() => verifySnpAttestation(VIRTEE.report, { vcek: flip(VIRTEE.vcek, 40, 0xff) }, { at: NOW, crypto }), 'CertificateParse');
    expect(p.evidence?.check).toBe('x509.signatureAlgorithm.pss');
    // A byte inside the hwID value (DER offset 720) keeps the structure: the ASK's signature fails.
    const e = await expectCodeAsync(() => verifySnpAttestation(VIRTEE.report, { vcek: flip(VIRTEE.vcek, 720, 0xff) }, { at: NOW, crypto }), 'SnpCertChain');
    expect(e.evidence?.check).toBe('snp.chain.signature');
    expect(e.evidence?.field).toBe('leaf');
  });

  it('trustee test-report (v2, ABI 0.31, ID key digest) with the built-in ASK / ARK', async () => {
    const v = await verifySnpAttestation(TRUSTEE.report, { vcek: TRUSTEE.vcek }, { at: NOW, crypto });
    expect(v.policy.abiMajor).toBe(0);
    expect(v.policy.abiMinor).toBe(31);
    expect(v.guestSvn).toBe(4);
    expect(v.idKeyDigest.startsWith('0356215882a82527')).toBe(true);
    expect([v.reportedTcb.bootloader, v.reportedTcb.tee, v.reportedTcb.snp, v.reportedTcb.microcode]).toEqual([3, 0, 8, 115]);
    expect(v.currentTcb.microcode).toBe(0xce); // late-loaded microcode: CURRENT_TCB differs from COMMITTED_TCB
    expect(checkSnpPolicy(v)).toEqual([]);
  });

  it('trustee VLEK report (v3, VMPL 1, CHIP_ID zero): verifies inside the VLEK validity, expired at NOW', async () => {
    const v = await verifySnpAttestation(TRUSTEE_VLEK.report, { vlek: TRUSTEE_VLEK.vlek }, { at: VLEK_NOW, crypto });
    expect(v.signingKey).toBe('VLEK');
    expect(v.reportVersion).toBe(3);
    expect(v.cpuid).toEqual({ family: 0x19, model: 0x01, stepping: 0x01 });
    expect(v.vmpl).toBe(1);
    expect(v.chipIdCheck).toBe('not-applicable');
    expect(v.endorsement.extensions.cspId).toBe('CN=cc-us-east-2.amazonaws.com');
    expect([v.reportedTcb.bootloader, v.reportedTcb.tee, v.reportedTcb.snp, v.reportedTcb.microcode]).toEqual([4, 0, 24, 217]);
    expect(checkSnpPolicy(v)).toEqual([]);
    expect(checkSnpPolicy(v, { allowedVmpls: [0] }).map((x) => x.code)).toEqual(['PolicyAttributes']);
    const e = await expectCodeAsync(() => verifySnpAttestation(TRUSTEE_VLEK.report, { vlek: TRUSTEE_VLEK.vlek }, { at: NOW, crypto }), 'CertificateExpired');
    expect(e.evidence?.field).toBe('leaf');
  });
});

describe('vector edge cases', () => {
  it('a VLEK-signed report with only a VCEK supplied is SnpSigningKeyMismatch; nothing supplied is CollateralMissing', async () => {
    await expectCodeAsync(() => verifySnpAttestation(TRUSTEE_VLEK.report, { vcek: TRUSTEE.vcek }, { at: VLEK_NOW }), 'SnpSigningKeyMismatch');
    await expectCodeAsync(() => verifySnpAttestation(TRUSTEE.report, {}, { at: NOW }), 'CollateralMissing');
  });

  it("another chip's VCEK: the signature fails first", async () => {
    await expectCodeAsync(() => verifySnpAttestation(GO.report, { vcek: VIRTEE.vcek }, { at: NOW }), 'SnpReportSignature');
  });

  it('the trustee synthetic VCEKs (hwID 00..3f, raw and OCTET STRING wrapped) parse, and fail the chain', async () => {
    for (const [file, enc] of [['trustee/test-vcek-invalid-legacy.der', 'raw'], ['trustee/test-vcek-invalid-new.der', 'octet-string']] as const) {
      const cert = certificateFromInput(vec(file), 'vcek');
      const ext = parseEndorsementExtensions(cert);
      expect(ext.hwIdEncoding).toBe(enc);
      expect(toHex(ext.hwId!)).toBe(Array.from({ length: 64 }, (_, i) => i.toString(16).padStart(2, '0')).join(''));
      const e = await expectCodeAsync(() => verifySnpAttestation(TRUSTEE.report, { vcek: vec(file) }, { at: NOW }), 'SnpCertChain');
      expect(e.evidence?.check).toBe('snp.chain.signature');
    }
  });

  it('virtee Turin VCEK: FMC SPL, 8-byte hwID, no spl_4; chains to ARK-Turin through cert_chain_turin', async () => {
    const vcek = certificateFromInput(vec('virtee-sev/vcek_turin.der'), 'vcek');
    const ext = parseEndorsementExtensions(vcek);
    expect(ext).toMatchObject({ product: 'Turin', productName: 'Turin', structVersion: 1, fmc: 0, bootloader: 0, tee: 0, snp: 0, microcode: 9 });
    expect(toHex(ext.hwId!)).toBe('1e550a8ee5cf9f4d');
    const [ask, ark] = certificatesFromInput(vecText('virtee-sev/cert_chain_turin'), 'certChain');
    const r = await verifySnpChain({ product: 'Turin', keyType: 'VCEK', leaf: vcek, intermediate: ask!, ark: ark! }, { at: NOW, crypto: webCryptoSnpBackend(), arkPins: amdArkPins() });
    expect(r.expiresAt).toBe(vcek.notAfter);
    // Presented as Genoa, the Turin ARK is refused.
    await expectCodeAsync(
      () => verifySnpChain({ product: 'Genoa', keyType: 'VCEK', leaf: vcek, intermediate: ask!, ark: ark! }, { at: NOW, crypto: webCryptoSnpBackend(), arkPins: amdArkPins() }),
      'SnpProductMismatch',
    );
  });

  it('the built-in CA certificates are the vendored KDS cert_chain / virtee builtin ones', () => {
    for (const p of ['milan', 'genoa', 'turin'] as const) {
      const P = (p[0]!.toUpperCase() + p.slice(1)) as 'Milan' | 'Genoa' | 'Turin';
      const [ark] = certificatesFromInput(vecText(`virtee-sev/builtin/${p}_ark.pem`), 'ark');
      const [ask] = certificatesFromInput(vecText(`virtee-sev/builtin/${p}_ask.pem`), 'ask');
      const trustee = certificatesFromInput(vecText(`trustee/${p}_ask_ark_asvk.pem`), 'chain');
      expect(toHex(builtinCaCert(P, 'ark').der)).toBe(toHex(ark!.der));
      expect(toHex(builtinCaCert(P, 'ask').der)).toBe(toHex(ask!.der));
      expect(toHex(builtinCaCert(P, 'asvk').der)).toBe(toHex(trustee[2]!.der));
    }
  });

  it('go-sev-guest milanvlek.testcer is the Milan ASVK + ARK', () => {
    const certs = certificatesFromInput(vec('go-sev-guest/milanvlek.testcer'), 'chain');
    expect(certs.map((c) => toHex(c.der))).toEqual([toHex(builtinCaCert('Milan', 'asvk').der), toHex(builtinCaCert('Milan', 'ark').der)]);
  });

  it('the v2 reports parse with the Milan / Genoa TCB layout', () => {
    const r = parseSnpReport(GO.report);
    expect(r.tcbLayout).toBe('zen3zen4');
    expect(r.product).toBeUndefined();
    expect(r.cpuid).toBeUndefined();
    expect(r.launchMitVector).toBeUndefined();
  });

  it('unknown pins: the real ARK is an UntrustedRoot', async () => {
    const e = await expectCodeAsync(() => verifySnpAttestation(VIRTEE.report, { vcek: VIRTEE.vcek }, { at: NOW, arkPins: { Milan: ['00'.repeat(32)] } }), 'UntrustedRoot');
    expect(e.evidence?.found).toBe('9f056bee44377e29308cb5ffa895bdfb62d18881fa6bed8d6f075b0204089cb9');
  });

  it('expected product: a Milan report checked as Genoa is SnpProductMismatch', async () => {
    await expectCodeAsync(() => verifySnpAttestation(VIRTEE.report, { vcek: VIRTEE.vcek }, { at: NOW, product: 'Genoa' }), 'SnpProductMismatch');
  });

  it('requireCrl without a CRL is CollateralMissing; a bad `at` is InvalidArgument', async () => {
    await expectCodeAsync(() => verifySnpAttestation(VIRTEE.report, { vcek: VIRTEE.vcek }, { at: NOW, requireCrl: true }), 'CollateralMissing');
    await expectCodeAsync(() => verifySnpAttestation(VIRTEE.report, { vcek: VIRTEE.vcek }, { at: Number.NaN }), 'InvalidArgument');
  });
});
