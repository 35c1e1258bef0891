/**
 * ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5480 §2.2 via
 * RFC 5758 §3.2) to the fixed-width raw form r ‖ s used by WebCrypto and noble.
 */
import type { ErrorCode } from '../errors.js';
import { toHex } from '../lib/bytes.js';
import { derInteger, integerIsNegative } from './primitives.js';
import { derFail, derSequence, readDer } from './tlv.js';

/**
 * Converts a DER ECDSA signature to r ‖ s, each left-padded to `size` bytes.
 * Rejects negative or zero r/s and values longer than `size` once the single
 * sign octet is stripped.
 */
export function ecdsaSigDerToRaw(der: Uint8Array, size = 32, code: ErrorCode = 'DerParse'): Uint8Array {
  if (!Number.isSafeInteger(size) || size < 1 || size > 128) {
    derFail('InvalidArgument', 'der.ecdsaSignature', 'size', 'size must be an integer in 1..128', undefined, {
      found: String(size),
    });
  }
  const seq = readDer(der, code, 'ecdsaSignature');
  const kids = derSequence(seq, 'ecdsaSignature', code, { min: 2, max: 2 });
  const out = new Uint8Array(size * 2);
  const fields = ['ecdsaSignature.r', 'ecdsaSignature.s'] as const;
  kids.forEach((node, idx) => {
    const field = fields[idx]!;
    const v = derInteger(node, field, code);
    if (integerIsNegative(v)) derFail(code, 'der.ecdsaSignature', field, 'negative value', node.offset, { found: toHex(v) });
    const mag = v.length > 1 && v[0] === 0 ? v.subarray(1) : v;
    if (mag.length === 1 && mag[0] === 0) derFail(code, 'der.ecdsaSignature', field, 'zero value', node.offset);
    if (mag.length > size) {
      derFail(code, 'der.ecdsaSignature', field, 'value wider than the curve order', node.offset, {
        expected: `<= ${size} bytes`,
        found: `${mag.length} bytes`,
      });
    }
    out.set(mag, idx * size + (size - mag.length));
  });
  return out;
}
