/**
 * Public entry point of the strict DER layer: the TLV reader, the primitive
 * decoders, time decoding and the ECDSA signature conversion.
 */
export { DER_MAX_DEPTH, Tag, type DerNode, readDer, derChildren, derSequence, expectTag, derFail } from './tlv.js';
export {
  type BitString,
  derBoolean,
  derInteger,
  derSmallInteger,
  derEnumerated,
  derOctetString,
  derNull,
  derBitString,
  derBitStringBytes,
  derOid,
  derString,
  oidFromContents,
  integerIsNegative,
  integerMagnitudeHex,
  asciiOrUndefined,
} from './primitives.js';
export { derTime } from './time.js';
export { ecdsaSigDerToRaw } from './ecdsa.js';
