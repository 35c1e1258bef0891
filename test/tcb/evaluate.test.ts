/**
 * TCB evaluation against the Intel QVL rules (TcbLevelCheck.cpp checkTcbLevel,
 * TdxModuleCheck.cpp, TDRelaunchCheck.cpp; spec 4.1.2.5.18): every row of the
 * convergence tables, level selection, module identities and TD relaunch.
 * Expected values are written from those rules, not from this code's output.
 */
import { describe, expect, it } from 'vitest';
import { evaluateTcb, type TcbEvaluationInput } from '../../src/tcb/evaluate.js';
import { checkQeIdentity } from '../../src/tcb/qe-identity-check.js';
import type { QeTcbOutcome } from '../../src/tcb/converge.js';
import { AttestationError } from '../../src/errors.js';
import { qeIdentity, tcbInfo, teeTcbSvn } from './builders.js';

const PLATFORM = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
] as const;

/** Expected convergence with an OutOfDate component (QE or module), per convergeTcbStatusWith*. */
const WITH_OUT_OF_DATE: Record<string, string> = {
  UpToDate: 'OutOfDate',
  SWHardeningNeeded: 'OutOfDate',
  ConfigurationNeeded: 'OutOfDateConfigurationNeeded',
  ConfigurationAndSWHardeningNeeded: 'OutOfDateConfigurationNeeded',
  OutOfDate: 'OutOfDate',
  OutOfDateConfigurationNeeded: 'OutOfDateConfigurationNeeded',
  Revoked: 'Revoked',
};

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof AttestationError) return e.code;
    throw e;
  }
  return 'no error';
}

const sgxInput = (qe?: QeTcbOutcome): TcbEvaluationInput => ({
  teeType: 'SGX',
  quoteVersion: 3,
  pckComponents: Array(16).fill(5),
  pckPcesvn: 10,
  ...(qe ? { qe: { outcome: qe } } : {}),
});

describe('SGX: platform status × QE outcome (convergeTcbStatusWithQeTcbStatus)', () => {
  for (const platform of PLATFORM) {
    const info = tcbInfo({ id: 'SGX', levels: [{ sgx: 5, status: platform }] });
    it(`${platform} with no QE identity → ${platform}`, () => {
      expect(evaluateTcb(info, sgxInput()).status).toBe(platform);
    });
    it(`${platform} + QE UpToDate → ${platform}`, () => {
      expect(evaluateTcb(info, sgxInput('UpToDate')).status).toBe(platform);
    });
    it(`${platform} + QE OutOfDate → ${WITH_OUT_OF_DATE[platform]}`, () => {
      expect(evaluateTcb(info, sgxInput('OutOfDate')).status).toBe(WITH_OUT_OF_DATE[platform]);
    });
    it(`${platform} + QE Revoked → Revoked`, () => {
      expect(evaluateTcb(info, sgxInput('Revoked')).status).toBe('Revoked');
    });
    it(`${platform} + QE NotSupported → TcbNotSupported`, () => {
      expect(code(() => evaluateTcb(info, sgxInput('NotSupported')))).toBe('TcbNotSupported');
    });
  }
});

describe('SGX level selection', () => {
  const info = tcbInfo({
    id: 'SGX',
    levels: [
      // deliberately unsorted: the QVL orders levels highest first
      { sgx: 3, pcesvn: 10, status: 'OutOfDate', advisories: ['INTEL-SA-1'] },
      { sgx: 7, pcesvn: 12, status: 'UpToDate' },
      { sgx: 5, pcesvn: 11, status: 'SWHardeningNeeded', advisories: ['INTEL-SA-2'] },
    ],
  });
  const at = (c: number, pcesvn: number): TcbEvaluationInput => ({ ...sgxInput(), pckComponents: Array(16).fill(c), pckPcesvn: pcesvn });
  it('the highest level whose every component and PCESVN is at or below the PCK is selected', () => {
    expect(evaluateTcb(info, at(7, 12)).status).toBe('UpToDate');
    expect(evaluateTcb(info, at(9, 13)).status).toBe('UpToDate');
    expect(evaluateTcb(info, at(6, 12)).status).toBe('SWHardeningNeeded');
    expect(evaluateTcb(info, at(7, 11)).status).toBe('SWHardeningNeeded');
    expect(evaluateTcb(info, at(4, 11)).status).toBe('OutOfDate');
  });
  it('one component below a level is enough to skip it', () => {
    const comps = Array(16).fill(7);
    comps[15] = 6;
    expect(evaluateTcb(info, { ...sgxInput(), pckComponents: comps, pckPcesvn: 12 }).status).toBe('SWHardeningNeeded');
  });
  it('advisory IDs come from the selected level', () => {
    expect(evaluateTcb(info, at(6, 12)).advisoryIds).toEqual(['INTEL-SA-2']);
  });
  it('below every level → TcbNotSupported', () => {
    expect(code(() => evaluateTcb(info, at(2, 20)))).toBe('TcbNotSupported');
    expect(code(() => evaluateTcb(info, at(9, 9)))).toBe('TcbNotSupported');
  });
  it('duplicate levels are rejected at parse time (CollateralParse)', () => {
    expect(code(() => tcbInfo({ id: 'SGX', levels: [{ sgx: 1, status: 'UpToDate' }, { sgx: 1, status: 'OutOfDate' }] }))).toBe(
      'CollateralParse',
    );
  });
});

const tdxInput = (svn: number[], qe?: QeTcbOutcome, svn2?: number[]): TcbEvaluationInput => ({
  teeType: 'TDX',
  quoteVersion: svn2 ? 5 : 4,
  pckComponents: Array(16).fill(5),
  pckPcesvn: 10,
  teeTcbSvn: teeTcbSvn(svn),
  ...(svn2 ? { teeTcbSvn2: teeTcbSvn(svn2) } : {}),
  ...(qe ? { qe: { outcome: qe } } : {}),
});

describe('TDX: platform status × module status (convergeTcbStatusWithTdxModuleStatus)', () => {
  for (const platform of PLATFORM) {
    for (const moduleStatus of ['UpToDate', 'OutOfDate', 'Revoked'] as const) {
      const expected =
        moduleStatus === 'UpToDate' ? platform : moduleStatus === 'Revoked' ? 'Revoked' : WITH_OUT_OF_DATE[platform];
      it(`${platform} + module ${moduleStatus} → ${expected}`, () => {
        const info = tcbInfo({
          levels: [{ sgx: 5, tdx: [0, 0, 3], status: platform }],
          modules: [{ id: 'TDX_03', levels: [{ isvsvn: 4, status: moduleStatus }] }],
        });
        const v = evaluateTcb(info, tdxInput([4, 3, 3], 'UpToDate'));
        expect(v.status).toBe(expected);
        expect(v.moduleLevel?.identityId).toBe('TDX_03');
        expect(v.moduleLevel?.status).toBe(moduleStatus);
      });
    }
  }
  it('module OutOfDate and QE OutOfDate together still give OutOfDate', () => {
    const info = tcbInfo({
      levels: [{ sgx: 5, tdx: [0, 0, 3], status: 'UpToDate' }],
      modules: [{ id: 'TDX_03', levels: [{ isvsvn: 4, status: 'OutOfDate' }] }],
    });
    expect(evaluateTcb(info, tdxInput([4, 3, 3], 'OutOfDate')).status).toBe('OutOfDate');
  });
  it('a QE ISVSVN below every QE level is TcbNotSupported, even on a Revoked TDX level (applyQeIdentity)', () => {
    const info = tcbInfo({ levels: [{ sgx: 5, tdx: 0, status: 'Revoked' }], modules: [{ id: 'TDX_03', levels: [{ isvsvn: 0, status: 'UpToDate' }] }] });
    expect(code(() => evaluateTcb(info, tdxInput([4, 3, 3], 'NotSupported')))).toBe('TcbNotSupported');
  });
});

describe('TDX level selection and module identities', () => {
  const info = tcbInfo({
    levels: [
      { sgx: 5, tdx: [9, 9, 4], status: 'UpToDate' },
      { sgx: 5, tdx: [0, 0, 2], status: 'OutOfDate', advisories: ['INTEL-SA-00837'] },
      { sgx: 4, tdx: 0, status: 'OutOfDate' },
    ],
    modules: [
      { id: 'TDX_03', levels: [{ isvsvn: 5, status: 'UpToDate' }, { isvsvn: 2, status: 'OutOfDate', advisories: ['INTEL-SA-M'] }] },
      { id: 'tdx_01', levels: [{ isvsvn: 0, status: 'UpToDate' }] },
    ],
  });
  it('module version > 0: TDX components are compared from index 2 (indexes 0-1 belong to the module identity)', () => {
    // tee_tcb_svn[0..1] = 5,3 are far below the level's 9,9 but only index 2.. counts.
    expect(evaluateTcb(info, tdxInput([5, 3, 4])).status).toBe('UpToDate');
  });
  it('a lower TDX component selects a lower level with its advisories; module level advisories are appended', () => {
    const v = evaluateTcb(info, tdxInput([2, 3, 3], 'UpToDate'));
    expect(v.platformLevel.status).toBe('OutOfDate');
    expect(v.status).toBe('OutOfDate');
    expect(v.advisoryIds).toEqual(['INTEL-SA-00837', 'INTEL-SA-M']);
  });
  it('the SGX level is the first SGX match, the TDX level the first level matching both', () => {
    const v = evaluateTcb(info, tdxInput([5, 3, 1]));
    // SGX matches level 1 first; TDX component 2 = 1 < 2 pushes the TDX level to the third.
    expect(v.sgxStatus).toBe('UpToDate');
    expect(v.platformLevel.sgxComponents[0]).toBe(4);
  });
  it('module identity ids are matched case-insensitively ("tdx_01" for version 1)', () => {
    expect(evaluateTcb(info, tdxInput([0, 1, 4])).moduleLevel?.identityId).toBe('tdx_01');
  });
  it('module version without an identity → TdxModuleMismatch', () => {
    expect(code(() => evaluateTcb(info, tdxInput([5, 2, 4])))).toBe('TdxModuleMismatch');
  });
  it('module ISVSVN below every module level → TcbNotSupported', () => {
    expect(code(() => evaluateTcb(info, tdxInput([1, 3, 4])))).toBe('TcbNotSupported');
  });
  it('module version 0 (quote v4+): all 16 TDX components compared (indexes 0-1 too), no module identity used', () => {
    // Level 1 needs TDX components 9,9,4: index 1 (= 0, the module version) is now compared and fails.
    const v = evaluateTcb(info, tdxInput([9, 0, 4]));
    expect(v.platformLevel.tdxComponents?.slice(0, 3)).toEqual([0, 0, 2]);
    expect(v.status).toBe('OutOfDate');
    expect(v.moduleLevel).toBeUndefined();
  });
  it('SGX matches but no level matches the TDX components → TcbNotSupported', () => {
    const strict = tcbInfo({ levels: [{ sgx: 5, tdx: [0, 0, 9], status: 'UpToDate' }], modules: [{ id: 'TDX_03', levels: [{ isvsvn: 0, status: 'UpToDate' }] }] });
    expect(code(() => evaluateTcb(strict, tdxInput([5, 3, 4])))).toBe('TcbNotSupported');
  });
  it('tcbDate is the earliest date of the matched platform, module and QE levels', () => {
    const dated = tcbInfo({
      levels: [{ sgx: 5, tdx: 0, status: 'UpToDate', date: '2024-06-01T00:00:00Z' }],
      modules: [{ id: 'TDX_03', levels: [{ isvsvn: 0, status: 'UpToDate', date: '2024-03-01T00:00:00Z' }] }],
    });
    const v = evaluateTcb(dated, { ...tdxInput([5, 3, 4]), qe: { outcome: 'UpToDate', level: { isvsvn: 1, tcbDate: Date.UTC(2024, 4, 1) / 1000, status: 'UpToDate', advisoryIds: [] } } });
    expect(new Date(v.tcbDate * 1000).toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });
});

describe('TD 1.5 relaunch advice (checkForRelaunch)', () => {
  // Latest platform level: TDX components 0..2 = 7,3,4. The module TDX_03 is UpToDate from isvsvn 7.
  const info = (platform = 'UpToDate') =>
    tcbInfo({
      levels: [
        { sgx: 5, tdx: [7, 3, 4], status: platform },
        { sgx: 5, tdx: [0, 0, 2], status: platform === 'UpToDate' ? 'OutOfDate' : 'OutOfDateConfigurationNeeded' },
      ],
      modules: [{ id: 'TDX_03', levels: [{ isvsvn: 7, status: 'UpToDate' }, { isvsvn: 3, status: 'OutOfDate' }] }],
    });
  it('running on an out-of-date module while the platform has an up-to-date one → TDRelaunchAdvised', () => {
    expect(evaluateTcb(info(), tdxInput([3, 3, 4], 'UpToDate', [7, 3, 4])).status).toBe('TDRelaunchAdvised');
  });
  it('with ConfigurationNeeded on the SGX level → TDRelaunchAdvisedConfigurationNeeded', () => {
    expect(evaluateTcb(info('ConfigurationNeeded'), tdxInput([3, 3, 4], 'UpToDate', [7, 3, 4])).status).toBe(
      'TDRelaunchAdvisedConfigurationNeeded',
    );
  });
  it('TEE_TCB_SVN2 not up to date either → stays OutOfDate', () => {
    expect(evaluateTcb(info(), tdxInput([3, 3, 4], 'UpToDate', [6, 3, 4])).status).toBe('OutOfDate');
    expect(evaluateTcb(info(), tdxInput([3, 3, 4], 'UpToDate', [7, 3, 3])).status).toBe('OutOfDate');
  });
  it('a QE that is OutOfDate blocks the relaunch advice', () => {
    expect(evaluateTcb(info(), tdxInput([3, 3, 4], 'OutOfDate', [7, 3, 4])).status).toBe('OutOfDate');
  });
  it('module up to date → no relaunch advice (status unchanged)', () => {
    expect(evaluateTcb(info(), tdxInput([7, 3, 4], 'UpToDate', [7, 3, 4])).status).toBe('UpToDate');
  });
  it('TEE_TCB_SVN2 module version 0: evaluated on its own, all 16 TDX components compared, no module identity', () => {
    // [7,0,4] misses the latest level (index 1: 0 < 3) and matches the OutOfDate one: current is not acceptable.
    expect(evaluateTcb(info(), tdxInput([3, 3, 4], 'UpToDate', [7, 0, 4])).status).toBe('OutOfDate');
  });
  it('TEE_TCB_SVN2 names a module version without identity → TcbNotSupported (the current pass fails)', () => {
    expect(code(() => evaluateTcb(info(), tdxInput([3, 3, 4], 'UpToDate', [7, 4, 4])))).toBe('TcbNotSupported');
  });
  it('TEE_TCB_SVN2 matching no TDX level → TcbNotSupported even when launch is UpToDate', () => {
    const strict = tcbInfo({
      levels: [{ sgx: 5, tdx: [0, 0, 4], status: 'UpToDate' }],
      modules: [{ id: 'TDX_03', levels: [{ isvsvn: 7, status: 'UpToDate' }] }],
    });
    expect(evaluateTcb(strict, tdxInput([7, 3, 4], 'UpToDate')).status).toBe('UpToDate');
    expect(code(() => evaluateTcb(strict, tdxInput([7, 3, 4], 'UpToDate', [7, 3, 3])))).toBe('TcbNotSupported');
  });
  it('TEE_TCB_SVN2 module ISVSVN below every module level → TcbNotSupported', () => {
    expect(code(() => evaluateTcb(info(), tdxInput([7, 3, 4], 'UpToDate', [2, 3, 4])))).toBe('TcbNotSupported');
  });
  it('reports both passes: launch (final status) and current, advisories sorted', () => {
    const v = evaluateTcb(info(), tdxInput([3, 3, 4], 'UpToDate', [7, 3, 4]));
    expect(v.launch.status).toBe('TDRelaunchAdvised');
    expect(v.current?.status).toBe('UpToDate');
    expect(v.current?.moduleLevel?.isvsvn).toBe(7);
    expect(v.launch.moduleLevel?.isvsvn).toBe(3);
  });
});

describe('QE identity check (EnclaveReportVerifier)', () => {
  const identity = qeIdentity([
    { isvsvn: 8, status: 'UpToDate' },
    { isvsvn: 6, status: 'OutOfDate', advisories: ['INTEL-SA-Q'] },
    { isvsvn: 4, status: 'Revoked' },
  ]);
  const report = {
    miscSelect: 0,
    attributes: Uint8Array.from(Buffer.from('11000000000000000000000000000000', 'hex')),
    mrSigner: Uint8Array.from(Buffer.from('DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5', 'hex')),
    isvProdId: 2,
    isvSvn: 9,
  };
  it('ISVSVN selects the first level at or below it', () => {
    expect(checkQeIdentity(identity, 'TDX', report).outcome).toBe('UpToDate');
    expect(checkQeIdentity(identity, 'TDX', { ...report, isvSvn: 7 }).outcome).toBe('OutOfDate');
    expect(checkQeIdentity(identity, 'TDX', { ...report, isvSvn: 5 }).outcome).toBe('Revoked');
    expect(checkQeIdentity(identity, 'TDX', { ...report, isvSvn: 3 }).outcome).toBe('NotSupported');
  });
  it('attributes are compared under the mask (bit 0x04 of byte 0 is masked out)', () => {
    const attrs = Uint8Array.from(report.attributes);
    attrs[0] = 0x15;
    attrs[9] = 0xff; // upper 8 bytes are not in the mask
    expect(checkQeIdentity(identity, 'TDX', { ...report, attributes: attrs }).outcome).toBe('UpToDate');
  });
  it('MRSIGNER, ISVPRODID, MISCSELECT, ATTRIBUTES or the identity id differing → QeIdentityMismatch', () => {
    const other = Uint8Array.from(report.mrSigner);
    other[0] = other[0]! ^ 1;
    expect(code(() => checkQeIdentity(identity, 'TDX', { ...report, mrSigner: other }))).toBe('QeIdentityMismatch');
    expect(code(() => checkQeIdentity(identity, 'TDX', { ...report, isvProdId: 1 }))).toBe('QeIdentityMismatch');
    expect(code(() => checkQeIdentity(identity, 'TDX', { ...report, miscSelect: 1 }))).toBe('QeIdentityMismatch');
    const attrs = Uint8Array.from(report.attributes);
    attrs[0] = 0x13;
    expect(code(() => checkQeIdentity(identity, 'TDX', { ...report, attributes: attrs }))).toBe('QeIdentityMismatch');
    expect(code(() => checkQeIdentity(identity, 'SGX', report))).toBe('QeIdentityMismatch');
  });
  it('MISCSELECT hex is read little-endian, as the QVL does (vectorToUint32 swaps bytes)', () => {
    const identity2 = qeIdentity([{ isvsvn: 0, status: 'UpToDate' }], 'TD_QE', { miscselect: '01000000' });
    expect(checkQeIdentity(identity2, 'TDX', { ...report, miscSelect: 1 }).outcome).toBe('UpToDate');
    expect(code(() => checkQeIdentity(identity2, 'TDX', { ...report, miscSelect: 0x01000000 }))).toBe('QeIdentityMismatch');
  });
});
