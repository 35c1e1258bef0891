/**
 * Byte layout of the SEV-SNP ATTESTATION_REPORT structure: AMD "SEV Secure
 * Nested Paging Firmware ABI Specification" (publication 56860), Table 23
 * "ATTESTATION_REPORT Structure" (rev. 1.57 numbering; Table 22 in older
 * revisions). All multi-byte integers are little-endian.
 *
 *   0x000 VERSION u32           0x004 GUEST_SVN u32       0x008 POLICY u64
 *   0x010 FAMILY_ID [16]        0x020 IMAGE_ID [16]       0x030 VMPL u32
 *   0x034 SIGNATURE_ALGO u32    0x038 CURRENT_TCB u64     0x040 PLATFORM_INFO u64
 *   0x048 AUTHOR_KEY_EN:0, MASK_CHIP_KEY:1, SIGNING_KEY:4..2, reserved 31..5
 *   0x04C reserved u32          0x050 REPORT_DATA [64]    0x090 MEASUREMENT [48]
 *   0x0C0 HOST_DATA [32]        0x0E0 ID_KEY_DIGEST [48]  0x110 AUTHOR_KEY_DIGEST [48]
 *   0x140 REPORT_ID [32]        0x160 REPORT_ID_MA [32]   0x180 REPORTED_TCB u64
 *   0x188 CPUID_FAM_ID u8, 0x189 CPUID_MOD_ID u8, 0x18A CPUID_STEP u8 (version >= 3;
 *         reserved in version 2), 0x18B..0x19F reserved
 *   0x1A0 CHIP_ID [64]          0x1E0 COMMITTED_TCB u64
 *   0x1E8 CURRENT_BUILD, 0x1E9 CURRENT_MINOR, 0x1EA CURRENT_MAJOR, 0x1EB reserved
 *   0x1EC COMMITTED_BUILD, 0x1ED COMMITTED_MINOR, 0x1EE COMMITTED_MAJOR, 0x1EF reserved
 *   0x1F0 LAUNCH_TCB u64
 *   0x1F8 LAUNCH_MIT_VECTOR u64, 0x200 CURRENT_MIT_VECTOR u64 (version >= 5;
 *         reserved before), 0x208..0x29F reserved
 *   0x2A0 SIGNATURE [512]: Table 139 "ECDSA P-384 with SHA-384 Signature":
 *         R [72] at 0x00, S [72] at 0x48, little-endian, reserved 0x90..0x1FF
 *
 * The signature covers bytes 0x000..0x29F.
 */
export const REPORT_SIZE = 0x4a0;
export const SIGNED_LENGTH = 0x2a0;

export const OFF = {
  version: 0x000,
  guestSvn: 0x004,
  policy: 0x008,
  familyId: 0x010,
  imageId: 0x020,
  vmpl: 0x030,
  signatureAlgo: 0x034,
  currentTcb: 0x038,
  platformInfo: 0x040,
  signerInfo: 0x048,
  reserved04c: 0x04c,
  reportData: 0x050,
  measurement: 0x090,
  hostData: 0x0c0,
  idKeyDigest: 0x0e0,
  authorKeyDigest: 0x110,
  reportId: 0x140,
  reportIdMa: 0x160,
  reportedTcb: 0x180,
  cpuidFamId: 0x188,
  cpuidModId: 0x189,
  cpuidStep: 0x18a,
  chipId: 0x1a0,
  committedTcb: 0x1e0,
  currentBuild: 0x1e8,
  currentMinor: 0x1e9,
  currentMajor: 0x1ea,
  committedBuild: 0x1ec,
  committedMinor: 0x1ed,
  committedMajor: 0x1ee,
  launchTcb: 0x1f0,
  launchMitVector: 0x1f8,
  currentMitVector: 0x200,
  signature: 0x2a0,
} as const;

/** Table 139: R and S are 72-byte little-endian fields; P-384 values use the low 48 bytes. */
export const SIG_COMPONENT_SIZE = 72;
export const P384_SCALAR_SIZE = 48;
/** Offset (from the signature start) of the reserved tail after R and S. */
export const SIG_RESERVED_FROM = 2 * SIG_COMPONENT_SIZE;

/** SIGNATURE_ALGO value for ECDSA P-384 with SHA-384 (Table 138 "Signature Algorithm Encodings"). */
export const SIG_ALGO_ECDSA_P384_SHA384 = 1;

/** Report versions this library parses. Version 4 is refused: its layout is not pinned down here. */
export const SUPPORTED_VERSIONS: readonly number[] = [2, 3, 5];

/** Must-be-zero byte ranges [from, to) for a report version (Table 23 "Reserved" rows). */
export function reservedRanges(version: number): readonly (readonly [number, number])[] {
  return [
    [0x04c, 0x050],
    [version >= 3 ? 0x18b : 0x188, 0x1a0],
    [0x1eb, 0x1ec],
    [0x1ef, 0x1f0],
    [version >= 5 ? 0x208 : 0x1f8, SIGNED_LENGTH],
  ];
}
