/** checkSnpPolicy / assertSnpPolicy: secure defaults, every relaxation named, every violation reported. */
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors.js';
import { assertSnpPolicy, checkSnpPolicy } from '../../src/snp/policy.js';
import { verifySnpAttestation, type VerifiedSnpReport } from '../../src/snp/verify.js';
import { T0, fill, makeCa, makeLeaf, signedReport, type ReportSpec } from './pki.js';
import { toHex } from '../../src/lib/bytes.js';

const AT = T0 + 86400;
const ca = makeCa('Milan');
const leaf = makeLeaf(ca);
async function verified(spec: ReportSpec = {}): Promise<VerifiedSnpReport> {
  return verifySnpAttestation(signedReport(leaf, spec), { vcek: leaf.der, certChain: [ca.ask, ca.ark] }, { at: AT, arkPins: ca.arkPins });
}
const codes = (v: VerifiedSnpReport, p: Parameters<typeof checkSnpPolicy>[1] = {}): string[] => checkSnpPolicy(v, p).map((x) => x.evidence.check);

describe('SEV-SNP policy', () => {
  it('a plain guest passes the defaults', async () => {
    const v = await verified();
    expect(checkSnpPolicy(v)).toEqual([]);
    expect(assertSnpPolicy(v)).toBe(v);
  });

  it('defaults refuse debug, a migration agent, provisional firmware and VMPL outside 0..3, all at once', async () => {
    const v = await verified({ policy: 0x30000n | (1n << 19n) | (1n << 18n), current: [1, 55, 41], committed: [1, 55, 40], vmpl: 0xffffffff });
    expect(codes(v)).toEqual(['policy.snp.debug', 'policy.snp.migrateMa', 'policy.snp.provisionalFirmware', 'policy.snp.vmpl']);
    try {
      assertSnpPolicy(v);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      const pe = e as PolicyError;
      expect(pe.code).toBe('PolicyDebug');
      expect(pe.violations.map((x) => x.code)).toEqual(['PolicyDebug', 'PolicyAttributes', 'PolicyTcbVersion', 'PolicyAttributes']);
    }
    expect(codes(v, { allowDebug: true, allowMigrationAgent: true, allowProvisionalFirmware: true, allowedVmpls: [0xffffffff] })).toEqual([]);
  });

  it('SMT: allowed by default; allowSmt: false refuses the guest policy bit and PLATFORM_INFO.SMT_EN', async () => {
    const v = await verified({ policy: 0x30000n, platformInfo: 0x25n });
    expect(codes(v)).toEqual([]);
    expect(codes(v, { allowSmt: false })).toEqual(['policy.snp.smt', 'policy.snp.smtEnabled']);
    const noSmt = await verified({ policy: 0x20000n, platformInfo: 0x24n });
    expect(codes(noSmt, { allowSmt: false })).toEqual([]);
  });

  it('single socket, signing keys, products', async () => {
    const v = await verified();
    expect(codes(v, { requireSingleSocket: true })).toEqual(['policy.snp.singleSocket']);
    expect(codes(await verified({ policy: 0x130000n }), { requireSingleSocket: true })).toEqual([]);
    expect(codes(v, { allowedSigningKeys: ['VLEK'] })).toEqual(['policy.snp.signingKey']);
    expect(codes(v, { allowedProducts: ['Genoa', 'Turin'] })).toEqual(['policy.snp.product']);
  });

  it('minimum TCBs, firmware, ABI and guest SVN', async () => {
    const v = await verified({ policy: 0x30000n | 0x0105n, guestSvn: 3, committedTcb: { bootloader: 2, tee: 0, snp: 8, microcode: 115 } });
    expect(codes(v, { minTcb: { bootloader: 3, snp: 8, microcode: 115 } })).toEqual([]);
    const below = checkSnpPolicy(v, { minTcb: { snp: 9, microcode: 200 } });
    expect(below).toHaveLength(1);
    expect(below[0]!).toMatchObject({ code: 'PolicyTcbVersion', evidence: { field: 'REPORTED_TCB', found: 'bl=3 tee=0 snp=8 ucode=115' } });
    expect(below[0]!.message).toContain('snp, microcode');
    expect(codes(v, { minCommittedTcb: { bootloader: 3 } })).toEqual(['policy.snp.minCommittedTcb']);
    expect(codes(v, { minLaunchTcb: { bootloader: 3 } })).toEqual([]);
    expect(codes(v, { minTcb: { fmc: 1 } })).toEqual(['policy.snp.minTcb']); // Milan has no FMC: a minimum on it cannot pass
    expect(codes(v, { minFirmware: { major: 1, minor: 55, build: 40 } })).toEqual([]);
    expect(codes(v, { minFirmware: { major: 1, minor: 56 } })).toEqual(['policy.snp.minFirmware']);
    expect(codes(v, { minAbi: { major: 1, minor: 5 } })).toEqual([]);
    expect(codes(v, { minAbi: { major: 1, minor: 6 } })).toEqual(['policy.snp.minAbi']);
    expect(codes(v, { minGuestSvn: 4 })).toEqual(['policy.snp.minGuestSvn']);
  });

  it('measurement and identity allow-lists, REPORT_DATA exact and prefix', async () => {
    const m = fill(48, 4);
    const rd = fill(64, 3);
    const v = await verified({ hostData: fill(32, 9), idKeyDigest: fill(48, 10), authorKeyDigest: fill(48, 11) });
    const ok = {
      measurement: ['0x' + toHex(m).toUpperCase()],
      hostData: [toHex(fill(32, 9))],
      idKeyDigest: [toHex(fill(48, 10))],
      authorKeyDigest: [toHex(fill(48, 11))],
      familyId: [toHex(fill(16, 1))],
      imageId: [toHex(fill(16, 2))],
      reportData: toHex(rd),
      expectedReportDataPrefix: toHex(rd.subarray(0, 32)),
    };
    expect(codes(v, ok)).toEqual([]);
    const bad = checkSnpPolicy(v, {
      allowedMeasurements: ['00'],
      allowedHostData: ['00'],
      allowedIdKeyDigests: ['00'],
      allowedAuthorKeyDigests: ['00'],
      allowedFamilyIds: ['00'],
      allowedImageIds: ['00'],
      expectedReportData: '00',
      expectedReportDataPrefix: 'ff',
    });
    expect(bad.map((x) => x.code)).toEqual(Array(8).fill('PolicyMeasurement'));
    expect(bad[0]!.evidence).toMatchObject({ field: 'MEASUREMENT', found: toHex(m) });
    expect(codes(v, { expectedReportDataPrefix: '' })).toEqual(['policy.snp.reportDataPrefix']);
  });
});
