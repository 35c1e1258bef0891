/**
 * Certificate and CRL inputs in the forms KDS and hosts hand them out: DER
 * bytes, PEM text (as bytes or a string, one or more blocks: the KDS
 * cert_chain body is "ASK then ARK" PEM), or lower-case / upper-case hex of
 * the DER. Parsed with the any-algorithm X.509 parsers (RSA, P-384,
 * RSASSA-PSS), never the DCAP ones.
 */
import { ParseError } from '../errors.js';
import { tryFromHex } from '../lib/bytes.js';
import { parseCertificateAnyAlg, type AnyAlgCertificate } from '../x509/certificate.js';
import { parseCrlAnyAlg, type AnyAlgCrl } from '../x509/crl.js';
import { decodePem, decodePemBlocks } from '../x509/pem.js';

/** Input bytes or text of one or more certificates. */
export type CertificateInput = Uint8Array | string | readonly Uint8Array[];

/** Upper bound on certificates taken from one input (a cert_chain has 2). */
export const MAX_INPUT_CERTIFICATES = 8;

function looksLikePem(b: Uint8Array): boolean {
  const first = b.find((x) => x !== 0x20 && x !== 0x09 && x !== 0x0d && x !== 0x0a);
  return first === 0x2d; // '-'
}

function derList(input: CertificateInput, field: string): Uint8Array[] {
  if (Array.isArray(input)) return (input as readonly Uint8Array[]).map((d) => (d instanceof Uint8Array ? d : badInput(field)));
  if (input instanceof Uint8Array) return looksLikePem(input) ? decodePem(input) : [input];
  if (typeof input === 'string') {
    const s = input.trim();
    if (s.startsWith('-----')) return decodePem(s);
    const der = tryFromHex(s);
    if (der === undefined) {
      throw new ParseError('CertificateParse', `${field}: text is neither PEM nor hex`, { check: 'snp.input.certificate', field, found: s.slice(0, 16) });
    }
    return [der];
  }
  return badInput(field);
}

function badInput(field: string): never {
  throw new ParseError('CertificateParse', `${field}: expected DER bytes, PEM or hex`, { check: 'snp.input.certificate', field });
}

/** Parses every certificate of an input (CertificateParse / PemParse on malformed input). */
export function certificatesFromInput(input: CertificateInput, field: string): AnyAlgCertificate[] {
  const ders = derList(input, field);
  if (ders.length === 0 || ders.length > MAX_INPUT_CERTIFICATES) {
    throw new ParseError('CertificateParse', `${field}: expected 1..${MAX_INPUT_CERTIFICATES} certificates`, {
      check: 'snp.input.certificate',
      field,
      expected: `1..${MAX_INPUT_CERTIFICATES}`,
      found: String(ders.length),
    });
  }
  return ders.map((d) => parseCertificateAnyAlg(d));
}

/** Exactly one certificate. */
export function certificateFromInput(input: CertificateInput, field: string): AnyAlgCertificate {
  const certs = certificatesFromInput(input, field);
  if (certs.length !== 1) {
    throw new ParseError('CertificateParse', `${field}: expected exactly one certificate`, { check: 'snp.input.certificate', field, expected: '1', found: String(certs.length) });
  }
  return certs[0]!;
}

/** A CRL as DER bytes, PEM ("X509 CRL") or hex (CrlParse / PemParse on malformed input). */
export function crlFromInput(input: Uint8Array | string, field = 'crl'): AnyAlgCrl {
  let der: Uint8Array | undefined;
  if (input instanceof Uint8Array) {
    der = looksLikePem(input) ? singleCrl(input, field) : input;
  } else if (typeof input === 'string') {
    const s = input.trim();
    der = s.startsWith('-----') ? singleCrl(s, field) : tryFromHex(s);
  }
  if (der === undefined) {
    throw new ParseError('CrlParse', `${field}: expected DER bytes, PEM or hex`, { check: 'snp.input.crl', field });
  }
  return parseCrlAnyAlg(der);
}

function singleCrl(input: string | Uint8Array, field: string): Uint8Array {
  const blocks = decodePemBlocks(input).filter((b) => b.label === 'X509 CRL');
  if (blocks.length !== 1) {
    throw new ParseError('CrlParse', `${field}: expected exactly one "X509 CRL" PEM block`, { check: 'snp.input.crl', field, expected: '1', found: String(blocks.length) });
  }
  return blocks[0]!.der;
}
