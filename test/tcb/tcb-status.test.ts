/**
 * Every TCB status reached end to end: a realistic quote and signed collateral
 * from the fake-Intel factory go through verifyQuote, in both collateral
 * shapes (dcap-qvl JSON, raw PCS responses) and with both crypto backends,
 * which must all agree.
 *
 * The collateral is the same kind of ladder Intel publishes (one TCB level per
 * status, most recent first); the platform (PCK PCESVN, TEE_TCB_SVN, module
 * ISVSVN, QE ISVSVN) moves. Expected values follow Intel's rules
 * (docs/dcap.md "TCB evaluation"): the selected level is the first one whose
 * every component is at or below the platform's; an OutOfDate module or QE
 * turns UpToDate / SWHardeningNeeded into OutOfDate and ConfigurationNeeded /
 * ConfigurationAndSWHardeningNeeded into OutOfDateConfigurationNeeded; Revoked
 * dominates; advisories (platform, QE, module) are reported sorted without
 * duplicates, as Intel's VerificationCollateralInfo holds them; tcbDate is the
 * earliest date of the matched levels.
 */
import { describe, expect, it } from 'vitest';
import type { TcbStatus } from '../../src/tcb/status.js';
import {
  DAY,
  DEFAULT_PCESVN,
  DEFAULT_SGX_COMPONENTS,
  DEFAULT_TCB_DATE,
  DEFAULT_TDX_COMPONENTS,
  defaultTcbLevels,
  labelBytes,
  type IsvLevelSpec,
  type ModuleIdentitySpec,
  type ScenarioOptions,
  type TcbLevelSpec,
} from '../../src/testing/index.js';
import { toHex } from '../../src/lib/bytes.js';
import { agreedOutcome, caseOf, scenario, svn16, type Outcome } from '../verify/helpers.js';

const SGX = DEFAULT_SGX_COMPONENTS;

/** Seven platform levels, one per status, told apart by PCESVN (11 … 5). */
function pcesvnLadder(tee: 'SGX' | 'TDX'): TcbLevelSpec[] {
  const tdx = tee === 'TDX' ? { tdx: DEFAULT_TDX_COMPONENTS } : {};
  return [
    { sgx: SGX, pcesvn: 11, status: 'UpToDate', tcbDate: '2025-05-14T00:00:00Z', ...tdx },
    { sgx: SGX, pcesvn: 10, status: 'SWHardeningNeeded', tcbDate: '2024-11-13T00:00:00Z', advisoryIDs: ['INTEL-SA-00615'], ...tdx },
    { sgx: SGX, pcesvn: 9, status: 'ConfigurationNeeded', tcbDate: '2024-08-14T00:00:00Z', advisoryIDs: ['INTEL-SA-00161'], ...tdx },
    {
      sgx: SGX,
      pcesvn: 8,
      status: 'ConfigurationAndSWHardeningNeeded',
      tcbDate: '2024-03-13T00:00:00Z',
      advisoryIDs: ['INTEL-SA-00161', 'INTEL-SA-00615'],
      ...tdx,
    },
    { sgx: SGX, pcesvn: 7, status: 'OutOfDate', tcbDate: '2023-08-09T00:00:00Z', advisoryIDs: ['INTEL-SA-00828'], ...tdx },
    {
      sgx: SGX,
      pcesvn: 6,
      status: 'OutOfDateConfigurationNeeded',
      tcbDate: '2023-02-15T00:00:00Z',
      advisoryIDs: ['INTEL-SA-00767', 'INTEL-SA-00161'],
      ...tdx,
    },
    { sgx: SGX, pcesvn: 5, status: 'Revoked', tcbDate: '2019-11-13T00:00:00Z', advisoryIDs: ['INTEL-SA-00233'], ...tdx },
  ];
}

/** Seven TDX levels with the same SGX TCB, told apart by TDX component 2 (TDX late microcode, 9 … 3). */
function tdxLadder(): TcbLevelSpec[] {
  return pcesvnLadder('TDX').map((l, i) => ({ ...l, pcesvn: DEFAULT_PCESVN, tdx: svn16(4, 0, 9 - i) }));
}

/** TDX_01 module levels: ISVSVN 6 UpToDate, 4 OutOfDate, 2 Revoked. */
const MODULE_LADDER: ModuleIdentitySpec[] = [
  { version: 3, levels: [{ isvsvn: 3, status: 'UpToDate' }] },
  {
    version: 1,
    levels: [
      { isvsvn: 6, status: 'UpToDate', tcbDate: '2025-02-12T00:00:00Z' },
      { isvsvn: 4, status: 'OutOfDate', tcbDate: '2023-08-09T00:00:00Z', advisoryIDs: ['INTEL-SA-00960'] },
      { isvsvn: 2, status: 'Revoked', tcbDate: '2022-11-09T00:00:00Z', advisoryIDs: ['INTEL-SA-00986'] },
    ],
  },
];

/** QE levels around the default QE SVN `top`: top UpToDate, top-1 OutOfDate, top-2 Revoked. */
function qeLadder(top: number): IsvLevelSpec[] {
  return [
    { isvsvn: top, status: 'UpToDate', tcbDate: '2024-11-13T00:00:00Z' },
    { isvsvn: top - 1, status: 'OutOfDate', tcbDate: '2022-08-10T00:00:00Z', advisoryIDs: ['INTEL-SA-00219'] },
    { isvsvn: top - 2, status: 'Revoked', tcbDate: '2019-05-15T00:00:00Z', advisoryIDs: ['INTEL-SA-00293'] },
  ];
}
const TD_QE_TOP = 4;
const QE_TOP = 8;

type Via = 'platform' | 'module' | 'qe' | 'relaunch' | 'format';

/** Statuses as strings: the factory's TcbStatus (collateral input) is open-ended. */
interface StatusCase {
  readonly name: string;
  readonly via: Via;
  readonly opts: ScenarioOptions;
  readonly status: string;
  readonly platformStatus?: string;
  readonly sgxStatus?: string;
  readonly moduleStatus?: string;
  readonly qeStatus?: string;
  readonly advisoryIds?: readonly string[];
  readonly tcbDate?: string;
}

const ladderStatuses = pcesvnLadder('SGX').map((l) => [l.pcesvn, l.status, [...(l.advisoryIDs ?? [])].sort(), l.tcbDate] as const);

const CASES: StatusCase[] = [];

// --- Platform level: SGX quote, PCK PCESVN selects the level -----------------
for (const [pcesvn, status, advisories, date] of ladderStatuses) {
  CASES.push({
    name: `SGX v3, PCK PCESVN ${pcesvn} → platform level ${status}`,
    via: 'platform',
    opts: { teeType: 'SGX', tcbLevels: pcesvnLadder('SGX'), pcesvn },
    status,
    platformStatus: status,
    sgxStatus: status,
    qeStatus: 'UpToDate',
    advisoryIds: advisories,
    // The earliest of the platform level's date and the QE level's (the factory default, 2024-03-13).
    tcbDate: String(date) < DEFAULT_TCB_DATE ? String(date) : DEFAULT_TCB_DATE,
  });
}
CASES.push({
  name: 'SGX v3, PCK PCESVN 12 (above every level) → the highest level, UpToDate',
  via: 'platform',
  opts: { teeType: 'SGX', tcbLevels: pcesvnLadder('SGX'), pcesvn: 12 },
  status: 'UpToDate',
  advisoryIds: [],
});
CASES.push({
  name: 'SGX v3, one PCK component below the top level → the default OutOfDate level and its advisories',
  via: 'platform',
  opts: { teeType: 'SGX', pckComponents: [3, 3, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0] },
  status: 'OutOfDate',
  platformStatus: 'OutOfDate',
  advisoryIds: ['INTEL-SA-00106', 'INTEL-SA-00115'],
  tcbDate: '2018-01-04T00:00:00Z',
});

// --- Platform level: TDX quote, PCK PCESVN selects the level (SGX and TDX level coincide)
for (const [pcesvn, status, advisories] of ladderStatuses) {
  CASES.push({
    name: `TDX v4, PCK PCESVN ${pcesvn} → platform level ${status}`,
    via: 'platform',
    opts: { tcbLevels: pcesvnLadder('TDX'), pcesvn },
    status,
    platformStatus: status,
    sgxStatus: status,
    moduleStatus: 'UpToDate',
    advisoryIds: advisories,
  });
}

// --- Platform level: TDX quote, TEE_TCB_SVN[2] selects the TDX level ----------
tdxLadder().forEach((level, i) => {
  const svn2 = 9 - i;
  CASES.push({
    name: `TDX v4, TEE_TCB_SVN[2] = ${svn2} → TDX level ${level.status} (SGX level UpToDate)`,
    via: 'platform',
    opts: { tcbLevels: tdxLadder(), teeTcbSvn: svn16(4, 1, svn2) },
    status: level.status,
    platformStatus: level.status,
    sgxStatus: 'UpToDate',
    advisoryIds: [...(level.advisoryIDs ?? [])].sort(),
  });
});

// --- Module level -------------------------------------------------------------
for (const [isvsvn, moduleStatus, status, advisories] of [
  [7, 'UpToDate', 'UpToDate', []],
  [6, 'UpToDate', 'UpToDate', []],
  [5, 'OutOfDate', 'OutOfDate', ['INTEL-SA-00960']],
  [4, 'OutOfDate', 'OutOfDate', ['INTEL-SA-00960']],
  [3, 'Revoked', 'Revoked', ['INTEL-SA-00986']],
  [2, 'Revoked', 'Revoked', ['INTEL-SA-00986']],
] as const) {
  CASES.push({
    name: `TDX v4, module ISVSVN ${isvsvn} → module level ${moduleStatus} → ${status}`,
    via: 'module',
    opts: { moduleIdentities: MODULE_LADDER, moduleIsvsvn: isvsvn },
    status,
    platformStatus: 'UpToDate',
    moduleStatus,
    advisoryIds: advisories,
  });
}
// tcbDate: the earliest of the platform level, the QE level (2024-03-13) and the module level (2023-08-09).
for (const [pcesvn, platform, expected, advisories, tcbDate] of [
  [10, 'SWHardeningNeeded', 'OutOfDate', ['INTEL-SA-00615', 'INTEL-SA-00960'], '2023-08-09T00:00:00Z'],
  [9, 'ConfigurationNeeded', 'OutOfDateConfigurationNeeded', ['INTEL-SA-00161', 'INTEL-SA-00960'], '2023-08-09T00:00:00Z'],
  [8, 'ConfigurationAndSWHardeningNeeded', 'OutOfDateConfigurationNeeded', ['INTEL-SA-00161', 'INTEL-SA-00615', 'INTEL-SA-00960'], '2023-08-09T00:00:00Z'],
  [7, 'OutOfDate', 'OutOfDate', ['INTEL-SA-00828', 'INTEL-SA-00960'], '2023-08-09T00:00:00Z'],
  [6, 'OutOfDateConfigurationNeeded', 'OutOfDateConfigurationNeeded', ['INTEL-SA-00161', 'INTEL-SA-00767', 'INTEL-SA-00960'], '2023-02-15T00:00:00Z'],
] as const) {
  CASES.push({
    name: `TDX v4, platform ${platform} + module OutOfDate → ${expected}`,
    via: 'module',
    opts: { tcbLevels: pcesvnLadder('TDX'), pcesvn, moduleIdentities: MODULE_LADDER, moduleIsvsvn: 4 },
    status: expected,
    platformStatus: platform,
    moduleStatus: 'OutOfDate',
    advisoryIds: advisories,
    tcbDate,
  });
}
CASES.push({
  name: 'TDX v4, platform ConfigurationNeeded + module Revoked → Revoked',
  via: 'module',
  opts: { tcbLevels: pcesvnLadder('TDX'), pcesvn: 9, moduleIdentities: MODULE_LADDER, moduleIsvsvn: 2 },
  status: 'Revoked',
  platformStatus: 'ConfigurationNeeded',
  moduleStatus: 'Revoked',
});

// --- QE level -----------------------------------------------------------------
for (const tee of ['TDX', 'SGX'] as const) {
  const top = tee === 'TDX' ? TD_QE_TOP : QE_TOP;
  for (const [isvsvn, qeStatus, advisories] of [
    [top + 1, 'UpToDate', []],
    [top, 'UpToDate', []],
    [top - 1, 'OutOfDate', ['INTEL-SA-00219']],
    [top - 2, 'Revoked', ['INTEL-SA-00293']],
  ] as const) {
    CASES.push({
      name: `${tee}, QE ISVSVN ${isvsvn} → QE level ${qeStatus} → ${qeStatus}`,
      via: 'qe',
      opts: { teeType: tee, qeLevels: qeLadder(top), qeIsvsvn: isvsvn },
      status: qeStatus,
      platformStatus: 'UpToDate',
      qeStatus,
      advisoryIds: advisories,
    });
  }
  for (const [pcesvn, platform, expected, advisories] of [
    [10, 'SWHardeningNeeded', 'OutOfDate', ['INTEL-SA-00219', 'INTEL-SA-00615']],
    [9, 'ConfigurationNeeded', 'OutOfDateConfigurationNeeded', ['INTEL-SA-00161', 'INTEL-SA-00219']],
    [8, 'ConfigurationAndSWHardeningNeeded', 'OutOfDateConfigurationNeeded', ['INTEL-SA-00161', 'INTEL-SA-00219', 'INTEL-SA-00615']],
  ] as const) {
    CASES.push({
      name: `${tee}, platform ${platform} + QE OutOfDate → ${expected}`,
      via: 'qe',
      opts: { teeType: tee, tcbLevels: pcesvnLadder(tee), pcesvn, qeLevels: qeLadder(top), qeIsvsvn: top - 1 },
      status: expected,
      platformStatus: platform,
      qeStatus: 'OutOfDate',
      advisoryIds: advisories,
      tcbDate: '2022-08-10T00:00:00Z',
    });
  }
  CASES.push({
    name: `${tee}, platform ConfigurationNeeded + QE Revoked → Revoked`,
    via: 'qe',
    opts: { teeType: tee, tcbLevels: pcesvnLadder(tee), pcesvn: 9, qeLevels: qeLadder(top), qeIsvsvn: top - 2 },
    status: 'Revoked',
    platformStatus: 'ConfigurationNeeded',
    qeStatus: 'Revoked',
  });
}
CASES.push({
  name: 'TDX, module OutOfDate + QE OutOfDate → OutOfDate (advisories platform, QE, module)',
  via: 'qe',
  opts: { moduleIdentities: MODULE_LADDER, moduleIsvsvn: 4, qeLevels: qeLadder(TD_QE_TOP), qeIsvsvn: TD_QE_TOP - 1 },
  status: 'OutOfDate',
  moduleStatus: 'OutOfDate',
  qeStatus: 'OutOfDate',
  advisoryIds: ['INTEL-SA-00219', 'INTEL-SA-00960'],
});
CASES.push({
  name: 'TDX, platform level Revoked',
  via: 'platform',
  opts: { tcbLevels: pcesvnLadder('TDX'), pcesvn: 5 },
  status: 'Revoked',
  platformStatus: 'Revoked',
});

// --- TD relaunch (v5, TD 1.5) ---------------------------------------------------
/** Module ISVSVN 2 (TDX_01 level OutOfDate); TEE_TCB_SVN2 reports the up-to-date module 4 with TDX component 2 = 3. */
const relaunch = (o: ScenarioOptions = {}, svn2: readonly number[] = svn16(4, 1, 3)): ScenarioOptions => ({
  quoteVersion: 5,
  bodyType: 3,
  moduleIsvsvn: 2,
  ...o,
  quote: { ...o.quote, tdBody: { teeTcbSvn2: svn2, ...o.quote?.tdBody } },
});
/** The factory's default TDX levels with the top level's status replaced. */
const topLevel = (status: TcbStatus): TcbLevelSpec[] => {
  const [top, ...rest] = defaultTcbLevels('TDX');
  return [{ ...top!, status, advisoryIDs: ['INTEL-SA-00161'] }, ...rest];
};
CASES.push(
  {
    name: 'TD 1.5: module OutOfDate, TEE_TCB_SVN2 up to date → TDRelaunchAdvised',
    via: 'relaunch',
    opts: relaunch(),
    status: 'TDRelaunchAdvised',
    platformStatus: 'UpToDate',
    sgxStatus: 'UpToDate',
    moduleStatus: 'OutOfDate',
    qeStatus: 'UpToDate',
    advisoryIds: ['INTEL-SA-00960'],
    tcbDate: '2023-08-09T00:00:00Z',
  },
  {
    name: 'TD 1.5: as above with the platform level SWHardeningNeeded → TDRelaunchAdvised',
    via: 'relaunch',
    opts: relaunch({ tcbLevels: topLevel('SWHardeningNeeded') }),
    status: 'TDRelaunchAdvised',
    platformStatus: 'SWHardeningNeeded',
    advisoryIds: ['INTEL-SA-00161', 'INTEL-SA-00960'],
  },
  {
    name: 'TD 1.5: as above with the platform level ConfigurationNeeded → TDRelaunchAdvisedConfigurationNeeded',
    via: 'relaunch',
    opts: relaunch({ tcbLevels: topLevel('ConfigurationNeeded') }),
    status: 'TDRelaunchAdvisedConfigurationNeeded',
    platformStatus: 'ConfigurationNeeded',
    moduleStatus: 'OutOfDate',
  },
  {
    name: 'TD 1.5: as above with ConfigurationAndSWHardeningNeeded → TDRelaunchAdvisedConfigurationNeeded',
    via: 'relaunch',
    opts: relaunch({ tcbLevels: topLevel('ConfigurationAndSWHardeningNeeded') }),
    status: 'TDRelaunchAdvisedConfigurationNeeded',
  },
  {
    name: 'TD 1.5: TEE_TCB_SVN2 equal to the out-of-date TEE_TCB_SVN → OutOfDate (no relaunch advice)',
    via: 'relaunch',
    opts: relaunch({}, svn16(2, 1, 3)),
    status: 'OutOfDate',
    moduleStatus: 'OutOfDate',
  },
  {
    name: 'TD 1.5: TEE_TCB_SVN2 module up to date but TDX component 2 below the latest level → OutOfDate',
    via: 'relaunch',
    opts: relaunch({}, svn16(4, 1, 2)),
    status: 'OutOfDate',
  },
  {
    name: 'TD 1.5: an OutOfDate QE blocks the relaunch advice → OutOfDate',
    via: 'relaunch',
    opts: relaunch({ qeIsvsvn: 3 }),
    status: 'OutOfDate',
    qeStatus: 'OutOfDate',
  },
  {
    name: 'TD 1.5: an OutOfDate SGX level blocks the relaunch advice → OutOfDate',
    via: 'relaunch',
    opts: relaunch({ pckComponents: [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pcesvn: 5 }),
    status: 'OutOfDate',
    sgxStatus: 'OutOfDate',
    platformStatus: 'OutOfDate',
  },
  {
    name: 'TD 1.0 in a v5 quote (no TEE_TCB_SVN2): module OutOfDate → OutOfDate',
    via: 'relaunch',
    opts: { quoteVersion: 5, bodyType: 2, moduleIsvsvn: 2 },
    status: 'OutOfDate',
    moduleStatus: 'OutOfDate',
  },
);

// --- Every quote format and collateral variant verifies UpToDate ------------------
for (const [name, opts] of [
  ['SGX v3 (default SGX scenario)', { teeType: 'SGX' }],
  ['SGX v5 (body type 1)', { teeType: 'SGX', quoteVersion: 5 }],
  ['SGX with TCB Info v2 (flat tcb form, no id)', { teeType: 'SGX', tcbInfoVersion: 2 }],
  ['SGX, PCK issued by the Processor CA', { teeType: 'SGX', pckCa: 'processor' }],
  ['TDX v4 (default scenario)', {}],
  ['TDX v5 TD 1.0 (body type 2)', { quoteVersion: 5, bodyType: 2 }],
  ['TDX v5 TD 1.5 (body type 3)', { quoteVersion: 5, bodyType: 3 }],
  ['TDX, PCK issued by the Processor CA', { pckCa: 'processor' }],
  ['TDX module version 3 (identity TDX_03)', { moduleVersion: 3, moduleIsvsvn: 3 }],
  ['TDX, quote padded with 1000 zero bytes (fixed-size guest buffer)', { quote: { trailing: new Uint8Array(1000) } }],
] as [string, ScenarioOptions][]) {
  CASES.push({ name, via: 'format', opts, status: 'UpToDate', advisoryIds: [] });
}

const reached = new Map<Via, Set<string>>();

describe('every TCB status end to end (both collateral shapes × both crypto backends agree)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const s = scenario(c.opts);
      const o: Outcome = await agreedOutcome(caseOf(s));
      if (!o.ok) throw new Error(`expected ${c.status}, got ${o.code} at ${o.check}`);
      const v = o.claims;
      expect(v['status']).toBe(c.status);
      if (c.platformStatus) expect(v['platformStatus']).toBe(c.platformStatus);
      if (c.sgxStatus) expect(v['sgxStatus']).toBe(c.sgxStatus);
      if (c.moduleStatus) expect(v['moduleStatus']).toBe(c.moduleStatus);
      if (c.qeStatus) expect(v['qeStatus']).toBe(c.qeStatus);
      if (c.advisoryIds) expect(v['advisoryIds']).toEqual(c.advisoryIds);
      if (c.tcbDate) expect(v['tcbDate']).toBe(c.tcbDate);
      if (!reached.has(c.via)) reached.set(c.via, new Set());
      reached.get(c.via)!.add(c.status);
    });
  }

  it('coverage: every status is reached, via the platform, module and QE levels where Intel\'s rules allow', () => {
    const all = new Set([...reached.values()].flatMap((s) => [...s]));
    expect([...all].sort()).toEqual(
      [
        'UpToDate',
        'SWHardeningNeeded',
        'ConfigurationNeeded',
        'ConfigurationAndSWHardeningNeeded',
        'OutOfDate',
        'OutOfDateConfigurationNeeded',
        'Revoked',
        'TDRelaunchAdvised',
        'TDRelaunchAdvisedConfigurationNeeded',
      ].sort(),
    );
    // The platform level can carry any of the seven TCB Info statuses.
    expect(reached.get('platform')?.size).toBe(7);
    // A module or QE level can only degrade (OutOfDate, OutOfDateConfigurationNeeded) or revoke.
    for (const via of ['module', 'qe'] as const) {
      expect([...reached.get(via)!].sort()).toEqual(['OutOfDate', 'OutOfDateConfigurationNeeded', 'Revoked', 'UpToDate']);
    }
    expect([...reached.get('relaunch')!].sort()).toEqual(['OutOfDate', 'TDRelaunchAdvised', 'TDRelaunchAdvisedConfigurationNeeded']);
  });
});

describe('claims of the default scenarios come from the quote, the PCK and the collateral', () => {
  it('TDX v4: measurements, PCK facts, QE, module, evaluation data number, expiry', async () => {
    const s = scenario();
    const o = await agreedOutcome(caseOf(s));
    if (!o.ok) throw new Error(o.code);
    const v = o.claims as Record<string, any>;
    expect(v['teeType']).toBe('TDX');
    expect(v['quoteVersion']).toBe(4);
    expect(v['fmspc']).toBe('00906ed50000');
    expect(v['pceId']).toBe('0000');
    expect(v['pck'].pcesvn).toBe(DEFAULT_PCESVN);
    expect(v['pck'].tcbComponents).toEqual([...DEFAULT_SGX_COMPONENTS]);
    expect(v['pck'].ca).toBe('platform');
    expect(v['pck'].serial).toBe(s.pck.serialHex);
    expect(v['qe'].isvSvn).toBe(TD_QE_TOP);
    expect(v['qe'].isvProdId).toBe(2);
    expect(v['moduleIdentity']).toBe('TDX_01');
    expect(v['tcbEvaluationDataNumber']).toBe(17);
    // The collateral windows close 30 days after `at`; every certificate lives longer.
    expect(v['collateralExpiresAt']).toBe(s.at + 30 * DAY);
    expect(v['verifiedAt']).toBe(s.at);
    const r = v['report'];
    expect(r.kind).toBe('td10');
    expect(r.mrTd).toBe(toHex(labelBytes('tee-attest test mrtd', 48)));
    expect(r.rtmr0).toBe(toHex(labelBytes('tee-attest test rtmr0', 48)));
    expect(r.rtmr3).toBe('00'.repeat(48));
    expect(r.teeTcbSvn).toBe('04010300000000000000000000000000');
    expect(r.septVeDisable).toBe(true);
    expect(r.debug).toBe(false);
  });

  it('SGX v3: enclave measurements and the QE', async () => {
    const o = await agreedOutcome(caseOf(scenario({ teeType: 'SGX' })));
    if (!o.ok) throw new Error(o.code);
    const r = (o.claims as Record<string, any>)['report'];
    expect(r.kind).toBe('sgx');
    expect(r.mrEnclave).toBe(toHex(labelBytes('tee-attest test mrenclave', 32)));
    expect(r.mrSigner).toBe(toHex(labelBytes('tee-attest test mrsigner', 32)));
    expect(r.debug).toBe(false);
    expect((o.claims as Record<string, any>)['qe'].isvSvn).toBe(QE_TOP);
  });

  it('TD 1.5: TEE_TCB_SVN2 and MRSERVICETD are reported', async () => {
    const o = await agreedOutcome(caseOf(scenario(relaunch({ quote: { tdBody: { mrservicetd: 'ab'.repeat(48) } } }))));
    if (!o.ok) throw new Error(o.code);
    const r = (o.claims as Record<string, any>)['report'];
    expect(r.kind).toBe('td15');
    expect(r.teeTcbSvn).toBe('02010300000000000000000000000000');
    expect(r.teeTcbSvn2).toBe('04010300000000000000000000000000');
    expect(r.mrServiceTd).toBe('ab'.repeat(48));
  });
});
