/**
 * TDX claims of an Intel Trust Authority attestation token (ITA EAT profile,
 * https://portal.trustauthority.intel.com/eat_profile.html, "TDX Claims"):
 * v1 tokens carry them flat in the payload, v2 tokens nest them under `tdx`.
 *
 *   tdx_mrtd, tdx_rtmr0..3 (48-byte hex), tdx_report_data (64-byte hex),
 *   tdx_mrconfigid, tdx_mrowner, tdx_mrownerconfig (optional, 48-byte hex),
 *   tdx_is_debuggable / tdx_td_attributes_debug (booleans, optional),
 *   attester_type ("TDX"), attester_tcb_status, attester_advisory_ids, attester_tcb_date.
 *
 * ITA spells TCB statuses either as Intel does (UpToDate) or in upper snake
 * case (OUT_OF_DATE); both map to the library's TcbStatus. ITA's own spelling
 * of an up-to-date platform is `OK` (Intel Trust Authority documentation,
 * "Attestation tokens": the TDX token example carries
 * `"attester_tcb_status": "OK"`, eat_profile
 * https://portal.trustauthority.intel.com/eat_profile.html); it maps to
 * UpToDate. Anything missing or malformed is TokenClaims.
 */
import { VerifyError } from '../../errors.js';
import type { TcbStatus } from '../../tcb/status.js';
import { isPlainObject } from '../../ra-tls/bounded-json.js';

export interface ItaTdxClaims {
  readonly layout: 'v1-flat' | 'v2-nested';
  readonly mrtd: string;
  readonly rtmr0: string;
  readonly rtmr1: string;
  readonly rtmr2: string;
  readonly rtmr3: string;
  readonly reportData: string;
  readonly mrConfigId?: string;
  readonly tcbStatus: TcbStatus;
  readonly advisoryIds: readonly string[];
  readonly tcbDate?: string;
  /** True when any debug claim says so. */
  readonly isDebug: boolean;
}

const STATUS: Readonly<Record<string, TcbStatus>> = {
  UPTODATE: 'UpToDate',
  OK: 'UpToDate',
  SWHARDENINGNEEDED: 'SWHardeningNeeded',
  CONFIGURATIONNEEDED: 'ConfigurationNeeded',
  CONFIGURATIONANDSWHARDENINGNEEDED: 'ConfigurationAndSWHardeningNeeded',
  OUTOFDATE: 'OutOfDate',
  OUTOFDATECONFIGURATIONNEEDED: 'OutOfDateConfigurationNeeded',
  REVOKED: 'Revoked',
  TDRELAUNCHADVISED: 'TDRelaunchAdvised',
  TDRELAUNCHADVISEDCONFIGURATIONNEEDED: 'TDRelaunchAdvisedConfigurationNeeded',
};

function claimFail(claim: string, message: string, found?: string): never {
  throw new VerifyError('TokenClaims', `token claim ${claim}: ${message}`, {
    check: 'ita.claims',
    field: claim,
    ...(found === undefined ? {} : { found: found.slice(0, 200) }),
  });
}

function hexClaim(c: Record<string, unknown>, name: string, bytes: number, required: true): string;
function hexClaim(c: Record<string, unknown>, name: string, bytes: number, required: false): string | undefined;
function hexClaim(c: Record<string, unknown>, name: string, bytes: number, required: boolean): string | undefined {
  const v = c[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') claimFail(name, v === undefined ? 'missing' : 'not a string');
  const h = v.replace(/^0x/i, '').toLowerCase();
  if (h.length !== bytes * 2 || !/^[0-9a-f]*$/.test(h)) claimFail(name, `expected ${bytes} bytes of hex`, v);
  return h;
}

function boolClaim(c: Record<string, unknown>, name: string): boolean | undefined {
  const v = c[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') claimFail(name, 'not a boolean');
  return v;
}

export function tcbStatusFromIta(s: unknown): TcbStatus {
  if (typeof s !== 'string') claimFail('attester_tcb_status', s === undefined ? 'missing' : 'not a string');
  const status = STATUS[s.replace(/[^A-Za-z]/g, '').toUpperCase()];
  if (status === undefined) claimFail('attester_tcb_status', 'unknown TCB status', s);
  return status;
}

/** Reads the TDX claims of a verified token payload (v1 flat or v2 nested). */
export function itaTdxClaims(payload: Record<string, unknown>): ItaTdxClaims {
  const nested = payload.tdx;
  if (nested !== undefined && !isPlainObject(nested)) claimFail('tdx', 'not an object');
  const c = nested ?? payload;
  const type = c.attester_type;
  if (type !== undefined && (typeof type !== 'string' || type.toUpperCase() !== 'TDX')) {
    claimFail('attester_type', 'not a TDX attestation', String(type));
  }
  const advisories = c.attester_advisory_ids;
  if (advisories !== undefined && (!Array.isArray(advisories) || !advisories.every((a) => typeof a === 'string'))) {
    claimFail('attester_advisory_ids', 'not an array of strings');
  }
  const tcbDate = c.attester_tcb_date;
  if (tcbDate !== undefined && typeof tcbDate !== 'string') claimFail('attester_tcb_date', 'not a string');
  const mrConfigId = hexClaim(c, 'tdx_mrconfigid', 48, false);
  return {
    layout: nested === undefined ? 'v1-flat' : 'v2-nested',
    mrtd: hexClaim(c, 'tdx_mrtd', 48, true),
    rtmr0: hexClaim(c, 'tdx_rtmr0', 48, true),
    rtmr1: hexClaim(c, 'tdx_rtmr1', 48, true),
    rtmr2: hexClaim(c, 'tdx_rtmr2', 48, true),
    rtmr3: hexClaim(c, 'tdx_rtmr3', 48, true),
    reportData: hexClaim(c, 'tdx_report_data', 64, true),
    ...(mrConfigId === undefined ? {} : { mrConfigId }),
    tcbStatus: tcbStatusFromIta(c.attester_tcb_status),
    advisoryIds: (advisories as string[] | undefined) ?? [],
    ...(tcbDate === undefined ? {} : { tcbDate: tcbDate as string }),
    isDebug: boolClaim(c, 'tdx_is_debuggable') === true || boolClaim(c, 'tdx_td_attributes_debug') === true,
  };
}

/** Policy ids of a `policy_ids_matched` / `policy_ids_unmatched` claim: `[{ id, ... }]` or `[id]`. */
function policyIdList(v: unknown, claim: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) claimFail(claim, 'not an array');
  return v.map((e) => {
    const id = typeof e === 'string' ? e : isPlainObject(e) && typeof e.id === 'string' ? e.id : undefined;
    if (id === undefined) claimFail(claim, 'entries must be policy ids or { id } objects');
    return id.toLowerCase();
  });
}

/**
 * When policies were sent, every one must come back in `policy_ids_matched`
 * and none in `policy_ids_unmatched` (ITA EAT profile, policy claims; read at
 * the top level of the token and, for v2 tokens, under `tdx`). Otherwise
 * TokenPolicyUnmatched: ITA issues a token even when policies do not match
 * (unless policy_must_match), so the token alone does not mean they did.
 */
export function checkItaPolicies(payload: Record<string, unknown>, sent: readonly string[]): void {
  if (sent.length === 0) return;
  const nested = isPlainObject(payload.tdx) ? payload.tdx : {};
  const matched = new Set([...policyIdList(payload.policy_ids_matched, 'policy_ids_matched'), ...policyIdList(nested.policy_ids_matched, 'tdx.policy_ids_matched')]);
  const unmatched = new Set([...policyIdList(payload.policy_ids_unmatched, 'policy_ids_unmatched'), ...policyIdList(nested.policy_ids_unmatched, 'tdx.policy_ids_unmatched')]);
  const wanted = sent.map((s) => s.toLowerCase());
  const bad = wanted.filter((id) => !matched.has(id) || unmatched.has(id));
  if (bad.length > 0 || unmatched.size > 0) {
    throw new VerifyError('TokenPolicyUnmatched', `Intel Trust Authority did not match every policy sent (${bad.length} of ${wanted.length} not matched)`, {
      check: 'ita.policies',
      field: 'policy_ids_matched',
      expected: wanted.join(', '),
      found: [...new Set([...bad, ...unmatched])].join(', '),
    });
  }
}
