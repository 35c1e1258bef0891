/**
 * Conformance with Intel's current QVL (intel/confidential-computing.tee.dcap.qvl,
 * commit in vectors/dcap/qvl-current/tcb-scenarios.json): every scenario's
 * expected result comes from an Intel unit test or, where marked, from
 * reading the named Intel function (see vectors/dcap/qvl-current/README.md).
 * The inputs are parsed with the real TCB Info / QE Identity parsers and run
 * through the QE identity check and the TCB evaluation.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateTcb } from '../../src/tcb/evaluate.js';
import { checkQeIdentity } from '../../src/tcb/qe-identity-check.js';
import { AttestationError } from '../../src/errors.js';
import { isoFromSeconds } from '../../src/lib/time.js';
import { qeIdentity, tcbInfo, teeTcbSvn } from './builders.js';

interface LevelJson {
  sgx: number[];
  pcesvn: number;
  tdx: number[];
  status: string;
  date?: string;
  advisories?: string[];
}
interface IsvLevelJson {
  isvsvn: number;
  status: string;
  date?: string;
  advisories?: string[];
}
interface PassJson {
  status: string;
  tcbDate: string;
  advisoryIds: string[];
}
interface Scenario {
  name: string;
  rule: string;
  source: { repo: string; commit: string; file: string; test?: string; function?: string; kind: string };
  tcbInfo: { tcbEvaluationDataNumber: number; levels: LevelJson[]; modules: { id: string; levels: IsvLevelJson[] }[] };
  pck: { components: number[]; pcesvn: number };
  teeTcbSvn: number[];
  teeTcbSvn2?: number[];
  qeIdentity?: { tcbEvaluationDataNumber: number; levels: IsvLevelJson[] };
  qeIsvsvn?: number;
  expect: {
    status?: string;
    error?: string;
    check?: string;
    launch?: PassJson;
    current?: PassJson;
    minTcbEvaluationDataNumber?: number;
  };
}
interface VectorFile {
  intel: { repo: string; commit: string };
  scenarios: Scenario[];
  qeIdentityStatuses: { cases: { status: string; accepted: boolean }[] };
}

const file = JSON.parse(
  readFileSync(new URL('../../vectors/dcap/qvl-current/tcb-scenarios.json', import.meta.url), 'utf8'),
) as VectorFile;

/** The QE report fields the test QE Identity (builders.ts) describes. */
const qeReport = (isvSvn: number) => ({
  miscSelect: 0,
  attributes: Uint8Array.from(Buffer.from('11000000000000000000000000000000', 'hex')),
  mrSigner: Uint8Array.from(Buffer.from('DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5', 'hex')),
  isvProdId: 2,
  isvSvn,
});

function run(s: Scenario) {
  const info = tcbInfo({
    id: 'TDX',
    evalNum: s.tcbInfo.tcbEvaluationDataNumber,
    levels: s.tcbInfo.levels.map((l) => ({
      sgx: l.sgx,
      pcesvn: l.pcesvn,
      tdx: l.tdx,
      status: l.status,
      ...(l.date ? { date: l.date } : {}),
      ...(l.advisories ? { advisories: l.advisories } : {}),
    })),
    modules: s.tcbInfo.modules,
  });
  const identity = s.qeIdentity
    ? qeIdentity(s.qeIdentity.levels, 'TD_QE', { tcbEvaluationDataNumber: s.qeIdentity.tcbEvaluationDataNumber })
    : undefined;
  const qe = identity ? checkQeIdentity(identity, 'TDX', qeReport(s.qeIsvsvn ?? 0)) : undefined;
  const evaluation = evaluateTcb(info, {
    teeType: 'TDX',
    quoteVersion: 5,
    pckComponents: s.pck.components,
    pckPcesvn: s.pck.pcesvn,
    teeTcbSvn: teeTcbSvn(s.teeTcbSvn),
    ...(s.teeTcbSvn2 ? { teeTcbSvn2: teeTcbSvn(s.teeTcbSvn2) } : {}),
    ...(qe ? { qe } : {}),
  });
  return { evaluation, info, identity };
}

describe(`Intel's current QVL (${file.intel.repo} @ ${file.intel.commit.slice(0, 8)}): TCB scenarios`, () => {
  it('every scenario names its Intel source (commit and test or function)', () => {
    expect(file.scenarios.length).toBeGreaterThanOrEqual(30);
    for (const s of file.scenarios) {
      expect(s.source.commit, s.name).toMatch(/^[0-9a-f]{40}$/);
      expect(s.source.test ?? s.source.function, s.name).toBeTruthy();
    }
    // Each rule of issue 20 has scenarios.
    const rules = new Set(file.scenarios.map((s) => s.rule));
    for (const r of ['two-pass', 'relaunch', 'qe-convergence', 'convergence', 'advisories']) expect(rules).toContain(r);
  });

  for (const s of file.scenarios) {
    it(`[${s.rule}] ${s.name}`, () => {
      if (s.expect.error !== undefined) {
        let caught: unknown;
        try {
          run(s);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(AttestationError);
        const err = caught as AttestationError;
        expect(err.code).toBe(s.expect.error);
        if (s.expect.check) expect(err.evidence?.check).toBe(s.expect.check);
        return;
      }
      const { evaluation, info, identity } = run(s);
      expect(evaluation.status).toBe(s.expect.status);
      const pass = (p: { status: string; tcbDate: number; advisoryIds: readonly string[] }) => ({
        status: p.status,
        tcbDate: isoFromSeconds(p.tcbDate),
        advisoryIds: [...p.advisoryIds],
      });
      if (s.expect.launch) {
        expect(pass(evaluation.launch)).toEqual(s.expect.launch);
        expect(evaluation.advisoryIds).toEqual(s.expect.launch.advisoryIds);
        expect(isoFromSeconds(evaluation.tcbDate)).toBe(s.expect.launch.tcbDate);
      }
      if (s.expect.current) expect(pass(evaluation.current!)).toEqual(s.expect.current);
      if (s.expect.minTcbEvaluationDataNumber !== undefined) {
        // VerificationCollateralInfo: the minimum over the TCB Info and the QE Identity.
        expect(Math.min(info.tcbEvaluationDataNumber, identity!.tcbEvaluationDataNumber)).toBe(s.expect.minTcbEvaluationDataNumber);
      }
    });
  }
});

describe('QE Identity tcbStatus values Intel\'s current parser accepts (IdentityTcbLevel.cpp)', () => {
  for (const c of file.qeIdentityStatuses.cases) {
    it(`${c.status} → ${c.accepted ? 'accepted' : 'refused'}`, () => {
      const parse = () => qeIdentity([{ isvsvn: 1, status: c.status }]);
      if (c.accepted) expect(parse().tcbLevels[0]!.status).toBe(c.status);
      else {
        expect(parse).toThrow(AttestationError);
        try {
          parse();
        } catch (e) {
          expect((e as AttestationError).code).toBe('CollateralParse');
        }
      }
    });
  }
});
