/**
 * Platform TCB evaluation as Intel's current QVL does it
 * (intel/confidential-computing.tee.dcap.qvl @ d12717e3, Src/AttestationLibrary/src/Verifiers/Checks/:
 * TcbLevelCheck.cpp checkTcbLevel, steps 4.1.2.5.18 SGX, 4.1.2.5.19 TDX and
 * 4.1.2.5.1.20 TD 1.5 as Intel numbers them; EvaluateTcb.cpp sgxEvaluateTCB
 * 4.1.2.5.1 and tdxEvaluateTCB 4.1.2.5.2; TDRelaunchCheck.cpp checkForRelaunch).
 *
 * For a TD 1.5 body (v5 body type 3 or 4) the TDX TCB is evaluated twice, each
 * pass on its own: on TEE_TCB_SVN ("launch", the TCB the TD was built on) and
 * on TEE_TCB_SVN_2 ("current", the TCB loaded now). A current pass that fails
 * (no matching TDX level, no module identity for its module version, module
 * ISVSVN below every level) makes the whole TCB unsupported, whatever the
 * launch pass says. The reported status is the launch status, turned into a
 * relaunch advice when launch is out of date and current is acceptable.
 *
 * Input facts come from verified sources only: the PCK certificate's SGX
 * extension (components, PCESVN), the signed quote body (TEE_TCB_SVN,
 * TEE_TCB_SVN_2) and the signed TCB Info / QE Identity.
 */
import { VerifyError } from '../errors.js';
import type { ModuleTcbLevel, TcbInfo, TcbLevel } from '../collateral/tcb-info.js';
import type { QeTcbLevel } from '../collateral/qe-identity.js';
import { convergeComponents, isConfigurationNeeded, type QeTcbOutcome } from './converge.js';
import { moduleTcbStatus } from './tdx-module.js';
import type { TcbStatus } from './status.js';
import { toHex } from '../lib/bytes.js';

export interface TcbEvaluationInput {
  readonly teeType: 'SGX' | 'TDX';
  readonly quoteVersion: number;
  /** PCK certificate: 16 SGX TCB components and PCESVN. */
  readonly pckComponents: readonly number[];
  readonly pckPcesvn: number;
  /** TD report TEE_TCB_SVN (TDX only). */
  readonly teeTcbSvn?: Uint8Array;
  /** TD 1.5 report TEE_TCB_SVN_2 (v5 body types 3 and 4); when present the current pass runs. */
  readonly teeTcbSvn2?: Uint8Array;
  /** Result of the QE identity check; undefined when no QE Identity was evaluated. */
  readonly qe?: { outcome: QeTcbOutcome; level?: QeTcbLevel };
}

/** One evaluation pass (EvaluateTcb.cpp): the matched levels and their converged outcome. */
export interface TcbPass {
  /** Converged status of this pass (for launch: after the TD relaunch rule). */
  readonly status: TcbStatus;
  /** Earliest tcbDate of the matched platform, module and QE levels (unix seconds). */
  readonly tcbDate: number;
  /** Platform, QE and module advisory IDs, duplicates removed, sorted (as Intel's std::set). */
  readonly advisoryIds: readonly string[];
  /** The matched platform level (the TDX level for TDX). */
  readonly platformLevel: TcbLevel;
  readonly moduleLevel?: ModuleTcbLevel & { identityId: string };
}

export interface TcbEvaluation {
  /** Final status: the launch pass status after the TD relaunch rule. */
  readonly status: TcbStatus;
  /** Status of the first TCB level the PCK SGX components and PCESVN reach. */
  readonly sgxStatus: TcbStatus;
  /** Status of the selected TDX TCB level (TDX only, launch pass), before module / QE convergence. */
  readonly tdxStatus?: TcbStatus;
  /** The launch platform level whose status and advisories apply (the TDX level for TDX). */
  readonly platformLevel: TcbLevel;
  readonly moduleLevel?: ModuleTcbLevel & { identityId: string };
  readonly qeLevel?: QeTcbLevel;
  /** Launch advisory IDs (platform, QE, module), duplicates removed, sorted. */
  readonly advisoryIds: readonly string[];
  /** Launch tcbDate: earliest of the matched levels (unix seconds). */
  readonly tcbDate: number;
  readonly tcbEvaluationDataNumber: number;
  /** The launch pass (TEE_TCB_SVN, or the only pass for SGX and TD 1.0). */
  readonly launch: TcbPass;
  /** The current pass on TEE_TCB_SVN_2 (TD 1.5 bodies only). */
  readonly current?: TcbPass;
}

function notSupported(message: string, check: string, found?: string): never {
  throw new VerifyError('TcbNotSupported', message, { check, found });
}

/** 4.1.2.5.1.1.1-2 / 4.1.2.5.2.1.1-2: every PCK component and PCESVN at or above the level's. */
function sgxMatches(input: TcbEvaluationInput, level: TcbLevel): boolean {
  for (let i = 0; i < 16; i++) if ((input.pckComponents[i] ?? 0) < level.sgxComponents[i]!) return false;
  return input.pckPcesvn >= level.pcesvn;
}

/** 4.1.2.5.2.1.3: TEE_TCB_SVN from index 2 when the module version (index 1) is above 0, else from 0. */
function tdxMatches(teeTcbSvn: Uint8Array, level: TcbLevel): boolean {
  const comps = level.tdxComponents;
  if (comps === undefined) return false;
  for (let i = teeTcbSvn[1]! > 0 ? 2 : 0; i < 16; i++) if (teeTcbSvn[i]! < comps[i]!) return false;
  return true;
}

/** Advisory IDs as Intel reports them (VerificationCollateralInfo: a std::set, so unique and sorted). */
function sortedUnique(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

interface PassOutcome {
  readonly status: TcbStatus;
  readonly tcbDate: number;
  readonly advisoryIds: readonly string[];
  readonly platformLevel: TcbLevel;
  readonly moduleLevel?: ModuleTcbLevel & { identityId: string };
}

/**
 * One pass of sgxEvaluateTCB (4.1.2.5.1) or tdxEvaluateTCB (4.1.2.5.2) on the
 * given TEE_TCB_SVN. `which` names the pass in errors; a module identity
 * missing for the launch version is TdxModuleMismatch (the module signer step
 * 4.1.2.5.12 refuses it before evaluation), for the current version TcbNotSupported.
 */
function evaluatePass(info: TcbInfo, input: TcbEvaluationInput, teeTcbSvn: Uint8Array | undefined, which: 'launch' | 'current'): PassOutcome {
  const field = which === 'launch' ? 'TEE_TCB_SVN' : 'TEE_TCB_SVN_2';
  // 4.1.2.5.x.1: the first level whose SGX components, PCESVN (and TDX components) are all reached.
  let platformLevel: TcbLevel | undefined;
  for (const level of info.tcbLevels) {
    if (!sgxMatches(input, level)) continue;
    if (teeTcbSvn === undefined || tdxMatches(teeTcbSvn, level)) {
      platformLevel = level;
      break;
    }
  }
  if (platformLevel === undefined) {
    if (teeTcbSvn === undefined || !info.tcbLevels.some((l) => sgxMatches(input, l))) {
      notSupported(
        'no TCB level matches the PCK certificate TCB (SGX components and PCESVN)',
        'tcb.sgxLevel',
        `${input.pckComponents.join(',')} pcesvn ${input.pckPcesvn}`,
      );
    }
    notSupported(`no TCB level matches the TD report ${field}`, which === 'launch' ? 'tcb.tdxLevel' : 'tcb.current.tdxLevel', toHex(teeTcbSvn));
  }

  const components: TcbStatus[] = [];
  const dates = [platformLevel.tcbDate];
  let moduleLevel: (ModuleTcbLevel & { identityId: string }) | undefined;
  // 4.1.2.5.2.2: TDX module identity for a module version above 0.
  if (teeTcbSvn !== undefined) {
    const mod = moduleTcbStatus(info, teeTcbSvn);
    if (mod.kind === 'mismatch') {
      if (which === 'launch') {
        throw new VerifyError('TdxModuleMismatch', `TCB Info has no TDX module identity ${mod.id}`, {
          check: 'tdxModule.identity',
          field: 'tdxModuleIdentities',
          expected: mod.id,
        });
      }
      notSupported(`TCB Info has no TDX module identity ${mod.id} for ${field}`, 'tcb.current.moduleIdentity', mod.id);
    }
    if (mod.kind === 'notSupported') {
      notSupported(
        `TDX module ISVSVN in ${field} is below every level of ${mod.identity.id}`,
        which === 'launch' ? 'tdxModule.tcbLevel' : 'tcb.current.moduleLevel',
        String(teeTcbSvn[0]),
      );
    }
    if (mod.kind === 'level') {
      const l = mod.level;
      // A copy (the level belongs to the parsed TCB Info), field by field: `{ ...l, identityId }` is a slow copy in V8 (lib/object.ts).
      moduleLevel = { isvsvn: l.isvsvn, tcbDate: l.tcbDate, status: l.status, advisoryIds: l.advisoryIds, identityId: mod.identity.id };
      components.push(mod.level.status);
      dates.push(mod.level.tcbDate);
    }
  }
  // 4.1.2.5.1.2 / 4.1.2.5.2.3: the QE Identity level (no level for the QE ISVSVN: unsupported).
  const qe = input.qe;
  if (qe !== undefined) {
    if (qe.outcome === 'NotSupported') notSupported('QE ISVSVN is below every QE Identity TCB level', 'qeIdentity.tcbLevel');
    components.push(qe.level?.status ?? qe.outcome);
    if (qe.level !== undefined) dates.push(qe.level.tcbDate);
  }
  // convergeTcbStatuses, then the earliest date and the advisories of every matched level.
  return {
    status: convergeComponents(platformLevel.status, components),
    tcbDate: Math.min(...dates),
    advisoryIds: sortedUnique([...platformLevel.advisoryIds, ...(qe?.level?.advisoryIds ?? []), ...(moduleLevel?.advisoryIds ?? [])]),
    platformLevel,
    ...(moduleLevel ? { moduleLevel } : {}),
  };
}

/**
 * TDRelaunchCheck.cpp checkForRelaunch (4.1.2.5.1.20.2): a launch TCB that is
 * out of date while the current TCB is acceptable means relaunching the TD
 * would bring it up to date, whatever component made launch out of date.
 */
export function checkForRelaunch(launch: TcbStatus, current: TcbStatus): TcbStatus {
  if (launch !== 'OutOfDate' && launch !== 'OutOfDateConfigurationNeeded') return launch;
  if (
    current !== 'UpToDate' &&
    current !== 'SWHardeningNeeded' &&
    current !== 'ConfigurationNeeded' &&
    current !== 'ConfigurationAndSWHardeningNeeded'
  ) {
    return launch;
  }
  return isConfigurationNeeded(launch) || isConfigurationNeeded(current)
    ? 'TDRelaunchAdvisedConfigurationNeeded'
    : 'TDRelaunchAdvised';
}

/** checkTcbLevel (4.1.2.5.18 / 4.1.2.5.19 / 4.1.2.5.1.20). Throws TcbNotSupported / TdxModuleMismatch; returns the statuses. */
export function evaluateTcb(info: TcbInfo, input: TcbEvaluationInput): TcbEvaluation {
  const tdx = info.version >= 3 && info.id === 'TDX' && input.teeType === 'TDX';
  if (tdx && input.teeTcbSvn === undefined) notSupported('TDX quote without TEE_TCB_SVN', 'tcb.teeTcbSvn');
  const sgxLevel = info.tcbLevels.find((l) => sgxMatches(input, l));

  // 4.1.2.5.18 (SGX) / 4.1.2.5.19 (TDX): the launch pass.
  const launch = evaluatePass(info, input, tdx ? input.teeTcbSvn : undefined, 'launch');
  let status = launch.status;
  let current: PassOutcome | undefined;
  // 4.1.2.5.1.20: TD 1.5 bodies evaluate TEE_TCB_SVN_2 on its own (20.1), then the relaunch rule (20.2).
  if (tdx && input.teeTcbSvn2 !== undefined) {
    current = evaluatePass(info, input, input.teeTcbSvn2, 'current');
    status = checkForRelaunch(launch.status, current.status);
  }
  const qeLevel = input.qe?.level;
  return {
    status,
    sgxStatus: sgxLevel!.status,
    ...(tdx ? { tdxStatus: launch.platformLevel.status } : {}),
    platformLevel: launch.platformLevel,
    ...(launch.moduleLevel ? { moduleLevel: launch.moduleLevel } : {}),
    ...(qeLevel ? { qeLevel } : {}),
    advisoryIds: launch.advisoryIds,
    tcbDate: launch.tcbDate,
    tcbEvaluationDataNumber: info.tcbEvaluationDataNumber,
    launch: { ...launch, status },
    ...(current ? { current } : {}),
  };
}
