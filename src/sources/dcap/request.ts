/**
 * Collateral requests: validation, the cache / file key, and deriving the
 * request from a quote (TEE type from the quote header, FMSPC from the PCK
 * certificate's SGX extension, CA from the PCK certificate's issuer).
 */
import { attestationError } from '../../errors.js';
import { parseQuote } from '../../quote/parse.js';
import type { ParseQuoteOptions, Quote } from '../../quote/types.js';
import { toHex } from '../../lib/bytes.js';
import { parseCertificate, type Certificate } from '../../x509/certificate.js';
import { decodePemChain } from '../../x509/pem.js';
import { parseSgxExtension } from '../../x509/sgx-extension.js';
import type { CollateralRequest, PckCa } from './types.js';

function invalid(field: string, message: string, found: unknown): never {
  throw attestationError('InvalidArgument', `collateral request: ${message}`, {
    check: 'collateral.request',
    field,
    found: String(found).slice(0, 64),
  });
}

/** Validates a request and returns it normalised (lower-case FMSPC, no unknown members). */
export function normalizeRequest(request: CollateralRequest): CollateralRequest {
  if (request === null || typeof request !== 'object') invalid('', 'expected an object', request);
  const { teeType, fmspc, ca, update } = request;
  if (teeType !== 'SGX' && teeType !== 'TDX') invalid('teeType', 'teeType must be "SGX" or "TDX"', teeType);
  if (typeof fmspc !== 'string' || !/^[0-9a-fA-F]{12}$/.test(fmspc)) invalid('fmspc', 'fmspc must be 12 hex digits', fmspc);
  if (ca !== 'platform' && ca !== 'processor') invalid('ca', 'ca must be "platform" or "processor"', ca);
  if (update !== undefined && update !== 'standard' && update !== 'early') invalid('update', 'update must be "standard" or "early"', update);
  return { teeType, fmspc: fmspc.toLowerCase(), ca, update };
}

/**
 * Cache key and offline bundle file stem: `<tee>-<fmspc>-<ca>` in lower case,
 * with `-early` appended for `update: 'early'` (e.g. `tdx-b0c06f000000-platform`).
 * Only [a-z0-9-]: safe as a file name on every platform.
 */
export function requestKey(request: CollateralRequest): string {
  const r = normalizeRequest(request);
  return `${r.teeType.toLowerCase()}-${r.fmspc}-${r.ca}${r.update === 'early' ? '-early' : ''}`;
}

/** Same TEE type, FMSPC, CA and update type (after normalisation; absent update = standard). */
export function sameRequest(a: CollateralRequest, b: CollateralRequest): boolean {
  return requestKey(a) === requestKey(b);
}

const PCK_CA_RE = /(?:^|,)\s*CN=Intel SGX PCK (Platform|Processor) CA\s*(?:,|$)/;

/** 'platform' / 'processor' from an issuer or subject Name text; undefined for any other name. */
export function pckCaOfName(nameText: string): PckCa | undefined {
  const m = PCK_CA_RE.exec(nameText);
  if (m === null) return undefined;
  return m[1] === 'Platform' ? 'platform' : 'processor';
}

function pckLeafOf(quote: Quote): Certificate {
  const cd = quote.signatureData.certificationData;
  if (cd.type !== 5 || cd.pemChain === undefined) {
    throw attestationError('CollateralMissing', `quote certification data type ${cd.type} carries no PEM PCK chain`, {
      check: 'collateral.request.pckChain',
      expected: 'certification data type 5 (PEM PCK chain)',
      found: cd.type === 5 ? 'type 5 without PEM text' : `type ${cd.type}`,
    });
  }
  const ders = decodePemChain(cd.pemChain);
  return parseCertificate(ders[0]!);
}

/**
 * The collateral request for a quote: TEE type from the header, FMSPC from the
 * PCK leaf's SGX extension (1.2.840.113741.1.13.1.4), CA from the leaf's
 * issuer CN ("Intel SGX PCK Platform CA" / "Intel SGX PCK Processor CA").
 * Nothing is verified here: `verifyQuote` does that with the collateral.
 *
 * Throws QuoteParse / QuoteUnsupported, CollateralMissing (no type-5 PEM
 * chain), PemParse / CertificateParse / SgxExtensionParse, CertificateInvalid
 * (the leaf is not issued by an Intel PCK CA).
 */
export function collateralRequestForQuote(
  quote: Uint8Array | Quote,
  options: ParseQuoteOptions = { trailingBytes: 'zeros' },
): CollateralRequest {
  const q = quote instanceof Uint8Array ? parseQuote(quote, options) : quote;
  const leaf = pckLeafOf(q);
  const ca = pckCaOfName(leaf.issuerText);
  if (ca === undefined) {
    throw attestationError('CertificateInvalid', 'PCK certificate is not issued by an Intel SGX PCK Platform or Processor CA', {
      check: 'collateral.request.pckIssuer',
      field: 'issuer',
      expected: 'CN=Intel SGX PCK Platform CA | CN=Intel SGX PCK Processor CA',
      found: leaf.issuerText,
    });
  }
  const ext = parseSgxExtension(leaf);
  return { teeType: q.teeType, fmspc: toHex(ext.fmspc), ca };
}
