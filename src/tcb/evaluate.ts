/**
 * Platform TCB evaluation, exactly as the Intel QVL does it
 * (Verifiers/Checks/TcbLevelCheck.cpp checkTcbLevel, spec step 4.1.2.5.18,
 * and TDRelaunchCheck.cpp checkForRelaunch, step 4.1.2.5.18.4.3).
 *
 * Input facts come from verified sources only: the PCK certificate's SGX
 * extension (components, PCESVN), the signed quote body (TEE_TCB_SVN,
 * TEE_TCB_SVN2) and the signed TCB Info / QE Identity.
 */
import { VerifyError } from '../errors.js';
import type { ModuleTcbLevel, TcbInfo, TcbLevel } from '../collateral/tcb-info.js';
import type { QeTcbLevel } from '../collateral/qe-identity.js';
import { convergeWithModule, convergeWithQe, isConfigurationNeeded, type QeTcbOutcome } from './converge.js';
import { findModuleIdentity, moduleIdentityId, moduleTcbStatus } from './tdx-module.js';
import type { TcbStatus } from './status.js';
import { toHex } from '../util/bytes.js';

export interface TcbEvaluationInput {
  readonly teeType: 'SGX' | 'TDX';
  readonly quoteVersion: number;
  /** PCK certificate: 16 SGX TCB components and PCESVN. */
  readonly pckComponents: readonly number[];
  readonly pckPcesvn: number;
  /** TD report TEE_TCB_SVN (TDX only). */
  readonly teeTcbSvn?: Uint8Array;
  /** TD 1.5 report TEE_TCB_SVN2 (body type 3 only). */
  readonly teeTcbSvn2?: Uint8Array;
  /** Result of the QE identity check; undefined when no QE Identity was evaluated. */
  readonly qe?: { outcome: QeTcbOutcome; level?: QeTcbLevel };
}

export interface TcbEvaluation {
  /** Final, converged status. */
  readonly status: TcbStatus;
  /** Status of the selected SGX TCB level. */
  readonly sgxStatus: TcbStatus;
  /** Status of the selected TDX TCB level (TDX only), before module / QE convergence. */
  readonly tdxStatus?: TcbStatus;
  /** The platform level whose status and advisories apply (the TDX level for TDX). */
  readonly platformLevel: TcbLevel;
  readonly moduleLevel?: ModuleTcbLevel & { identityId: string };
  readonly qeLevel?: QeTcbLevel;
  /** Platform, then QE, then TDX module advisories, duplicates removed. */
  readonly advisoryIds: readonly string[];
  /** Earliest tcbDate of the matched levels (unix seconds). */
  readonly tcbDate: number;
  readonly tcbEvaluationDataNumber: number;
}

function notSupported(message: string, check: string, found?: string): never {
  throw new VerifyError('TcbNotSupported', message, { check, ...(found === undefined ? {} : { found }) });
}

/** 4.1.2.5.18.1-2: every PCK component and PCESVN at or above the level's. */
function sgxMatches(input: TcbEvaluationInput, level: TcbLevel): boolean {
  for (let i = 0; i < 16; i++) if ((input.pckComponents[i] ?? 0) < level.sgxComponents[i]!) return false;
  return input.pckPcesvn >= level.pcesvn;
}

/** isTdxTcbHigherOrEqual: TEE_TCB_SVN from index 2 when the module version (index 1) is above 0, else from 0. */
function tdxMatches(teeTcbSvn: Uint8Array, level: TcbLevel): boolean {
  const comps = level.tdxComponents;
  if (comps === undefined) return false;
  for (let i = teeTcbSvn[1]! > 0 ? 2 : 0; i < 16; i++) if (teeTcbSvn[i]! < comps[i]!) return false;
  return true;
}

/** matchTcbLevels: the first SGX match, and for TDX the first level where both match. */
function matchLevels(info: TcbInfo, input: TcbEvaluationInput, tdx: boolean): { sgx?: TcbLevel; tdx?: TcbLevel } {
  let sgx: TcbLevel | undefined;
  for (const level of info.tcbLevels) {
    if (!sgxMatches(input, level)) continue;
    if (!tdx) return { sgx: level };
    sgx ??= level;
    if (tdxMatches(input.teeTcbSvn!, level)) return { sgx, tdx: level };
  }
  return sgx === undefined ? {} : { sgx };
}

/**
 * checkForRelaunch (TD 1.5): the TD runs on an out-of-date module while the
 * platform already has an up-to-date one loaded (TEE_TCB_SVN2), so relaunching
 * the TD would bring it up to date.
 */
function checkForRelaunch(
  info: TcbInfo,
  teeTcbSvn2: Uint8Array,
  sgxStatus: TcbStatus,
  tdxStatus: TcbStatus,
  moduleStatus: TcbStatus | undefined,
  qe: QeTcbOutcome | undefined,
): TcbStatus {
  if (qe === 'OutOfDate' || qe === 'Revoked' || qe === 'NotSupported') return tdxStatus;
  if (!['UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded'].includes(sgxStatus)) {
    return tdxStatus;
  }
  if (tdxStatus !== 'OutOfDate' && tdxStatus !== 'OutOfDateConfigurationNeeded') return tdxStatus;
  if (moduleStatus !== 'OutOfDate') return tdxStatus;
  const latest = info.tcbLevels[0]!;
  const latestTdx = latest.tdxComponents!;
  let moduleOk: boolean;
  if (teeTcbSvn2[1] === 0) {
    moduleOk = teeTcbSvn2[0]! >= latestTdx[0]!;
  } else {
    const identity2 = findModuleIdentity(info, teeTcbSvn2[1]!);
    if (identity2 === undefined) {
      throw new VerifyError('TdxModuleMismatch', `TCB Info has no TDX module identity ${moduleIdentityId(teeTcbSvn2[1]!)} for TEE_TCB_SVN2`, {
        check: 'tcb.relaunch.moduleIdentity',
        field: 'TEE_TCB_SVN2',
        expected: moduleIdentityId(teeTcbSvn2[1]!),
      });
    }
    moduleOk = teeTcbSvn2[0]! >= identity2.tcbLevels[0]!.isvsvn;
  }
  if (moduleOk && teeTcbSvn2[2]! >= latestTdx[2]!) {
    return isConfigurationNeeded(sgxStatus) || isConfigurationNeeded(tdxStatus)
      ? 'TDRelaunchAdvisedConfigurationNeeded'
      : 'TDRelaunchAdvised';
  }
  return tdxStatus;
}

function finish(
  status: TcbStatus | 'NotSupported',
  parts: Omit<TcbEvaluation, 'status' | 'advisoryIds' | 'tcbDate' | 'tcbEvaluationDataNumber'>,
  info: TcbInfo,
): TcbEvaluation {
  if (status === 'NotSupported') notSupported('QE ISVSVN is below every QE Identity TCB level', 'qeIdentity.tcbLevel');
  const ids = [
    ...parts.platformLevel.advisoryIds,
    ...(parts.qeLevel?.advisoryIds ?? []),
    ...(parts.moduleLevel?.advisoryIds ?? []),
  ];
  const dates = [parts.platformLevel.tcbDate, parts.qeLevel?.tcbDate, parts.moduleLevel?.tcbDate].filter(
    (d): d is number => d !== undefined,
  );
  return {
    status,
    ...parts,
    advisoryIds: [...new Set(ids)],
    tcbDate: Math.min(...dates),
    tcbEvaluationDataNumber: info.tcbEvaluationDataNumber,
  };
}

/** checkTcbLevel (4.1.2.5.18). Throws TcbNotSupported / TdxModuleMismatch; returns the converged status. */
export function evaluateTcb(info: TcbInfo, input: TcbEvaluationInput): TcbEvaluation {
  const tdx = info.version >= 3 && info.id === 'TDX' && input.teeType === 'TDX';
  if (tdx && input.teeTcbSvn === undefined) notSupported('TDX quote without TEE_TCB_SVN', 'tcb.teeTcbSvn');
  const levels = matchLevels(info, input, tdx);
  const qe = input.qe;
  const qeLevel = qe?.level;

  if (levels.sgx === undefined) {
    notSupported(
      'no TCB level matches the PCK certificate TCB (SGX components and PCESVN)',
      'tcb.sgxLevel',
      `${input.pckComponents.join(',')} pcesvn ${input.pckPcesvn}`,
    );
  }
  const sgxStatus = levels.sgx.status;
  if (!tdx) {
    const status = qe === undefined ? sgxStatus : convergeWithQe(sgxStatus, qe.outcome);
    return finish(status, { sgxStatus, platformLevel: levels.sgx, ...(qeLevel ? { qeLevel } : {}) }, info);
  }

  if (levels.tdx === undefined) {
    notSupported('no TCB level matches the TD report TEE_TCB_SVN', 'tcb.tdxLevel', toHex(input.teeTcbSvn!));
  }
  // 4.1.2.5.18.4.1: TDX module TCB status.
  const mod = moduleTcbStatus(info, input.quoteVersion, input.teeTcbSvn!);
  if (mod.kind === 'mismatch') {
    throw new VerifyError('TdxModuleMismatch', `TCB Info has no TDX module identity ${mod.id}`, {
      check: 'tdxModule.identity',
      field: 'tdxModuleIdentities',
      expected: mod.id,
    });
  }
  if (mod.kind === 'notSupported') {
    notSupported(`TDX module ISVSVN is below every level of ${mod.identity.id}`, 'tdxModule.tcbLevel', String(input.teeTcbSvn![0]));
  }
  const moduleLevel = mod.kind === 'level' ? { ...mod.level, identityId: mod.identity.id } : undefined;
  const platformTdxStatus = levels.tdx.status;
  let tdxStatus = convergeWithModule(platformTdxStatus, moduleLevel?.status ?? 'UpToDate');
  const parts = {
    sgxStatus,
    tdxStatus: platformTdxStatus,
    platformLevel: levels.tdx,
    ...(moduleLevel ? { moduleLevel } : {}),
    ...(qeLevel ? { qeLevel } : {}),
  };
  // A revoked TDX TCB is final (the QVL returns before the QE convergence).
  if (tdxStatus === 'Revoked') return finish(tdxStatus, parts, info);

  // 4.1.2.5.18.4.3: TD 1.5 relaunch advice.
  if (input.teeTcbSvn2 !== undefined) {
    tdxStatus = checkForRelaunch(info, input.teeTcbSvn2, sgxStatus, tdxStatus, moduleLevel?.status ?? 'UpToDate', qe?.outcome);
  }
  return finish(qe === undefined ? tdxStatus : convergeWithQe(tdxStatus, qe.outcome), parts, info);
}
