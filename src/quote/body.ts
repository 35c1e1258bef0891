/**
 * Report body parsers (SGX enclave report, TD 1.0 and TD 1.5 report bodies).
 *   [SGX-QL] Intel SGX ECDSA Quote Library API, Appendix A, "Enclave Report Body".
 *   [TDX-QL] Intel TDX DCAP Quoting Library API, Appendix A, "TD Quote Body"
 *            (TDX 1.0, 584 bytes) and the v5 TDX 1.5 body (648 bytes).
 * All returned byte fields are views into the input.
 */
import { ParseError, attestationError } from '../errors.js';
import { ByteReader } from '../lib/bytes.js';
import { SGX_REPORT_BODY_SIZE, TD10_REPORT_BODY_SIZE, TD15_REPORT_BODY_SIZE, TD15EX_REPORT_BODY_SIZE } from './constants.js';
import type { SgxReportBody, TdReportBody, TdReportBody10, TdReportBody15, TdReportBody15Ex } from './types.js';

/**
 * Reads a 384-byte SGX report body from `r` (which must have at least 384 bytes left).
 * Layout ([SGX-QL] "Enclave Report Body"):
 *   0 CPUSVN 16 | 16 MISCSELECT u32 | 20 reserved 28 | 48 ATTRIBUTES 16 | 64 MRENCLAVE 32 |
 *   96 reserved 32 | 128 MRSIGNER 32 | 160 reserved 96 | 256 ISVPRODID u16 | 258 ISVSVN u16 |
 *   260 reserved 60 | 320 REPORTDATA 64  (= 384)
 */
export function readSgxReportBody(r: ByteReader, field: string): SgxReportBody {
  const start = r.offset;
  r.need(SGX_REPORT_BODY_SIZE, field);
  const cpuSvn = r.bytes(16, `${field}.cpuSvn`);
  const miscSelect = r.u32(`${field}.miscSelect`);
  const reserved1 = r.bytes(28, `${field}.reserved1`);
  const attributes = r.bytes(16, `${field}.attributes`);
  const mrEnclave = r.bytes(32, `${field}.mrEnclave`);
  const reserved2 = r.bytes(32, `${field}.reserved2`);
  const mrSigner = r.bytes(32, `${field}.mrSigner`);
  const reserved3 = r.bytes(96, `${field}.reserved3`);
  const isvProdId = r.u16(`${field}.isvProdId`);
  const isvSvn = r.u16(`${field}.isvSvn`);
  const reserved4 = r.bytes(60, `${field}.reserved4`);
  const reportData = r.bytes(64, `${field}.reportData`);
  const raw = r.buf.subarray(start, r.offset);
  return {
    kind: 'sgx',
    cpuSvn,
    miscSelect,
    attributes,
    mrEnclave,
    mrSigner,
    isvProdId,
    isvSvn,
    reportData,
    reserved1,
    reserved2,
    reserved3,
    reserved4,
    raw,
  };
}

/**
 * Reads a TD report body from `r`.
 * TD 1.0 layout, 584 bytes ([TDX-QL] "TD Quote Body"):
 *   0 TEE_TCB_SVN 16 | 16 MRSEAM 48 | 64 MRSIGNERSEAM 48 | 112 SEAMATTRIBUTES 8 |
 *   120 TDATTRIBUTES 8 | 128 XFAM 8 | 136 MRTD 48 | 184 MRCONFIGID 48 | 232 MROWNER 48 |
 *   280 MROWNERCONFIG 48 | 328 RTMR0 48 | 376 RTMR1 48 | 424 RTMR2 48 | 472 RTMR3 48 |
 *   520 REPORTDATA 64  (= 584)
 * TD 1.5 (v5 body type 3) appends: 584 TEE_TCB_SVN_2 16 | 600 MRSERVICETD 48  (= 648)
 * TD_REPORT15EX (v5 body type 4; Intel QVL QuoteStructures.h TDReport15Ex) appends to TD 1.5:
 *   648 VMID 1 | 649 TDID 32 | 681 DEVINFO 48 | 729 INIT_SERVTD_HASH 48 | 777 INIT_SERVTD_ATTRIBUTES 8 |
 *   785 INIT_CPUSVN 16 | 801 INIT_TEE_TCB_SVN 16 | 817 INIT_TEE_FMSPC 12 | 829 CUR_SERVTD_HASH 48 |
 *   877 CUR_SERVTD_ATTRIBUTES 8  (= 885)
 */
export function readTdReportBody(r: ByteReader, field: string, kind: 'td10'): TdReportBody10;
export function readTdReportBody(r: ByteReader, field: string, kind: 'td15'): TdReportBody15;
export function readTdReportBody(r: ByteReader, field: string, kind: 'td15ex'): TdReportBody15Ex;
export function readTdReportBody(r: ByteReader, field: string, kind: TdReportBody['kind']): TdReportBody;
export function readTdReportBody(r: ByteReader, field: string, kind: TdReportBody['kind']): TdReportBody {
  const start = r.offset;
  r.need(kind === 'td10' ? TD10_REPORT_BODY_SIZE : kind === 'td15' ? TD15_REPORT_BODY_SIZE : TD15EX_REPORT_BODY_SIZE, field);
  const common = {
    teeTcbSvn: r.bytes(16, `${field}.teeTcbSvn`),
    mrSeam: r.bytes(48, `${field}.mrSeam`),
    mrSignerSeam: r.bytes(48, `${field}.mrSignerSeam`),
    seamAttributes: r.bytes(8, `${field}.seamAttributes`),
    tdAttributes: r.bytes(8, `${field}.tdAttributes`),
    xfam: r.bytes(8, `${field}.xfam`),
    mrTd: r.bytes(48, `${field}.mrTd`),
    mrConfigId: r.bytes(48, `${field}.mrConfigId`),
    mrOwner: r.bytes(48, `${field}.mrOwner`),
    mrOwnerConfig: r.bytes(48, `${field}.mrOwnerConfig`),
    rtmr0: r.bytes(48, `${field}.rtmr0`),
    rtmr1: r.bytes(48, `${field}.rtmr1`),
    rtmr2: r.bytes(48, `${field}.rtmr2`),
    rtmr3: r.bytes(48, `${field}.rtmr3`),
    reportData: r.bytes(64, `${field}.reportData`),
  };
  if (kind === 'td10') {
    return { kind: 'td10', ...common, raw: r.buf.subarray(start, r.offset) };
  }
  const teeTcbSvn2 = r.bytes(16, `${field}.teeTcbSvn2`);
  const mrServiceTd = r.bytes(48, `${field}.mrServiceTd`);
  if (kind === 'td15') return { kind: 'td15', ...common, teeTcbSvn2, mrServiceTd, raw: r.buf.subarray(start, r.offset) };
  return {
    kind: 'td15ex',
    ...common,
    teeTcbSvn2,
    mrServiceTd,
    vmid: r.bytes(1, `${field}.vmid`),
    tdId: r.bytes(32, `${field}.tdId`),
    devInfo: r.bytes(48, `${field}.devInfo`),
    initServTdHash: r.bytes(48, `${field}.initServTdHash`),
    initServTdAttributes: r.bytes(8, `${field}.initServTdAttributes`),
    initCpuSvn: r.bytes(16, `${field}.initCpuSvn`),
    initTeeTcbSvn: r.bytes(16, `${field}.initTeeTcbSvn`),
    initTeeFmspc: r.bytes(12, `${field}.initTeeFmspc`),
    curServTdHash: r.bytes(48, `${field}.curServTdHash`),
    curServTdAttributes: r.bytes(8, `${field}.curServTdAttributes`),
    raw: r.buf.subarray(start, r.offset),
  };
}

/** @internal Rejects non-Uint8Array input with UsageError(InvalidArgument) instead of a TypeError. */
export function checkInput(bytes: unknown, what: string): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw attestationError('InvalidArgument', `${what}: input must be a Uint8Array`, {
      check: 'quote.input',
      field: what,
      expected: 'Uint8Array',
      found: bytes === null ? 'null' : typeof bytes,
    });
  }
}

/**
 * Parses exactly 384 bytes as an SGX report body (enclave report or QE report).
 * Throws ParseError(QuoteParse) on any other length.
 */
export function parseSgxReportBody(bytes: Uint8Array): SgxReportBody {
  checkInput(bytes, 'sgxReportBody');
  const r = new ByteReader(bytes, 'QuoteParse');
  if (bytes.length !== SGX_REPORT_BODY_SIZE) {
    throw new ParseError('QuoteParse', `sgxReportBody: expected ${SGX_REPORT_BODY_SIZE} bytes, got ${bytes.length}`, {
      check: 'quote.reportBody.size',
      field: 'sgxReportBody',
      expected: String(SGX_REPORT_BODY_SIZE),
      found: String(bytes.length),
    });
  }
  const body = readSgxReportBody(r, 'sgxReportBody');
  r.finish('sgxReportBody');
  return body;
}

/**
 * Parses a TD report body: 584 bytes → TD 1.0, 648 bytes → TD 1.5, 885 bytes → TD_REPORT15EX.
 * Throws ParseError(QuoteParse) on any other length.
 */
export function parseTdReportBody(bytes: Uint8Array): TdReportBody {
  checkInput(bytes, 'tdReportBody');
  const r = new ByteReader(bytes, 'QuoteParse');
  let body: TdReportBody;
  if (bytes.length === TD10_REPORT_BODY_SIZE) body = readTdReportBody(r, 'tdReportBody', 'td10');
  else if (bytes.length === TD15_REPORT_BODY_SIZE) body = readTdReportBody(r, 'tdReportBody', 'td15');
  else if (bytes.length === TD15EX_REPORT_BODY_SIZE) body = readTdReportBody(r, 'tdReportBody', 'td15ex');
  else {
    throw new ParseError(
      'QuoteParse',
      `tdReportBody: expected ${TD10_REPORT_BODY_SIZE}, ${TD15_REPORT_BODY_SIZE} or ${TD15EX_REPORT_BODY_SIZE} bytes, got ${bytes.length}`,
      {
        check: 'quote.reportBody.size',
        field: 'tdReportBody',
        expected: `${TD10_REPORT_BODY_SIZE}|${TD15_REPORT_BODY_SIZE}|${TD15EX_REPORT_BODY_SIZE}`,
        found: String(bytes.length),
      },
    );
  }
  r.finish('tdReportBody');
  return body;
}
