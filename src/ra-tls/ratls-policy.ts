/**
 * Policy for RA-TLS peers: is a verified TD acceptable to this client?
 * Secure by default; every relaxation is a named option:
 *
 *   allowDebug             default false: a debug TD's memory is readable by the host
 *   allowSimulator         default false: accept results nobody authenticated (NoopVerifier,
 *                          dstack simulator; binding and event-log replay still apply), and
 *                          server certificates with no quote at all when nothing is pinned
 *                          (verify-server-certificate.ts); the verification is marked
 *                          `unverified` and warns on every acceptance
 *   acceptableTcbStatuses  default DEFAULT_ACCEPTABLE_STATUSES (tcb/status.ts)
 *   requireSeptVeDisable   default true (as the core policy)
 *
 * and pins: allowedMrtds, allowedRtmrs, allowedComposeHashes, allowedAppIds,
 * allowedOsImageHashes. A pin left undefined is not checked here (credential
 * paths require pins: identity-pins.ts); an empty list, a non-hex or
 * wrong-length pin, or an option of the wrong type is InvalidArgument
 * (option-checks.ts). App pins (compose hash, app id, OS image) read
 * runtime-event claims, which exist only when the exact RTMR3 sequence
 * replayed to the quote's RTMR3 (rtmr3-claims.ts). Every violation is collected; the caller throws one
 * PolicyError carrying them all.
 */
import type { Violation } from '../errors.js';
import { DEFAULT_ACCEPTABLE_STATUSES } from '../tcb/status.js';
import type { TdPolicy } from '../policy/options.js';
import type { VerificationResult } from '../verifier/types.js';
import type { DstackAppClaims } from './app-claims.js';
import { validateRaTlsPolicyOptions } from './option-checks.js';

export interface RaTlsPolicyOptions extends TdPolicy {
  /** Allowed dstack compose hashes (runtime event `compose-hash`). */
  readonly allowedComposeHashes?: readonly string[];
  /** Allowed dstack app ids (runtime event `app-id`). */
  readonly allowedAppIds?: readonly string[];
  /** Allowed dstack OS image hashes (runtime event `os-image-hash`). */
  readonly allowedOsImageHashes?: readonly string[];
  /**
   * Development only. Accept unauthenticated (simulator / no-op) results, and
   * certificates carrying no quote when no measurement or app pin is set
   * (sqlx-ra-tls `allow_simulator`). Default false. Warns on every acceptance;
   * does not waive requireIdentityPins (identity-pins.ts).
   */
  readonly allowSimulator?: boolean;
}

/** One violated rule (the shared `Violation` of errors.ts). */
export type RaTlsPolicyViolation = Violation;

const norm = (s: string): string => s.trim().toLowerCase().replace(/^0x/, '');

function pin(out: RaTlsPolicyViolation[], field: string, allowed: readonly string[] | undefined, found: string | undefined, why?: string): void {
  if (allowed === undefined) return;
  const list = allowed.map(norm);
  if (found === undefined) {
    out.push({
      code: 'PolicyMeasurement',
      message: `${field} is pinned but not available${why === undefined ? '' : ` (${why})`}`,
      evidence: { check: `policy.${field}`, field, expected: list.join(' | '), found: 'unavailable' },
    });
  } else if (!list.includes(found)) {
    out.push({
      code: 'PolicyMeasurement',
      message: `${field} is not in the allowed list`,
      evidence: { check: `policy.${field}`, field, expected: list.join(' | '), found },
    });
  }
}

/**
 * Every violation of `options` by a verification result and, when present,
 * its replayed runtime-event claims (undefined: no replayed event log).
 */
export function ratlsPolicyViolations(
  result: VerificationResult,
  claims: DstackAppClaims | undefined,
  options: RaTlsPolicyOptions,
): RaTlsPolicyViolation[] {
  validateRaTlsPolicyOptions(options, 'ratlsPolicyViolations');
  const out: RaTlsPolicyViolation[] = [];
  if (!result.authenticated && options.allowSimulator !== true) {
    out.push({
      code: 'PolicySimulator',
      message: `quote not authenticated by Intel (verifier ${result.verifier}); allowSimulator is off`,
      evidence: { check: 'policy.authenticated', field: 'authenticated', expected: 'true', found: 'false' },
    });
  }
  if (result.tcbStatus !== 'Unverified') {
    const statuses = options.acceptableTcbStatuses ?? DEFAULT_ACCEPTABLE_STATUSES;
    if (!statuses.includes(result.tcbStatus)) {
      out.push({
        code: 'PolicyTcbStatus',
        message: `TCB status ${result.tcbStatus} is not acceptable`,
        evidence: { check: 'policy.tcbStatus', field: 'tcbStatus', expected: statuses.join(' | '), found: result.tcbStatus },
      });
    }
  }
  const rejected = (options.rejectedAdvisoryIds ?? []).filter((id) => result.advisoryIds.includes(id));
  if (rejected.length > 0) {
    out.push({
      code: 'PolicyAdvisory',
      message: `advisories ${rejected.join(', ')} are not acceptable`,
      evidence: { check: 'policy.advisoryIds', field: 'advisoryIds', found: rejected.join(',') },
    });
  }
  if (result.isDebug && options.allowDebug !== true) {
    out.push({
      code: 'PolicyDebug',
      message: 'debug TD refused',
      evidence: { check: 'policy.debug', field: 'TDATTRIBUTES.DEBUG', expected: 'false', found: 'true' },
    });
  }
  if (options.requireSeptVeDisable !== false && !result.septVeDisable) {
    out.push({
      code: 'PolicyAttributes',
      message: 'TD does not have SEPT_VE_DISABLE set',
      evidence: { check: 'policy.septVeDisable', field: 'TDATTRIBUTES.SEPT_VE_DISABLE', expected: 'true', found: 'false' },
    });
  }
  pin(out, 'mrtd', options.allowedMrtds, result.mrtd);
  for (const i of [0, 1, 2, 3] as const) pin(out, `rtmr${i}`, options.allowedRtmrs?.[i], result[`rtmr${i}`]);
  const why = claims === undefined ? 'no event log replayed to RTMR3' : 'event absent before system-ready';
  pin(out, 'composeHash', options.allowedComposeHashes, claims?.composeHash, why);
  pin(out, 'appId', options.allowedAppIds, claims?.appId, why);
  pin(out, 'osImageHash', options.allowedOsImageHashes, claims?.osImageHash, why);
  return out;
}
