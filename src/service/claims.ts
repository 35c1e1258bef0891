/**
 * Token claims from a verified quote, in two shapes:
 *
 * - ITA appraisal token (Intel Trust Authority EAT profile, v2 layout: the
 *   TEE's claims nested under `tdx` / `sgx`), with the claim names
 *   IntelApiVerifier (src/verifiers/ita-claims.ts) reads: attester_type,
 *   attester_tcb_status, attester_tcb_date, attester_advisory_ids, tdx_mrtd,
 *   tdx_rtmr0..3, tdx_report_data, tdx_is_debuggable, ...
 * - EAR (draft-ietf-rats-ear, the Veraison profile): eat_profile, iat,
 *   ear.verifier-id and one submod per attester with `ear.status` (an AR4SI
 *   trust tier) and `ear.trustworthiness-vector`.
 *
 * Every value is read from `VerifiedQuote` (verified bytes) or from the
 * request inputs the service checked against the quote.
 */
import type { TcbStatus } from '../tcb/status.js';
import type { VerifiedQuote } from '../verify/result.js';

export interface PolicyOutcome {
  readonly matched: readonly string[];
  readonly unmatched: readonly string[];
}

export interface TokenContext {
  readonly issuer: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  readonly policies: PolicyOutcome;
  /** Base64 inputs echoed back as ITA does (attester_runtime_data / attester_user_data). */
  readonly runtimeData?: string;
  readonly userData?: string;
  readonly verifierNonce?: { readonly val: string; readonly iat: string };
}

/** The ITA claim set of one verified quote. */
export function itaClaims(v: VerifiedQuote, ctx: TokenContext): Record<string, unknown> {
  const common: Record<string, unknown> = {
    attester_type: v.teeType,
    attester_tcb_status: v.status,
    attester_tcb_date: v.tcbDate,
    attester_advisory_ids: v.advisoryIds,
    pce_svn: v.pck.pcesvn,
    fmspc: v.fmspc,
    tcb_evaluation_data_number: v.tcbEvaluationDataNumber,
    collateral_expires_at: v.collateralExpiresAt,
    ...(ctx.runtimeData === undefined ? {} : { attester_runtime_data: ctx.runtimeData }),
    ...(ctx.userData === undefined ? {} : { attester_user_data: ctx.userData }),
    ...(ctx.verifierNonce === undefined ? {} : { verifier_nonce: ctx.verifierNonce }),
  };
  const r = v.report;
  let tee: Record<string, unknown>;
  if (r.kind === 'sgx') {
    tee = {
      sgx: {
        ...common,
        sgx_mrenclave: r.mrEnclave,
        sgx_mrsigner: r.mrSigner,
        sgx_isvprodid: r.isvProdId,
        sgx_isvsvn: r.isvSvn,
        sgx_cpusvn: r.cpuSvn,
        sgx_report_data: r.reportData,
        sgx_is_debuggable: r.debug,
      },
    };
  } else {
    tee = {
      tdx: {
        ...common,
        tdx_mrtd: r.mrTd,
        tdx_rtmr0: r.rtmr0,
        tdx_rtmr1: r.rtmr1,
        tdx_rtmr2: r.rtmr2,
        tdx_rtmr3: r.rtmr3,
        tdx_report_data: r.reportData,
        tdx_mrconfigid: r.mrConfigId,
        tdx_mrowner: r.mrOwner,
        tdx_mrownerconfig: r.mrOwnerConfig,
        tdx_mrseam: r.mrSeam,
        tdx_mrsignerseam: r.mrSignerSeam,
        tdx_seam_attributes: r.seamAttributes,
        tdx_td_attributes: r.tdAttributes,
        tdx_td_attributes_debug: r.debug,
        tdx_td_attributes_septve_disable: r.septVeDisable,
        tdx_xfam: r.xfam,
        tdx_tee_tcb_svn: r.teeTcbSvn,
        ...(r.mrServiceTd === undefined ? {} : { tdx_mrservicetd: r.mrServiceTd }),
        tdx_is_debuggable: r.debug,
      },
    };
  }
  return {
    ...tee,
    policy_ids_matched: ctx.policies.matched.map((id) => ({ id, version: '1' })),
    policy_ids_unmatched: ctx.policies.unmatched.map((id) => ({ id, version: '1' })),
    ver: '2.0.0',
    iss: ctx.issuer,
    iat: ctx.iat,
    nbf: ctx.iat,
    exp: ctx.exp,
    jti: ctx.jti,
  };
}

/** draft-ietf-rats-ear §3 / AR4SI trust tiers. */
export type EarStatus = 'none' | 'affirming' | 'warning' | 'contraindicated';
const TIER: Record<EarStatus, number> = { none: 0, affirming: 2, warning: 32, contraindicated: 96 };

export const EAR_PROFILE = 'tag:github.com,2023:veraison/ear';
export const EAR_MEDIA_TYPE = 'application/eat+jwt';

function hardwareTier(status: TcbStatus): EarStatus {
  if (status === 'UpToDate') return 'affirming';
  if (status === 'Revoked') return 'contraindicated';
  return 'warning';
}

/**
 * The EAR appraisal: `hardware` from the TCB status (UpToDate affirming,
 * Revoked contraindicated, the rest warning); `configuration` contraindicated
 * for a debug TEE; `executables` affirming when every requested policy
 * matched, contraindicated when one did not, none without policies. The
 * overall `ear.status` is the worst of them.
 */
export function earClaims(v: VerifiedQuote, ctx: TokenContext): Record<string, unknown> {
  const hardware = hardwareTier(v.status);
  const configuration: EarStatus = v.report.debug ? 'contraindicated' : 'affirming';
  const requested = ctx.policies.matched.length + ctx.policies.unmatched.length;
  const executables: EarStatus = requested === 0 ? 'none' : ctx.policies.unmatched.length === 0 ? 'affirming' : 'contraindicated';
  const worst = [hardware, configuration, executables].reduce<EarStatus>((a, b) => (TIER[b] > TIER[a] ? b : a), 'affirming');
  return {
    eat_profile: EAR_PROFILE,
    iat: ctx.iat,
    exp: ctx.exp,
    jti: ctx.jti,
    iss: ctx.issuer,
    'ear.verifier-id': { developer: 'tee-attest', build: 'tee-attest appraisal service' },
    ...(ctx.verifierNonce === undefined ? {} : { eat_nonce: ctx.verifierNonce.val }),
    submods: {
      [v.teeType]: {
        'ear.status': worst,
        'ear.trustworthiness-vector': {
          hardware: TIER[hardware],
          configuration: TIER[configuration],
          ...(executables === 'none' ? {} : { executables: TIER[executables] }),
        },
        ...(requested === 0 ? {} : { 'ear.appraisal-policy-id': [...ctx.policies.matched, ...ctx.policies.unmatched].join(',') }),
        'ear.veraison.annotated-evidence': itaClaims(v, ctx)[v.teeType === 'TDX' ? 'tdx' : 'sgx'],
      },
    },
  };
}
