/**
 * The one policy vocabulary shared by DCAP (`QuotePolicy`), RA-TLS
 * (`RaTlsPolicyOptions`) and SEV-SNP (`SnpPolicy`):
 *   relaxations  `allow*` booleans, default false (`allowDebug`, `allowSimulator`, ...)
 *   pins         `allowed*` plural lists (`allowedMrtds`, `allowedMeasurements`, ...)
 *   statuses     `acceptableTcbStatuses`; advisories `rejectedAdvisoryIds`
 *   minimums     `min*`; exact values `expected*`
 * Each policy interface extends the bases below for the fields it shares.
 */
import type { TcbStatus } from '../tcb/status.js';

/** Every policy: the debug relaxation. */
export interface PolicyBase {
  /** Accept a debug enclave / TD / guest (the host can read its memory). Default false. */
  readonly allowDebug?: boolean;
}

/** Policies over Intel TCB evaluation results (DCAP and RA-TLS). */
export interface TcbStatusPolicy extends PolicyBase {
  /** TCB statuses to accept. Default DEFAULT_ACCEPTABLE_STATUSES (tcb/status.ts). */
  readonly acceptableTcbStatuses?: readonly TcbStatus[];
  /** Advisory IDs that make the evidence unacceptable whatever its status. */
  readonly rejectedAdvisoryIds?: readonly string[];
}

/** TDX measurement pins and attributes (DCAP TD quotes and RA-TLS). */
export interface TdPolicy extends TcbStatusPolicy {
  /** Require TDATTRIBUTES.SEPT_VE_DISABLE. Default true. */
  readonly requireSeptVeDisable?: boolean;
  /** Allowed MRTD values (hex, any case, optional 0x). */
  readonly allowedMrtds?: readonly string[];
  /** Allowed values per RTMR index (hex). */
  readonly allowedRtmrs?: {
    readonly 0?: readonly string[];
    readonly 1?: readonly string[];
    readonly 2?: readonly string[];
    readonly 3?: readonly string[];
  };
}

/** Policies over evidence with a 64-byte report data field (DCAP and SEV-SNP). */
export interface ReportDataPolicy extends PolicyBase {
  /** Exact REPORTDATA / REPORT_DATA (64 bytes, hex). */
  readonly expectedReportData?: string;
}
