/**
 * Collateral input (either accepted shape) → parsed collateral. Parsing only:
 * nothing here checks a signature or a date; `verify/collateral.ts` does.
 */
import { ParseError } from '../errors.js';
import { tryFromHex, utf8Encode } from '../lib/bytes.js';
import { parseCertificate, type Certificate } from '../x509/certificate.js';
import { parseCrlAny, type Crl } from '../x509/crl.js';
import { decodePemBody, pemChainBodies } from '../x509/pem.js';
import { MAX_SIGNED_JSON_BYTES, parseJson } from './json.js';
import { isCollateralJson, type CollateralInput } from './input.js';
import { parseTcbInfo, type TcbInfo } from './tcb-info.js';
import { parseQeIdentity, type QeIdentity } from './qe-identity.js';

export interface SignedTcbInfo {
  readonly info: TcbInfo;
  /** Raw r ‖ s over `info.bytes`. */
  readonly signature: Uint8Array;
  /** TCB Signing certificate first, then (optionally) the root. */
  readonly chain: readonly Certificate[];
}

export interface SignedQeIdentity {
  readonly identity: QeIdentity;
  readonly signature: Uint8Array;
  readonly chain: readonly Certificate[];
}

export interface Collateral {
  readonly tcbInfo: SignedTcbInfo;
  readonly qeIdentity: SignedQeIdentity;
  readonly rootCaCrl: Crl;
  readonly pckCrl: Crl;
  readonly pckCrlChain: readonly Certificate[];
  /** PCK chain supplied with the collateral (for quotes without certification data type 5). */
  readonly pckChain?: readonly Certificate[];
}

function fail(field: string, message: string, found?: string): never {
  throw new ParseError('CollateralParse', `collateral.${field}: ${message}`, {
    check: 'collateral',
    field,
    found,
  });
}

function requireString(v: unknown, field: string): string {
  if (typeof v !== 'string') fail(field, v === undefined ? 'missing' : 'expected a string');
  return v;
}

function requireStringOrBytes(v: unknown, field: string): string | Uint8Array {
  if (typeof v !== 'string' && !(v instanceof Uint8Array)) fail(field, v === undefined ? 'missing' : 'expected a string or bytes');
  return v;
}

function signature(hex: string, field: string): Uint8Array {
  const sig = tryFromHex(hex.trim());
  if (sig === undefined || sig.length !== 64) fail(field, 'expected 64 bytes (r ‖ s) of hex', hex.slice(0, 140));
  return sig;
}

/** The signed JSON text as bytes, bounded by MAX_SIGNED_JSON_BYTES. */
function signedJsonBytes(v: unknown, field: string): Uint8Array {
  const bytes = utf8Encode(requireString(v, field));
  if (bytes.length > MAX_SIGNED_JSON_BYTES) fail(field, `larger than ${MAX_SIGNED_JSON_BYTES} bytes`, String(bytes.length));
  return bytes;
}

/**
 * Parsed certificates by the exact text of their PEM block body (decoding is
 * deterministic: one text, one DER). Intel's root and CA certificates appear
 * in several chains of one collateral set and in every quote; each is decoded
 * and parsed once per memo. Only CA certificates are kept, so a fleet of
 * machines does not fill a long-lived memo with leaves. A Map serves one
 * call; a bounded LRU (VerificationCache) serves many.
 */
export interface CertificateMemo {
  get(pemBody: string): Certificate | undefined;
  set(pemBody: string, certificate: Certificate): unknown;
}

/** The certificates of a PEM chain (plain or URL-encoded), CA certificates decoded and parsed once per memo. */
export function parseChain(pem: string | Uint8Array, memo: CertificateMemo = new Map()): Certificate[] {
  return pemChainBodies(pem).map((body) => {
    let cert = memo.get(body.text);
    if (cert === undefined) {
      cert = parseCertificate(decodePemBody(body));
      if (cert.basicConstraints?.ca === true) memo.set(body.text, cert);
    }
    return cert;
  });
}

/**
 * A PCS response body `{"<member>":{...},"signature":"<hex>"}`: returns the
 * exact bytes of the member's value (what Intel signed) and the signature.
 */
export function splitSignedResponse(body: string | Uint8Array, member: string): { bytes: Uint8Array; signature: Uint8Array } {
  const bytes = typeof body === 'string' ? utf8Encode(body) : body instanceof Uint8Array ? body : fail(member, 'expected the response body (string or bytes)');
  const root = parseJson(bytes, member, { maxBytes: MAX_SIGNED_JSON_BYTES });
  if (root.kind !== 'object') fail(member, 'expected a JSON object');
  const inner = root.members.get(member);
  if (inner?.kind !== 'object') fail(member, `missing "${member}" object`);
  const sig = root.members.get('signature');
  if (sig?.kind !== 'string') fail(`${member}.signature`, 'missing signature');
  if (root.members.size !== 2) fail(member, 'unexpected members besides the signed object and signature');
  return { bytes: bytes.subarray(inner.start, inner.end), signature: signature(sig.value, `${member}.signature`) };
}

/** Parse either collateral shape. Throws ParseError (CollateralParse, PemParse, CertificateParse, CrlParse). */
export function parseCollateral(input: CollateralInput): Collateral {
  return parseCollateralWith(input, new Map());
}

/** `parseCollateral` with the certificate memo of the verification it serves (internal: not in any entry). */
export function parseCollateralWith(input: CollateralInput, memo: CertificateMemo): Collateral {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail('', 'expected an object');
  if ('tcb_info' in input) {
    if (!isCollateralJson(input)) fail('tcb_info', 'expected the signed TCB Info text (a string)');
    const pckChain = input.pck_certificate_chain;
    return {
      tcbInfo: {
        info: parseTcbInfo(signedJsonBytes(input.tcb_info, 'tcb_info')),
        signature: signature(requireString(input.tcb_info_signature, 'tcb_info_signature'), 'tcb_info_signature'),
        chain: parseChain(requireString(input.tcb_info_issuer_chain, 'tcb_info_issuer_chain'), memo),
      },
      qeIdentity: {
        identity: parseQeIdentity(signedJsonBytes(input.qe_identity, 'qe_identity')),
        signature: signature(requireString(input.qe_identity_signature, 'qe_identity_signature'), 'qe_identity_signature'),
        chain: parseChain(requireString(input.qe_identity_issuer_chain, 'qe_identity_issuer_chain'), memo),
      },
      rootCaCrl: parseCrlAny(requireString(input.root_ca_crl, 'root_ca_crl')),
      pckCrl: parseCrlAny(requireString(input.pck_crl, 'pck_crl')),
      pckCrlChain: parseChain(requireString(input.pck_crl_issuer_chain, 'pck_crl_issuer_chain'), memo),
      ...(typeof pckChain === 'string' && pckChain.length > 0
        ? { pckChain: parseChain(pckChain, memo) }
        : {}),
    };
  }
  if (!('tcbInfo' in input)) fail('', 'neither the JSON shape (tcb_info, …) nor the PCS shape (tcbInfo, …)');
  const tcb = splitSignedResponse(requireStringOrBytes(input.tcbInfo, 'tcbInfo'), 'tcbInfo');
  const qe = splitSignedResponse(requireStringOrBytes(input.qeIdentity, 'qeIdentity'), 'enclaveIdentity');
  return {
    tcbInfo: {
      info: parseTcbInfo(tcb.bytes),
      signature: tcb.signature,
      chain: parseChain(requireString(input.tcbInfoIssuerChain, 'tcbInfoIssuerChain'), memo),
    },
    qeIdentity: {
      identity: parseQeIdentity(qe.bytes),
      signature: qe.signature,
      chain: parseChain(requireString(input.qeIdentityIssuerChain, 'qeIdentityIssuerChain'), memo),
    },
    rootCaCrl: parseCrlAny(requireStringOrBytes(input.rootCaCrl, 'rootCaCrl')),
    pckCrl: parseCrlAny(requireStringOrBytes(input.pckCrl, 'pckCrl')),
    pckCrlChain: parseChain(requireString(input.pckCrlIssuerChain, 'pckCrlIssuerChain'), memo),
    ...(typeof input.pckCertificateChain === 'string' && input.pckCertificateChain.length > 0
      ? { pckChain: parseChain(input.pckCertificateChain, memo) }
      : {}),
  };
}
