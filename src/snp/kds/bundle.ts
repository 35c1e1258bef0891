/**
 * Offline SEV-SNP collateral bundles: one JSON file per request, named
 * `<snpRequestKey>.json`, for air-gapped verification (SnpStaticSource) and
 * for the persistent tier of SnpCachedSource.
 *
 *   {
 *     "format": "tee-attest/snp-kds-bundle@1",
 *     "request": { "kind": "vcek", "product": "Milan", "hwid": "…", "tcb": { "bootloader": 3, … } }
 *              | { "kind": "ca", "product": "Milan", "keyType": "VCEK" },
 *     "metadata": { "source": "https://kdsintf.amd.com", "fetchedAt": 1730000000 },
 *     "collateral": { "vcek": "<DER hex>" } | { "certChain": "<PEM>", "crl": "<DER hex>" }
 *   }
 *
 * Parsing is strict (CollateralParse; the strict JSON parser: duplicate keys
 * refused) and bounded (MAX_SNP_BUNDLE_BYTES).
 */
import { attestationError } from '../../errors.js';
import { parseStrictJson } from '../../sources/strict-json.js';
import { normalizeSnpRequest, snpRequestKey } from './request.js';
import type { SnpCollateralBundle, SnpCollateralMetadata, SnpCollateralRequest } from './types.js';

export const SNP_BUNDLE_FORMAT = 'tee-attest/snp-kds-bundle@1';
export const MAX_SNP_BUNDLE_BYTES = 256 * 1024;

function fail(field: string, message: string, found?: string): never {
  throw attestationError('CollateralParse', `SEV-SNP bundle ${field}: ${message}`, {
    check: 'snp.bundle',
    field,
    ...(found === undefined ? {} : { found: found.slice(0, 64) }),
  });
}

export function snpBundleFileName(request: SnpCollateralRequest): string {
  return `${snpRequestKey(request)}.json`;
}

export function serializeSnpBundle(bundle: SnpCollateralBundle): string {
  const { cache: _cache, ...metadata } = bundle.metadata;
  return JSON.stringify({ format: SNP_BUNDLE_FORMAT, request: normalizeSnpRequest(bundle.request), metadata, collateral: bundle.collateral }, null, 2) + '\n';
}

const HEX = /^[0-9a-fA-F]+$/;

function hexField(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0 || v.length % 2 !== 0 || !HEX.test(v)) fail(`collateral.${k}`, 'expected DER as hex', typeof v === 'string' ? v : typeof v);
  return v.toLowerCase();
}

function textField(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0) fail(`collateral.${k}`, 'expected PEM text', typeof v);
  return v;
}

function readMetadata(v: unknown): SnpCollateralMetadata {
  if (v === undefined) return { source: 'bundle' };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail('metadata', 'expected an object');
  const m = v as Record<string, unknown>;
  const source = m.source ?? 'bundle';
  if (typeof source !== 'string') fail('metadata.source', 'expected a string');
  const fetchedAt = m.fetchedAt;
  if (fetchedAt !== undefined && (typeof fetchedAt !== 'number' || !Number.isFinite(fetchedAt))) fail('metadata.fetchedAt', 'expected unix seconds');
  return { source, fetchedAt };
}

/** Parses a bundle file (text or UTF-8 bytes) with the strict JSON parser (duplicate keys refused). */
export function parseSnpBundle(input: string | Uint8Array): SnpCollateralBundle {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) fail('file', 'expected text or bytes');
  if (input instanceof Uint8Array) {
    if (input.length > MAX_SNP_BUNDLE_BYTES) fail('file', `larger than ${MAX_SNP_BUNDLE_BYTES} bytes`);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return fail('file', 'not UTF-8');
    }
  }
  // Strict JSON (#19 §5): a duplicate key anywhere is CollateralParse, never last-wins.
  const root = parseStrictJson(input, 'SEV-SNP bundle', MAX_SNP_BUNDLE_BYTES);
  if (root === null || typeof root !== 'object' || Array.isArray(root)) fail('file', 'expected a JSON object');
  const o = root as Record<string, unknown>;
  if (o.format !== SNP_BUNDLE_FORMAT) fail('format', `expected "${SNP_BUNDLE_FORMAT}"`, String(o.format));
  let request: SnpCollateralRequest;
  try {
    request = normalizeSnpRequest(o.request as SnpCollateralRequest);
  } catch (e) {
    return fail('request', e instanceof Error ? e.message : 'invalid request');
  }
  const c = o.collateral;
  if (c === null || typeof c !== 'object' || Array.isArray(c)) fail('collateral', 'expected an object');
  const col = c as Record<string, unknown>;
  const metadata = readMetadata(o.metadata);
  if (request.kind === 'vcek') return { request, collateral: { vcek: hexField(col, 'vcek') }, metadata };
  return {
    request,
    collateral: { certChain: textField(col, 'certChain'), ...(col.crl === undefined ? {} : { crl: hexField(col, 'crl') }) },
    metadata,
  };
}
