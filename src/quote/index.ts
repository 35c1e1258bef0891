export { parseQuote } from './parse.js';
export { parseSgxReportBody, parseTdReportBody } from './body.js';
export {
  isDebugEnclave,
  isDebugTd,
  sgxAttributeFlags,
  tdAttributeFlags,
  type SgxAttributeFlags,
  type TdAttributeFlags,
} from './attributes.js';
export {
  ATT_KEY_TYPE_ECDSA_P256,
  BODY_TYPE_SGX,
  BODY_TYPE_TD10,
  BODY_TYPE_TD15,
  HEADER_SIZE,
  INTEL_QE_VENDOR_ID,
  SGX_REPORT_BODY_SIZE,
  TD10_REPORT_BODY_SIZE,
  TD15_REPORT_BODY_SIZE,
  TEE_TYPE_SGX,
  TEE_TYPE_TDX,
} from './constants.js';
export { CertificationDataType } from './types.js';
export type {
  CertificationData,
  CertificationDataTypeValue,
  OtherCertificationData,
  ParseQuoteOptions,
  PckCertChainCertificationData,
  Quote,
  QuoteHeader,
  QuoteSignatureData,
  QuoteV3Sgx,
  QuoteV4Tdx,
  QuoteV5Sgx,
  QuoteV5Td10,
  QuoteV5Td15,
  QuoteVersion,
  ReportBody,
  SgxReportBody,
  TdReportBody,
  TdReportBody10,
  TdReportBody15,
  TeeType,
} from './types.js';
