/**
 * What a successful verification returns: typed claims read from verified
 * bytes only (the signed quote body, the PCK certificate, the signed
 * collateral). Byte fields are lower-case hex.
 */
import type { TcbStatus } from '../tcb/status.js';
import type { Quote } from '../quote/types.js';

export interface PckClaims {
  /** Which PCK CA issued the leaf. */
  readonly ca: 'platform' | 'processor';
  readonly ppid: string;
  readonly cpusvn: string;
  readonly pcesvn: number;
  readonly tcbComponents: readonly number[];
  readonly sgxType: 'Standard' | 'Scalable' | 'ScalableWithIntegrity';
  readonly platformInstanceId?: string;
  readonly configuration?: { dynamicPlatform?: boolean; cachedKeys?: boolean; smtEnabled?: boolean };
  readonly serial: string;
  readonly notAfter: number;
}

export interface SgxEnclaveClaims {
  readonly kind: 'sgx';
  readonly mrEnclave: string;
  readonly mrSigner: string;
  readonly isvProdId: number;
  readonly isvSvn: number;
  readonly cpuSvn: string;
  readonly miscSelect: number;
  readonly attributes: string;
  readonly reportData: string;
  readonly debug: boolean;
}

export interface TdClaims {
  readonly kind: 'td10' | 'td15' | 'td15ex';
  readonly mrTd: string;
  readonly rtmr0: string;
  readonly rtmr1: string;
  readonly rtmr2: string;
  readonly rtmr3: string;
  readonly reportData: string;
  readonly mrConfigId: string;
  readonly mrOwner: string;
  readonly mrOwnerConfig: string;
  readonly mrSeam: string;
  readonly mrSignerSeam: string;
  readonly seamAttributes: string;
  readonly tdAttributes: string;
  readonly xfam: string;
  readonly teeTcbSvn: string;
  /** TD 1.5 only. */
  readonly teeTcbSvn2?: string;
  /** TD 1.5 only. */
  readonly mrServiceTd?: string;
  /** TD_REPORT15EX (v5 body type 4) only: the TD Partitioning / Preserving Endorsements fields. */
  readonly td15ex?: Td15ExClaims;
  readonly debug: boolean;
  readonly septVeDisable: boolean;
}

/** The TD_REPORT15EX fields beyond TD 1.5 (hex strings; `vmid` as a number). */
export interface Td15ExClaims {
  readonly vmid: number;
  readonly tdId: string;
  readonly devInfo: string;
  readonly initServTdHash: string;
  readonly initServTdAttributes: string;
  readonly initCpuSvn: string;
  readonly initTeeTcbSvn: string;
  readonly initTeeFmspc: string;
  readonly curServTdHash: string;
  readonly curServTdAttributes: string;
}

/** One TCB evaluation pass as Intel reports it (VerificationCollateralInfo launch / current). */
export interface TcbPassClaims {
  readonly status: TcbStatus;
  /** Earliest tcbDate of the levels this pass matched, ISO-8601. */
  readonly tcbDate: string;
  /** Sorted, without duplicates. */
  readonly advisoryIds: readonly string[];
}

export interface VerifiedQuote {
  readonly teeType: 'SGX' | 'TDX';
  readonly quoteVersion: 3 | 4 | 5;
  /** Converged TCB status (platform, TDX module and QE). */
  readonly status: TcbStatus;
  readonly advisoryIds: readonly string[];
  /** Earliest tcbDate of the matched levels, ISO-8601. */
  readonly tcbDate: string;
  /** Status of the matched platform TCB level (TDX level for TDX), before convergence. */
  readonly platformStatus: TcbStatus;
  /** Status of the matched SGX TCB level. */
  readonly sgxStatus: TcbStatus;
  readonly qeStatus: TcbStatus;
  readonly moduleStatus?: TcbStatus;
  /** The TDX module identity used (e.g. TDX_03), if any. */
  readonly moduleIdentity?: string;
  /**
   * TD 1.5 (v5 body types 3 and 4) only: the launch pass on TEE_TCB_SVN (its status is the final
   * one, after the TD relaunch rule; same as `status`, `tcbDate`, `advisoryIds`) and the current pass
   * on TEE_TCB_SVN_2, each as Intel's QVL reports them.
   */
  readonly launchTcb?: TcbPassClaims;
  readonly currentTcb?: TcbPassClaims;
  /** Lower of the TCB Info and QE Identity tcbEvaluationDataNumber. */
  readonly tcbEvaluationDataNumber: number;
  readonly fmspc: string;
  readonly pceId: string;
  readonly pck: PckClaims;
  /** QE report identity. */
  readonly qe: { readonly mrEnclave: string; readonly mrSigner: string; readonly isvProdId: number; readonly isvSvn: number };
  /** The quoted report: an SGX enclave or a TD. */
  readonly report: SgxEnclaveClaims | TdClaims;
  /** Earliest expiry among the collateral used (TCB Info, QE Identity, CRLs, certificates), unix seconds. */
  readonly collateralExpiresAt: number;
  /** The verification time used, unix seconds. */
  readonly verifiedAt: number;
  /** Checks that passed, in order (e.g. `pck.chain`, `tcbInfo.signature`, ...). */
  readonly checks: readonly string[];
  /** The parsed quote. */
  readonly quote: Quote;
}
