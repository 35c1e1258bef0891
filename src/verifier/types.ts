/**
 * The RA-TLS verifier family: one interface, several ways to decide whether a
 * TDX quote is genuine (local DCAP, Intel Trust Authority, caches of either,
 * and an insecure test double under `testing/`).
 *
 * A verifier answers only "is this quote genuine, and what does it measure":
 * key binding, event-log replay and the caller's policy (allowed
 * measurements, debug, TCB status) are applied by `verifyServerCertificate`
 * on top of the result.
 */
import type { TcbStatus } from '../tcb/status.js';
import type { VerifiedQuote } from '../verify/result.js';
import type { Clock } from '../lib/time.js';

/** The library's one time source type (util/time.ts `Clock`): unix seconds or a Date. */
export type VerifierClock = Clock;

export interface RaTlsVerifyOptions {
  /**
   * Verification time (unix seconds, ISO-8601 string or Date). When absent
   * the verifier's injected `clock` is used; with neither, InvalidArgument.
   */
  readonly at?: number | string | Date;
  /**
   * Data the quote's REPORTDATA commits to, forwarded to remote verifiers
   * that can check it (Intel Trust Authority `runtime_data`). Local
   * verifiers ignore it.
   */
  readonly runtimeData?: Uint8Array;
  /** Forwarded as Intel Trust Authority `user_data`; ignored by local verifiers. */
  readonly userData?: Uint8Array;
}

/** What a verifier vouches for. Byte fields are lower-case hex without 0x. */
export interface VerificationResult {
  /** Which verifier produced this result (`dcap`, `intel-trust-authority`, `noop`, ...). */
  readonly verifier: string;
  /**
   * True when the quote's signature chain was checked up to Intel's root
   * (locally or by Intel Trust Authority). False for simulator / no-op
   * results, which `verifyServerCertificate` refuses unless `allowSimulator`.
   */
  readonly authenticated: boolean;
  readonly teeType: 'TDX';
  readonly mrtd: string;
  readonly rtmr0: string;
  readonly rtmr1: string;
  readonly rtmr2: string;
  readonly rtmr3: string;
  readonly reportData: string;
  readonly mrConfigId: string;
  readonly mrOwner: string;
  readonly mrOwnerConfig: string;
  readonly mrSeam: string;
  readonly tdAttributes: string;
  readonly xfam: string;
  /** TCB status; `Unverified` when nothing evaluated it (no-op verifier). */
  readonly tcbStatus: TcbStatus | 'Unverified';
  readonly advisoryIds: readonly string[];
  /** ISO-8601 TCB date, when the verifier reports one. */
  readonly tcbDate?: string;
  /** TDATTRIBUTES.DEBUG: the TD's memory is readable by the host. */
  readonly isDebug: boolean;
  /** TDATTRIBUTES.SEPT_VE_DISABLE. */
  readonly septVeDisable: boolean;
  /** The verification time used, unix seconds. */
  readonly verifiedAt: number;
  /** Unix seconds after which this result must not be reused (collateral or token expiry). */
  readonly expiresAt?: number;
  /** DcapVerifier: the full local verification result. */
  readonly dcap?: VerifiedQuote;
  /** IntelApiVerifier: the verified token and its claims. */
  readonly token?: { readonly jwt: string; readonly header: Readonly<Record<string, unknown>>; readonly claims: Readonly<Record<string, unknown>> };
}

/**
 * One interface for every TEE verifier. `R` is the result type: the TDX
 * `VerificationResult` by default (DCAP, Intel Trust Authority, cached,
 * no-op); `SnpVerifier` implements `RaTlsVerifier<SnpVerificationResult>`.
 */
export interface RaTlsVerifier<R = VerificationResult> {
  /** Short identifier, also used in results (`VerificationResult.verifier`). */
  readonly name: string;
  /** Decides whether the evidence (a quote / report) is genuine. Rejects with an AttestationError (stable `code`) when not. */
  verify(quote: Uint8Array, options?: RaTlsVerifyOptions): Promise<R>;
}
