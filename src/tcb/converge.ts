/**
 * Status convergence, as the Intel QVL does it (Verifiers/Checks/
 * TcbLevelCheck.cpp convergeTcbStatusWithQeTcbStatus, TdxModuleCheck.cpp
 * convergeTcbStatusWithTdxModuleStatus; spec step 4.1.2.5.18).
 */
import type { TcbStatus } from './status.js';

/** Outcome of matching the QE report ISVSVN against the QE Identity levels (4.1.2.9.9-10). */
export type QeTcbOutcome = 'UpToDate' | 'OutOfDate' | 'Revoked' | 'NotSupported';

/** A platform status combined with an OutOfDate component (module or QE). */
function withOutOfDate(status: TcbStatus): TcbStatus {
  if (status === 'UpToDate' || status === 'SWHardeningNeeded') return 'OutOfDate';
  if (status === 'ConfigurationNeeded' || status === 'ConfigurationAndSWHardeningNeeded') {
    return 'OutOfDateConfigurationNeeded';
  }
  return status;
}

/** convergeTcbStatusWithTdxModuleStatus: module OutOfDate degrades, module Revoked dominates. */
export function convergeWithModule(platform: TcbStatus, module: TcbStatus): TcbStatus {
  if (module === 'Revoked') return 'Revoked';
  if (module === 'OutOfDate') return withOutOfDate(platform);
  return platform;
}

/**
 * convergeTcbStatusWithQeTcbStatus: QE OutOfDate degrades, QE Revoked
 * dominates, QE NotSupported makes the whole TCB unsupported.
 */
export function convergeWithQe(platform: TcbStatus, qe: QeTcbOutcome): TcbStatus | 'NotSupported' {
  if (qe === 'Revoked') return 'Revoked';
  if (qe === 'NotSupported') return 'NotSupported';
  if (qe === 'OutOfDate') return withOutOfDate(platform);
  return platform;
}

export function isConfigurationNeeded(s: TcbStatus): boolean {
  return (
    s === 'ConfigurationNeeded' ||
    s === 'OutOfDateConfigurationNeeded' ||
    s === 'ConfigurationAndSWHardeningNeeded' ||
    s === 'TDRelaunchAdvisedConfigurationNeeded'
  );
}
