/**
 * Attribute helpers for report bodies.
 *
 * TDATTRIBUTES (Intel TDX Module ABI specification, "TDATTRIBUTES" definition;
 * the same bit numbers are in Linux arch/x86/include/asm/shared/tdx.h):
 * a u64 stored little-endian in the 8-byte TD_ATTRIBUTES field of the TD report body.
 *   bit 0  DEBUG            (TUD group: TD under debug)
 *   bit 27 LASS
 *   bit 28 SEPT_VE_DISABLE
 *   bit 29 MIGRATABLE
 *   bit 30 PKS
 *   bit 31 KL
 *   bit 62 TPA
 *   bit 63 PERFMON
 *
 * SGX ATTRIBUTES (Intel SDM Vol. 3D, "ATTRIBUTES" of SECS): 16 bytes, FLAGS u64
 * little-endian in bytes 0..8, XFRM u64 in bytes 8..16.
 *   bit 0 INIT | bit 1 DEBUG | bit 2 MODE64BIT | bit 4 PROVISIONKEY |
 *   bit 5 EINITTOKEN_KEY | bit 6 CET | bit 7 KSS | bit 10 AEXNOTIFY
 */
import { attestationError } from '../errors.js';
import { readU64LE } from '../lib/bytes.js';
import type { SgxReportBody, TdReportBody } from './types.js';

export interface TdAttributeFlags {
  /** bit 0: the TD is debuggable (the host can read its memory and state). */
  readonly debug: boolean;
  /** bit 27: LASS enabled. */
  readonly lass: boolean;
  /** bit 28: EPT violations on pending pages are not converted to #VE. */
  readonly septVeDisable: boolean;
  /** bit 29: the TD is migratable. */
  readonly migratable: boolean;
  /** bit 30: supervisor protection keys enabled. */
  readonly pks: boolean;
  /** bit 31: Key Locker enabled. */
  readonly kl: boolean;
  /** bit 62: TD partitioning architecture. */
  readonly tpa: boolean;
  /** bit 63: the TD may use performance monitoring. */
  readonly perfmon: boolean;
  /** The whole u64. */
  readonly value: bigint;
}

export interface SgxAttributeFlags {
  readonly init: boolean;
  /** bit 1: debug enclave (the host can read its memory). */
  readonly debug: boolean;
  readonly mode64bit: boolean;
  readonly provisionKey: boolean;
  readonly einitTokenKey: boolean;
  readonly cet: boolean;
  readonly kss: boolean;
  readonly aexNotify: boolean;
  /** FLAGS u64 (bytes 0..8). */
  readonly flags: bigint;
  /** XFRM u64 (bytes 8..16). */
  readonly xfrm: bigint;
}

function requireLength(bytes: Uint8Array, n: number, field: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== n) {
    throw attestationError('InvalidArgument', `${field}: expected ${n} bytes`, {
      check: 'quote.attributes.length',
      field,
      expected: String(n),
      found: bytes instanceof Uint8Array ? String(bytes.length) : typeof bytes,
    });
  }
}

const bit = (v: bigint, n: number): boolean => ((v >> BigInt(n)) & 1n) === 1n;

/** Decodes the 8-byte TD_ATTRIBUTES field. Throws ParseError(InvalidArgument) if it is not 8 bytes. */
export function tdAttributeFlags(tdAttributes: Uint8Array): TdAttributeFlags {
  requireLength(tdAttributes, 8, 'tdAttributes');
  const value = readU64LE(tdAttributes, 0);
  return {
    debug: bit(value, 0),
    lass: bit(value, 27),
    septVeDisable: bit(value, 28),
    migratable: bit(value, 29),
    pks: bit(value, 30),
    kl: bit(value, 31),
    tpa: bit(value, 62),
    perfmon: bit(value, 63),
    value,
  };
}

/** Decodes the 16-byte SGX ATTRIBUTES field. Throws ParseError(InvalidArgument) if it is not 16 bytes. */
export function sgxAttributeFlags(attributes: Uint8Array): SgxAttributeFlags {
  requireLength(attributes, 16, 'attributes');
  const flags = readU64LE(attributes, 0);
  return {
    init: bit(flags, 0),
    debug: bit(flags, 1),
    mode64bit: bit(flags, 2),
    provisionKey: bit(flags, 4),
    einitTokenKey: bit(flags, 5),
    cet: bit(flags, 6),
    kss: bit(flags, 7),
    aexNotify: bit(flags, 10),
    flags,
    xfrm: readU64LE(attributes, 8),
  };
}

/**
 * Bit `n` of a little-endian attributes field, read from its byte (the same
 * bit the u64 decoders above read, without building the u64: every
 * verification asks for two of them).
 */
function attributeBit(bytes: Uint8Array, size: number, field: string, n: number): boolean {
  requireLength(bytes, size, field);
  return ((bytes[n >> 3]! >> (n & 7)) & 1) === 1;
}

/** TD_ATTRIBUTES bit 0 (DEBUG). */
export function isDebugTd(body: TdReportBody): boolean {
  return attributeBit(body.tdAttributes, 8, 'tdAttributes', 0);
}

/** TD_ATTRIBUTES bit 28 (SEPT_VE_DISABLE). */
export function isSeptVeDisabled(body: TdReportBody): boolean {
  return attributeBit(body.tdAttributes, 8, 'tdAttributes', 28);
}

/** SGX ATTRIBUTES.FLAGS bit 1 (DEBUG). */
export function isDebugEnclave(body: SgxReportBody): boolean {
  return attributeBit(body.attributes, 16, 'attributes', 1);
}
