/**
 * Named policies of the service, evaluated on verified claims only: the core
 * `checkPolicy` (src/policy/policy.ts) for statuses, debug, measurements and
 * platform pins, plus the dstack app pins, which read runtime events replayed
 * to RTMR3. The attest request carries no event log, so a policy pinning
 * them never matches: it is reported unmatched, never silently skipped.
 */
import { checkPolicy } from '../policy/policy.js';
import type { VerifiedQuote } from '../verify/result.js';
import type { PolicyOutcome } from './claims.js';
import type { ServicePolicy } from './config.js';

export interface PolicyEvaluation extends PolicyOutcome {
  /** Why each unmatched policy did not match (error code: message). */
  readonly why: Readonly<Record<string, readonly string[]>>;
  /** Requested ids the configuration does not define. */
  readonly unknown: readonly string[];
}

const APP_PINS = ['allowedAppIds', 'allowedComposeHashes', 'allowedOsImageHashes'] as const;

export function evaluatePolicies(policies: Readonly<Record<string, ServicePolicy>>, v: VerifiedQuote, ids: readonly string[]): PolicyEvaluation {
  const matched: string[] = [];
  const unmatched: string[] = [];
  const unknown: string[] = [];
  const why: Record<string, string[]> = {};
  for (const id of ids) {
    const p = Object.hasOwn(policies, id) ? policies[id] : undefined;
    if (p === undefined) {
      unknown.push(id);
      continue;
    }
    const reasons = [
      ...checkPolicy(v, p).map((x) => `${x.code}: ${x.message}`),
      ...APP_PINS.filter((k) => p[k] !== undefined).map((k) => `PolicyMeasurement: ${k} needs an event log replayed to RTMR3; the request has none`),
    ];
    if (reasons.length === 0) matched.push(id);
    else {
      unmatched.push(id);
      why[id] = reasons;
    }
  }
  return { matched, unmatched, why, unknown };
}
