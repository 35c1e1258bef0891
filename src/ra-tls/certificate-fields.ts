/**
 * The few fields of an X.509 certificate (RFC 5280 §4.1) RA-TLS needs:
 * the SubjectPublicKeyInfo (what REPORTDATA binds) and the extensions (where
 * the attestation travels), plus validity for information.
 *
 * Unlike x509/certificate.ts (restricted to Intel's P-256 / ecdsa-with-SHA256
 * chains), this walker accepts any key or signature algorithm: an RA-TLS
 * certificate is trusted through the quote that binds its key, not through its
 * own signature, so its algorithms do not matter here. The structure is still
 * checked strictly (DER reader: minimal lengths, no trailing bytes, element
 * order, duplicate extensions rejected). Errors are ParseError(CertificateParse).
 */
import type { ErrorCode } from '../errors.js';
import {
  type DerNode,
  derBitStringBytes,
  derChildren,
  derFail,
  derOid,
  derSequence,
  derTime,
  expectTag,
  readDer,
  Tag,
} from '../der/reader.js';
import { type Extension, parseExtensions } from '../x509/extensions.js';
import { decodePem } from '../x509/pem.js';

const CODE: ErrorCode = 'CertificateParse';

export interface CertificateFields {
  readonly der: Uint8Array;
  /** SubjectPublicKeyInfo TLV (DER), what dstack hashes into REPORTDATA. */
  readonly spki: Uint8Array;
  /** OID of the SubjectPublicKeyInfo algorithm (e.g. 1.2.840.10045.2.1 for EC keys). */
  readonly keyAlgorithm: string;
  /** subjectPublicKey BIT STRING contents (e.g. the 65-byte uncompressed EC point). */
  readonly publicKey: Uint8Array;
  /** Unix seconds. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly extensions: readonly Extension[];
}

/** A certificate as DER bytes, or PEM text / bytes (the first CERTIFICATE block). */
export function certificateDer(input: Uint8Array | string): Uint8Array {
  if (typeof input === 'string') return decodePem(input)[0]!;
  if (!(input instanceof Uint8Array)) derFail('InvalidArgument', 'certificate.input', 'certificate', 'expected DER bytes or PEM text');
  // "-----BEGIN" in ASCII: treat as PEM.
  if (input.length > 10 && input[0] === 0x2d && input[1] === 0x2d) return decodePem(input)[0]!;
  return input;
}

export function parseCertificateFields(input: Uint8Array | string): CertificateFields {
  const der = certificateDer(input);
  const root = readDer(der, CODE, 'certificate');
  const [tbs] = derSequence(root, 'certificate', CODE, { min: 3, max: 3 }) as [DerNode, DerNode, DerNode];
  const kids = derSequence(tbs, 'tbsCertificate', CODE, { min: 6, max: 10 });
  let i = 0;
  if (kids[0]!.tag === 0xa0) i++; // [0] EXPLICIT version
  const at = (field: string): DerNode => {
    const n = kids[i++];
    if (n === undefined) derFail(CODE, 'x509.tbsCertificate', field, 'missing element', tbs.offset);
    return n;
  };
  expectTag(at('tbsCertificate.serialNumber'), Tag.INTEGER, 'tbsCertificate.serialNumber', CODE);
  derSequence(at('tbsCertificate.signature'), 'tbsCertificate.signature', CODE, { min: 1, max: 2 });
  derSequence(at('tbsCertificate.issuer'), 'tbsCertificate.issuer', CODE);
  const [nb, na] = derSequence(at('tbsCertificate.validity'), 'tbsCertificate.validity', CODE, { min: 2, max: 2 }) as [DerNode, DerNode];
  const notBefore = derTime(nb, 'tbsCertificate.validity.notBefore', CODE);
  const notAfter = derTime(na, 'tbsCertificate.validity.notAfter', CODE);
  derSequence(at('tbsCertificate.subject'), 'tbsCertificate.subject', CODE);
  const spkiNode = at('tbsCertificate.subjectPublicKeyInfo');
  const [alg, key] = derSequence(spkiNode, 'subjectPublicKeyInfo', CODE, { min: 2, max: 2 }) as [DerNode, DerNode];
  const algKids = derSequence(alg, 'subjectPublicKeyInfo.algorithm', CODE, { min: 1, max: 2 });
  const keyAlgorithm = derOid(algKids[0]!, 'subjectPublicKeyInfo.algorithm.algorithm', CODE);
  const publicKey = derBitStringBytes(key, 'subjectPublicKeyInfo.subjectPublicKey', CODE);

  let extensions: Extension[] = [];
  let last = 0;
  while (i < kids.length) {
    const n = kids[i++]!;
    const order = n.tag === 0x81 ? 1 : n.tag === 0x82 ? 2 : n.tag === 0xa3 ? 3 : 0;
    if (order === 0 || order <= last) {
      derFail(CODE, 'der.tag', 'tbsCertificate', 'unexpected or out-of-order element', n.offset, { found: '0x' + n.tag.toString(16) });
    }
    last = order;
    if (order === 3) {
      const inner = derChildren(n, CODE, 'tbsCertificate.extensions');
      if (inner.length !== 1) derFail(CODE, 'x509.extensions', 'tbsCertificate.extensions', 'malformed [3] wrapper', n.offset);
      extensions = parseExtensions(inner[0]!, 'tbsCertificate.extensions', CODE);
    }
  }
  return { der, spki: spkiNode.raw, keyAlgorithm, publicKey, notBefore, notAfter, extensions };
}
