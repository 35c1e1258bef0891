/**
 * QE report against QE Identity (Intel QVL EnclaveReportVerifier::verify,
 * spec steps 4.1.2.5.15-16 and 4.1.2.9.5-10).
 */
import { VerifyError } from '../errors.js';
import type { QeIdentity, QeTcbLevel } from '../collateral/qe-identity.js';
import type { QeTcbOutcome } from './converge.js';
import { bytesEqual, readU32LE, toHex } from '../lib/bytes.js';

/** The QE report fields this check reads (an SGX report body). */
export interface QeReportFields {
  readonly miscSelect: number;
  readonly attributes: Uint8Array;
  readonly mrSigner: Uint8Array;
  readonly isvProdId: number;
  readonly isvSvn: number;
}

export interface QeIdentityResult {
  readonly outcome: QeTcbOutcome;
  readonly level?: QeTcbLevel;
}

function mismatch(field: string, expected: string, found: string): never {
  throw new VerifyError('QeIdentityMismatch', `QE report ${field} does not match the QE Identity`, {
    check: 'qeIdentity.report',
    field,
    expected,
    found,
  });
}

export function checkQeIdentity(identity: QeIdentity, teeType: 'SGX' | 'TDX', report: QeReportFields): QeIdentityResult {
  // 4.1.2.5.15: the identity must be the one for this TEE's quoting enclave.
  const wanted = teeType === 'TDX' ? 'TD_QE' : 'QE';
  if (identity.id !== wanted) mismatch('id', wanted, identity.id);

  // 4.1.2.9.5: MISCSELECT under mask. The QVL reads the JSON hex bytes as a
  // little-endian u32 (vectorToUint32 = byte swap), the same order as the report.
  const misc = readU32LE(identity.miscselect, 0);
  const miscMask = readU32LE(identity.miscselectMask, 0);
  const maskedMisc = (report.miscSelect & miscMask) >>> 0;
  if (maskedMisc !== misc) mismatch('MISCSELECT', misc.toString(16), maskedMisc.toString(16));
  // 4.1.2.9.6: ATTRIBUTES under mask (byte-wise, same byte order as the report).
  const masked = report.attributes.map((b, i) => b & identity.attributesMask[i]!);
  if (!bytesEqual(masked, identity.attributes)) mismatch('ATTRIBUTES', toHex(identity.attributes), toHex(masked));
  // 4.1.2.9.7
  if (!bytesEqual(report.mrSigner, identity.mrsigner)) mismatch('MRSIGNER', toHex(identity.mrsigner), toHex(report.mrSigner));
  // 4.1.2.9.8
  if (report.isvProdId !== identity.isvprodid) mismatch('ISVPRODID', String(identity.isvprodid), String(report.isvProdId));

  // 4.1.2.9.9-10: first level (highest ISVSVN first) with isvsvn <= the report's.
  const level = identity.tcbLevels.find((l) => l.isvsvn <= report.isvSvn);
  if (level === undefined) return { outcome: 'NotSupported' };
  if (level.status === 'UpToDate') return { outcome: 'UpToDate', level };
  return { outcome: level.status === 'Revoked' ? 'Revoked' : 'OutOfDate', level };
}
