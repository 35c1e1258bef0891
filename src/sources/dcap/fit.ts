/**
 * Does the collateral a source returned answer the request? A PCS that
 * returns another FMSPC's TCB Info, the SGX QE Identity for a TDX request or
 * the wrong CA's CRL is misbehaving: refuse before anything is cached.
 */
import { VerifyError } from '../../errors.js';
import { toHex } from '../../lib/bytes.js';
import type { Collateral } from '../../collateral/parse.js';
import { pckCaOfName } from './request.js';
import type { CollateralRequest } from './types.js';

/** [PCS-v4] "Get QE Identity" serves `QE` under /sgx, "Get TD QE Identity" serves `TD_QE` under /tdx. */
const QE_ID = { SGX: 'QE', TDX: 'TD_QE' } as const;

/**
 * Throws FmspcMismatch (TCB Info FMSPC ≠ requested) or CollateralMismatch
 * (TCB Info id, QE Identity id or PCK CRL issuer ≠ requested TEE type / CA).
 * `request` must be normalised (lower-case FMSPC).
 */
export function checkCollateralFits(request: CollateralRequest, collateral: Collateral): void {
  const tcb = collateral.tcbInfo.info;
  if (toHex(tcb.fmspc) !== request.fmspc.toLowerCase()) {
    throw new VerifyError('FmspcMismatch', 'TCB Info is for another FMSPC than requested', {
      check: 'collateral.fit.fmspc',
      field: 'tcbInfo.fmspc',
      expected: request.fmspc.toLowerCase(),
      found: toHex(tcb.fmspc),
    });
  }
  // TCB Info v2 has no `id` and is SGX only (parseTcbInfo reports it as SGX).
  if (tcb.id !== request.teeType) {
    throw new VerifyError('CollateralMismatch', `TCB Info ${tcb.id} does not fit a ${request.teeType} request`, {
      check: 'collateral.fit.tcbInfo.id',
      field: 'tcbInfo.id',
      expected: request.teeType,
      found: tcb.id,
    });
  }
  const qeId = collateral.qeIdentity.identity.id;
  if (qeId !== QE_ID[request.teeType]) {
    throw new VerifyError('CollateralMismatch', `QE Identity ${qeId} does not fit a ${request.teeType} request`, {
      check: 'collateral.fit.qeIdentity.id',
      field: 'qeIdentity.id',
      expected: QE_ID[request.teeType],
      found: qeId,
    });
  }
  const crlCa = pckCaOfName(collateral.pckCrl.issuerText);
  if (crlCa !== request.ca) {
    throw new VerifyError('CollateralMismatch', `PCK CRL is not issued by the Intel SGX PCK ${request.ca} CA`, {
      check: 'collateral.fit.pckCrl.issuer',
      field: 'pckCrl.issuer',
      expected: `Intel SGX PCK ${request.ca === 'platform' ? 'Platform' : 'Processor'} CA`,
      found: collateral.pckCrl.issuerText,
    });
  }
}
