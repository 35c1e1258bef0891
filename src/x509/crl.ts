/**
 * X.509 v2 CRL parser (RFC 5280 §5.1). `parseCrl` is restricted to
 * ecdsa-with-SHA256 (DCAP); `parseCrlAnyAlg` is the separate entry point for
 * AMD SEV-SNP (RSASSA-PSS-SHA384). Signature, issuer and freshness are checked
 * by verify/chain.ts (verifyCrl) or snp/crl.ts.
 *
 *   CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
 *   TBSCertList ::= SEQUENCE {
 *     version Version OPTIONAL (v2), signature, issuer Name, thisUpdate Time,
 *     nextUpdate Time OPTIONAL,
 *     revokedCertificates SEQUENCE OF SEQUENCE {
 *       userCertificate CertificateSerialNumber, revocationDate Time,
 *       crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
 *     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 */
import { ParseError, type ErrorCode } from '../errors.js';
import {
  type DerNode,
  Tag,
  derChildren,
  derEnumerated,
  derFail,
  derInteger,
  derSequence,
  derSmallInteger,
  derTime,
  integerIsNegative,
  readDer,
} from '../der/reader.js';
import { bytesEqual, toHex, tryFromHex } from '../lib/bytes.js';
import { withFields } from '../lib/object.js';
import {
  type AnySignatureAlgorithm,
  type SignatureAlgorithm,
  parseSignatureAlgorithm,
  parseSignatureAlgorithmAny,
  parseSignatureValueAny,
} from './algorithms.js';
import { parseEcdsaSignatureValue, parseSerial } from './certificate.js';
import { type Extension, parseAuthorityKeyId, parseExtensions } from './extensions.js';
import { parseName } from './name.js';
import { OID } from './oids.js';
import { decodePemBlocks } from './pem.js';

export interface RevokedEntry {
  /** Same normalisation as Certificate.serialHex. */
  readonly serialHex: string;
  /** Unix seconds. */
  readonly revocationDate: number;
  /** CRLReason (RFC 5280 §5.3.1), if the entry carries one. */
  readonly reasonCode?: number;
}

/** Fields every parsed CRL has, whatever its signature algorithm. */
export interface CrlCore {
  readonly der: Uint8Array;
  /** Exact TBSCertList TLV bytes (what the signature covers). */
  readonly tbs: Uint8Array;
  /** 2 for v2, 1 for v1 (version absent, no extensions). */
  readonly version: number;
  /** Issuer Name TLV bytes. */
  readonly issuer: Uint8Array;
  readonly issuerText: string;
  /** Unix seconds. */
  readonly thisUpdate: number;
  readonly nextUpdate?: number;
  /** Revoked serial numbers, normalised like Certificate.serialHex. */
  readonly revokedSerials: ReadonlySet<string>;
  readonly revoked: readonly RevokedEntry[];
  readonly authorityKeyId?: Uint8Array;
  /** cRLNumber (RFC 5280 §5.2.3) in decimal. */
  readonly crlNumber?: string;
  readonly extensions: readonly Extension[];
  /**
   * Critical CRL extensions other than cRLNumber / authorityKeyIdentifier, and
   * critical CRL entry extensions other than reasonCode / invalidityDate
   * (e.g. issuingDistributionPoint, deltaCRLIndicator, certificateIssuer).
   */
  readonly unknownCriticalExtensions: string[];
}

/** A DCAP CRL (`parseCrl`): ecdsa-with-SHA256 only. */
export interface Crl extends CrlCore {
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** Raw r ‖ s, 64 bytes. */
  readonly signature: Uint8Array;
}

/** A CRL from `parseCrlAnyAlg` (AMD SEV-SNP KDS CRLs are RSASSA-PSS-SHA384 signed by the ARK). */
export interface AnyAlgCrl extends CrlCore {
  readonly signatureAlgorithm: AnySignatureAlgorithm;
  /** signatureValue BIT STRING contents: RSA signature octets or a DER ECDSA-Sig-Value. */
  readonly signature: Uint8Array;
}

const CODE: ErrorCode = 'CrlParse';
const KNOWN_CRITICAL_CRL: ReadonlySet<string> = new Set([OID.cRLNumber, OID.authorityKeyIdentifier]);
const KNOWN_CRITICAL_ENTRY: ReadonlySet<string> = new Set([OID.reasonCode, OID.invalidityDate]);

/** cRLNumber ::= INTEGER (0..MAX), at most 20 octets (§5.2.3). */
function parseCrlNumber(value: Uint8Array): string {
  const field = 'crlExtensions.cRLNumber';
  const node = readDer(value, CODE, field);
  const v = derInteger(node, field, CODE);
  if (integerIsNegative(v) || v.length > 21) {
    derFail(CODE, 'x509.crlNumber', field, 'cRLNumber must be a non-negative integer of at most 20 octets', node.offset, {
      found: toHex(v),
    });
  }
  return BigInt('0x' + toHex(v)).toString(10);
}

interface EntryState {
  readonly unknownCritical: Set<string>;
  entryExtensions: boolean;
}

function parseEntry(node: DerNode, index: number, st: EntryState): RevokedEntry {
  const field = `revokedCertificates[${index}]`;
  const kids = derSequence(node, field, CODE, { min: 2, max: 3 });
  const { serialHex } = parseSerial(kids[0]!, `${field}.userCertificate`, CODE);
  const revocationDate = derTime(kids[1]!, `${field}.revocationDate`, CODE);
  let reasonCode: number | undefined;
  if (kids[2] !== undefined) {
    st.entryExtensions = true;
    for (const ext of parseExtensions(kids[2], `${field}.crlEntryExtensions`, CODE)) {
      if (ext.oid === OID.reasonCode) {
        // CRLReason ::= ENUMERATED (0..10, 7 unused)
        reasonCode = derEnumerated(readDer(ext.value, CODE, `${field}.reasonCode`), `${field}.reasonCode`, CODE, 10);
      } else if (ext.oid === OID.invalidityDate) {
        const t = readDer(ext.value, CODE, `${field}.invalidityDate`);
        if (t.tag !== Tag.GeneralizedTime) derFail(CODE, 'der.tag', `${field}.invalidityDate`, 'expected GeneralizedTime', t.offset);
        derTime(t, `${field}.invalidityDate`, CODE);
      }
      if (ext.critical && !KNOWN_CRITICAL_ENTRY.has(ext.oid)) st.unknownCritical.add(ext.oid);
    }
  }
  return reasonCode === undefined ? { serialHex, revocationDate } : { serialHex, revocationDate, reasonCode };
}

interface CrlAlgorithmHandlers<A extends string> {
  signatureAlgorithm(node: DerNode, field: string): A;
  signatureValue(node: DerNode, alg: A, field: string): Uint8Array;
}

const DCAP_CRL_ALGORITHMS: CrlAlgorithmHandlers<SignatureAlgorithm> = {
  signatureAlgorithm: (node, field) => parseSignatureAlgorithm(node, field, CODE),
  signatureValue: (node, _alg, field) => parseEcdsaSignatureValue(node, field, CODE),
};

const ANY_CRL_ALGORITHMS: CrlAlgorithmHandlers<AnySignatureAlgorithm> = {
  signatureAlgorithm: (node, field) => parseSignatureAlgorithmAny(node, field, CODE),
  signatureValue: (node, alg, field) => parseSignatureValueAny(node, alg, field, CODE),
};

/** Parses a DCAP CRL: ecdsa-with-SHA256 only (anything else is CrlParse). */
export function parseCrl(der: Uint8Array): Crl {
  const c = parseCrlWith(der, DCAP_CRL_ALGORITHMS);
  return withFields(c.core, { signatureAlgorithm: 'ecdsa-with-SHA256' as const, signature: c.signature });
}

/**
 * Parses a CRL signed with an algorithm DCAP does not use (AMD SEV-SNP KDS
 * CRLs: RSASSA-PSS-SHA384); same structural rules as `parseCrl`. Never use it
 * for DCAP CRLs.
 */
export function parseCrlAnyAlg(der: Uint8Array): AnyAlgCrl {
  const c = parseCrlWith(der, ANY_CRL_ALGORITHMS);
  return withFields(c.core, { signatureAlgorithm: c.alg, signature: c.signature });
}

function parseCrlWith<A extends string>(der: Uint8Array, algs: CrlAlgorithmHandlers<A>): { core: CrlCore; alg: A; signature: Uint8Array } {
  const root = readDer(der, CODE, 'crl');
  const [tbsNode, sigAlgNode, sigNode] = derSequence(root, 'crl', CODE, { min: 3, max: 3 }) as [DerNode, DerNode, DerNode];
  const kids = derSequence(tbsNode, 'tbsCertList', CODE, { min: 3, max: 7 });
  let i = 0;
  const next = (field: string): DerNode => {
    const n = kids[i++];
    if (n === undefined) derFail(CODE, 'x509.tbsCertList', field, 'missing element', tbsNode.offset);
    return n;
  };

  let version = 1;
  if (kids[0]!.tag === Tag.INTEGER) {
    const v = derSmallInteger(kids[0]!, 'tbsCertList.version', CODE, 255);
    // §5.1.2.1: if present, version MUST be v2 (INTEGER 1).
    if (v !== 1) derFail(CODE, 'x509.version', 'tbsCertList.version', 'CRL version must be v2', kids[0]!.offset, { expected: '1 (v2)', found: String(v) });
    version = 2;
    i++;
  }

  const tbsSigAlg = next('tbsCertList.signature');
  algs.signatureAlgorithm(tbsSigAlg, 'tbsCertList.signature');
  const issuerNode = next('tbsCertList.issuer');
  const issuerText = parseName(issuerNode, 'tbsCertList.issuer', CODE);
  const thisUpdate = derTime(next('tbsCertList.thisUpdate'), 'tbsCertList.thisUpdate', CODE);

  let nextUpdate: number | undefined;
  const nu = kids[i];
  if (nu !== undefined && (nu.tag === Tag.UTCTime || nu.tag === Tag.GeneralizedTime)) {
    nextUpdate = derTime(nu, 'tbsCertList.nextUpdate', CODE);
    i++;
  }

  const unknownCritical = new Set<string>();
  const st: EntryState = { unknownCritical, entryExtensions: false };
  const revoked: RevokedEntry[] = [];
  const rc = kids[i];
  if (rc !== undefined && rc.tag === Tag.SEQUENCE) {
    derChildren(rc, CODE, 'tbsCertList.revokedCertificates').forEach((e, idx) => revoked.push(parseEntry(e, idx, st)));
    i++;
  }

  let extensions: Extension[] = [];
  const ex = kids[i];
  if (ex !== undefined && ex.tag === 0xa0) {
    const inner = derChildren(ex, CODE, 'tbsCertList.crlExtensions');
    if (inner.length !== 1) derFail(CODE, 'x509.extensions', 'tbsCertList.crlExtensions', 'malformed [0] wrapper', ex.offset);
    extensions = parseExtensions(inner[0]!, 'tbsCertList.crlExtensions', CODE);
    i++;
  }
  if (i !== kids.length) {
    const n = kids[i]!;
    derFail(CODE, 'der.tag', 'tbsCertList', 'unexpected or out-of-order element', n.offset, { found: '0x' + n.tag.toString(16) });
  }
  // §5.1.2.1: extensions (CRL or entry) require v2.
  if (version === 1 && (extensions.length > 0 || st.entryExtensions)) {
    derFail(CODE, 'x509.version', 'tbsCertList.version', 'extensions require a v2 CRL', tbsNode.offset, { expected: '1 (v2)', found: 'absent' });
  }

  const alg = algs.signatureAlgorithm(sigAlgNode, 'signatureAlgorithm');
  if (!bytesEqual(sigAlgNode.raw, tbsSigAlg.raw)) {
    derFail(CODE, 'x509.signatureAlgorithm', 'signatureAlgorithm', 'outer signatureAlgorithm differs from tbsCertList.signature', sigAlgNode.offset, {
      expected: toHex(tbsSigAlg.raw),
      found: toHex(sigAlgNode.raw),
    });
  }
  const signature = algs.signatureValue(sigNode, alg, 'signatureValue');

  let authorityKeyId: Uint8Array | undefined;
  let crlNumber: string | undefined;
  for (const ext of extensions) {
    if (ext.oid === OID.authorityKeyIdentifier) authorityKeyId = parseAuthorityKeyId(ext.value, CODE);
    else if (ext.oid === OID.cRLNumber) crlNumber = parseCrlNumber(ext.value);
    if (ext.critical && !KNOWN_CRITICAL_CRL.has(ext.oid)) unknownCritical.add(ext.oid);
  }

  const core: CrlCore = {
    der,
    tbs: tbsNode.raw,
    version,
    issuer: issuerNode.raw,
    issuerText,
    thisUpdate,
    nextUpdate,
    revokedSerials: new Set(revoked.map((r) => r.serialHex)),
    revoked,
    authorityKeyId,
    crlNumber,
    extensions,
    unknownCriticalExtensions: [...unknownCritical],
  };
  return { core, alg, signature };
}

/**
 * A CRL given as raw DER bytes, PEM text ("X509 CRL"), or a hex string of the
 * DER (as Intel PCS and dcap-qvl collateral JSON carry it).
 */
export function parseCrlAny(input: Uint8Array | string): Crl {
  if (input instanceof Uint8Array) {
    // PEM bytes start with '-' (or whitespace); DER starts with 0x30.
    const first = input.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a);
    if (first === 0x2d) return parseCrl(singleCrlBlock(input));
    return parseCrl(input);
  }
  if (typeof input !== 'string') {
    throw new ParseError('CrlParse', 'CRL input must be bytes or a string', { check: 'crl.input', field: 'crl' });
  }
  const s = input.trim();
  if (s.startsWith('-----')) return parseCrl(singleCrlBlock(input));
  const bytes = tryFromHex(s);
  if (bytes === undefined) {
    throw new ParseError('CrlParse', 'CRL string is neither PEM nor hex', { check: 'crl.input', field: 'crl', found: s.slice(0, 16) });
  }
  return parseCrl(bytes);
}

function singleCrlBlock(input: string | Uint8Array): Uint8Array {
  const blocks = decodePemBlocks(input).filter((b) => b.label === 'X509 CRL');
  if (blocks.length !== 1) {
    throw new ParseError('CrlParse', 'expected exactly one "X509 CRL" PEM block', {
      check: 'crl.pem',
      field: 'crl',
      expected: '1',
      found: String(blocks.length),
    });
  }
  return blocks[0]!.der;
}
