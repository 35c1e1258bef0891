/**
 * Collateral bundles: normalising either collateral shape to the JSON-safe
 * `BundleCollateral`, and the offline bundle file format shared by
 * StaticSource, the filesystem cache and `dcap collateral fetch`:
 *
 *   <dir>/<tee>-<fmspc>-<ca>[-early].json     e.g. collateral/tdx-b0c06f000000-platform.json
 *   {
 *     "format": "tee-attest/collateral-bundle/v1",
 *     "request": { "teeType": "TDX", "fmspc": "b0c06f000000", "ca": "platform" },
 *     "metadata": { "source": "https://api.trustedservices.intel.com", "fetchedAt": 1752900000 },
 *     "collateral": { "tcbInfo": "{\"tcbInfo\":{…},\"signature\":\"…\"}", "tcbInfoIssuerChain": "-----BEGIN…",
 *                     "qeIdentity": "…", "qeIdentityIssuerChain": "…", "pckCrl": "<hex DER>",
 *                     "pckCrlIssuerChain": "…", "rootCaCrl": "<hex DER>" }
 *   }
 *
 * `collateral` may also be in the dcap-qvl `CollateralJson` shape, and a file
 * may hold a bare collateral object (no `format`): its request then comes
 * from the file name.
 */
import { ParseError } from '../../errors.js';
import { toHex } from '../../lib/bytes.js';
import { parseStrictJson } from '../strict-json.js';
import { parseCrlAny } from '../../x509/crl.js';
import { percentDecode } from '../../x509/pem.js';
import { isCollateralJson, type CollateralInput, type CollateralJson, type PcsCollateral } from '../../collateral/input.js';
import { normalizeRequest, requestKey } from './request.js';
import type { BundleCollateral, CollateralBundle, CollateralMetadata, CollateralRequest } from './types.js';

export const BUNDLE_FORMAT = 'tee-attest/collateral-bundle/v1';

/** Largest bundle file / cache entry read (a real bundle is ~20 KiB; a processor-CA PCK CRL may reach a few hundred KiB). */
export const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;

function fail(field: string, message: string, found?: string): never {
  throw new ParseError('CollateralParse', `collateral bundle ${field}: ${message}`, {
    check: 'collateral.bundle',
    field,
    ...(found === undefined ? {} : { found: found.slice(0, 140) }),
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 (a response body or file that is not UTF-8 text is malformed). */
export function decodeUtf8(bytes: Uint8Array, field: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    return fail(field, 'not UTF-8 text');
  }
}

function text(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return decodeUtf8(v, field);
  return fail(field, v === undefined ? 'missing' : 'expected a string');
}

/** Issuer chain header value → PEM text (PCS headers are percent-encoded, RFC 3986 §2.1). */
export function issuerChainText(v: unknown, field: string): string {
  const s = text(v, field).trim();
  return /%2D/i.test(s) || s.includes('-----BEGIN%20') ? percentDecode(s) : s;
}

function isAsciiHex(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  for (const b of bytes) {
    const hex = (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);
    const space = b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
    if (!hex && !space) return false;
  }
  return true;
}

/**
 * A CRL as DER, PEM or hex (string or bytes; a PCCS serves the root CA CRL
 * as hex text, Intel PCS as DER) → lower-case hex of the DER. Throws CrlParse.
 */
export function crlToHex(v: unknown, field: string): string {
  if (v instanceof Uint8Array) {
    if (isAsciiHex(v)) return toHex(parseCrlAny(decodeUtf8(v, field).replace(/\s+/g, '')).der);
    return toHex(parseCrlAny(v).der);
  }
  if (typeof v !== 'string') return fail(field, v === undefined ? 'missing' : 'expected a CRL (DER bytes, PEM or hex)');
  const s = v.trim();
  return toHex(parseCrlAny(s.startsWith('-----') ? s : s.replace(/\s+/g, '')).der);
}

function signatureHex(v: unknown, field: string): string {
  const s = text(v, field).trim();
  if (!/^[0-9a-fA-F]+$/.test(s)) fail(field, 'expected hex', s);
  return s;
}

/** The dcap-qvl CollateralJson split back into the PCS responses it came from. */
export function collateralJsonToBundle(c: CollateralJson): BundleCollateral {
  return {
    tcbInfo: `{"tcbInfo":${text(c.tcb_info, 'tcb_info')},"signature":"${signatureHex(c.tcb_info_signature, 'tcb_info_signature')}"}`,
    tcbInfoIssuerChain: issuerChainText(c.tcb_info_issuer_chain, 'tcb_info_issuer_chain'),
    qeIdentity: `{"enclaveIdentity":${text(c.qe_identity, 'qe_identity')},"signature":"${signatureHex(c.qe_identity_signature, 'qe_identity_signature')}"}`,
    qeIdentityIssuerChain: issuerChainText(c.qe_identity_issuer_chain, 'qe_identity_issuer_chain'),
    pckCrl: crlToHex(c.pck_crl, 'pck_crl'),
    pckCrlIssuerChain: issuerChainText(c.pck_crl_issuer_chain, 'pck_crl_issuer_chain'),
    rootCaCrl: crlToHex(c.root_ca_crl, 'root_ca_crl'),
  };
}

/** Either collateral shape → BundleCollateral (bodies kept byte-exact, chains as PEM, CRLs as hex DER). */
export function toBundleCollateral(input: CollateralInput): BundleCollateral {
  if (input === null || typeof input !== 'object') fail('collateral', 'expected an object');
  if (isCollateralJson(input)) return collateralJsonToBundle(input);
  const p: PcsCollateral = input;
  return {
    tcbInfo: text(p.tcbInfo, 'tcbInfo'),
    tcbInfoIssuerChain: issuerChainText(p.tcbInfoIssuerChain, 'tcbInfoIssuerChain'),
    qeIdentity: text(p.qeIdentity, 'qeIdentity'),
    qeIdentityIssuerChain: issuerChainText(p.qeIdentityIssuerChain, 'qeIdentityIssuerChain'),
    pckCrl: crlToHex(p.pckCrl, 'pckCrl'),
    pckCrlIssuerChain: issuerChainText(p.pckCrlIssuerChain, 'pckCrlIssuerChain'),
    rootCaCrl: crlToHex(p.rootCaCrl, 'rootCaCrl'),
  };
}

/** File name of a request's bundle: `<tee>-<fmspc>-<ca>[-early].json`. */
export function bundleFileName(request: CollateralRequest): string {
  return `${requestKey(request)}.json`;
}

/** Serialise a bundle to the file format (the cache's own metadata is not written). */
export function serializeBundle(bundle: CollateralBundle): string {
  const { cache: _cache, ...metadata } = bundle.metadata;
  return (
    JSON.stringify(
      { format: BUNDLE_FORMAT, request: normalizeRequest(bundle.request), metadata, collateral: bundle.collateral },
      null,
      2,
    ) + '\n'
  );
}

function readMetadata(v: unknown): CollateralMetadata {
  if (v === undefined) return { source: 'bundle' };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail('metadata', 'expected an object');
  const m = v as Record<string, unknown>;
  const source = m.source === undefined ? 'bundle' : m.source;
  if (typeof source !== 'string') fail('metadata.source', 'expected a string');
  const fetchedAt = m.fetchedAt;
  if (fetchedAt !== undefined && (typeof fetchedAt !== 'number' || !Number.isFinite(fetchedAt))) fail('metadata.fetchedAt', 'expected unix seconds');
  let requestIds: Record<string, string> | undefined;
  if (m.requestIds !== undefined) {
    if (m.requestIds === null || typeof m.requestIds !== 'object' || Array.isArray(m.requestIds)) fail('metadata.requestIds', 'expected an object');
    requestIds = {};
    for (const [k, id] of Object.entries(m.requestIds as Record<string, unknown>)) {
      if (typeof id !== 'string') fail(`metadata.requestIds.${k}`, 'expected a string');
      requestIds[k] = id;
    }
  }
  // `cache` is never read back: cache state is recomputed by verification.
  return { source, fetchedAt, ...(requestIds ? { requestIds } : {}) };
}

function readRequest(v: unknown): CollateralRequest {
  try {
    return normalizeRequest(v as CollateralRequest);
  } catch (e) {
    return fail('request', e instanceof Error ? e.message : 'invalid request');
  }
}

/**
 * Parse a bundle file (text or bytes) with the strict JSON parser (duplicate
 * keys refused). `requestFromName` is used for a bare
 * collateral object without `format`; a bundle's own `request` must equal it
 * when both are given (else CollateralMismatch is raised by the caller).
 * Throws CollateralParse (and CrlParse / PemParse for malformed CRLs / chains).
 */
export function parseBundle(input: string | Uint8Array, requestFromName?: CollateralRequest): CollateralBundle {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) fail('file', 'expected text or bytes');
  // Strict JSON (#19 §5): a duplicate key anywhere is CollateralParse, never last-wins.
  const root = parseStrictJson(typeof input === 'string' ? input : utf8Bytes(input), 'collateral bundle', MAX_BUNDLE_BYTES);
  if (root === null || typeof root !== 'object' || Array.isArray(root)) fail('file', 'expected a JSON object');
  const o = root as Record<string, unknown>;
  if (o.format === undefined) {
    if (requestFromName === undefined) fail('format', `missing (expected "${BUNDLE_FORMAT}")`);
    return {
      request: normalizeRequest(requestFromName),
      collateral: toBundleCollateral(o as unknown as CollateralInput),
      metadata: { source: 'bundle' },
    };
  }
  if (o.format !== BUNDLE_FORMAT) fail('format', `unsupported format (expected "${BUNDLE_FORMAT}")`, String(o.format));
  if (o.collateral === null || typeof o.collateral !== 'object') fail('collateral', 'expected an object');
  return {
    request: readRequest(o.request),
    collateral: toBundleCollateral(o.collateral as CollateralInput),
    metadata: readMetadata(o.metadata),
  };
}

/** Bytes that must be UTF-8 text (CollateralParse otherwise). */
function utf8Bytes(bytes: Uint8Array): Uint8Array {
  decodeUtf8(bytes, 'file');
  return bytes;
}
