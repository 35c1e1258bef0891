/** parseSnpReport: layout per version, every must-be-zero field, bounded and coded failures. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttestationError } from '../../src/errors.js';
import { parseSnpReport } from '../../src/snp/report.js';
import { decodeTcb, encodeTcb } from '../../src/snp/tcb.js';
import { productFromCpuid, productFromName } from '../../src/snp/product.js';
import { fill, reportBytes } from './pki.js';
import { expectCode, vec } from './helpers.js';

function withByte(b: Uint8Array, off: number, v: number): Uint8Array {
  const out = b.slice();
  out[off] = v;
  return out;
}

describe('parseSnpReport', () => {
  it('v3 (Genoa): CPUID, product and layout', () => {
    const r = parseSnpReport(reportBytes({ version: 3, product: 'Genoa' }));
    expect(r.cpuid).toEqual({ family: 0x19, model: 0x11, stepping: 1 });
    expect(r.product).toBe('Genoa');
    expect(r.tcbLayout).toBe('zen3zen4');
    expect(r.launchMitVector).toBeUndefined();
  });

  it('v5 (Turin): FMC layout and the mitigation vectors', () => {
    const r = parseSnpReport(reportBytes({ version: 5, product: 'Turin', launchMit: 0x1234n, currentMit: 0xbn }));
    expect(r.product).toBe('Turin');
    expect(r.tcbLayout).toBe('zen5');
    expect(r.reportedTcb).toMatchObject({ fmc: 1, bootloader: 4, tee: 0, snp: 25, microcode: 9 });
    expect(r.launchMitVector).toBe('0000000000001234');
    expect(r.currentMitVector).toBe('000000000000000b');
  });

  it('decodes the guest policy, platform info and signer info', () => {
    const r = parseSnpReport(reportBytes({ policy: 0x3ffff1fn, platformInfo: 0x3fn | (1n << 7n), signingKey: 1, maskChipKey: true, authorKeyEn: true }));
    expect(r.policy).toMatchObject({ abiMajor: 0xff, abiMinor: 0x1f, smt: true, migrateMa: true, debug: true, singleSocket: true, cxlAllow: true, memAes256Xts: true, raplDis: true, ciphertextHiding: true, pageSwapDisable: true });
    expect(r.platformInfo).toMatchObject({ smtEnabled: true, tsmeEnabled: true, eccEnabled: true, raplDisabled: true, ciphertextHidingEnabled: true, aliasCheckComplete: true, otherBits: '80' });
    expect(r.signerInfo).toEqual({ authorKeyEn: true, maskChipKey: true, signingKey: 'VLEK' });
  });

  it('signature R / S: little-endian 72-byte fields to big-endian 48-byte scalars', () => {
    const b = reportBytes();
    b[0x2a0] = 0xaa; // least significant byte of R
    b[0x2a0 + 47] = 0xbb; // most significant byte of R
    b[0x2e8] = 0xcc;
    const r = parseSnpReport(b);
    expect(r.signatureR[47]).toBe(0xaa);
    expect(r.signatureR[0]).toBe(0xbb);
    expect(r.signatureS[47]).toBe(0xcc);
  });

  it('refuses every size but 1184', () => {
    for (const n of [0, 793, 1183, 1185, 4096]) {
      const e = expectCode(() => parseSnpReport(new Uint8Array(n)), 'SnpReportParse');
      expect(e.evidence?.check).toBe('snp.report.length');
    }
    expectCode(() => parseSnpReport('x' as unknown as Uint8Array), 'InvalidArgument');
  });

  it('refuses versions other than 2, 3, 5, and signature algorithms other than 1', () => {
    for (const v of [0, 1, 4, 6, 0xffffffff]) {
      const b = reportBytes();
      new DataView(b.buffer).setUint32(0, v, true);
      expect(expectCode(() => parseSnpReport(b), 'SnpReportUnsupported').evidence?.field).toBe('VERSION');
    }
    for (const a of [0, 2]) {
      const b = reportBytes();
      new DataView(b.buffer).setUint32(0x34, a, true);
      expect(expectCode(() => parseSnpReport(b), 'SnpReportUnsupported').evidence?.field).toBe('SIGNATURE_ALGO');
    }
  });

  const reserved: [string, number, 2 | 3 | 5][] = [
    ['0x04C word', 0x04c, 3],
    ['after CPUID (v3)', 0x18b, 3],
    ['end of the CPUID gap', 0x19f, 5],
    ['CPUID bytes in v2', 0x188, 2],
    ['current version pad', 0x1eb, 3],
    ['committed version pad', 0x1ef, 3],
    ['mitigation vector bytes in v3', 0x1f8, 3],
    ['tail before the signature (v5)', 0x208, 5],
    ['last signed byte', 0x29f, 2],
  ];
  it.each(reserved)('reserved: %s', (_n, off, version) => {
    const e = expectCode(() => parseSnpReport(withByte(reportBytes({ version }), off, 1)), 'SnpReportParse');
    expect(e.evidence?.offset).toBe(off);
  });

  it('signature padding: high bytes of R and S, and the tail after them', () => {
    for (const off of [0x2a0 + 48, 0x2a0 + 71, 0x2e8 + 48, 0x330, 0x49f]) {
      const e = expectCode(() => parseSnpReport(withByte(reportBytes(), off, 1)), 'SnpReportParse');
      expect(e.evidence?.offset).toBe(off);
    }
  });

  it('TCB_VERSION reserved bytes must be zero (per layout)', () => {
    // Milan: bytes 2..5 reserved; REPORTED_TCB at 0x180.
    expect(expectCode(() => parseSnpReport(withByte(reportBytes(), 0x180 + 3, 1)), 'SnpReportParse').evidence?.field).toBe('REPORTED_TCB');
    // Turin: bytes 4..6 reserved; byte 3 is SNP (valid), byte 5 is not.
    expect(parseSnpReport(withByte(reportBytes({ product: 'Turin', version: 5 }), 0x38 + 3, 9)).currentTcb.snp).toBe(9);
    expect(expectCode(() => parseSnpReport(withByte(reportBytes({ product: 'Turin', version: 5 }), 0x1e0 + 5, 1)), 'SnpReportParse').evidence?.field).toBe('COMMITTED_TCB');
  });

  it('guest policy: bit 17 must be one, bits 63:26 zero', () => {
    expect(expectCode(() => parseSnpReport(reportBytes({ policy: 0x10000n })), 'SnpReportParse').evidence?.field).toBe('POLICY');
    expect(expectCode(() => parseSnpReport(reportBytes({ policy: 0x30000n | (1n << 26n) })), 'SnpReportParse').evidence?.field).toBe('POLICY');
    expect(expectCode(() => parseSnpReport(reportBytes({ policy: 0x30000n | (1n << 63n) })), 'SnpReportParse').evidence?.field).toBe('POLICY');
  });

  it('signer info: reserved bits and reserved SIGNING_KEY values', () => {
    expect(expectCode(() => parseSnpReport(reportBytes({ mutate: (b) => (b[0x48] = 0x20) })), 'SnpReportParse').evidence?.field).toBe('SIGNER_INFO');
    for (const k of [2, 3, 6]) {
      expect(expectCode(() => parseSnpReport(reportBytes({ signingKey: k })), 'SnpReportParse').evidence?.field).toBe('SIGNING_KEY');
    }
    expect(parseSnpReport(reportBytes({ signingKey: 7 })).signerInfo.signingKey).toBe('none');
  });

  it('v3+: an unknown CPUID is SnpReportUnsupported', () => {
    for (const cpuid of [[0x17, 0x31, 0], [0x19, 0x21, 0], [0x1a, 0x20, 0]] as const) {
      expect(expectCode(() => parseSnpReport(reportBytes({ cpuid })), 'SnpReportUnsupported').evidence?.check).toBe('snp.report.cpuid');
    }
  });

  it('v2 with a named product uses its layout', () => {
    const r = parseSnpReport(reportBytes({ version: 2, product: 'Turin' }), { product: 'Turin' });
    expect(r.tcbLayout).toBe('zen5');
    expect(r.product).toBe('Turin');
  });

  it('copies its input', () => {
    const b = vec('virtee-sev/report_milan.bin');
    const r = parseSnpReport(b);
    b[0x90] = b[0x90]! ^ 0xff;
    expect(r.measurement[0]).not.toBe(b[0x90]);
  });

  it('fuzz: arbitrary bytes and single-byte mutations only ever fail with a coded error', () => {
    const base = reportBytes({ version: 5, product: 'Genoa' });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 1300 }), (bytes) => {
        try {
          parseSnpReport(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(AttestationError);
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1183 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const b = base.slice();
        b[i] = b[i]! ^ x;
        try {
          parseSnpReport(b);
        } catch (e) {
          expect(e).toBeInstanceOf(AttestationError);
          expect(['SnpReportParse', 'SnpReportUnsupported']).toContain((e as AttestationError).code);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('products and TCB layouts', () => {
  it('CPUID ranges', () => {
    expect(productFromCpuid(0x19, 0x01)).toBe('Milan');
    expect(productFromCpuid(0x19, 0x11)).toBe('Genoa');
    expect(productFromCpuid(0x19, 0xa0)).toBe('Genoa');
    expect(productFromCpuid(0x1a, 0x02)).toBe('Turin');
    expect(productFromCpuid(0x1a, 0x11)).toBe('Turin');
    expect(productFromCpuid(0x1a, 0x12)).toBeUndefined();
    expect(productFromCpuid(0x17, 0x01)).toBeUndefined();
    expect(productFromName('Milan-B0')).toBe('Milan');
    expect(productFromName('Siena')).toBeUndefined();
  });

  it('encodeTcb / decodeTcb round-trip for both layouts', () => {
    const z = { bootloader: 3, tee: 1, snp: 8, microcode: 115 };
    expect(decodeTcb(encodeTcb(z, 'zen3zen4'), 'zen3zen4')).toMatchObject(z);
    expect(encodeTcb(z, 'zen3zen4')).toEqual(Uint8Array.from([3, 1, 0, 0, 0, 0, 8, 115]));
    const t = { fmc: 2, bootloader: 3, tee: 1, snp: 8, microcode: 115 };
    expect(encodeTcb(t, 'zen5')).toEqual(Uint8Array.from([2, 3, 1, 8, 0, 0, 0, 115]));
    expect(decodeTcb(encodeTcb(t, 'zen5'), 'zen5')).toMatchObject(t);
    expect(fill(3, 0)).toEqual(Uint8Array.from([0, 13, 26]));
  });
});
