/**
 * Intel SGX / TDX DCAP quote builder (v3 SGX, v4 TDX, v5 SGX/TD1.0/TD1.5),
 * signed with a test attestation key and a test PCK key.
 */
import { attestationError } from '../errors.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, fromHex } from '../lib/bytes.js';
import { QE_DEFAULTS } from './collateral.js';
import { flipBit, keyPairFromPrivate, labelBytes, privateKeyFromLabel, rawPublicKey, signRaw, utf8 } from '../encode/keys.js';

/** Bytes or a hex string. */
export type BytesInput = Uint8Array | string;

export const INTEL_QE_VENDOR_ID = '939a7233f79c4ca9940a0db3957f0607';
export const HEADER_SIZE = 48;
export const SGX_REPORT_BODY_SIZE = 384;
export const TD10_REPORT_BODY_SIZE = 584;
export const TD15_REPORT_BODY_SIZE = 648;
export const TEE_TYPE_SGX = 0x00000000;
export const TEE_TYPE_TDX = 0x00000081;
/** TD attributes bit 28. */
export const TD_ATTR_SEPT_VE_DISABLE = 1n << 28n;
/** TD attributes bit 0. */
export const TD_ATTR_DEBUG = 1n;
/** SGX ATTRIBUTES.FLAGS bit 1. */
export const SGX_ATTR_DEBUG = 0x02;

function bytes(v: BytesInput | undefined, len: number, field: string, dflt: () => Uint8Array): Uint8Array {
  const b = v === undefined ? dflt() : typeof v === 'string' ? fromHex(v, 'InvalidArgument', field) : v;
  if (b.length !== len) throw attestationError('InvalidArgument', `${field} must be ${len} bytes, got ${b.length}`, { check: 'testing/quote' });
  return b;
}

const zeros = (n: number) => (): Uint8Array => new Uint8Array(n);

class Writer {
  private parts: Uint8Array[] = [];
  u16(v: number): this {
    this.parts.push(Uint8Array.of(v & 0xff, (v >>> 8) & 0xff));
    return this;
  }
  u32(v: number): this {
    this.parts.push(Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff));
    return this;
  }
  raw(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }
  zeros(n: number): this {
    this.parts.push(new Uint8Array(n));
    return this;
  }
  done(): Uint8Array {
    return concatBytes(...this.parts);
  }
}

/** u64 little-endian from a bigint. */
export function u64le(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

// ---------------------------------------------------------------------------
// Report bodies

export interface SgxReportBodyFields {
  readonly cpusvn?: BytesInput;
  readonly miscselect?: number;
  /** 16 bytes: FLAGS u64 LE ‖ XFRM u64 LE. */
  readonly attributes?: BytesInput;
  readonly mrenclave?: BytesInput;
  readonly mrsigner?: BytesInput;
  readonly isvprodid?: number;
  readonly isvsvn?: number;
  readonly reportData?: BytesInput;
}

/** 384-byte SGX enclave report body; unspecified fields are zero. */
export function encodeSgxReportBody(f: SgxReportBodyFields): Uint8Array {
  return new Writer()
    .raw(bytes(f.cpusvn, 16, 'cpusvn', zeros(16)))
    .u32(f.miscselect ?? 0)
    .zeros(28)
    .raw(bytes(f.attributes, 16, 'attributes', zeros(16)))
    .raw(bytes(f.mrenclave, 32, 'mrenclave', zeros(32)))
    .zeros(32)
    .raw(bytes(f.mrsigner, 32, 'mrsigner', zeros(32)))
    .zeros(96)
    .u16(f.isvprodid ?? 0)
    .u16(f.isvsvn ?? 0)
    .zeros(60)
    .raw(bytes(f.reportData, 64, 'reportData', zeros(64)))
    .done();
}

export interface TdReportBodyFields {
  readonly teeTcbSvn?: BytesInput | readonly number[];
  readonly mrseam?: BytesInput;
  readonly mrsignerseam?: BytesInput;
  readonly seamAttributes?: BytesInput;
  /** 8 bytes LE, or a bigint bit mask. */
  readonly tdAttributes?: BytesInput | bigint;
  /** 8 bytes LE, or a bigint. */
  readonly xfam?: BytesInput | bigint;
  readonly mrtd?: BytesInput;
  readonly mrconfigid?: BytesInput;
  readonly mrowner?: BytesInput;
  readonly mrownerconfig?: BytesInput;
  readonly rtmr0?: BytesInput;
  readonly rtmr1?: BytesInput;
  readonly rtmr2?: BytesInput;
  readonly rtmr3?: BytesInput;
  readonly reportData?: BytesInput;
  /** TD 1.5 only. */
  readonly teeTcbSvn2?: BytesInput | readonly number[];
  /** TD 1.5 only. */
  readonly mrservicetd?: BytesInput;
  /** TD_REPORT15EX (v5 body type 4) only: VMID, 1 byte (default 0). */
  readonly vmid?: number;
  /** TD_REPORT15EX only: TDID, 32 bytes. */
  readonly tdId?: BytesInput;
  /** TD_REPORT15EX only: DEVINFO, 48 bytes. */
  readonly devInfo?: BytesInput;
  /** TD_REPORT15EX only: INIT_SERVTD_HASH, 48 bytes. */
  readonly initServTdHash?: BytesInput;
  /** TD_REPORT15EX only: INIT_SERVTD_ATTRIBUTES, 8 bytes. */
  readonly initServTdAttributes?: BytesInput;
  /** TD_REPORT15EX only: INIT_CPUSVN, 16 bytes. */
  readonly initCpuSvn?: BytesInput | readonly number[];
  /** TD_REPORT15EX only: INIT_TEE_TCB_SVN, 16 bytes. */
  readonly initTeeTcbSvn?: BytesInput | readonly number[];
  /** TD_REPORT15EX only: INIT_TEE_FMSPC, 12 bytes. */
  readonly initTeeFmspc?: BytesInput;
  /** TD_REPORT15EX only: CUR_SERVTD_HASH, 48 bytes. */
  readonly curServTdHash?: BytesInput;
  /** TD_REPORT15EX only: CUR_SERVTD_ATTRIBUTES, 8 bytes. */
  readonly curServTdAttributes?: BytesInput;
}

function svnBytes(v: BytesInput | readonly number[] | undefined, field: string, dflt: () => Uint8Array): Uint8Array {
  if (Array.isArray(v)) return bytes(Uint8Array.from(v as number[]), 16, field, dflt);
  return bytes(v as BytesInput | undefined, 16, field, dflt);
}

function u64Field(v: BytesInput | bigint | undefined, field: string, dflt: bigint): Uint8Array {
  if (typeof v === 'bigint') return u64le(v);
  return bytes(v, 8, field, () => u64le(dflt));
}

/**
 * 584-byte TD 1.0 report body, 648-byte TD 1.5 body (`td15` true or 'td15') or
 * 885-byte TD_REPORT15EX body ('td15ex', layout of Intel QVL QuoteStructures.h
 * TDReport15Ex); unspecified fields are zero.
 */
export function encodeTdReportBody(f: TdReportBodyFields, td15: boolean | 'td15' | 'td15ex' = false): Uint8Array {
  const w = new Writer()
    .raw(svnBytes(f.teeTcbSvn, 'teeTcbSvn', zeros(16)))
    .raw(bytes(f.mrseam, 48, 'mrseam', zeros(48)))
    .raw(bytes(f.mrsignerseam, 48, 'mrsignerseam', zeros(48)))
    .raw(bytes(f.seamAttributes, 8, 'seamAttributes', zeros(8)))
    .raw(u64Field(f.tdAttributes, 'tdAttributes', 0n))
    .raw(u64Field(f.xfam, 'xfam', 0n))
    .raw(bytes(f.mrtd, 48, 'mrtd', zeros(48)))
    .raw(bytes(f.mrconfigid, 48, 'mrconfigid', zeros(48)))
    .raw(bytes(f.mrowner, 48, 'mrowner', zeros(48)))
    .raw(bytes(f.mrownerconfig, 48, 'mrownerconfig', zeros(48)))
    .raw(bytes(f.rtmr0, 48, 'rtmr0', zeros(48)))
    .raw(bytes(f.rtmr1, 48, 'rtmr1', zeros(48)))
    .raw(bytes(f.rtmr2, 48, 'rtmr2', zeros(48)))
    .raw(bytes(f.rtmr3, 48, 'rtmr3', zeros(48)))
    .raw(bytes(f.reportData, 64, 'reportData', zeros(64)));
  if (td15) {
    w.raw(svnBytes(f.teeTcbSvn2, 'teeTcbSvn2', zeros(16))).raw(bytes(f.mrservicetd, 48, 'mrservicetd', zeros(48)));
  }
  if (td15 === 'td15ex') {
    w.raw(Uint8Array.of(f.vmid ?? 0))
      .raw(bytes(f.tdId, 32, 'tdId', zeros(32)))
      .raw(bytes(f.devInfo, 48, 'devInfo', zeros(48)))
      .raw(bytes(f.initServTdHash, 48, 'initServTdHash', zeros(48)))
      .raw(bytes(f.initServTdAttributes, 8, 'initServTdAttributes', zeros(8)))
      .raw(svnBytes(f.initCpuSvn, 'initCpuSvn', zeros(16)))
      .raw(svnBytes(f.initTeeTcbSvn, 'initTeeTcbSvn', zeros(16)))
      .raw(bytes(f.initTeeFmspc, 12, 'initTeeFmspc', zeros(12)))
      .raw(bytes(f.curServTdHash, 48, 'curServTdHash', zeros(48)))
      .raw(bytes(f.curServTdAttributes, 8, 'curServTdAttributes', zeros(8)));
  }
  return w.done();
}

// ---------------------------------------------------------------------------
// Defaults

const DEFAULT_LABEL = 'tee-attest test';

/** Default TD body values (non-zero measurements are label-derived). */
export function defaultTdBody(label = DEFAULT_LABEL): TdReportBodyFields {
  return {
    teeTcbSvn: [4, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    mrseam: labelBytes(`${label} mrseam`, 48),
    tdAttributes: TD_ATTR_SEPT_VE_DISABLE,
    xfam: 0x61ae7n, // x87, SSE, AVX, AVX-512, PK, ...: 'e71a060000000000'
    mrtd: labelBytes(`${label} mrtd`, 48),
    rtmr0: labelBytes(`${label} rtmr0`, 48),
    rtmr1: labelBytes(`${label} rtmr1`, 48),
    rtmr2: labelBytes(`${label} rtmr2`, 48),
  };
}

/** Default SGX application-enclave body values. */
export function defaultSgxBody(label = DEFAULT_LABEL): SgxReportBodyFields {
  return {
    // FLAGS = INIT | MODE64BIT, XFRM = x87 | SSE
    attributes: '05000000000000000300000000000000',
    mrenclave: labelBytes(`${label} mrenclave`, 32),
    mrsigner: labelBytes(`${label} mrsigner`, 32),
  };
}

/** Default QE report values for a TEE (Intel's QE/TD_QE signer, product id and SVN). */
export function defaultQeReport(tee: 'SGX' | 'TDX', label = DEFAULT_LABEL): SgxReportBodyFields {
  const d = tee === 'TDX' ? QE_DEFAULTS.TD_QE : QE_DEFAULTS.QE;
  return {
    miscselect: 0,
    // FLAGS 0x15 (INIT | MODE64BIT | PROVISIONKEY): 0x15 & 0xFB == 0x11 under Intel's mask.
    attributes: '1500000000000000e700000000000000',
    mrenclave: labelBytes(`${label} qe mrenclave ${tee}`, 32),
    mrsigner: d.mrsigner,
    isvprodid: d.isvprodid,
    isvsvn: d.isvsvn,
  };
}

// ---------------------------------------------------------------------------
// Quote

export interface QuotePck {
  /** PEM of the PCK leaf. */
  readonly pem: string;
  /** The PCK leaf's private key (signs the QE report). */
  readonly privateKey: Uint8Array;
  /** Leaf ‖ PCK CA ‖ Root PEM; when absent only `pem` goes into the quote. */
  readonly chainPem?: string;
}

export interface BuildQuoteOptions {
  /** Default 'TDX' unless version is 3. */
  readonly teeType?: 'SGX' | 'TDX';
  /** Default: 3 for SGX, 4 for TDX. */
  readonly version?: 3 | 4 | 5 | number;
  /** v5 body type: 1 SGX, 2 TD 1.0, 3 TD 1.5, 4 TD_REPORT15EX. Default 1 for SGX, 2 for TDX. */
  readonly bodyType?: 1 | 2 | 3 | 4 | number;
  /** v5 body_size override (default: the actual body length). */
  readonly bodySize?: number;
  /** Raw tee_type override. */
  readonly teeTypeValue?: number;
  /** Default 2 (ECDSA-256-with-P-256). */
  readonly attestationKeyType?: number;
  /** Header qe_svn. Default: the QE report isvsvn. */
  readonly qeSvn?: number;
  /** Header pce_svn. Default 0. */
  readonly pceSvn?: number;
  /** Default Intel's 939a7233f79c4ca9940a0db3957f0607. */
  readonly qeVendorId?: BytesInput;
  /** 20 bytes. Default zeros. */
  readonly userData?: BytesInput;
  /** Label for default measurements and the default attestation key. */
  readonly label?: string;
  /** SGX application enclave body fields (merged over `defaultSgxBody`). */
  readonly sgxBody?: SgxReportBodyFields;
  /** TD body fields (merged over `defaultTdBody`). */
  readonly tdBody?: TdReportBodyFields;
  /** Raw body bytes (overrides sgxBody / tdBody). */
  readonly body?: Uint8Array;
  /** Set the debug bit (TD attributes bit 0, or SGX ATTRIBUTES.FLAGS bit 1). */
  readonly debug?: boolean;
  /** QE report fields (merged over `defaultQeReport`). report_data is computed unless given. */
  readonly qeReport?: SgxReportBodyFields;
  /** QE authentication data. Default 32 bytes 0x00..0x1f. */
  readonly qeAuthData?: Uint8Array;
  /** Attestation private key. Default derived from `${label} attestation key`. */
  readonly attestationKey?: Uint8Array;
  /** Attestation public key written into the quote (default: that of `attestationKey`). */
  readonly attestationPublicKey?: Uint8Array;
  /** The PCK leaf (minted by `mintPckCert`). */
  readonly pck: QuotePck;
  /** Full PEM text of the type-5 certification data (overrides pck.chainPem / pck.pem). */
  readonly chainPem?: string;
  /** Raw type-5 certification data bytes (overrides everything chain-related). */
  readonly certData?: Uint8Array;
  /** Append a NUL after the PEM chain. Default true. */
  readonly certDataNul?: boolean;
  /** Inner certification data type. Default 5 (PCK chain). */
  readonly certDataType?: number;
  /** v4/v5 outer certification data type. Default 6 (QE report certification data). */
  readonly outerCertDataType?: number;
  /** Make QE report_data != SHA-256(attestation key ‖ auth data). */
  readonly breakQeBinding?: boolean;
  readonly corruptQuoteSignature?: boolean;
  readonly corruptQeReportSignature?: boolean;
  /** Bytes appended after the signature data (outside signature_data_len). */
  readonly trailing?: Uint8Array;
}

export function defaultQeAuthData(): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => i);
}

function orDebugSgx(attrs: Uint8Array): Uint8Array {
  const out = Uint8Array.from(attrs);
  out[0]! |= SGX_ATTR_DEBUG;
  return out;
}

/** Build a signed DCAP quote. */
export function buildQuote(opts: BuildQuoteOptions): Uint8Array {
  const label = opts.label ?? DEFAULT_LABEL;
  const tee = opts.teeType ?? (opts.version === 3 ? 'SGX' : 'TDX');
  const version = opts.version ?? (tee === 'SGX' ? 3 : 4);
  const bodyType = opts.bodyType ?? (tee === 'SGX' ? 1 : 2);

  // --- body
  let body: Uint8Array;
  if (opts.body) {
    body = opts.body;
  } else if (tee === 'SGX') {
    const f = { ...defaultSgxBody(label), ...opts.sgxBody };
    body = encodeSgxReportBody(f);
    if (opts.debug) body.set(orDebugSgx(body.subarray(48, 64)), 48);
  } else {
    const f = { ...defaultTdBody(label), ...opts.tdBody };
    const td15 = version >= 5 && (bodyType === 3 || bodyType === 4);
    body = encodeTdReportBody(
      td15 && f.teeTcbSvn2 === undefined ? { ...f, teeTcbSvn2: f.teeTcbSvn } : f,
      td15 ? (bodyType === 4 ? 'td15ex' : 'td15') : false,
    );
    if (opts.debug) body[16 + 48 + 48 + 8]! |= 0x01; // td_attributes byte 0, bit 0
  }

  // --- header
  const qeFields = { ...defaultQeReport(tee, label), ...opts.qeReport };
  const header = new Writer()
    .u16(version)
    .u16(opts.attestationKeyType ?? 2)
    .u32(opts.teeTypeValue ?? (tee === 'SGX' ? TEE_TYPE_SGX : TEE_TYPE_TDX))
    .u16(opts.qeSvn ?? qeFields.isvsvn ?? 0)
    .u16(opts.pceSvn ?? 0)
    .raw(bytes(opts.qeVendorId, 16, 'qeVendorId', () => fromHex(INTEL_QE_VENDOR_ID)))
    .raw(bytes(opts.userData, 20, 'userData', zeros(20)))
    .done();

  const signed =
    version >= 5
      ? new Writer().raw(header).u16(bodyType).u32(opts.bodySize ?? body.length).raw(body).done()
      : concatBytes(header, body);

  // --- attestation key and quote signature
  const attKeys = keyPairFromPrivate(opts.attestationKey ?? privateKeyFromLabel(`${label} attestation key`));
  const attPub = rawPublicKey(opts.attestationPublicKey ?? attKeys.publicKey);
  let quoteSig = signRaw(signed, attKeys.privateKey);
  if (opts.corruptQuoteSignature) quoteSig = flipBit(quoteSig, 31);

  // --- QE report bound to the attestation key
  const authData = opts.qeAuthData ?? defaultQeAuthData();
  let reportData: Uint8Array;
  if (qeFields.reportData !== undefined) {
    reportData = bytes(qeFields.reportData, 64, 'qeReport.reportData', zeros(64));
  } else {
    reportData = concatBytes(sha256(concatBytes(attPub, authData)), new Uint8Array(32));
  }
  if (opts.breakQeBinding) reportData = flipBit(reportData, 0);
  const qeReport = encodeSgxReportBody({ ...qeFields, reportData });
  let qeSig = signRaw(qeReport, opts.pck.privateKey);
  if (opts.corruptQeReportSignature) qeSig = flipBit(qeSig, 31);

  // --- certification data (PCK chain)
  let pemData: Uint8Array;
  if (opts.certData) {
    pemData = opts.certData;
  } else {
    const text = opts.chainPem ?? opts.pck.chainPem ?? opts.pck.pem;
    pemData = utf8(text);
    if (opts.certDataNul ?? true) pemData = concatBytes(pemData, new Uint8Array(1));
  }
  const certData = new Writer().u16(opts.certDataType ?? 5).u32(pemData.length).raw(pemData).done();

  let sigData: Uint8Array;
  if (version === 3) {
    sigData = new Writer()
      .raw(quoteSig)
      .raw(attPub)
      .raw(qeReport)
      .raw(qeSig)
      .u16(authData.length)
      .raw(authData)
      .raw(certData)
      .done();
  } else {
    const qeCertData = new Writer().raw(qeReport).raw(qeSig).u16(authData.length).raw(authData).raw(certData).done();
    sigData = new Writer()
      .raw(quoteSig)
      .raw(attPub)
      .u16(opts.outerCertDataType ?? 6)
      .u32(qeCertData.length)
      .raw(qeCertData)
      .done();
  }

  return new Writer()
    .raw(signed)
    .u32(sigData.length)
    .raw(sigData)
    .raw(opts.trailing ?? new Uint8Array(0))
    .done();
}
