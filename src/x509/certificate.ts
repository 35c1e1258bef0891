/**
 * X.509 v3 certificate parser (RFC 5280 §4.1). `parseCertificate` is
 * restricted to what Intel DCAP uses: ecdsa-with-SHA256 signatures over P-256
 * keys. `parseCertificateAnyAlg` is the separate, explicit entry point for AMD
 * SEV-SNP (RSA / P-384 keys, RSASSA-PSS / ecdsa-with-SHA384 signatures); both
 * share one structural parser. Parsing checks structure only; signatures,
 * validity and CA rules are checked by verify/chain.ts (DCAP) or
 * snp/chain.ts (SEV-SNP).
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE {
 *     version [0] EXPLICIT Version DEFAULT v1, serialNumber, signature, issuer,
 *     validity, subject, subjectPublicKeyInfo,
 *     issuerUniqueID [1] IMPLICIT OPTIONAL, subjectUniqueID [2] IMPLICIT OPTIONAL,
 *     extensions [3] EXPLICIT Extensions OPTIONAL }
 */
import type { ErrorCode } from '../errors.js';
import {
  type DerNode,
  derBitString,
  derBitStringBytes,
  derChildren,
  derFail,
  derInteger,
  derSequence,
  derSmallInteger,
  derTime,
  ecdsaSigDerToRaw,
  integerIsNegative,
  integerMagnitudeHex,
  readDer,
} from '../der/reader.js';
import { bytesEqual, toHex } from '../lib/bytes.js';
import { withFields } from '../lib/object.js';
import {
  type AnySignatureAlgorithm,
  type PublicKeyInfo,
  type SignatureAlgorithm,
  parseP256PublicKeyInfo,
  parsePublicKeyInfoAny,
  parseSignatureAlgorithm,
  parseSignatureAlgorithmAny,
  parseSignatureValueAny,
} from './algorithms.js';
import {
  type BasicConstraints,
  type Extension,
  type KeyUsage,
  parseAuthorityKeyId,
  parseBasicConstraints,
  parseCrlDistributionPoints,
  parseExtensions,
  parseKeyUsage,
  parseSubjectKeyId,
} from './extensions.js';
import { parseName } from './name.js';
import { OID } from './oids.js';

/** Fields every parsed certificate has, whatever its algorithms. */
export interface CertificateCore {
  readonly der: Uint8Array;
  /** Exact TBSCertificate TLV bytes (what the signature covers). */
  readonly tbs: Uint8Array;
  /** 3 for v3 (the only version accepted). */
  readonly version: number;
  /** serialNumber INTEGER contents octets as encoded. */
  readonly serial: Uint8Array;
  /** Lower-case hex of the serial's magnitude, without a leading 00 sign octet. */
  readonly serialHex: string;
  /** Issuer Name TLV bytes (compare these, not the text). */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  /** Human-readable names for messages, e.g. "CN=Intel SGX Root CA,O=Intel Corporation,...". */
  readonly issuerText: string;
  readonly subjectText: string;
  /** Unix seconds. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** SubjectPublicKeyInfo TLV bytes. */
  readonly spki: Uint8Array;
  readonly basicConstraints?: BasicConstraints;
  readonly keyUsage?: KeyUsage;
  readonly subjectKeyId?: Uint8Array;
  readonly authorityKeyId?: Uint8Array;
  readonly crlDistributionPoints: string[];
  readonly extensions: readonly Extension[];
  /** Critical extensions other than basicConstraints (2.5.29.19) and keyUsage (2.5.29.15). */
  readonly unknownCriticalExtensions: string[];
}

/** A DCAP certificate (`parseCertificate`): P-256 key, ecdsa-with-SHA256 signature. */
export interface Certificate extends CertificateCore {
  /** 65-byte uncompressed P-256 point. */
  readonly publicKey: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** Raw r ‖ s, 64 bytes. */
  readonly signature: Uint8Array;
}

/**
 * A certificate from `parseCertificateAnyAlg` (AMD SEV-SNP): RSA or EC P-256 /
 * P-384 key; RSASSA-PSS-SHA384, ecdsa-with-SHA256 or ecdsa-with-SHA384 signature.
 */
export interface AnyAlgCertificate extends CertificateCore {
  readonly publicKeyInfo: PublicKeyInfo;
  readonly signatureAlgorithm: AnySignatureAlgorithm;
  /**
   * signatureValue BIT STRING contents: the RSA signature octets, or the DER
   * ECDSA-Sig-Value (convert with `ecdsaSigDerToRaw` for the signer's curve).
   */
  readonly signature: Uint8Array;
}

const CODE: ErrorCode = 'CertificateParse';

/** Critical extensions this library understands and enforces (RFC 5280 §4.2: others must be rejected). */
const KNOWN_CRITICAL: ReadonlySet<string> = new Set([OID.basicConstraints, OID.keyUsage]);

/** Serial number INTEGER (RFC 5280 §4.1.2.2): positive, at most 20 octets of magnitude. */
export function parseSerial(node: DerNode, field: string, code: ErrorCode): { serial: Uint8Array; serialHex: string } {
  const serial = derInteger(node, field, code);
  if (integerIsNegative(serial)) {
    derFail(code, 'x509.serialNumber', field, 'negative serial number', node.offset, { found: toHex(serial) });
  }
  const serialHex = integerMagnitudeHex(serial);
  if (serialHex.length > 40) {
    derFail(code, 'x509.serialNumber', field, 'serial number longer than 20 octets', node.offset, {
      expected: '<= 20 octets',
      found: `${serialHex.length / 2} octets`,
    });
  }
  return { serial, serialHex };
}

/** Outer signature BIT STRING holding a DER ECDSA-Sig-Value → raw r ‖ s. */
export function parseEcdsaSignatureValue(node: DerNode, field: string, code: ErrorCode): Uint8Array {
  return ecdsaSigDerToRaw(derBitStringBytes(node, field, code), 32, code);
}

/** How one parser handles algorithms: the DCAP set, or the any-algorithm set. */
interface AlgorithmHandlers<A extends string, K> {
  signatureAlgorithm(node: DerNode, field: string): A;
  publicKey(node: DerNode, field: string): K;
  signatureValue(node: DerNode, alg: A, field: string): Uint8Array;
}

const DCAP_ALGORITHMS: AlgorithmHandlers<SignatureAlgorithm, Uint8Array> = {
  signatureAlgorithm: (node, field) => parseSignatureAlgorithm(node, field, CODE),
  publicKey: (node, field) => parseP256PublicKeyInfo(node, field, CODE),
  signatureValue: (node, _alg, field) => parseEcdsaSignatureValue(node, field, CODE),
};

const ANY_ALGORITHMS: AlgorithmHandlers<AnySignatureAlgorithm, PublicKeyInfo> = {
  signatureAlgorithm: (node, field) => parseSignatureAlgorithmAny(node, field, CODE),
  publicKey: (node, field) => parsePublicKeyInfoAny(node, field, CODE),
  signatureValue: (node, alg, field) => parseSignatureValueAny(node, alg, field, CODE),
};

/**
 * Parses a DCAP certificate: only ecdsa-with-SHA256 signatures and P-256 keys
 * are accepted (anything else is CertificateParse). This never changes; the
 * any-algorithm parser below is a separate, explicit entry point.
 */
export function parseCertificate(der: Uint8Array): Certificate {
  const c = parseCertificateWith(der, DCAP_ALGORITHMS);
  return withFields(c.core, { publicKey: c.key, signatureAlgorithm: 'ecdsa-with-SHA256' as const, signature: c.signature });
}

/**
 * Parses a certificate whose algorithms DCAP does not use, for AMD SEV-SNP:
 * RSA (rsaEncryption, 2048..4096 bits) and EC P-256 / P-384 keys;
 * RSASSA-PSS (SHA-384, MGF1-SHA-384, salt 48), ecdsa-with-SHA256 and
 * ecdsa-with-SHA384 signatures. The same structural rules as
 * `parseCertificate` apply (v3 only, strict DER, matching algorithm fields,
 * duplicate extensions refused). Never use it for DCAP chains.
 */
export function parseCertificateAnyAlg(der: Uint8Array): AnyAlgCertificate {
  const c = parseCertificateWith(der, ANY_ALGORITHMS);
  return withFields(c.core, { publicKeyInfo: c.key, signatureAlgorithm: c.alg, signature: c.signature });
}

function parseCertificateWith<A extends string, K>(
  der: Uint8Array,
  algs: AlgorithmHandlers<A, K>,
): { core: CertificateCore; key: K; alg: A; signature: Uint8Array } {
  const root = readDer(der, CODE, 'certificate');
  const [tbsNode, sigAlgNode, sigNode] = derSequence(root, 'certificate', CODE, { min: 3, max: 3 }) as [
    DerNode,
    DerNode,
    DerNode,
  ];
  const tbsKids = derSequence(tbsNode, 'tbsCertificate', CODE, { min: 6, max: 10 });
  let i = 0;
  const next = (field: string): DerNode => {
    const n = tbsKids[i++];
    if (n === undefined) derFail(CODE, 'x509.tbsCertificate', field, 'missing element', tbsNode.offset);
    return n;
  };

  // §4.1.2.1 version: only v3 (INTEGER 2) is accepted.
  const verNode = tbsKids[0]!;
  if (verNode.tag !== 0xa0) {
    derFail(CODE, 'x509.version', 'tbsCertificate.version', 'v1 certificates are not supported', verNode.offset, {
      expected: 'v3',
      found: 'v1 (version absent)',
    });
  }
  i++;
  const verInner = derChildren(verNode, CODE, 'tbsCertificate.version');
  if (verInner.length !== 1) derFail(CODE, 'x509.version', 'tbsCertificate.version', 'malformed version', verNode.offset);
  const v = derSmallInteger(verInner[0]!, 'tbsCertificate.version', CODE, 255);
  if (v !== 2) {
    derFail(CODE, 'x509.version', 'tbsCertificate.version', 'only X.509 v3 is supported', verNode.offset, {
      expected: '2 (v3)',
      found: String(v),
    });
  }

  const serialNode = next('tbsCertificate.serialNumber');
  const { serial, serialHex } = parseSerial(serialNode, 'tbsCertificate.serialNumber', CODE);

  const tbsSigAlg = next('tbsCertificate.signature');
  algs.signatureAlgorithm(tbsSigAlg, 'tbsCertificate.signature');

  const issuerNode = next('tbsCertificate.issuer');
  const issuerText = parseName(issuerNode, 'tbsCertificate.issuer', CODE);

  // §4.1.2.5 validity
  const validityNode = next('tbsCertificate.validity');
  const [nb, na] = derSequence(validityNode, 'tbsCertificate.validity', CODE, { min: 2, max: 2 }) as [DerNode, DerNode];
  const notBefore = derTime(nb, 'tbsCertificate.validity.notBefore', CODE);
  const notAfter = derTime(na, 'tbsCertificate.validity.notAfter', CODE);

  const subjectNode = next('tbsCertificate.subject');
  const subjectText = parseName(subjectNode, 'tbsCertificate.subject', CODE);

  const spkiNode = next('tbsCertificate.subjectPublicKeyInfo');
  const key = algs.publicKey(spkiNode, 'tbsCertificate.subjectPublicKeyInfo');

  // §4.1.2.8 unique identifiers ([1], [2] IMPLICIT BIT STRING), then §4.1.2.9 extensions [3].
  let extensions: Extension[] = [];
  let lastTag = 0;
  while (i < tbsKids.length) {
    const n = tbsKids[i++]!;
    const order = n.tag === 0x81 ? 1 : n.tag === 0x82 ? 2 : n.tag === 0xa3 ? 3 : 0;
    if (order === 0 || order <= lastTag) {
      derFail(CODE, 'der.tag', 'tbsCertificate', 'unexpected or out-of-order element', n.offset, {
        found: '0x' + n.tag.toString(16),
      });
    }
    lastTag = order;
    if (order === 3) {
      const inner = derChildren(n, CODE, 'tbsCertificate.extensions');
      if (inner.length !== 1) derFail(CODE, 'x509.extensions', 'tbsCertificate.extensions', 'malformed [3] wrapper', n.offset);
      extensions = parseExtensions(inner[0]!, 'tbsCertificate.extensions', CODE);
    } else {
      // Re-tag check only: contents are a BIT STRING with a valid unused-bits octet.
      derBitString(n, 'tbsCertificate.uniqueIdentifier', CODE, n.tag);
    }
  }

  // Outer signatureAlgorithm must equal the TBS signature field (§4.1.1.2).
  const alg = algs.signatureAlgorithm(sigAlgNode, 'signatureAlgorithm');
  if (!bytesEqual(sigAlgNode.raw, tbsSigAlg.raw)) {
    derFail(CODE, 'x509.signatureAlgorithm', 'signatureAlgorithm', 'outer signatureAlgorithm differs from tbsCertificate.signature', sigAlgNode.offset, {
      expected: toHex(tbsSigAlg.raw),
      found: toHex(sigAlgNode.raw),
    });
  }
  const signature = algs.signatureValue(sigNode, alg, 'signatureValue');

  let basicConstraints: BasicConstraints | undefined;
  let keyUsage: KeyUsage | undefined;
  let subjectKeyId: Uint8Array | undefined;
  let authorityKeyId: Uint8Array | undefined;
  let crlDistributionPoints: string[] = [];
  const unknownCriticalExtensions: string[] = [];
  for (const ext of extensions) {
    switch (ext.oid) {
      case OID.basicConstraints:
        basicConstraints = parseBasicConstraints(ext.value, CODE);
        break;
      case OID.keyUsage:
        keyUsage = parseKeyUsage(ext.value, CODE);
        break;
      case OID.subjectKeyIdentifier:
        subjectKeyId = parseSubjectKeyId(ext.value, CODE);
        break;
      case OID.authorityKeyIdentifier:
        authorityKeyId = parseAuthorityKeyId(ext.value, CODE);
        break;
      case OID.cRLDistributionPoints:
        crlDistributionPoints = parseCrlDistributionPoints(ext.value, CODE);
        break;
      default:
        break;
    }
    if (ext.critical && !KNOWN_CRITICAL.has(ext.oid)) unknownCriticalExtensions.push(ext.oid);
  }

  const core: CertificateCore = {
    der,
    tbs: tbsNode.raw,
    version: 3,
    serial,
    serialHex,
    issuer: issuerNode.raw,
    subject: subjectNode.raw,
    issuerText,
    subjectText,
    notBefore,
    notAfter,
    spki: spkiNode.raw,
    basicConstraints,
    keyUsage,
    subjectKeyId,
    authorityKeyId,
    crlDistributionPoints,
    extensions,
    unknownCriticalExtensions,
  };
  return { core, key, alg, signature };
}
