/**
 * Strict, bounded parser for Intel DCAP ECDSA quotes.
 *
 *   [SGX-QL] Intel SGX ECDSA Quote Library API, Appendix A "ECDSA Quote Format" (quote v3).
 *   [TDX-QL] Intel TDX DCAP Quoting Library API, Appendix A "Quote Format" (quote v4 and v5).
 *
 * Layout:
 *   v3 / v4:  Quote Header (48) ‖ report body (SGX 384 | TD 1.0 584)
 *             ‖ Quote Signature Data Len u32 ‖ Quote Signature Data
 *   v5:       Quote Header (48) ‖ Body Descriptor (type u16, size u32) ‖ body (384 | 584 | 648)
 *             ‖ Quote Signature Data Len u32 ‖ Quote Signature Data
 *
 * Rules enforced here:
 *   - every length is checked against the bytes that are actually left
 *     (ByteReader raises ParseError('QuoteParse') instead of reading past the end);
 *   - no trailing bytes: not after the quote (unless all zero and the caller
 *     opted in), not inside the signature data, not inside the type-6 QE
 *     report certification data;
 *   - only ParseError is ever thrown, with code QuoteParse (malformed) or
 *     QuoteUnsupported (well-formed but a version / key type / TEE / QE vendor
 *     we do not verify), or InvalidArgument for a non-Uint8Array input;
 *   - returned byte fields are subarray views; nothing is copied; work is
 *     linear in the input size.
 */
import { type ErrorCode, attestationError } from '../errors.js';
import { ByteReader, bytesEqual, isAllZero, toHex, tryUtf8Decode } from '../lib/bytes.js';
import { checkInput, readSgxReportBody, readTdReportBody } from './body.js';
import {
  ATT_KEY_TYPE_ECDSA_P256,
  BODY_TYPE_SGX,
  BODY_TYPE_TD10,
  BODY_TYPE_TD15,
  BODY_TYPE_TD15EX,
  CERT_TYPE_MAX,
  CERT_TYPE_MIN,
  CERT_TYPE_PCK_CERT_CHAIN,
  CERT_TYPE_QE_REPORT,
  ECDSA_PUBLIC_KEY_SIZE,
  ECDSA_SIGNATURE_SIZE,
  INTEL_QE_VENDOR_ID,
  QUOTE_VERSION_3,
  QUOTE_VERSION_4,
  QUOTE_VERSION_5,
  SGX_REPORT_BODY_SIZE,
  TD10_REPORT_BODY_SIZE,
  TD15_REPORT_BODY_SIZE,
  TD15EX_REPORT_BODY_SIZE,
  TEE_TYPE_SGX,
  TEE_TYPE_TDX,
} from './constants.js';
import type {
  CertificationData,
  ParseQuoteOptions,
  Quote,
  QuoteHeader,
  QuoteSignatureData,
  QuoteVersion,
  SgxReportBody,
  TdReportBody10,
  TdReportBody15,
  TdReportBody15Ex,
  TeeType,
} from './types.js';

function reject(
  code: ErrorCode,
  check: string,
  field: string,
  offset: number,
  message: string,
  expected?: string,
  found?: string,
): never {
  const evidence: { check: string; field: string; offset: number; expected?: string; found?: string } = {
    check,
    field,
    offset,
  };
  if (expected !== undefined) evidence.expected = expected;
  if (found !== undefined) evidence.found = found;
  throw attestationError(code, `${field}: ${message}`, evidence);
}

const hex16 = (n: number): string => `0x${n.toString(16)}`;

/**
 * Quote Header, 48 bytes ([SGX-QL] / [TDX-QL] "Quote Header"):
 *   0 Version u16 | 2 Attestation Key Type u16 | 4 TEE Type u32 |
 *   8 QE SVN (v3) / Reserved (v4, v5) u16 | 10 PCE SVN (v3) / Reserved (v4, v5) u16 |
 *   12 QE Vendor ID 16 | 28 User Data 20  (= 48)
 * In v3 the TEE Type field was "reserved" and is 0 for SGX.
 */
function readHeader(r: ByteReader): QuoteHeader {
  const start = r.offset;

  let off = r.offset;
  const version = r.u16('header.version');
  if (version !== QUOTE_VERSION_3 && version !== QUOTE_VERSION_4 && version !== QUOTE_VERSION_5) {
    reject(
      'QuoteUnsupported',
      'quote.header.version',
      'header.version',
      off,
      `unsupported quote version ${version}`,
      '3|4|5',
      String(version),
    );
  }

  off = r.offset;
  const attestationKeyType = r.u16('header.attestationKeyType');
  if (attestationKeyType !== ATT_KEY_TYPE_ECDSA_P256) {
    reject(
      'QuoteUnsupported',
      'quote.header.attestationKeyType',
      'header.attestationKeyType',
      off,
      `unsupported attestation key type ${attestationKeyType} (only 2 = ECDSA-256-with-P-256)`,
      String(ATT_KEY_TYPE_ECDSA_P256),
      String(attestationKeyType),
    );
  }

  off = r.offset;
  const teeTypeRaw = r.u32('header.teeType');
  let teeType: TeeType;
  if (teeTypeRaw === TEE_TYPE_SGX) teeType = 'SGX';
  else if (teeTypeRaw === TEE_TYPE_TDX) teeType = 'TDX';
  else {
    reject(
      'QuoteUnsupported',
      'quote.header.teeType',
      'header.teeType',
      off,
      `unsupported TEE type ${hex16(teeTypeRaw)}`,
      '0x0|0x81',
      hex16(teeTypeRaw),
    );
  }
  // v3 is the SGX quote format only ([SGX-QL]); v4 is defined for TDX only ([TDX-QL]).
  // v5 carries either, selected by the body descriptor (checked by the caller).
  if ((version === QUOTE_VERSION_3 && teeType !== 'SGX') || (version === QUOTE_VERSION_4 && teeType !== 'TDX')) {
    reject(
      'QuoteUnsupported',
      'quote.header.teeType',
      'header.teeType',
      off,
      `quote version ${version} with TEE type ${hex16(teeTypeRaw)} is not supported`,
      version === QUOTE_VERSION_3 ? hex16(TEE_TYPE_SGX) : hex16(TEE_TYPE_TDX),
      hex16(teeTypeRaw),
    );
  }

  const qeSvn = r.u16('header.qeSvn');
  const pceSvn = r.u16('header.pceSvn');

  off = r.offset;
  const qeVendorId = r.bytes(16, 'header.qeVendorId');
  if (!bytesEqual(qeVendorId, INTEL_QE_VENDOR_ID)) {
    reject(
      'QuoteUnsupported',
      'quote.header.qeVendorId',
      'header.qeVendorId',
      off,
      'QE vendor id is not Intel',
      toHex(INTEL_QE_VENDOR_ID),
      toHex(qeVendorId),
    );
  }
  const userData = r.bytes(20, 'header.userData');

  return {
    version: version as QuoteVersion,
    attestationKeyType,
    teeType,
    teeTypeRaw,
    qeSvn,
    pceSvn,
    qeVendorId,
    userData,
    raw: r.buf.subarray(start, r.offset),
  };
}

/**
 * "Certification Data" ([SGX-QL] / [TDX-QL]):
 *   Certification Data Type u16 | Size u32 | Certification Data (Size bytes)
 * Types 1..7 are defined; anything else is malformed. Type 5 is the PCK
 * certificate chain as concatenated PEM text, in practice NUL-terminated.
 */
function readCertificationData(r: ByteReader, field: string): CertificationData {
  const typeOff = r.offset;
  const type = r.u16(`${field}.type`);
  if (type < CERT_TYPE_MIN || type > CERT_TYPE_MAX) {
    reject(
      'QuoteParse',
      'quote.certificationData.type',
      `${field}.type`,
      typeOff,
      `unknown certification data type ${type}`,
      '1..7',
      String(type),
    );
  }
  const size = r.u32(`${field}.size`);
  const data = r.bytes(size, `${field}.data`);

  if (type !== CERT_TYPE_PCK_CERT_CHAIN) {
    return { type: type as 1 | 2 | 3 | 4 | 6 | 7, data };
  }
  // Type 5 is specified as PEM text (which may end in NULs). Intel's own sample
  // quotes carry DER there instead; the QVL never reads it (the PCK chain is a
  // separate input). So non-PEM type-5 data is kept raw with no `pemChain`, and
  // the verifier then needs the chain from the collateral.
  // The text is decoded on first use only (a verifier with a cache finds the
  // chain by its bytes and never needs it), then kept.
  let text: string | null | undefined = null;
  return {
    type: 5,
    data,
    get pemChain(): string | undefined {
      if (text === null) text = pemText(data);
      return text;
    },
  };
}

/** `data` without trailing NULs as text, when it is PEM text (printable ASCII is its own UTF-8). */
export function pemText(data: Uint8Array): string | undefined {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  const text = tryUtf8Decode(data.subarray(0, end));
  return text === undefined || NOT_PEM_TEXT.test(text) ? undefined : text;
}

/** Certification data text for type 5 is PEM: printable ASCII plus TAB, LF, CR. Anything else is not. */
const NOT_PEM_TEXT = /[^\x20-\x7e\t\n\r]/;

/** Shared tail of the v3 signature data and the v4/v5 QE report certification data. */
interface QeBlock {
  qeReport: SgxReportBody;
  qeReportRaw: Uint8Array;
  qeReportSignature: Uint8Array;
  qeAuthData: Uint8Array;
  certificationData: CertificationData;
}

/**
 * QE Report ‖ QE Report Signature ‖ QE Authentication Data ‖ Certification Data.
 * This is the tail of the v3 "ECDSA 256-bit Quote Signature Data Structure"
 * ([SGX-QL]) and the whole of the v4/v5 "QE Report Certification Data"
 * (certification data type 6, [TDX-QL]):
 *   QE Report 384 | QE Report Signature 64 | QE Auth Data: Size u16 ‖ Data |
 *   Certification Data (type u16 ‖ size u32 ‖ data)
 */
function readQeBlock(r: ByteReader, field: string): QeBlock {
  const qeReport = readSgxReportBody(r, `${field}.qeReport`);
  const qeReportSignature = r.bytes(ECDSA_SIGNATURE_SIZE, `${field}.qeReportSignature`);
  const authSize = r.u16(`${field}.qeAuthData.size`);
  const qeAuthData = r.bytes(authSize, `${field}.qeAuthData.data`);
  const certificationData = readCertificationData(r, `${field}.certificationData`);
  return { qeReport, qeReportRaw: qeReport.raw, qeReportSignature, qeAuthData, certificationData };
}

/**
 * Quote Signature Data. The reader `r` spans exactly "Quote Signature Data Len" bytes.
 *   v3 ([SGX-QL] "ECDSA 256-bit Quote Signature Data Structure"):
 *     ISV Enclave Report Signature 64 | ECDSA Attestation Key 64 | QE Report 384 |
 *     QE Report Signature 64 | QE Auth Data (u16 size ‖ data) | Certification Data
 *   v4/v5 ([TDX-QL] "ECDSA 256-bit Quote Signature Data Structure - Version 4"):
 *     Quote Signature 64 | ECDSA Attestation Key 64 |
 *     Certification Data, type 6 "QE Report Certification Data", whose data is
 *     QE Report 384 | QE Report Signature 64 | QE Auth Data | Certification Data
 */
function readSignatureData(r: ByteReader, version: QuoteVersion): QuoteSignatureData {
  const start = r.offset;
  const signature = r.bytes(ECDSA_SIGNATURE_SIZE, 'signatureData.signature');
  const attestationKey = r.bytes(ECDSA_PUBLIC_KEY_SIZE, 'signatureData.attestationKey');

  if (version === QUOTE_VERSION_3) {
    const qe = readQeBlock(r, 'signatureData');
    r.finish('signatureData');
    return { signature, attestationKey, ...qe, raw: r.buf.subarray(start, r.offset) };
  }

  const typeOff = r.offset;
  const outerType = r.u16('signatureData.certificationData.type');
  if (outerType !== CERT_TYPE_QE_REPORT) {
    reject(
      'QuoteParse',
      'quote.certificationData.outerType',
      'signatureData.certificationData.type',
      typeOff,
      `quote v${version} certification data must be type 6 (QE report certification data), found ${outerType}`,
      String(CERT_TYPE_QE_REPORT),
      String(outerType),
    );
  }
  const outerSize = r.u32('signatureData.certificationData.size');
  const qr = r.sub(outerSize, 'signatureData.certificationData.data');
  const qe = readQeBlock(qr, 'signatureData.qeReportCertificationData');
  qr.finish('signatureData.qeReportCertificationData');
  r.finish('signatureData');
  return {
    signature,
    attestationKey,
    ...qe,
    outerCertificationType: CERT_TYPE_QE_REPORT,
    raw: r.buf.subarray(start, r.offset),
  };
}

/**
 * Parses a DCAP quote (v3 SGX, v4 TDX, v5 SGX / TDX 1.0 / TDX 1.5).
 *
 * @throws ParseError with code
 *   - `QuoteParse`: truncated, inconsistent lengths, bad enum, trailing bytes, ...
 *   - `QuoteUnsupported`: version not 3/4/5, attestation key type not 2, TEE type
 *     not SGX/TDX (or not allowed for the version), unknown v5 body type, QE vendor not Intel;
 *   - `InvalidArgument`: input is not a Uint8Array.
 */
export function parseQuote(bytes: Uint8Array, options?: ParseQuoteOptions): Quote {
  checkInput(bytes, 'quote');
  const r = new ByteReader(bytes, 'QuoteParse');
  const header = readHeader(r);
  const { version, teeType } = header;

  let body: SgxReportBody | TdReportBody10 | TdReportBody15 | TdReportBody15Ex;
  let bodyType: 1 | 2 | 3 | 4 | undefined;

  if (version === QUOTE_VERSION_5) {
    // v5 "Quote Body Descriptor" ([TDX-QL]): Type u16 (1 SGX enclave report,
    // 2 TD report TDX 1.0, 3 TD report TDX 1.5, 4 TD_REPORT15EX as Intel's QVL
    // QuoteConstants.h names it) ‖ Size u32 (size of the body that follows).
    const typeOff = r.offset;
    const t = r.u16('bodyDescriptor.type');
    if (t !== BODY_TYPE_SGX && t !== BODY_TYPE_TD10 && t !== BODY_TYPE_TD15 && t !== BODY_TYPE_TD15EX) {
      reject(
        'QuoteUnsupported',
        'quote.body.type',
        'bodyDescriptor.type',
        typeOff,
        `unsupported v5 body type ${t}`,
        '1|2|3|4',
        String(t),
      );
    }
    bodyType = t;
    const fitsTee = teeType === 'SGX' ? t === BODY_TYPE_SGX : t !== BODY_TYPE_SGX;
    if (!fitsTee) {
      reject(
        'QuoteParse',
        'quote.body.typeTee',
        'bodyDescriptor.type',
        typeOff,
        `v5 body type ${t} does not match TEE type ${teeType}`,
        teeType === 'SGX' ? '1' : '2|3|4',
        String(t),
      );
    }
    const expectedSize =
      t === BODY_TYPE_SGX
        ? SGX_REPORT_BODY_SIZE
        : t === BODY_TYPE_TD10
          ? TD10_REPORT_BODY_SIZE
          : t === BODY_TYPE_TD15
            ? TD15_REPORT_BODY_SIZE
            : TD15EX_REPORT_BODY_SIZE;
    const sizeOff = r.offset;
    const size = r.u32('bodyDescriptor.size');
    if (size !== expectedSize) {
      reject(
        'QuoteParse',
        'quote.body.size',
        'bodyDescriptor.size',
        sizeOff,
        `v5 body size ${size} does not match body type ${t}`,
        String(expectedSize),
        String(size),
      );
    }
    body =
      t === BODY_TYPE_SGX
        ? readSgxReportBody(r, 'body')
        : readTdReportBody(r, 'body', t === BODY_TYPE_TD10 ? 'td10' : t === BODY_TYPE_TD15 ? 'td15' : 'td15ex');
  } else if (version === QUOTE_VERSION_3) {
    body = readSgxReportBody(r, 'body'); // v3: SGX "Enclave Report Body"
  } else {
    body = readTdReportBody(r, 'body', 'td10'); // v4: "TD Quote Body" (TDX 1.0)
  }

  // Signed by the attestation key: everything before "Quote Signature Data Len".
  const signedData = bytes.subarray(0, r.offset);

  const sigLen = r.u32('signatureDataLength');
  const sr = r.sub(sigLen, 'signatureData');
  const signatureData = readSignatureData(sr, version);

  const quoteEnd = r.offset;
  let trailingBytes = 0;
  if (r.remaining > 0) {
    const tail = bytes.subarray(quoteEnd);
    const mode = options?.trailingBytes ?? 'reject';
    if (mode === 'any' || (mode === 'zeros' && isAllZero(tail))) {
      trailingBytes = tail.length;
    } else {
      reject(
        'QuoteParse',
        'quote.trailing',
        'quote',
        quoteEnd,
        `${tail.length} trailing byte(s) after the quote`,
        '0',
        String(tail.length),
      );
    }
  }

  const common = {
    header,
    signedData,
    signatureData,
    raw: bytes.subarray(0, quoteEnd),
    trailingBytes,
  };

  // Assemble the discriminated union; the checks above guarantee each pairing.
  if (version === QUOTE_VERSION_3) {
    return { version: 3, teeType: 'SGX', body: body as SgxReportBody, ...common };
  }
  if (version === QUOTE_VERSION_4) {
    return { version: 4, teeType: 'TDX', body: body as TdReportBody10, ...common };
  }
  if (bodyType === BODY_TYPE_SGX) {
    return { version: 5, teeType: 'SGX', bodyType: 1, body: body as SgxReportBody, ...common };
  }
  if (bodyType === BODY_TYPE_TD10) {
    return { version: 5, teeType: 'TDX', bodyType: 2, body: body as TdReportBody10, ...common };
  }
  if (bodyType === BODY_TYPE_TD15) {
    return { version: 5, teeType: 'TDX', bodyType: 3, body: body as TdReportBody15, ...common };
  }
  return { version: 5, teeType: 'TDX', bodyType: 4, body: body as TdReportBody15Ex, ...common };
}
