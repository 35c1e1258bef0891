/**
 * Policy: is a verified quote acceptable to this caller? Runs only on the
 * output of `verifyQuote` (verified claims), never on raw input. Secure by
 * default: debug enclaves / TDs are refused, only UpToDate and the
 * "configuration / SW hardening needed" statuses pass, TDs must have
 * SEPT_VE_DISABLE set. Every relaxation is a named option. All violations are
 * collected and reported together.
 */
import { PolicyError, type Violation } from '../errors.js';
import { DEFAULT_ACCEPTABLE_STATUSES } from '../tcb/status.js';
import type { ReportDataPolicy, TdPolicy } from './options.js';
import type { VerifiedQuote } from '../verify/result.js';

export interface QuotePolicy extends TdPolicy, ReportDataPolicy {
  /** TD 1.5 only: allowed MRSERVICETD values (hex). For TD 1.0 quotes a set value is a violation unless it contains the all-zero value. */
  readonly allowedMrServiceTds?: readonly string[];
  /** TD only: allowed MRCONFIGID / MROWNER values. */
  readonly allowedMrConfigIds?: readonly string[];
  readonly allowedMrOwners?: readonly string[];
  /** SGX only: allowed MRENCLAVE / MRSIGNER values, ISVPRODIDs and minimum ISVSVN. */
  readonly allowedMrEnclaves?: readonly string[];
  readonly allowedMrSigners?: readonly string[];
  readonly allowedIsvProdIds?: readonly number[];
  readonly minIsvSvn?: number;
  /** Minimum tcbEvaluationDataNumber of the collateral used. */
  readonly minTcbEvaluationDataNumber?: number;
  /** Allowed FMSPCs (hex). */
  readonly allowedFmspcs?: readonly string[];
}

/** One violated rule (the shared `Violation` of errors.ts). */
export type PolicyViolation = Violation;

const norm = (s: string): string => s.toLowerCase().replace(/^0x/, '');

function allowList(
  out: PolicyViolation[],
  field: string,
  allowed: readonly string[] | undefined,
  found: string | undefined,
): void {
  if (allowed === undefined) return;
  const f = found ?? '';
  if (!allowed.map(norm).includes(f)) {
    out.push({
      code: 'PolicyMeasurement',
      message: `${field} is not in the allowed list`,
      evidence: { check: `policy.${field}`, field, expected: allowed.map(norm).join(' | '), found: f },
    });
  }
}

/** Every policy violation of a verified quote (empty when acceptable). */
export function checkPolicy(v: VerifiedQuote, policy: QuotePolicy = {}): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const statuses = policy.acceptableTcbStatuses ?? DEFAULT_ACCEPTABLE_STATUSES;
  if (!statuses.includes(v.status)) {
    out.push({
      code: 'PolicyTcbStatus',
      message: `TCB status ${v.status} is not acceptable`,
      evidence: { check: 'policy.tcbStatus', field: 'status', expected: statuses.join(' | '), found: v.status },
    });
  }
  const rejected = (policy.rejectedAdvisoryIds ?? []).filter((id) => v.advisoryIds.includes(id));
  if (rejected.length > 0) {
    out.push({
      code: 'PolicyAdvisory',
      message: `advisories ${rejected.join(', ')} are not acceptable`,
      evidence: { check: 'policy.advisoryIds', field: 'advisoryIds', found: rejected.join(',') },
    });
  }
  const r = v.report;
  if (r.debug && policy.allowDebug !== true) {
    out.push({
      code: 'PolicyDebug',
      message: r.kind === 'sgx' ? 'debug enclave refused' : 'debug TD refused',
      evidence: { check: 'policy.debug', field: r.kind === 'sgx' ? 'ATTRIBUTES.DEBUG' : 'TDATTRIBUTES.DEBUG', expected: 'false', found: 'true' },
    });
  }
  if (policy.minTcbEvaluationDataNumber !== undefined && v.tcbEvaluationDataNumber < policy.minTcbEvaluationDataNumber) {
    out.push({
      code: 'PolicyViolation',
      message: 'collateral tcbEvaluationDataNumber is below the minimum',
      evidence: {
        check: 'policy.tcbEvaluationDataNumber',
        expected: `>= ${policy.minTcbEvaluationDataNumber}`,
        found: String(v.tcbEvaluationDataNumber),
      },
    });
  }
  allowList(out, 'fmspc', policy.allowedFmspcs, v.fmspc);
  if (policy.expectedReportData !== undefined && norm(policy.expectedReportData) !== r.reportData) {
    out.push({
      code: 'PolicyMeasurement',
      message: 'REPORTDATA differs from the expected value',
      evidence: { check: 'policy.reportData', field: 'reportData', expected: norm(policy.expectedReportData), found: r.reportData },
    });
  }

  if (r.kind === 'sgx') {
    allowList(out, 'mrEnclave', policy.allowedMrEnclaves, r.mrEnclave);
    allowList(out, 'mrSigner', policy.allowedMrSigners, r.mrSigner);
    if (policy.allowedIsvProdIds !== undefined && !policy.allowedIsvProdIds.includes(r.isvProdId)) {
      out.push({
        code: 'PolicyMeasurement',
        message: 'ISVPRODID is not in the allowed list',
        evidence: { check: 'policy.isvProdId', field: 'isvProdId', expected: policy.allowedIsvProdIds.join(' | '), found: String(r.isvProdId) },
      });
    }
    if (policy.minIsvSvn !== undefined && r.isvSvn < policy.minIsvSvn) {
      out.push({
        code: 'PolicyMeasurement',
        message: 'ISVSVN is below the minimum',
        evidence: { check: 'policy.minIsvSvn', field: 'isvSvn', expected: `>= ${policy.minIsvSvn}`, found: String(r.isvSvn) },
      });
    }
    for (const k of ['allowedMrtds', 'allowedRtmrs', 'allowedMrServiceTds', 'allowedMrConfigIds', 'allowedMrOwners'] as const) {
      if (policy[k] !== undefined) {
        out.push({
          code: 'PolicyViolation',
          message: `policy sets ${k}, which an SGX quote does not have`,
          evidence: { check: `policy.${k}`, field: k, expected: 'TDX quote', found: 'SGX quote' },
        });
      }
    }
    return out;
  }

  if (policy.requireSeptVeDisable !== false && !r.septVeDisable) {
    out.push({
      code: 'PolicyAttributes',
      message: 'TD does not have SEPT_VE_DISABLE set',
      evidence: { check: 'policy.septVeDisable', field: 'TDATTRIBUTES.SEPT_VE_DISABLE', expected: 'true', found: 'false' },
    });
  }
  allowList(out, 'mrTd', policy.allowedMrtds, r.mrTd);
  allowList(out, 'mrConfigId', policy.allowedMrConfigIds, r.mrConfigId);
  allowList(out, 'mrOwner', policy.allowedMrOwners, r.mrOwner);
  for (const i of [0, 1, 2, 3] as const) allowList(out, `rtmr${i}`, policy.allowedRtmrs?.[i], r[`rtmr${i}`]);
  allowList(out, 'mrServiceTd', policy.allowedMrServiceTds, r.mrServiceTd ?? '00'.repeat(48));
  for (const k of ['allowedMrEnclaves', 'allowedMrSigners', 'allowedIsvProdIds', 'minIsvSvn'] as const) {
    if (policy[k] !== undefined) {
      out.push({
        code: 'PolicyViolation',
        message: `policy sets ${k}, which a TDX quote does not have`,
        evidence: { check: `policy.${k}`, field: k, expected: 'SGX quote', found: 'TDX quote' },
      });
    }
  }
  return out;
}

/** Throw a PolicyError carrying every violation, or return the verified quote unchanged. */
export function assertPolicy(v: VerifiedQuote, policy: QuotePolicy = {}): VerifiedQuote {
  const violations = checkPolicy(v, policy);
  if (violations.length > 0) throw new PolicyError(violations);
  return v;
}
