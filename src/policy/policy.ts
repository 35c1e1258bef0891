/**
 * Policy: is a verified quote acceptable to this caller? Runs only on the
 * output of `verifyQuote` (verified claims), never on raw input. Secure by
 * default: debug enclaves / TDs are refused, only UpToDate and the
 * "configuration / SW hardening needed" statuses pass, TDs must have
 * SEPT_VE_DISABLE set. Every relaxation is a named option. All violations are
 * collected and reported together.
 */
import { PolicyError, type ErrorCode, type Evidence } from '../errors.js';
import { DEFAULT_ACCEPTABLE_STATUSES, type TcbStatus } from '../tcb/status.js';
import type { VerifiedQuote } from '../verify/result.js';

export interface QuotePolicy {
  /** TCB statuses to accept. Default: UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded. */
  readonly acceptableStatuses?: readonly TcbStatus[];
  /** Advisory IDs that make a quote unacceptable whatever its status. */
  readonly rejectedAdvisoryIds?: readonly string[];
  /** Accept debug enclaves / debug TDs. Default false: a debug TEE has no confidentiality. */
  readonly allowDebug?: boolean;
  /** TD only: require TDATTRIBUTES.SEPT_VE_DISABLE. Default true. */
  readonly requireSeptVeDisable?: boolean;
  /** TD only: allowed MRTD values (hex). */
  readonly mrTd?: readonly string[];
  /** TD only: allowed values per RTMR index (hex). */
  readonly rtmr?: { readonly 0?: readonly string[]; readonly 1?: readonly string[]; readonly 2?: readonly string[]; readonly 3?: readonly string[] };
  /** TD 1.5 only: allowed MRSERVICETD values (hex). For TD 1.0 quotes a set value is a violation unless it contains the all-zero value. */
  readonly mrServiceTd?: readonly string[];
  /** TD only: allowed MRCONFIGID / MROWNER values. */
  readonly mrConfigId?: readonly string[];
  readonly mrOwner?: readonly string[];
  /** SGX only: allowed MRENCLAVE / MRSIGNER values, ISVPRODIDs and minimum ISVSVN. */
  readonly mrEnclave?: readonly string[];
  readonly mrSigner?: readonly string[];
  readonly isvProdId?: readonly number[];
  readonly minIsvSvn?: number;
  /** Expected REPORTDATA (hex, 64 bytes). */
  readonly reportData?: string;
  /** Minimum tcbEvaluationDataNumber of the collateral used. */
  readonly minTcbEvaluationDataNumber?: number;
  /** Allowed FMSPCs (hex). */
  readonly fmspc?: readonly string[];
}

export interface PolicyViolation {
  readonly code: ErrorCode;
  readonly message: string;
  readonly evidence: Evidence;
}

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
  const statuses = policy.acceptableStatuses ?? DEFAULT_ACCEPTABLE_STATUSES;
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
  allowList(out, 'fmspc', policy.fmspc, v.fmspc);
  if (policy.reportData !== undefined && norm(policy.reportData) !== r.reportData) {
    out.push({
      code: 'PolicyMeasurement',
      message: 'REPORTDATA differs from the expected value',
      evidence: { check: 'policy.reportData', field: 'reportData', expected: norm(policy.reportData), found: r.reportData },
    });
  }

  if (r.kind === 'sgx') {
    allowList(out, 'mrEnclave', policy.mrEnclave, r.mrEnclave);
    allowList(out, 'mrSigner', policy.mrSigner, r.mrSigner);
    if (policy.isvProdId !== undefined && !policy.isvProdId.includes(r.isvProdId)) {
      out.push({
        code: 'PolicyMeasurement',
        message: 'ISVPRODID is not in the allowed list',
        evidence: { check: 'policy.isvProdId', field: 'isvProdId', expected: policy.isvProdId.join(' | '), found: String(r.isvProdId) },
      });
    }
    if (policy.minIsvSvn !== undefined && r.isvSvn < policy.minIsvSvn) {
      out.push({
        code: 'PolicyMeasurement',
        message: 'ISVSVN is below the minimum',
        evidence: { check: 'policy.minIsvSvn', field: 'isvSvn', expected: `>= ${policy.minIsvSvn}`, found: String(r.isvSvn) },
      });
    }
    for (const k of ['mrTd', 'rtmr', 'mrServiceTd', 'mrConfigId', 'mrOwner'] as const) {
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
  allowList(out, 'mrTd', policy.mrTd, r.mrTd);
  allowList(out, 'mrConfigId', policy.mrConfigId, r.mrConfigId);
  allowList(out, 'mrOwner', policy.mrOwner, r.mrOwner);
  for (const i of [0, 1, 2, 3] as const) allowList(out, `rtmr${i}`, policy.rtmr?.[i], r[`rtmr${i}`]);
  allowList(out, 'mrServiceTd', policy.mrServiceTd, r.mrServiceTd ?? '00'.repeat(48));
  for (const k of ['mrEnclave', 'mrSigner', 'isvProdId', 'minIsvSvn'] as const) {
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
