/**
 * The only algorithms Intel DCAP uses: ecdsa-with-SHA256 signatures and
 * id-ecPublicKey keys on prime256v1. Anything else is rejected with evidence.
 */
import type { ErrorCode } from '../errors.js';
import { type DerNode, derBitStringBytes, derFail, derOid, derSequence } from '../der/reader.js';
import { toHex } from '../util/bytes.js';
import { OID } from './oids.js';

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
