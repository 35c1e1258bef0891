/**
 * TD 1.5 end to end with the fake-Intel factory: the launch and current TCB
 * claims, TD_REPORT15EX (v5 body type 4), the minimum tcbEvaluationDataNumber,
 * and module identity ids written in hex by the factory.
 * Expected values follow Intel's current QVL (TcbLevelCheck.cpp checkTcbLevel,
 * VerificationCollateralInfo), not this code's output.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TCB_DATE, type ScenarioOptions } from '../../src/testing/index.js';
import { agreedOutcome, caseOf, scenario } from './helpers.js';

const svn16 = (...head: number[]): number[] => [...head, ...Array(16 - head.length).fill(0)];

/** Module ISVSVN 2 (TDX_01 level OutOfDate, 2023-08-09, INTEL-SA-00960); TEE_TCB_SVN_2 reports module 4 (UpToDate). */
const relaunch = (o: ScenarioOptions = {}, bodyType: 3 | 4 = 3): ScenarioOptions => ({
  quoteVersion: 5,
  bodyType,
  moduleIsvsvn: 2,
  ...o,
  quote: { ...o.quote, tdBody: { teeTcbSvn2: svn16(4, 1, 3), ...o.quote?.tdBody } },
});

async function claims(o: ScenarioOptions): Promise<Record<string, any>> {
  const out = await agreedOutcome(caseOf(scenario(o)));
  if (!out.ok) throw new Error(`${out.code} at ${out.check}`);
  return out.claims as Record<string, any>;
}

async function failure(o: ScenarioOptions): Promise<{ code: string; check?: string }> {
  const out = await agreedOutcome(caseOf(scenario(o)));
  if (out.ok) throw new Error(`expected a failure, got ${String(out.claims['status'])}`);
  return { code: out.code, ...(out.check ? { check: out.check } : {}) };
}

describe('TD 1.5: launch and current TCB claims', () => {
  for (const bodyType of [3, 4] as const) {
    it(`body type ${bodyType}: launch (relaunch advice, module OutOfDate) and current (UpToDate) are both reported`, async () => {
      const v = await claims(relaunch({}, bodyType));
      expect(v['status']).toBe('TDRelaunchAdvised');
      expect(v['launchTcb']).toEqual({ status: 'TDRelaunchAdvised', tcbDate: '2023-08-09T00:00:00Z', advisoryIds: ['INTEL-SA-00960'] });
      expect(v['currentTcb']).toEqual({ status: 'UpToDate', tcbDate: DEFAULT_TCB_DATE, advisoryIds: [] });
      // The top-level status, date and advisories are the launch ones (Intel reports launch as the result).
      expect(v['tcbDate']).toBe(v['launchTcb'].tcbDate);
      expect(v['advisoryIds']).toEqual(v['launchTcb'].advisoryIds);
    });
    it(`body type ${bodyType}: TEE_TCB_SVN_2 naming a module version without identity → TcbNotSupported`, async () => {
      expect(await failure(relaunch({ quote: { tdBody: { teeTcbSvn2: svn16(4, 2, 3) } } }, bodyType))).toEqual({
        code: 'TcbNotSupported',
        check: 'tcb.current.moduleIdentity',
      });
    });
    it(`body type ${bodyType}: launch UpToDate, TEE_TCB_SVN_2 matching no TDX level → TcbNotSupported`, async () => {
      // TEE_TCB_SVN_2 module version 0: all 16 TDX components are compared, and 4,0,3 reaches no level.
      const out = await failure({ quoteVersion: 5, bodyType, quote: { tdBody: { teeTcbSvn2: svn16(0, 0, 0) } } });
      expect(out).toEqual({ code: 'TcbNotSupported', check: 'tcb.current.tdxLevel' });
    });
  }
  it('TD 1.0 and SGX quotes carry no launch / current claims', async () => {
    for (const o of [{}, { quoteVersion: 5, bodyType: 2 }, { teeType: 'SGX' }] as ScenarioOptions[]) {
      const v = await claims(o);
      expect(v['launchTcb']).toBeUndefined();
      expect(v['currentTcb']).toBeUndefined();
    }
  });
});

describe('TD_REPORT15EX (v5 body type 4) end to end', () => {
  it('verifies like TD 1.5 and reports the TD Partitioning / Preserving Endorsements fields', async () => {
    const v = await claims({
      quoteVersion: 5,
      bodyType: 4,
      quote: {
        tdBody: {
          mrservicetd: 'ab'.repeat(48),
          vmid: 2,
          tdId: '11'.repeat(32),
          devInfo: '22'.repeat(48),
          initServTdHash: '33'.repeat(48),
          initServTdAttributes: '4400000000000000',
          initCpuSvn: svn16(5, 6),
          initTeeTcbSvn: svn16(4, 1, 3),
          initTeeFmspc: '00906ed50000000000000000',
          curServTdHash: '55'.repeat(48),
          curServTdAttributes: '6600000000000000',
        },
      },
    });
    expect(v['status']).toBe('UpToDate');
    expect(v['quoteVersion']).toBe(5);
    const r = v['report'];
    expect(r.kind).toBe('td15ex');
    expect(r.teeTcbSvn2).toBe('04010300000000000000000000000000');
    expect(r.mrServiceTd).toBe('ab'.repeat(48));
    expect(r.td15ex).toEqual({
      vmid: 2,
      tdId: '11'.repeat(32),
      devInfo: '22'.repeat(48),
      initServTdHash: '33'.repeat(48),
      initServTdAttributes: '4400000000000000',
      initCpuSvn: '05060000000000000000000000000000',
      initTeeTcbSvn: '04010300000000000000000000000000',
      initTeeFmspc: '00906ed50000000000000000',
      curServTdHash: '55'.repeat(48),
      curServTdAttributes: '6600000000000000',
    });
    expect(v['launchTcb'].status).toBe('UpToDate');
    expect(v['currentTcb'].status).toBe('UpToDate');
  });
});

describe('tcbEvaluationDataNumber: the minimum over the TCB Info and the QE Identity (VerificationCollateralInfo)', () => {
  it('QE Identity lower (Intel QuoteV5VerifierUT fixture: TCB Info 4, QE Identity 3 → 3)', async () => {
    const v = await claims({ quoteVersion: 5, bodyType: 3, tcbEvaluationDataNumber: 4, qeIdentity: { tcbEvaluationDataNumber: 3 } });
    expect(v['tcbEvaluationDataNumber']).toBe(3);
  });
  it('TCB Info lower', async () => {
    const v = await claims({ tcbEvaluationDataNumber: 3, qeIdentity: { tcbEvaluationDataNumber: 4 } });
    expect(v['tcbEvaluationDataNumber']).toBe(3);
  });
});

describe('test factory: module identity ids are hex (TDX_%02X)', () => {
  it('module version 16 is written as TDX_10 and found by the verifier', async () => {
    const v = await claims({
      moduleVersion: 16,
      moduleIsvsvn: 3,
      moduleIdentities: [{ version: 16, levels: [{ isvsvn: 3, status: 'UpToDate' }] }],
    });
    expect(v['status']).toBe('UpToDate');
    expect(v['moduleIdentity']).toBe('TDX_10');
  });
});
