/**
 * TCB statuses as Intel names them (TCB Info / QE Identity `tcbStatus`
 * strings, plus the two TD-relaunch statuses the QVL derives for TD 1.5).
 */
export type TcbStatus =
  | 'UpToDate'
  | 'SWHardeningNeeded'
  | 'ConfigurationNeeded'
  | 'ConfigurationAndSWHardeningNeeded'
  | 'OutOfDate'
  | 'OutOfDateConfigurationNeeded'
  | 'Revoked'
  | 'TDRelaunchAdvised'
  | 'TDRelaunchAdvisedConfigurationNeeded';

/** Every status a verification may report (the TCB Info level statuses plus the TD relaunch advice). */
export const TCB_STATUSES: readonly TcbStatus[] = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
  'TDRelaunchAdvised',
  'TDRelaunchAdvisedConfigurationNeeded',
];

/** Statuses a platform TCB level of a TCB Info may carry. */
export const TCB_LEVEL_STATUSES: readonly TcbStatus[] = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
];

/** Statuses a TDX module identity TCB level may carry. */
export const MODULE_LEVEL_STATUSES: readonly TcbStatus[] = ['UpToDate', 'OutOfDate', 'Revoked'];

/**
 * Statuses a QE identity TCB level may carry: Intel's current QE Identity parser
 * (AttestationParsers/src/Json/IdentityTcbLevel.cpp, validStatuses) refuses any other.
 */
export const QE_LEVEL_STATUSES: readonly TcbStatus[] = ['UpToDate', 'OutOfDate', 'Revoked'];

/** The default acceptable set for policy (Intel's "valid with warnings" set minus OutOfDate). */
export const DEFAULT_ACCEPTABLE_STATUSES: readonly TcbStatus[] = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
];
