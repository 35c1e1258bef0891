/**
 * Requests: validation, the cache key / bundle file stem, and the requests a
 * report needs.
 */
import { attestationError } from '../../errors.js';
import { toHex } from '../../lib/bytes.js';
import type { SnpKeyType } from '../chain.js';
import { isSnpProduct, type SnpProduct } from '../product.js';
import type { SnpReport } from '../report.js';
import type { SnpCaRequest, SnpCollateralRequest, SnpVcekRequest } from './types.js';

function invalid(field: string, message: string, found: unknown): never {
  throw attestationError('InvalidArgument', `SEV-SNP collateral request: ${message}`, {
    check: 'snp.collateral.request',
    field,
    found: String(found).slice(0, 64),
  });
}

function spl(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) invalid(field, `${field} must be an integer 0..255`, v);
  return v;
}

/** Validates a request and returns it normalised (lower-case hwid, no unknown members). */
export function normalizeSnpRequest<R extends SnpCollateralRequest>(request: R): R;
export function normalizeSnpRequest(request: SnpCollateralRequest): SnpCollateralRequest {
  if (request === null || typeof request !== 'object') invalid('', 'expected an object', request);
  if (!isSnpProduct(request.product)) invalid('product', 'product must be Milan, Genoa or Turin', request.product);
  if (request.kind === 'ca') {
    if (request.keyType !== 'VCEK' && request.keyType !== 'VLEK') invalid('keyType', 'keyType must be VCEK or VLEK', request.keyType);
    return { kind: 'ca', product: request.product, keyType: request.keyType };
  }
  if (request.kind !== 'vcek') invalid('kind', 'kind must be "vcek" or "ca"', (request as { kind?: unknown }).kind);
  const hexLen = request.product === 'Turin' ? 16 : 128;
  if (typeof request.hwid !== 'string' || request.hwid.length !== hexLen || !/^[0-9a-fA-F]+$/.test(request.hwid)) {
    invalid('hwid', `hwid must be ${hexLen} hex digits for ${request.product}`, request.hwid);
  }
  const t = request.tcb;
  if (t === null || typeof t !== 'object') invalid('tcb', 'tcb must be an object', t);
  if (request.product === 'Turin' && t.fmc === undefined) invalid('tcb.fmc', 'Turin requests need the FMC SPL', t.fmc);
  if (request.product !== 'Turin' && t.fmc !== undefined) invalid('tcb.fmc', `${request.product} has no FMC SPL`, t.fmc);
  const tcb = {
    bootloader: spl(t.bootloader, 'tcb.bootloader'),
    tee: spl(t.tee, 'tcb.tee'),
    snp: spl(t.snp, 'tcb.snp'),
    microcode: spl(t.microcode, 'tcb.microcode'),
    ...(t.fmc === undefined ? {} : { fmc: spl(t.fmc, 'tcb.fmc') }),
  };
  return { kind: 'vcek', product: request.product, hwid: request.hwid.toLowerCase(), tcb };
}

/**
 * Cache key and bundle file stem, [a-z0-9-] only:
 *   `snp-vcek-<product>-<hwid>-<bl>-<tee>-<snp>-<ucode>[-<fmc>]`, `snp-ca-<product>-<vcek|vlek>`.
 */
export function snpRequestKey(request: SnpCollateralRequest): string {
  const r = normalizeSnpRequest(request);
  if (r.kind === 'ca') return `snp-ca-${r.product.toLowerCase()}-${r.keyType.toLowerCase()}`;
  const t = r.tcb;
  return `snp-vcek-${r.product.toLowerCase()}-${r.hwid}-${t.bootloader}-${t.tee}-${t.snp}-${t.microcode}${t.fmc === undefined ? '' : `-${t.fmc}`}`;
}

export function sameSnpRequest(a: SnpCollateralRequest, b: SnpCollateralRequest): boolean {
  return snpRequestKey(a) === snpRequestKey(b);
}

/**
 * The VCEK request for a parsed report: its product (CPUID, or `product` for
 * a v2 report), CHIP_ID (first 8 bytes on Turin) and REPORTED_TCB. Fails with
 * CollateralMissing when the report cannot name its VCEK (CHIP_ID masked or
 * zero, or a v2 report without a product).
 */
export function vcekRequestForReport(report: SnpReport, product?: SnpProduct): SnpVcekRequest {
  const p = report.product ?? product;
  if (p === undefined) {
    throw attestationError('CollateralMissing', 'a version 2 report does not name its product: pass the product', {
      check: 'snp.collateral.request.product',
      field: 'product',
      expected: 'Milan | Genoa | Turin',
      found: 'unknown (report version 2)',
    });
  }
  if (report.signerInfo.maskChipKey || report.chipId.every((b) => b === 0)) {
    throw attestationError('CollateralMissing', 'CHIP_ID is masked or zero: the VCEK cannot be requested from KDS', {
      check: 'snp.collateral.request.hwid',
      field: 'CHIP_ID',
      expected: 'non-zero CHIP_ID',
      found: 'zero',
    });
  }
  const t = report.reportedTcb;
  return normalizeSnpRequest({
    kind: 'vcek',
    product: p,
    hwid: toHex(report.chipId.subarray(0, p === 'Turin' ? 8 : 64)),
    tcb: { bootloader: t.bootloader, tee: t.tee, snp: t.snp, microcode: t.microcode, ...(p === 'Turin' ? { fmc: t.fmc ?? 0 } : {}) },
  });
}

export function caRequest(product: SnpProduct, keyType: SnpKeyType): SnpCaRequest {
  return normalizeSnpRequest({ kind: 'ca', product, keyType });
}
