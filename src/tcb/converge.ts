/**
 * Status convergence, as Intel's current QVL does it (EvaluateTcb.cpp
 * convergeTcbStatuses, steps 4.1.2.5.1.4 / 4.1.2.5.2.4): the platform level
 * status is degraded by any component (TDX module, QE) whose status is
 * exactly OutOfDate, and replaced by Revoked when any component is Revoked.
 * Other component statuses (UpToDate, and the QE ConfigurationNeeded /
 * OutOfDateConfigurationNeeded that Intel's QE Identity parser now refuses)
 * leave the platform status as it is.
 */
import type { TcbStatus } from './status.js';

/** Outcome of matching the QE report ISVSVN against the QE Identity levels (4.1.2.9.9-10). */
export type QeTcbOutcome = 'UpToDate' | 'OutOfDate' | 'Revoked' | 'NotSupported';

/** A platform status combined with an OutOfDate component. */
function withOutOfDate(status: TcbStatus): TcbStatus {
  if (status === 'UpToDate' || status === 'SWHardeningNeeded') return 'OutOfDate';
  if (status === 'ConfigurationNeeded' || status === 'ConfigurationAndSWHardeningNeeded') {
    return 'OutOfDateConfigurationNeeded';
  }
  return status;
}

/** convergeTcbStatuses: OutOfDate components degrade, a Revoked component dominates. */
export function convergeComponents(platform: TcbStatus, components: readonly TcbStatus[]): TcbStatus {
  let status = platform;
  if (components.includes('OutOfDate')) status = withOutOfDate(status);
  if (components.includes('Revoked')) status = 'Revoked';
  return status;
}

export function isConfigurationNeeded(s: TcbStatus): boolean {
  return (
    s === 'ConfigurationNeeded' ||
    s === 'OutOfDateConfigurationNeeded' ||
    s === 'ConfigurationAndSWHardeningNeeded' ||
    s === 'TDRelaunchAdvisedConfigurationNeeded'
  );
}
