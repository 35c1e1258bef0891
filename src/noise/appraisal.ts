/**
 * Appraising the peer's attested payload, in the house order: parse the
 * payload, verify the evidence with the injected verifier (any member of the
 * RaTlsVerifier family: SnpVerifier, DcapVerifier, IntelApiVerifier, a cache
 * of them), check the binding to this handshake, then apply the shared policy
 * (src/snp/policy.ts for SEV-SNP, src/ra-tls/ratls-policy.ts for TDX).
 *
 * Secure by default: a measurement pin is required (SEV-SNP `policy.allowedMeasurements`,
 * TDX `policy.allowedMrtds`) unless `allowAnyMeasurement: true` names the
 * relaxation; the policies' own defaults refuse debug guests, provisional SNP
 * firmware, unacceptable TDX TCB statuses and unauthenticated (simulator) results.
 */
import { isAttestationError, PolicyError } from '../errors.js';
import { ratlsPolicyViolations, type RaTlsPolicyOptions } from '../ra-tls/ratls-policy.js';
import { checkSnpPolicy, type SnpPolicy } from '../snp/policy.js';
import { tcbText } from '../snp/tcb.js';
import type { SnpVerificationResult } from '../snp/verifier.js';
import type { TimeInput } from '../lib/time.js';
import type { RaTlsVerifier, VerificationResult } from '../verifier/types.js';
import { noiseReportData, type NoiseRole } from './binding.js';
import { noiseFail } from './fail.js';
import { decodeEvidencePayload, type NoiseTee } from './payload.js';

export interface SnpNoiseAppraisal {
  readonly tee: 'SEV-SNP';
  /** e.g. new SnpVerifier({ collateral }) from tee-attest/snp. */
  readonly verifier: RaTlsVerifier<SnpVerificationResult>;
  /** Applied to the verified report (measurement pins, debug, TCB minimums, ...). */
  readonly policy: SnpPolicy;
  /** Relaxation: accept any launch measurement (no `policy.allowedMeasurements`). Default false. */
  readonly allowAnyMeasurement?: boolean;
}

export interface TdxNoiseAppraisal {
  readonly tee: 'TDX';
  /** e.g. new DcapVerifier({ collateral }). */
  readonly verifier: RaTlsVerifier<VerificationResult>;
  /** The RA-TLS policy (MRTD / RTMR pins, debug, TCB statuses, advisories, simulator). App pins need an event log and never pass here. */
  readonly policy: RaTlsPolicyOptions;
  /** Relaxation: accept any MRTD (no `policy.allowedMrtds`). Default false. */
  readonly allowAnyMeasurement?: boolean;
}

/**
 * A last check on the accepted peer, run before the session exists (e.g. the
 * transparency check of tee-attest/provenance: verifyMeasurementTransparency
 * on `decision.measurement`). Throw to refuse; a non-coded error becomes NoiseEvidence.
 */
export type NoiseConfirm = (decision: NoiseTrustDecision) => void | Promise<void>;

export type NoiseAppraisal = (SnpNoiseAppraisal | TdxNoiseAppraisal) & { readonly confirm?: NoiseConfirm };

/** The trust decision about the peer, printed by the quick start (docs/noise.md). */
export interface NoiseTrustDecision {
  readonly tee: NoiseTee;
  /** The verifier that authenticated the evidence (`sev-snp`, `dcap`, ...). */
  readonly verifier: string;
  /** SEV-SNP MEASUREMENT or TDX MRTD, lower-case hex. */
  readonly measurement: string;
  /** REPORT_DATA, equal to the binding of this handshake. */
  readonly reportData: string;
  /** The peer's static X25519 public key, hex (bound by REPORT_DATA). */
  readonly staticKey: string;
  readonly isDebug: boolean;
  /** TDX: the TCB status; SEV-SNP: the REPORTED_TCB the VCEK / VLEK certifies. */
  readonly tcb: string;
  readonly verifiedAt: number;
  /** The verifier's full result. */
  readonly result: SnpVerificationResult | VerificationResult;
}

export function checkAppraisal(a: unknown, where: string): NoiseAppraisal {
  const bad = (m: string): never => noiseFail('InvalidArgument', m, { check: where });
  if (a === null || typeof a !== 'object') bad(`${where} must be { tee, verifier, policy }`);
  const x = a as Partial<NoiseAppraisal>;
  if (x.tee !== 'SEV-SNP' && x.tee !== 'TDX') bad(`${where}.tee must be "SEV-SNP" or "TDX"`);
  if (x.verifier === null || typeof x.verifier !== 'object' || typeof x.verifier.verify !== 'function') bad(`${where}.verifier must be a RaTlsVerifier`);
  if (x.policy === null || typeof x.policy !== 'object') bad(`${where}.policy must be an object (use {} for the defaults)`);
  if (x.allowAnyMeasurement !== undefined && typeof x.allowAnyMeasurement !== 'boolean') bad(`${where}.allowAnyMeasurement must be a boolean`);
  if (x.confirm !== undefined && typeof x.confirm !== 'function') bad(`${where}.confirm must be a function`);
  const pinned = x.tee === 'SEV-SNP' ? (x.policy as SnpPolicy).allowedMeasurements !== undefined : (x.policy as RaTlsPolicyOptions).allowedMrtds !== undefined;
  if (!pinned && x.allowAnyMeasurement !== true) {
    bad(`${where}: pin the measurement (${x.tee === 'SEV-SNP' ? 'policy.allowedMeasurements' : 'policy.allowedMrtds'}) or set allowAnyMeasurement: true`);
  }
  return x as NoiseAppraisal;
}

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Verify the peer's attested payload for (role, its static key, handshake hash h); the trust decision or a coded error. */
export async function appraiseEvidence(
  payload: Uint8Array,
  appraisal: NoiseAppraisal,
  binding: { readonly role: NoiseRole; readonly staticKey: Uint8Array; readonly h: Uint8Array },
  at: TimeInput | undefined,
): Promise<NoiseTrustDecision> {
  // 1. Parse.
  const ev = decodeEvidencePayload(payload);
  if (ev.tee !== appraisal.tee) {
    noiseFail('NoiseEvidence', `the peer presented ${ev.tee} evidence; the appraisal expects ${appraisal.tee}`, { check: 'noise.evidence.tee', expected: appraisal.tee, found: ev.tee });
  }
  // 2. Verify (authenticity, chain to AMD / Intel, TCB evaluation).
  let result: SnpVerificationResult | VerificationResult;
  try {
    result = await appraisal.verifier.verify(ev.evidence, at === undefined ? {} : { at });
  } catch (e) {
    if (isAttestationError(e)) throw e;
    return noiseFail('NoiseEvidence', `verifier ${appraisal.verifier.name} failed`, { check: 'noise.evidence.verify' }, e);
  }
  if (result === null || typeof result !== 'object' || result.teeType !== appraisal.tee) {
    noiseFail('NoiseEvidence', 'the verifier returned a result for another TEE', { check: 'noise.evidence.result', expected: appraisal.tee, found: String((result as { teeType?: unknown } | null)?.teeType) });
  }
  // 3. Binding: REPORT_DATA must be this handshake's (binding.ts).
  const expected = toHex(noiseReportData(binding.role, binding.staticKey, binding.h));
  if (result.reportData.toLowerCase() !== expected) {
    noiseFail('NoiseBinding', `the ${binding.role}'s evidence is not bound to this handshake and static key`, { check: 'noise.binding.reportData', field: 'REPORT_DATA', expected, found: result.reportData });
  }
  // 4. Policy.
  let d: NoiseTrustDecision;
  if (appraisal.tee === 'SEV-SNP') {
    const r = result as SnpVerificationResult;
    const violations = checkSnpPolicy(r.snp, appraisal.policy);
    if (violations.length > 0) throw new PolicyError(violations);
    d = decision(r, r.measurement, tcbText(r.snp.reportedTcb), binding.staticKey);
  } else {
    const r = result as VerificationResult;
    const violations = ratlsPolicyViolations(r, undefined, appraisal.policy);
    if (violations.length > 0) throw new PolicyError(violations);
    d = decision(r, r.mrtd, r.tcbStatus, binding.staticKey);
  }
  // 5. The caller's last check (transparency), on the accepted decision only.
  if (appraisal.confirm !== undefined) {
    try {
      await appraisal.confirm(d);
    } catch (e) {
      if (isAttestationError(e)) throw e;
      noiseFail('NoiseEvidence', 'the confirm check refused the peer', { check: 'noise.evidence.confirm' }, e);
    }
  }
  return d;
}

function decision(r: SnpVerificationResult | VerificationResult, measurement: string, tcb: string, staticKey: Uint8Array): NoiseTrustDecision {
  return {
    tee: r.teeType,
    verifier: r.verifier,
    measurement,
    reportData: r.reportData.toLowerCase(),
    staticKey: toHex(staticKey),
    isDebug: r.isDebug,
    tcb,
    verifiedAt: r.verifiedAt,
    result: r,
  };
}
