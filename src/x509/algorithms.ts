/**
 * The only algorithms Intel DCAP uses: ecdsa-with-SHA256 signatures and
 * id-ecPublicKey keys on prime256v1. Anything else is rejected with evidence
 * by `parseSignatureAlgorithm` / `parseP256PublicKeyInfo` (the DCAP path).
 *
 * The `*Any` functions at the end add RSA / P-384 keys and RSASSA-PSS /
 * ecdsa-with-SHA384 signatures for AMD SEV-SNP. They are reachable only
 * through the explicit any-algorithm parsers, never from the DCAP parsers.
 */
import type { ErrorCode } from '../errors.js';
import {
  type DerNode,
  derBitStringBytes,
  derChildren,
  derFail,
  derInteger,
  derNull,
  derOid,
  derSequence,
  derSmallInteger,
  ecdsaSigDerToRaw,
  integerIsNegative,
  readDer,
} from '../der/reader.js';
import { toHex } from '../lib/bytes.js';
import { OID, OID_ANY_ALG } from './oids.js';

export type SignatureAlgorithm = 'ecdsa-with-SHA256';

/**
 * AlgorithmIdentifier (RFC 5280 §4.1.1.2) for ecdsa-with-SHA256. RFC 5758 §3.2:
 * the parameters field MUST be absent.
 */
export function parseSignatureAlgorithm(node: DerNode, field: string, code: ErrorCode): SignatureAlgorithm {
  const kids = derSequence(node, field, code, { min: 1, max: 2 });
  const oid = derOid(kids[0]!, field, code);
  if (oid !== OID.ecdsaWithSHA256) {
    derFail(code, 'x509.signatureAlgorithm', field, 'unsupported signature algorithm', node.offset, {
      expected: `ecdsa-with-SHA256 (${OID.ecdsaWithSHA256})`,
      found: oid,
    });
  }
  if (kids.length !== 1) {
    derFail(code, 'x509.signatureAlgorithm', field, 'ecdsa-with-SHA256 parameters must be absent', kids[1]!.offset);
  }
  return 'ecdsa-with-SHA256';
}

/**
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 5480 §2): id-ecPublicKey with
 * namedCurve prime256v1 and an uncompressed point. Returns the 65-byte point.
 */
export function parseP256PublicKeyInfo(node: DerNode, field: string, code: ErrorCode): Uint8Array {
  const [alg, key] = derSequence(node, field, code, { min: 2, max: 2 }) as [DerNode, DerNode];
  const algKids = derSequence(alg, `${field}.algorithm`, code, { min: 1, max: 2 });
  const keyOid = derOid(algKids[0]!, `${field}.algorithm`, code);
  if (keyOid !== OID.idEcPublicKey) {
    derFail(code, 'x509.publicKeyAlgorithm', `${field}.algorithm`, 'unsupported public key algorithm', alg.offset, {
      expected: `id-ecPublicKey (${OID.idEcPublicKey})`,
      found: keyOid,
    });
  }
  const params = algKids[1];
  const curve = params === undefined ? undefined : derOid(params, `${field}.algorithm.parameters`, code);
  if (curve !== OID.prime256v1) {
    derFail(code, 'x509.publicKeyAlgorithm', `${field}.algorithm.parameters`, 'unsupported curve', alg.offset, {
      expected: `prime256v1 (${OID.prime256v1})`,
      found: curve ?? 'absent',
    });
  }
  const point = derBitStringBytes(key, `${field}.subjectPublicKey`, code);
  if (point.length !== 65 || point[0] !== 0x04) {
    derFail(code, 'x509.publicKey', `${field}.subjectPublicKey`, 'expected an uncompressed P-256 point', key.offset, {
      expected: '65 bytes starting 04',
      found: `${point.length} bytes starting ${toHex(point.subarray(0, 1))}`,
    });
  }
  return point;
}

// ---------------------------------------------------------------------------
// Any-algorithm parsing (AMD SEV-SNP). Used only by `parseCertificateAnyAlg`
// and `parseCrlAnyAlg`; the DCAP functions above are unchanged and accept
// nothing but ecdsa-with-SHA256 / P-256.
// ---------------------------------------------------------------------------

/**
 * Signature algorithms the any-algorithm parsers accept:
 *   - ecdsa-with-SHA256 and ecdsa-with-SHA384 (RFC 5758 §3.2, parameters absent);
 *   - RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt (RFC 4055 §3.1),
 *     the only PSS parameter set AMD's KDS uses (VCEK spec, "Certificate and
 *     CRL signatures").
 */
export type AnySignatureAlgorithm = 'ecdsa-with-SHA256' | 'ecdsa-with-SHA384' | 'rsassa-pss-sha384';

/** A parsed SubjectPublicKeyInfo of the any-algorithm parsers. */
export type PublicKeyInfo =
  | {
      readonly kind: 'ec';
      readonly curve: 'P-256' | 'P-384';
      /** SEC1 uncompressed point: 65 bytes (P-256) or 97 bytes (P-384). */
      readonly point: Uint8Array;
    }
  | {
      readonly kind: 'rsa';
      /** Modulus magnitude, big-endian, without a sign octet. */
      readonly modulus: Uint8Array;
      /** Public exponent magnitude, big-endian. */
      readonly exponent: Uint8Array;
      /** Modulus length in bits. */
      readonly bits: number;
    };

/** Smallest and largest RSA modulus accepted (AMD's ARK / ASK / ASVK keys are 4096-bit). */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 4096;

/** AlgorithmIdentifier of a hash: sha384 with NULL or absent parameters (RFC 4055 §2.1: accept both). */
function expectSha384(node: DerNode, field: string, code: ErrorCode): void {
  const kids = derSequence(node, field, code, { min: 1, max: 2 });
  const oid = derOid(kids[0]!, field, code);
  if (oid !== OID_ANY_ALG.sha384) {
    derFail(code, 'x509.signatureAlgorithm.pss', field, 'RSASSA-PSS hash must be SHA-384', node.offset, {
      expected: `sha384 (${OID_ANY_ALG.sha384})`,
      found: oid,
    });
  }
  if (kids[1] !== undefined) derNull(kids[1], `${field}.parameters`, code);
}

/** `[n] EXPLICIT` wrapper holding exactly one element. */
function explicitInner(node: DerNode, field: string, code: ErrorCode): DerNode {
  const inner = derChildren(node, code, field);
  if (inner.length !== 1) derFail(code, 'der.explicit', field, 'malformed EXPLICIT wrapper', node.offset);
  return inner[0]!;
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1, RFC 8017 Appendix A.2.3):
 *   SEQUENCE { hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1] DEFAULT mgf1SHA1,
 *              saltLength [2] DEFAULT 20, trailerField [3] DEFAULT 1 }
 * Only SHA-384 / MGF1-SHA-384 / salt 48 / trailer 1 is accepted, so [0], [1]
 * and [2] must be present. AMD encodes the default trailerField explicitly,
 * so [3] may be present (value 1) or absent.
 */
function parsePssSha384Params(node: DerNode, field: string, code: ErrorCode): void {
  const kids = derSequence(node, field, code, { min: 3, max: 4 });
  const tags = [0xa0, 0xa1, 0xa2, 0xa3];
  kids.forEach((k, i) => {
    if (k.tag !== tags[i]) {
      derFail(code, 'der.tag', field, 'unexpected or out-of-order RSASSA-PSS parameter', k.offset, {
        expected: '0x' + tags[i]!.toString(16),
        found: '0x' + k.tag.toString(16),
      });
    }
  });
  expectSha384(explicitInner(kids[0]!, `${field}.hashAlgorithm`, code), `${field}.hashAlgorithm`, code);
  const mgf = derSequence(explicitInner(kids[1]!, `${field}.maskGenAlgorithm`, code), `${field}.maskGenAlgorithm`, code, { min: 2, max: 2 });
  const mgfOid = derOid(mgf[0]!, `${field}.maskGenAlgorithm`, code);
  if (mgfOid !== OID_ANY_ALG.mgf1) {
    derFail(code, 'x509.signatureAlgorithm.pss', `${field}.maskGenAlgorithm`, 'mask generation must be MGF1', mgf[0]!.offset, {
      expected: `mgf1 (${OID_ANY_ALG.mgf1})`,
      found: mgfOid,
    });
  }
  expectSha384(mgf[1]!, `${field}.maskGenAlgorithm.hash`, code);
  const salt = derSmallInteger(explicitInner(kids[2]!, `${field}.saltLength`, code), `${field}.saltLength`, code, 0xffff);
  if (salt !== 48) {
    derFail(code, 'x509.signatureAlgorithm.pss', `${field}.saltLength`, 'RSASSA-PSS salt length must be 48', kids[2]!.offset, {
      expected: '48',
      found: String(salt),
    });
  }
  if (kids[3] !== undefined) {
    const trailer = derSmallInteger(explicitInner(kids[3], `${field}.trailerField`, code), `${field}.trailerField`, code, 0xffff);
    if (trailer !== 1) {
      derFail(code, 'x509.signatureAlgorithm.pss', `${field}.trailerField`, 'RSASSA-PSS trailerField must be 1', kids[3].offset, {
        expected: '1',
        found: String(trailer),
      });
    }
  }
}

/** AlgorithmIdentifier for the any-algorithm parsers (see AnySignatureAlgorithm). */
export function parseSignatureAlgorithmAny(node: DerNode, field: string, code: ErrorCode): AnySignatureAlgorithm {
  const kids = derSequence(node, field, code, { min: 1, max: 2 });
  const oid = derOid(kids[0]!, field, code);
  if (oid === OID.ecdsaWithSHA256 || oid === OID_ANY_ALG.ecdsaWithSHA384) {
    if (kids.length !== 1) derFail(code, 'x509.signatureAlgorithm', field, 'ECDSA parameters must be absent', kids[1]!.offset);
    return oid === OID.ecdsaWithSHA256 ? 'ecdsa-with-SHA256' : 'ecdsa-with-SHA384';
  }
  if (oid === OID_ANY_ALG.rsassaPss) {
    if (kids[1] === undefined) {
      derFail(code, 'x509.signatureAlgorithm.pss', field, 'RSASSA-PSS parameters are required (SHA-1 defaults are refused)', node.offset);
    }
    parsePssSha384Params(kids[1], `${field}.parameters`, code);
    return 'rsassa-pss-sha384';
  }
  return derFail(code, 'x509.signatureAlgorithm', field, 'unsupported signature algorithm', node.offset, {
    expected: `ecdsa-with-SHA256 | ecdsa-with-SHA384 | RSASSA-PSS (${OID_ANY_ALG.rsassaPss})`,
    found: oid,
  });
}

function magnitude(v: Uint8Array): Uint8Array {
  return v.length > 1 && v[0] === 0 ? v.subarray(1) : v;
}

/** RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 Appendix A.1.1). */
function parseRsaPublicKey(bytes: Uint8Array, offset: number, field: string, code: ErrorCode): PublicKeyInfo {
  const seq = readDer(bytes, code, field);
  const [nNode, eNode] = derSequence(seq, field, code, { min: 2, max: 2 }) as [DerNode, DerNode];
  const n = derInteger(nNode, `${field}.modulus`, code);
  const e = derInteger(eNode, `${field}.publicExponent`, code);
  if (integerIsNegative(n) || integerIsNegative(e)) {
    derFail(code, 'x509.publicKey.rsa', field, 'negative RSA modulus or exponent', offset);
  }
  const mod = magnitude(n);
  const exp = magnitude(e);
  const bits = mod.length === 0 || mod[0] === 0 ? 0 : (mod.length - 1) * 8 + (32 - Math.clz32(mod[0]!));
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS || (mod[mod.length - 1]! & 1) === 0) {
    derFail(code, 'x509.publicKey.rsa', `${field}.modulus`, 'unsupported RSA modulus', offset, {
      expected: `odd, ${RSA_MIN_BITS}..${RSA_MAX_BITS} bits`,
      found: `${bits} bits`,
    });
  }
  // Exponent: odd, 3 <= e < 2^32 (WebCrypto and FIPS 186-5 §A.1.1 ranges overlap there).
  const eValue = exp.length > 4 ? Number.POSITIVE_INFINITY : exp.reduce((a, b) => a * 256 + b, 0);
  if (eValue < 3 || eValue >= 2 ** 32 || eValue % 2 === 0) {
    derFail(code, 'x509.publicKey.rsa', `${field}.publicExponent`, 'unsupported RSA public exponent', offset, {
      expected: 'odd, 3..2^32-1',
      found: toHex(exp),
    });
  }
  return { kind: 'rsa', modulus: mod, exponent: exp, bits };
}

/**
 * SubjectPublicKeyInfo for the any-algorithm parsers: id-ecPublicKey on
 * prime256v1 or secp384r1 with an uncompressed point (RFC 5480 §2), or
 * rsaEncryption with NULL parameters (RFC 3279 §2.3.1).
 */
export function parsePublicKeyInfoAny(node: DerNode, field: string, code: ErrorCode): PublicKeyInfo {
  const [alg, key] = derSequence(node, field, code, { min: 2, max: 2 }) as [DerNode, DerNode];
  const algKids = derSequence(alg, `${field}.algorithm`, code, { min: 1, max: 2 });
  const keyOid = derOid(algKids[0]!, `${field}.algorithm`, code);
  const bits = derBitStringBytes(key, `${field}.subjectPublicKey`, code);
  if (keyOid === OID_ANY_ALG.rsaEncryption) {
    // RFC 3279 §2.3.1: the parameters field MUST have ASN.1 type NULL.
    if (algKids[1] === undefined) derFail(code, 'x509.publicKeyAlgorithm', `${field}.algorithm.parameters`, 'rsaEncryption parameters must be NULL', alg.offset);
    derNull(algKids[1], `${field}.algorithm.parameters`, code);
    return parseRsaPublicKey(bits, key.offset, `${field}.subjectPublicKey`, code);
  }
  if (keyOid !== OID.idEcPublicKey) {
    derFail(code, 'x509.publicKeyAlgorithm', `${field}.algorithm`, 'unsupported public key algorithm', alg.offset, {
      expected: `id-ecPublicKey (${OID.idEcPublicKey}) | rsaEncryption (${OID_ANY_ALG.rsaEncryption})`,
      found: keyOid,
    });
  }
  const params = algKids[1];
  const curveOid = params === undefined ? undefined : derOid(params, `${field}.algorithm.parameters`, code);
  const curve = curveOid === OID.prime256v1 ? 'P-256' : curveOid === OID_ANY_ALG.secp384r1 ? 'P-384' : undefined;
  if (curve === undefined) {
    derFail(code, 'x509.publicKeyAlgorithm', `${field}.algorithm.parameters`, 'unsupported curve', alg.offset, {
      expected: `prime256v1 (${OID.prime256v1}) | secp384r1 (${OID_ANY_ALG.secp384r1})`,
      found: curveOid ?? 'absent',
    });
  }
  const size = curve === 'P-256' ? 65 : 97;
  if (bits.length !== size || bits[0] !== 0x04) {
    derFail(code, 'x509.publicKey', `${field}.subjectPublicKey`, `expected an uncompressed ${curve} point`, key.offset, {
      expected: `${size} bytes starting 04`,
      found: `${bits.length} bytes starting ${toHex(bits.subarray(0, 1))}`,
    });
  }
  return { kind: 'ec', curve, point: bits };
}

/**
 * The signatureValue BIT STRING of the any-algorithm parsers: the RSA
 * signature octets as they are, or the DER ECDSA-Sig-Value (structure checked
 * here; converted to r ‖ s for the signer's curve at verification time).
 */
export function parseSignatureValueAny(node: DerNode, alg: AnySignatureAlgorithm, field: string, code: ErrorCode): Uint8Array {
  const bytes = derBitStringBytes(node, field, code);
  if (alg === 'rsassa-pss-sha384') {
    if (bytes.length < RSA_MIN_BITS / 8 || bytes.length > RSA_MAX_BITS / 8) {
      derFail(code, 'x509.signatureValue', field, 'RSA signature length out of range', node.offset, {
        expected: `${RSA_MIN_BITS / 8}..${RSA_MAX_BITS / 8} bytes`,
        found: `${bytes.length} bytes`,
      });
    }
    return bytes;
  }
  ecdsaSigDerToRaw(bytes, 48, code); // structure check (P-384 is the widest curve accepted)
  return bytes;
}
