/**
 * SEV-SNP attestation report parser (ABI spec Table 23 "ATTESTATION_REPORT
 * Structure"; layout.ts lists the offsets). Strict and bounded:
 *
 *   - exactly 1184 bytes (no padding, no trailing data);
 *   - VERSION 2, 3 or 5 (SnpReportUnsupported otherwise);
 *   - SIGNATURE_ALGO 1, ECDSA P-384 with SHA-384 (SnpReportUnsupported otherwise);
 *   - every reserved range zero for the version, including the 0x04C word,
 *     the bytes after CPUID (v3+) or after REPORTED_TCB (v2), the firmware
 *     version pad bytes, the tail before the signature, the reserved bytes of
 *     the four TCB_VERSION values, the high 24 bytes of R and S and the
 *     signature tail (Table 139);
 *   - guest policy bit 17 set (must be one) and bits 63:26 clear (Table 9);
 *   - signer info bits 31:5 clear and SIGNING_KEY not a reserved value 2-6;
 *   - CPUID (v3+) of a known product (Milan, Genoa, Turin), which selects the
 *     TCB layout; v2 reports use the Milan / Genoa layout unless the caller
 *     names the product.
 *
 * Every failure is a ParseError SnpReportParse / SnpReportUnsupported with the
 * offending offset. Nothing here is verified: see verify.ts.
 */
import { toHex } from '../lib/bytes.js';
import { snpFail } from './fail.js';
import {
  decodeGuestPolicy,
  decodePlatformInfo,
  hex64,
  POLICY_MBO_BIT,
  POLICY_MBZ_MASK,
  type SnpGuestPolicy,
  type SnpPlatformInfo,
  type SnpSignerInfo,
  type SnpSigningKey,
} from './guest-policy.js';
import {
  OFF,
  P384_SCALAR_SIZE,
  REPORT_SIZE,
  SIG_ALGO_ECDSA_P384_SHA384,
  SIG_COMPONENT_SIZE,
  SIG_RESERVED_FROM,
  SIGNED_LENGTH,
  SUPPORTED_VERSIONS,
  reservedRanges,
} from './layout.js';
import { productFromCpuid, tcbLayoutOf, type SnpProduct, type TcbLayout } from './product.js';
import { decodeTcb, tcbReservedNonZero, type SnpTcb } from './tcb.js';

export interface SnpFirmwareVersion {
  readonly major: number;
  readonly minor: number;
  readonly build: number;
}

export interface SnpReport {
  /** The 1184 report bytes (a copy of the input). */
  readonly bytes: Uint8Array;
  /** Bytes 0x000..0x29F: what the signature covers. */
  readonly signedBytes: Uint8Array;
  readonly version: 2 | 3 | 5;
  readonly guestSvn: number;
  readonly policy: SnpGuestPolicy;
  readonly familyId: Uint8Array;
  readonly imageId: Uint8Array;
  readonly vmpl: number;
  readonly signatureAlgo: number;
  readonly currentTcb: SnpTcb;
  readonly platformInfo: SnpPlatformInfo;
  readonly signerInfo: SnpSignerInfo;
  readonly reportData: Uint8Array;
  readonly measurement: Uint8Array;
  readonly hostData: Uint8Array;
  readonly idKeyDigest: Uint8Array;
  readonly authorKeyDigest: Uint8Array;
  readonly reportId: Uint8Array;
  readonly reportIdMa: Uint8Array;
  readonly reportedTcb: SnpTcb;
  /** Version >= 3: CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP (combined extended family / model). */
  readonly cpuid?: { readonly family: number; readonly model: number; readonly stepping: number };
  /** The product from CPUID (v3+), or the one the caller named for a v2 report. */
  readonly product?: SnpProduct;
  /** The TCB_VERSION layout used to decode the four TCB values. */
  readonly tcbLayout: TcbLayout;
  readonly chipId: Uint8Array;
  readonly committedTcb: SnpTcb;
  readonly currentVersion: SnpFirmwareVersion;
  readonly committedVersion: SnpFirmwareVersion;
  readonly launchTcb: SnpTcb;
  /** Version 5: LAUNCH_MIT_VECTOR / CURRENT_MIT_VECTOR, 16 hex digits. */
  readonly launchMitVector?: string;
  readonly currentMitVector?: string;
  /** R and S, big-endian, 48 bytes each. */
  readonly signatureR: Uint8Array;
  readonly signatureS: Uint8Array;
}

export interface ParseSnpReportOptions {
  /**
   * The product, when known from elsewhere (for example a VCEK). Used only for
   * version 2 reports, which carry no CPUID, to pick the TCB layout.
   */
  readonly product?: SnpProduct;
}

function parseFail(message: string, field: string, offset: number | undefined, extra: { expected?: string; found?: string } = {}): never {
  snpFail('SnpReportParse', message, { check: `snp.report.${field}`, field, offset, ...extra });
}

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function u64(b: Uint8Array, o: number): bigint {
  return (BigInt(u32(b, o + 4)) << 32n) | BigInt(u32(b, o));
}

function firstNonZero(b: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (b[i] !== 0) return i;
  return -1;
}

/** Little-endian 72-byte component → 48 big-endian bytes (high 24 bytes must be zero). */
function scalar(b: Uint8Array, o: number, name: 'R' | 'S'): Uint8Array {
  const nz = firstNonZero(b, o + P384_SCALAR_SIZE, o + SIG_COMPONENT_SIZE);
  if (nz >= 0) {
    parseFail(`signature ${name} is wider than a P-384 scalar`, `signature.${name}`, nz, { expected: 'bytes 48..71 zero', found: toHex(b.subarray(nz, nz + 1)) });
  }
  const out = new Uint8Array(P384_SCALAR_SIZE);
  for (let i = 0; i < P384_SCALAR_SIZE; i++) out[i] = b[o + P384_SCALAR_SIZE - 1 - i]!;
  return out;
}

const SIGNING_KEYS: Readonly<Record<number, SnpSigningKey>> = { 0: 'VCEK', 1: 'VLEK', 7: 'none' };

export function parseSnpReport(input: Uint8Array, options: ParseSnpReportOptions = {}): SnpReport {
  if (!(input instanceof Uint8Array)) {
    snpFail('InvalidArgument', 'SEV-SNP report must be a Uint8Array', { check: 'snp.report.input', found: typeof input });
  }
  if (input.length !== REPORT_SIZE) {
    parseFail('SEV-SNP report has the wrong size', 'length', undefined, { expected: String(REPORT_SIZE), found: String(input.length) });
  }
  const b = input.slice();

  const version = u32(b, OFF.version);
  if (!SUPPORTED_VERSIONS.includes(version)) {
    snpFail('SnpReportUnsupported', `SEV-SNP report version ${version} is not supported`, {
      check: 'snp.report.version',
      field: 'VERSION',
      offset: OFF.version,
      expected: SUPPORTED_VERSIONS.join(' | '),
      found: String(version),
    });
  }
  const signatureAlgo = u32(b, OFF.signatureAlgo);
  if (signatureAlgo !== SIG_ALGO_ECDSA_P384_SHA384) {
    snpFail('SnpReportUnsupported', `SEV-SNP signature algorithm ${signatureAlgo} is not supported`, {
      check: 'snp.report.signatureAlgo',
      field: 'SIGNATURE_ALGO',
      offset: OFF.signatureAlgo,
      expected: '1 (ECDSA P-384 with SHA-384)',
      found: String(signatureAlgo),
    });
  }

  // Reserved ranges (Table 23).
  for (const [from, to] of reservedRanges(version)) {
    const nz = firstNonZero(b, from, to);
    if (nz >= 0) {
      parseFail('reserved report bytes are not zero', 'reserved', nz, {
        expected: `0x${from.toString(16)}..0x${(to - 1).toString(16)} zero`,
        found: `0x${nz.toString(16)} = ${toHex(b.subarray(nz, nz + 1))}`,
      });
    }
  }
  const sigTail = firstNonZero(b, OFF.signature + SIG_RESERVED_FROM, REPORT_SIZE);
  if (sigTail >= 0) {
    parseFail('reserved signature bytes are not zero', 'signature.reserved', sigTail, { expected: 'zero', found: toHex(b.subarray(sigTail, sigTail + 1)) });
  }

  // Guest policy (Table 9).
  const policyValue = u64(b, OFF.policy);
  if (((policyValue >> POLICY_MBO_BIT) & 1n) !== 1n) {
    parseFail('guest policy bit 17 (reserved, must be one) is clear', 'POLICY', OFF.policy, { expected: 'bit 17 set', found: hex64(policyValue) });
  }
  if ((policyValue & POLICY_MBZ_MASK) !== 0n) {
    parseFail('guest policy reserved bits 63:26 are not zero', 'POLICY', OFF.policy, { expected: 'bits 63:26 clear', found: hex64(policyValue) });
  }

  // Signer information word (0x048).
  const signer = u32(b, OFF.signerInfo);
  if (signer >>> 5 !== 0) {
    parseFail('signer info reserved bits 31:5 are not zero', 'SIGNER_INFO', OFF.signerInfo, { expected: 'bits 31:5 clear', found: signer.toString(16) });
  }
  const signingKey = SIGNING_KEYS[(signer >>> 2) & 7];
  if (signingKey === undefined) {
    parseFail('SIGNING_KEY holds a reserved value', 'SIGNING_KEY', OFF.signerInfo, { expected: '0 (VCEK) | 1 (VLEK) | 7 (none)', found: String((signer >>> 2) & 7) });
  }

  // Product and TCB layout.
  let cpuid: SnpReport['cpuid'];
  let product: SnpProduct | undefined;
  if (version >= 3) {
    cpuid = { family: b[OFF.cpuidFamId]!, model: b[OFF.cpuidModId]!, stepping: b[OFF.cpuidStep]! };
    product = productFromCpuid(cpuid.family, cpuid.model);
    if (product === undefined) {
      snpFail('SnpReportUnsupported', 'SEV-SNP report CPUID is not a known product (Milan, Genoa, Turin)', {
        check: 'snp.report.cpuid',
        field: 'CPUID_FAM_ID/CPUID_MOD_ID',
        offset: OFF.cpuidFamId,
        expected: 'family 19h models 00-1F, A0-AF; family 1Ah models 00-11',
        found: `family ${cpuid.family.toString(16)}h model ${cpuid.model.toString(16)}h`,
      });
    }
  } else {
    product = options.product;
  }
  const tcbLayout = tcbLayoutOf(product ?? 'Milan');
  const tcb = (offset: number, field: string): SnpTcb => {
    const bytes = b.subarray(offset, offset + 8);
    const bad = tcbReservedNonZero(bytes, tcbLayout);
    if (bad.length > 0) {
      parseFail(`${field} reserved bytes are not zero`, field, offset + bad[0]!, { expected: `bytes ${bad.join(',')} zero (${tcbLayout} layout)`, found: toHex(bytes) });
    }
    return decodeTcb(bytes, tcbLayout);
  };

  const bytes = (o: number, n: number): Uint8Array => b.slice(o, o + n);
  const report: SnpReport = {
    bytes: b,
    signedBytes: b.subarray(0, SIGNED_LENGTH),
    version: version as 2 | 3 | 5,
    guestSvn: u32(b, OFF.guestSvn),
    policy: decodeGuestPolicy(policyValue),
    familyId: bytes(OFF.familyId, 16),
    imageId: bytes(OFF.imageId, 16),
    vmpl: u32(b, OFF.vmpl),
    signatureAlgo,
    currentTcb: tcb(OFF.currentTcb, 'CURRENT_TCB'),
    platformInfo: decodePlatformInfo(u64(b, OFF.platformInfo)),
    signerInfo: { authorKeyEn: (signer & 1) === 1, maskChipKey: (signer & 2) === 2, signingKey },
    reportData: bytes(OFF.reportData, 64),
    measurement: bytes(OFF.measurement, 48),
    hostData: bytes(OFF.hostData, 32),
    idKeyDigest: bytes(OFF.idKeyDigest, 48),
    authorKeyDigest: bytes(OFF.authorKeyDigest, 48),
    reportId: bytes(OFF.reportId, 32),
    reportIdMa: bytes(OFF.reportIdMa, 32),
    reportedTcb: tcb(OFF.reportedTcb, 'REPORTED_TCB'),
    cpuid,
    product,
    tcbLayout,
    chipId: bytes(OFF.chipId, 64),
    committedTcb: tcb(OFF.committedTcb, 'COMMITTED_TCB'),
    currentVersion: { major: b[OFF.currentMajor]!, minor: b[OFF.currentMinor]!, build: b[OFF.currentBuild]! },
    committedVersion: { major: b[OFF.committedMajor]!, minor: b[OFF.committedMinor]!, build: b[OFF.committedBuild]! },
    launchTcb: tcb(OFF.launchTcb, 'LAUNCH_TCB'),
    ...(version >= 5 ? { launchMitVector: hex64(u64(b, OFF.launchMitVector)), currentMitVector: hex64(u64(b, OFF.currentMitVector)) } : {}),
    signatureR: scalar(b, OFF.signature, 'R'),
    signatureS: scalar(b, OFF.signature + SIG_COMPONENT_SIZE, 'S'),
  };
  return report;
}

/** "1.55.40" */
export function firmwareVersionText(v: SnpFirmwareVersion): string {
  return `${v.major}.${v.minor}.${v.build}`;
}
