/**
 * Bit fields of the report: the guest policy (ABI spec Table 9 "Guest Policy
 * Structure"), PLATFORM_INFO (Table 24 "PLATFORM_INFO Field") and the signer
 * information word at 0x048 (Table 23).
 */

export interface SnpGuestPolicy {
  /** The u64 value, 16 lower-case hex digits (most significant first). */
  readonly raw: string;
  /** Bits 7:0 / 15:8: the minimum firmware ABI the guest requires. */
  readonly abiMinor: number;
  readonly abiMajor: number;
  /** Bit 16: host SMT allowed. */
  readonly smt: boolean;
  /** Bit 18: association with a migration agent allowed. */
  readonly migrateMa: boolean;
  /** Bit 19: debugging allowed (the host can read guest memory). */
  readonly debug: boolean;
  /** Bit 20: the guest may only be activated on one socket. */
  readonly singleSocket: boolean;
  /** Bit 21: CXL may be populated with devices or memory. */
  readonly cxlAllow: boolean;
  /** Bit 22: AES-256-XTS required for memory encryption. */
  readonly memAes256Xts: boolean;
  /** Bit 23: RAPL must be disabled. */
  readonly raplDis: boolean;
  /** Bit 24: ciphertext hiding for DRAM must be enabled. */
  readonly ciphertextHiding: boolean;
  /** Bit 25: guest access to page move / swap commands disabled. */
  readonly pageSwapDisable: boolean;
}

/** Bit 17 of the guest policy is reserved and must be one; bits 63:26 are reserved and must be zero. */
export const POLICY_MBO_BIT = 17n;
export const POLICY_MBZ_MASK = ~((1n << 26n) - 1n) & 0xffff_ffff_ffff_ffffn;

const bit = (v: bigint, n: number): boolean => ((v >> BigInt(n)) & 1n) === 1n;

export function hex64(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}

export function decodeGuestPolicy(v: bigint): SnpGuestPolicy {
  return {
    raw: hex64(v),
    abiMinor: Number(v & 0xffn),
    abiMajor: Number((v >> 8n) & 0xffn),
    smt: bit(v, 16),
    migrateMa: bit(v, 18),
    debug: bit(v, 19),
    singleSocket: bit(v, 20),
    cxlAllow: bit(v, 21),
    memAes256Xts: bit(v, 22),
    raplDis: bit(v, 23),
    ciphertextHiding: bit(v, 24),
    pageSwapDisable: bit(v, 25),
  };
}

export interface SnpPlatformInfo {
  readonly raw: string;
  /** Bit 0: SMT is enabled on the platform. */
  readonly smtEnabled: boolean;
  /** Bit 1: TSME is enabled. */
  readonly tsmeEnabled: boolean;
  /** Bit 2: the platform uses ECC memory. */
  readonly eccEnabled: boolean;
  /** Bit 3: RAPL is disabled. */
  readonly raplDisabled: boolean;
  /** Bit 4: ciphertext hiding is enabled for DRAM. */
  readonly ciphertextHidingEnabled: boolean;
  /** Bit 5: alias detection completed with no aliasing addresses (BadRAM mitigation, AMD-SB-3015). */
  readonly aliasCheckComplete: boolean;
  /**
   * Bits this library does not interpret (bit 6 and up), hex. Reported, not
   * rejected: PLATFORM_INFO describes the platform, newer firmware defines more bits.
   */
  readonly otherBits: string;
}

export function decodePlatformInfo(v: bigint): SnpPlatformInfo {
  return {
    raw: hex64(v),
    smtEnabled: bit(v, 0),
    tsmeEnabled: bit(v, 1),
    eccEnabled: bit(v, 2),
    raplDisabled: bit(v, 3),
    ciphertextHidingEnabled: bit(v, 4),
    aliasCheckComplete: bit(v, 5),
    otherBits: (v >> 6n << 6n).toString(16),
  };
}

/** Which key signed the report (SIGNING_KEY, bits 4:2 at 0x048): 0 VCEK, 1 VLEK, 7 none; 2-6 reserved. */
export type SnpSigningKey = 'VCEK' | 'VLEK' | 'none';

export interface SnpSignerInfo {
  /** Bit 0: the ID block was signed by an author key (AUTHOR_KEY_DIGEST is meaningful). */
  readonly authorKeyEn: boolean;
  /** Bit 1: the host masked CHIP_ID (it is then all zeros). */
  readonly maskChipKey: boolean;
  readonly signingKey: SnpSigningKey;
}
