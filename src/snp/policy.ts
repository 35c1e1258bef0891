/**
 * Policy: is a verified SEV-SNP report acceptable to this caller? Runs only on
 * the output of verifySnpAttestation, never on raw input. Secure by default;
 * every relaxation is a named option; every violation is collected and
 * reported together (PolicyError.violations), like the DCAP policy
 * (src/policy/policy.ts).
 *
 * Defaults, and the option that changes each:
 *   - guest policy DEBUG refused                       allowDebug          (PolicyDebug)
 *   - guest policy MIGRATE_MA refused                  allowMigrationAgent (PolicyAttributes)
 *   - provisional firmware refused: CURRENT_* firmware version differs from
 *     COMMITTED_* (a firmware that can still be rolled back)
 *                                                      allowProvisionalFirmware (PolicyTcbVersion)
 *   - VMPL 0..3 accepted; anything else (e.g. a host-requested report) refused
 *                                                      allowedVmpls        (PolicyAttributes)
 *   - VCEK- and VLEK-signed reports accepted           allowedSigningKeys  (PolicyAttributes)
 *   - SMT allowed (every production SNP host runs SMT; a platform choice)
 *                                                      allowSmt: false tightens: guest policy SMT
 *                                                      and PLATFORM_INFO.SMT_EN must be clear
 * Optional requirements: requireSingleSocket, minTcb (REPORTED_TCB), minCommittedTcb,
 * minLaunchTcb, minFirmware (committed), minAbi (guest policy ABI), minGuestSvn,
 * allowedProducts, allowedMeasurements / allowedHostData / allowedIdKeyDigests /
 * allowedAuthorKeyDigests / allowedFamilyIds / allowedImageIds allow-lists,
 * expectedReportData (exact) / expectedReportDataPrefix.
 */
import { PolicyError, type Evidence, type PolicyCode, type Violation } from '../errors.js';
import type { ReportDataPolicy } from '../policy/options.js';
import type { SnpKeyType } from './chain.js';
import type { SnpProduct } from './product.js';
import { tcbBelow, tcbText, type SnpTcb, type TcbComponent } from './tcb.js';
import type { VerifiedSnpReport } from './verify.js';

export type SnpMinTcb = Partial<Record<TcbComponent, number>>;

export interface SnpVersion {
  readonly major: number;
  readonly minor: number;
  readonly build?: number;
}

export interface SnpPolicy extends ReportDataPolicy {
  /** Accept a guest whose policy allows a migration agent (MIGRATE_MA). Default false. */
  readonly allowMigrationAgent?: boolean;
  /** Accept SMT (guest policy SMT bit, PLATFORM_INFO.SMT_EN). Default true; false refuses both. */
  readonly allowSmt?: boolean;
  /** Require guest policy SINGLE_SOCKET. Default false. */
  readonly requireSingleSocket?: boolean;
  /** Accept a report whose current firmware version differs from the committed one. Default false. */
  readonly allowProvisionalFirmware?: boolean;
  /** Allowed VMPLs. Default [0, 1, 2, 3]. */
  readonly allowedVmpls?: readonly number[];
  /** Allowed signing keys. Default ['VCEK', 'VLEK']. */
  readonly allowedSigningKeys?: readonly SnpKeyType[];
  /** Allowed products. Default: all. */
  readonly allowedProducts?: readonly SnpProduct[];
  /** Minimum SPLs of REPORTED_TCB (the TCB the VCEK / VLEK certifies). */
  readonly minTcb?: SnpMinTcb;
  /** Minimum SPLs of COMMITTED_TCB (what the platform cannot roll back below). */
  readonly minCommittedTcb?: SnpMinTcb;
  /** Minimum SPLs of LAUNCH_TCB. */
  readonly minLaunchTcb?: SnpMinTcb;
  /** Minimum committed firmware version. */
  readonly minFirmware?: SnpVersion;
  /** Minimum guest-policy ABI (the firmware ABI the guest owner required at launch). */
  readonly minAbi?: { readonly major: number; readonly minor: number };
  /** Minimum GUEST_SVN. */
  readonly minGuestSvn?: number;
  /** Allow-lists (hex, any case, optional 0x). */
  readonly allowedMeasurements?: readonly string[];
  readonly allowedHostData?: readonly string[];
  readonly allowedIdKeyDigests?: readonly string[];
  readonly allowedAuthorKeyDigests?: readonly string[];
  readonly allowedFamilyIds?: readonly string[];
  readonly allowedImageIds?: readonly string[];
  /** REPORT_DATA must start with these bytes (hex), e.g. a 32-byte key hash. */
  readonly expectedReportDataPrefix?: string;
}

/** One violated rule (the shared `Violation` of errors.ts). */
export type SnpPolicyViolation = Violation;

const norm = (s: string): string => s.toLowerCase().replace(/^0x/, '');

function cmpVersion(a: SnpVersion, b: SnpVersion): number {
  return a.major - b.major || a.minor - b.minor || (a.build ?? 0) - (b.build ?? 0);
}

function parseVersion(s: string): SnpVersion {
  const [major, minor, build] = s.split('.').map(Number);
  return { major: major ?? 0, minor: minor ?? 0, build: build ?? 0 };
}

/** Every violation of `policy` by a verified report (empty when acceptable). */
export function checkSnpPolicy(v: VerifiedSnpReport, policy: SnpPolicy = {}): SnpPolicyViolation[] {
  const out: SnpPolicyViolation[] = [];
  const add = (code: PolicyCode, message: string, evidence: Evidence): void => {
    out.push({ code, message, evidence });
  };
  const p = v.policy;

  if (p.debug && policy.allowDebug !== true) {
    add('PolicyDebug', 'debug guest refused: the guest policy allows the host to debug (read) the guest', {
      check: 'policy.snp.debug',
      field: 'POLICY.DEBUG',
      expected: 'false',
      found: 'true',
    });
  }
  if (p.migrateMa && policy.allowMigrationAgent !== true) {
    add('PolicyAttributes', 'guest policy allows a migration agent', { check: 'policy.snp.migrateMa', field: 'POLICY.MIGRATE_MA', expected: 'false', found: 'true' });
  }
  if (policy.allowSmt === false) {
    if (p.smt) add('PolicyAttributes', 'guest policy allows SMT', { check: 'policy.snp.smt', field: 'POLICY.SMT', expected: 'false', found: 'true' });
    if (v.platformInfo.smtEnabled) {
      add('PolicyAttributes', 'SMT is enabled on the platform', { check: 'policy.snp.smtEnabled', field: 'PLATFORM_INFO.SMT_EN', expected: 'false', found: 'true' });
    }
  }
  if (policy.requireSingleSocket === true && !p.singleSocket) {
    add('PolicyAttributes', 'guest policy does not require a single socket', { check: 'policy.snp.singleSocket', field: 'POLICY.SINGLE_SOCKET', expected: 'true', found: 'false' });
  }
  if (policy.allowProvisionalFirmware !== true && v.currentFirmware !== v.committedFirmware) {
    add('PolicyTcbVersion', 'provisional firmware: the current firmware version is not committed', {
      check: 'policy.snp.provisionalFirmware',
      field: 'CURRENT_VERSION',
      expected: v.committedFirmware,
      found: v.currentFirmware,
    });
  }
  const vmpls = policy.allowedVmpls ?? [0, 1, 2, 3];
  if (!vmpls.includes(v.vmpl)) {
    add('PolicyAttributes', `VMPL ${v.vmpl} is not allowed`, { check: 'policy.snp.vmpl', field: 'VMPL', expected: vmpls.join(' | '), found: String(v.vmpl) });
  }
  const keys = policy.allowedSigningKeys ?? ['VCEK', 'VLEK'];
  if (!keys.includes(v.signingKey)) {
    add('PolicyAttributes', `reports signed by a ${v.signingKey} are not allowed`, { check: 'policy.snp.signingKey', field: 'SIGNING_KEY', expected: keys.join(' | '), found: v.signingKey });
  }
  if (policy.allowedProducts !== undefined && !policy.allowedProducts.includes(v.product)) {
    add('PolicyAttributes', `product ${v.product} is not allowed`, { check: 'policy.snp.product', field: 'product', expected: policy.allowedProducts.join(' | '), found: v.product });
  }

  const tcb = (name: string, field: string, t: SnpTcb, min: SnpMinTcb | undefined): void => {
    if (min === undefined) return;
    const below = tcbBelow(t, min);
    if (below.length > 0) {
      add('PolicyTcbVersion', `${field} is below the minimum (${below.join(', ')})`, {
        check: `policy.snp.${name}`,
        field,
        expected: Object.entries(min).map(([k, n]) => `${k}>=${n}`).join(' '),
        found: tcbText(t),
      });
    }
  };
  tcb('minTcb', 'REPORTED_TCB', v.reportedTcb, policy.minTcb);
  tcb('minCommittedTcb', 'COMMITTED_TCB', v.committedTcb, policy.minCommittedTcb);
  tcb('minLaunchTcb', 'LAUNCH_TCB', v.launchTcb, policy.minLaunchTcb);
  if (policy.minFirmware !== undefined && cmpVersion(parseVersion(v.committedFirmware), policy.minFirmware) < 0) {
    const m = policy.minFirmware;
    add('PolicyTcbVersion', 'committed firmware is older than the minimum', {
      check: 'policy.snp.minFirmware',
      field: 'COMMITTED_VERSION',
      expected: `>= ${m.major}.${m.minor}.${m.build ?? 0}`,
      found: v.committedFirmware,
    });
  }
  if (policy.minAbi !== undefined && cmpVersion({ major: p.abiMajor, minor: p.abiMinor }, policy.minAbi) < 0) {
    add('PolicyTcbVersion', 'guest policy ABI is below the minimum', {
      check: 'policy.snp.minAbi',
      field: 'POLICY.ABI',
      expected: `>= ${policy.minAbi.major}.${policy.minAbi.minor}`,
      found: `${p.abiMajor}.${p.abiMinor}`,
    });
  }
  if (policy.minGuestSvn !== undefined && v.guestSvn < policy.minGuestSvn) {
    add('PolicyMeasurement', 'GUEST_SVN is below the minimum', { check: 'policy.snp.minGuestSvn', field: 'GUEST_SVN', expected: `>= ${policy.minGuestSvn}`, found: String(v.guestSvn) });
  }

  const allow = (name: string, field: string, list: readonly string[] | undefined, found: string): void => {
    if (list === undefined) return;
    const allowed = list.map(norm);
    if (!allowed.includes(found)) {
      add('PolicyMeasurement', `${field} is not in the allowed list`, { check: `policy.snp.${name}`, field, expected: allowed.join(' | '), found });
    }
  };
  allow('measurement', 'MEASUREMENT', policy.allowedMeasurements, v.measurement);
  allow('hostData', 'HOST_DATA', policy.allowedHostData, v.hostData);
  allow('idKeyDigest', 'ID_KEY_DIGEST', policy.allowedIdKeyDigests, v.idKeyDigest);
  allow('authorKeyDigest', 'AUTHOR_KEY_DIGEST', policy.allowedAuthorKeyDigests, v.authorKeyDigest);
  allow('familyId', 'FAMILY_ID', policy.allowedFamilyIds, v.familyId);
  allow('imageId', 'IMAGE_ID', policy.allowedImageIds, v.imageId);
  if (policy.expectedReportData !== undefined && norm(policy.expectedReportData) !== v.reportData) {
    add('PolicyMeasurement', 'REPORT_DATA differs from the expected value', { check: 'policy.snp.reportData', field: 'REPORT_DATA', expected: norm(policy.expectedReportData), found: v.reportData });
  }
  if (policy.expectedReportDataPrefix !== undefined) {
    const prefix = norm(policy.expectedReportDataPrefix);
    if (prefix.length === 0 || !v.reportData.startsWith(prefix)) {
      add('PolicyMeasurement', 'REPORT_DATA does not start with the expected bytes', {
        check: 'policy.snp.reportDataPrefix',
        field: 'REPORT_DATA',
        expected: `${prefix}…`,
        found: v.reportData,
      });
    }
  }
  return out;
}

/** Throws a PolicyError carrying every violation, or returns the verified report unchanged. */
export function assertSnpPolicy(v: VerifiedSnpReport, policy: SnpPolicy = {}): VerifiedSnpReport {
  const violations = checkSnpPolicy(v, policy);
  if (violations.length > 0) throw new PolicyError(violations);
  return v;
}
