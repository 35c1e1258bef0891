/**
 * Parsed Intel DCAP quote (SGX quote v3, TDX quote v4, SGX/TDX quote v5).
 *
 * References, cited below by structure (table) name:
 *   [SGX-QL] Intel SGX ECDSA Quote Library API, Appendix A "ECDSA Quote Format"
 *            (quote v3);
 *   [TDX-QL] Intel TDX DCAP Quoting Library API, Appendix A "Quote Format"
 *            (quote v4 and v5).
 *
 * Every `Uint8Array` here is a view (subarray) into the caller's buffer:
 * nothing is copied. Callers that keep a quote around while mutating the
 * input must copy first.
 */

/** TEE the quote was produced for (header `tee_type`: 0x00000000 SGX, 0x00000081 TDX). */
export type TeeType = 'SGX' | 'TDX';

/** Supported quote format versions. */
export type QuoteVersion = 3 | 4 | 5;

/** Quote header, 48 bytes ([SGX-QL] "Quote Header"; [TDX-QL] "Quote Header"). */
export interface QuoteHeader {
  readonly version: QuoteVersion;
  /** Always 2 (ECDSA-256-with-P-256); other values are rejected as QuoteUnsupported. */
  readonly attestationKeyType: number;
  readonly teeType: TeeType;
  /** Raw `tee_type` u32 (0 or 0x81). */
  readonly teeTypeRaw: number;
  /** Bytes 8..10: QE SVN in v3, "reserved" in v4/v5. Raw u16 LE. */
  readonly qeSvn: number;
  /** Bytes 10..12: PCE SVN in v3, "reserved" in v4/v5. Raw u16 LE. */
  readonly pceSvn: number;
  /** 16 bytes; always Intel's QE vendor id 939a7233-f79c-4ca9-940a-0db3957f0607. */
  readonly qeVendorId: Uint8Array;
  /** 20 bytes of user data (for Intel's QE: QE/platform identifier, then zeros). */
  readonly userData: Uint8Array;
  /** The 48 header bytes. */
  readonly raw: Uint8Array;
}

/**
 * SGX enclave report body, 384 bytes ([SGX-QL] "Enclave Report Body"; [TDX-QL]
 * "Enclave Report Body", also the layout of the QE report).
 */
export interface SgxReportBody {
  readonly kind: 'sgx';
  /** CPUSVN, 16 bytes. */
  readonly cpuSvn: Uint8Array;
  /** MISCSELECT, u32 LE. */
  readonly miscSelect: number;
  /** ATTRIBUTES, 16 bytes: FLAGS u64 LE ‖ XFRM u64 LE. */
  readonly attributes: Uint8Array;
  /** MRENCLAVE, 32 bytes. */
  readonly mrEnclave: Uint8Array;
  /** MRSIGNER, 32 bytes. */
  readonly mrSigner: Uint8Array;
  /** ISVPRODID, u16 LE. */
  readonly isvProdId: number;
  /** ISVSVN, u16 LE. */
  readonly isvSvn: number;
  /** REPORTDATA, 64 bytes. */
  readonly reportData: Uint8Array;
  /** Reserved, 28 bytes at offset 20. */
  readonly reserved1: Uint8Array;
  /** Reserved, 32 bytes at offset 96. */
  readonly reserved2: Uint8Array;
  /** Reserved, 96 bytes at offset 160 (CONFIGID when KSS is used). */
  readonly reserved3: Uint8Array;
  /** Reserved, 60 bytes at offset 260 (CONFIGSVN, ISVEXTPRODID, ISVFAMILYID when KSS is used). */
  readonly reserved4: Uint8Array;
  /** The 384 report bytes. */
  readonly raw: Uint8Array;
}

/** TD report body for TDX 1.0, 584 bytes ([TDX-QL] "TD Quote Body" (TDX 1.0)). */
export interface TdReportBody10 {
  readonly kind: 'td10';
  /** TEE_TCB_SVN, 16 bytes. */
  readonly teeTcbSvn: Uint8Array;
  /** MRSEAM, 48 bytes. */
  readonly mrSeam: Uint8Array;
  /** MRSIGNERSEAM, 48 bytes. */
  readonly mrSignerSeam: Uint8Array;
  /** SEAMATTRIBUTES, 8 bytes. */
  readonly seamAttributes: Uint8Array;
  /** TDATTRIBUTES, 8 bytes (u64 LE; see tdAttributeFlags). */
  readonly tdAttributes: Uint8Array;
  /** XFAM, 8 bytes. */
  readonly xfam: Uint8Array;
  /** MRTD, 48 bytes. */
  readonly mrTd: Uint8Array;
  /** MRCONFIGID, 48 bytes. */
  readonly mrConfigId: Uint8Array;
  /** MROWNER, 48 bytes. */
  readonly mrOwner: Uint8Array;
  /** MROWNERCONFIG, 48 bytes. */
  readonly mrOwnerConfig: Uint8Array;
  /** RTMR0..RTMR3, 48 bytes each. */
  readonly rtmr0: Uint8Array;
  readonly rtmr1: Uint8Array;
  readonly rtmr2: Uint8Array;
  readonly rtmr3: Uint8Array;
  /** REPORTDATA, 64 bytes. */
  readonly reportData: Uint8Array;
  /** The body bytes (584 for TD 1.0, 648 for TD 1.5). */
  readonly raw: Uint8Array;
}

/** TD report body for TDX 1.5, 648 bytes ([TDX-QL] v5 "TD Quote Body" for TDX 1.5, body type 3). */
export interface TdReportBody15 extends Omit<TdReportBody10, 'kind'> {
  readonly kind: 'td15';
  /** TEE_TCB_SVN_2, 16 bytes. */
  readonly teeTcbSvn2: Uint8Array;
  /** MRSERVICETD, 48 bytes. */
  readonly mrServiceTd: Uint8Array;
}

/**
 * TD report body TD_REPORT15EX, 885 bytes (v5 body type 4; Intel QVL QuoteStructures.h
 * TDReport15Ex): the TD 1.5 body followed by the TD Partitioning / Preserving
 * Endorsements fields. The TCB is evaluated as for TD 1.5 (TEE_TCB_SVN and TEE_TCB_SVN_2).
 */
export interface TdReportBody15Ex extends Omit<TdReportBody15, 'kind'> {
  readonly kind: 'td15ex';
  /** VMID, 1 byte. */
  readonly vmid: Uint8Array;
  /** TDID, 32 bytes. */
  readonly tdId: Uint8Array;
  /** DEVINFO, 48 bytes. */
  readonly devInfo: Uint8Array;
  /** INIT_SERVTD_HASH, 48 bytes. */
  readonly initServTdHash: Uint8Array;
  /** INIT_SERVTD_ATTRIBUTES, 8 bytes. */
  readonly initServTdAttributes: Uint8Array;
  /** INIT_CPUSVN, 16 bytes. */
  readonly initCpuSvn: Uint8Array;
  /** INIT_TEE_TCB_SVN, 16 bytes. */
  readonly initTeeTcbSvn: Uint8Array;
  /** INIT_TEE_FMSPC, 12 bytes. */
  readonly initTeeFmspc: Uint8Array;
  /** CUR_SERVTD_HASH, 48 bytes. */
  readonly curServTdHash: Uint8Array;
  /** CUR_SERVTD_ATTRIBUTES, 8 bytes. */
  readonly curServTdAttributes: Uint8Array;
}

export type TdReportBody = TdReportBody10 | TdReportBody15 | TdReportBody15Ex;
export type ReportBody = SgxReportBody | TdReportBody;

/** Certification data types ([SGX-QL] / [TDX-QL] "Certification Data", type field). */
export const CertificationDataType = {
  PpidCleartext: 1,
  PpidRsa2048: 2,
  PpidRsa3072: 3,
  PckLeafCert: 4,
  PckCertChain: 5,
  QeReportCertificationData: 6,
  PlatformManifest: 7,
} as const;
export type CertificationDataTypeValue = (typeof CertificationDataType)[keyof typeof CertificationDataType];

/** Type 5: concatenated PEM PCK leaf ‖ intermediate ‖ root. */
export interface PckCertChainCertificationData {
  readonly type: 5;
  /** Raw certification data bytes (may end with NUL bytes). */
  readonly data: Uint8Array;
  /**
   * `data` with trailing NULs removed, decoded as ASCII; absent when the data is
   * not PEM text (Intel's sample quotes carry DER here).
   */
  readonly pemChain?: string;
}

/** Any other known type; kept raw. The verifier only supports type 5. */
export interface OtherCertificationData {
  readonly type: 1 | 2 | 3 | 4 | 6 | 7;
  readonly data: Uint8Array;
  readonly pemChain?: undefined;
}

export type CertificationData = PckCertChainCertificationData | OtherCertificationData;

/**
 * Quote signature data, normalised across versions.
 * v3: [SGX-QL] "ECDSA 256-bit Quote Signature Data Structure".
 * v4/v5: [TDX-QL] "ECDSA 256-bit Quote Signature Data Structure - Version 4",
 * whose certification data is type 6, [TDX-QL] "QE Report Certification Data".
 */
export interface QuoteSignatureData {
  /** ECDSA P-256 signature over `signedData`, raw r ‖ s (64 bytes). */
  readonly signature: Uint8Array;
  /** ECDSA attestation public key, raw x ‖ y (64 bytes, no 0x04 prefix). */
  readonly attestationKey: Uint8Array;
  /** Parsed QE report. */
  readonly qeReport: SgxReportBody;
  /** The 384 QE report bytes (the message of `qeReportSignature`). */
  readonly qeReportRaw: Uint8Array;
  /** ECDSA P-256 signature over `qeReportRaw` by the PCK key, raw r ‖ s (64 bytes). */
  readonly qeReportSignature: Uint8Array;
  /** QE authentication data (variable, may be empty). */
  readonly qeAuthData: Uint8Array;
  /** The PCK certification data (v3: the certification data; v4/v5: the one inside type 6). */
  readonly certificationData: CertificationData;
  /** v4/v5 only: the outer certification data type (always 6). */
  readonly outerCertificationType?: 6;
  /** The whole signature data (after the u32 length field). */
  readonly raw: Uint8Array;
}

interface QuoteCommon {
  readonly header: QuoteHeader;
  /** View of the region signed by the attestation key: header ‖ [body descriptor (v5)] ‖ body. */
  readonly signedData: Uint8Array;
  readonly signatureData: QuoteSignatureData;
  /** View of the whole quote (without any tolerated trailing zero padding). */
  readonly raw: Uint8Array;
  /** Number of (unsigned, unread) bytes tolerated after the quote; 0 unless `trailingBytes` allowed them. */
  readonly trailingBytes: number;
}

export interface QuoteV3Sgx extends QuoteCommon {
  readonly version: 3;
  readonly teeType: 'SGX';
  readonly body: SgxReportBody;
}

export interface QuoteV4Tdx extends QuoteCommon {
  readonly version: 4;
  readonly teeType: 'TDX';
  readonly body: TdReportBody10;
}

export interface QuoteV5Sgx extends QuoteCommon {
  readonly version: 5;
  readonly teeType: 'SGX';
  readonly bodyType: 1;
  readonly body: SgxReportBody;
}

export interface QuoteV5Td10 extends QuoteCommon {
  readonly version: 5;
  readonly teeType: 'TDX';
  readonly bodyType: 2;
  readonly body: TdReportBody10;
}

export interface QuoteV5Td15 extends QuoteCommon {
  readonly version: 5;
  readonly teeType: 'TDX';
  readonly bodyType: 3;
  readonly body: TdReportBody15;
}

export interface QuoteV5Td15Ex extends QuoteCommon {
  readonly version: 5;
  readonly teeType: 'TDX';
  readonly bodyType: 4;
  readonly body: TdReportBody15Ex;
}

export type Quote = QuoteV3Sgx | QuoteV4Tdx | QuoteV5Sgx | QuoteV5Td10 | QuoteV5Td15 | QuoteV5Td15Ex;

export interface ParseQuoteOptions {
  /**
   * What may follow the quote (the end of the signature data):
   * - `'reject'` (parser default): nothing; any trailing byte is a QuoteParse error.
   * - `'zeros'`: zero padding only (fixed-size buffers from TDX guests: 5006 or 8000 bytes).
   * - `'any'`: anything (the Intel QVL ignores what follows the quote). Trailing
   *   bytes are never signed and never read.
   */
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
}
