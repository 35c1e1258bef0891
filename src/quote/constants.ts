/**
 * Fixed sizes and enumerations of the DCAP quote formats.
 *   [SGX-QL] Intel SGX ECDSA Quote Library API, Appendix A (quote v3).
 *   [TDX-QL] Intel TDX DCAP Quoting Library API, Appendix A (quote v4, v5).
 */

/** "Quote Header": 48 bytes in every version. */
export const HEADER_SIZE = 48;

/** "Enclave Report Body" (SGX REPORTBODY): 384 bytes. */
export const SGX_REPORT_BODY_SIZE = 384;
/** "TD Quote Body" for TDX 1.0: 584 bytes. */
export const TD10_REPORT_BODY_SIZE = 584;
/** "TD Quote Body" for TDX 1.5: 648 bytes (TD 1.0 ‖ TEE_TCB_SVN_2 16 ‖ MRSERVICETD 48). */
export const TD15_REPORT_BODY_SIZE = 648;
/**
 * TD_REPORT15EX (v5 body type 4, TD Partitioning / TD Preserving Endorsements): 885 bytes,
 * the TD 1.5 body ‖ VMID 1 ‖ TDID 32 ‖ DEVINFO 48 ‖ INIT_SERVTD_HASH 48 ‖ INIT_SERVTD_ATTRIBUTES 8 ‖
 * INIT_CPUSVN 16 ‖ INIT_TEE_TCB_SVN 16 ‖ INIT_TEE_FMSPC 12 ‖ CUR_SERVTD_HASH 48 ‖ CUR_SERVTD_ATTRIBUTES 8
 * (Intel QVL QuoteStructures.h TDReport15Ex, QuoteConstants.h TD_REPORT15EX_BYTE_LEN).
 */
export const TD15EX_REPORT_BODY_SIZE = 885;

/** v5 "Quote Body Descriptor": body type u16 ‖ body size u32. */
export const BODY_DESCRIPTOR_SIZE = 6;

/** ECDSA P-256 signature r ‖ s and raw public key x ‖ y. */
export const ECDSA_SIGNATURE_SIZE = 64;
export const ECDSA_PUBLIC_KEY_SIZE = 64;

/** Header `version`. */
export const QUOTE_VERSION_3 = 3;
export const QUOTE_VERSION_4 = 4;
export const QUOTE_VERSION_5 = 5;

/** Header `att_key_type`: 2 = ECDSA-256-with-P-256 curve (3 = ECDSA-384 is not supported by Intel either). */
export const ATT_KEY_TYPE_ECDSA_P256 = 2;

/** Header `tee_type`. */
export const TEE_TYPE_SGX = 0x00000000;
export const TEE_TYPE_TDX = 0x00000081;

/** v5 body types ([TDX-QL] v5 "Quote Body Descriptor"). */
export const BODY_TYPE_SGX = 1;
export const BODY_TYPE_TD10 = 2;
export const BODY_TYPE_TD15 = 3;
export const BODY_TYPE_TD15EX = 4;

/** Certification data type 6, "QE Report Certification Data" (v4/v5 outer certification data). */
export const CERT_TYPE_QE_REPORT = 6;
/** Certification data type 5, concatenated PCK certificate chain (PEM). */
export const CERT_TYPE_PCK_CERT_CHAIN = 5;
/** Defined certification data types are 1..7. */
export const CERT_TYPE_MIN = 1;
export const CERT_TYPE_MAX = 7;

/** Intel's QE vendor id 939A7233-F79C-4CA9-940A-0DB3957F0607 ("Quote Header", QE Vendor ID). */
export const INTEL_QE_VENDOR_ID: Uint8Array = /* @__PURE__ */ Uint8Array.of(
  0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07,
);
