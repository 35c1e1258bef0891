import { bytesToHex } from '../support/hex.js';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  INTEL_QE_VENDOR_ID,
  QE_DEFAULTS,
  buildQuote,
  createTestPki,
  keyPairFromLabel,
  mintPckCert,
  type BuildQuoteOptions,
} from '../../src/testing/index.js';
import { pemBlocks, verifyRaw, x509 } from './helpers.js';

const pki = createTestPki();
const pck = mintPckCert(pki, { fmspc: '00906ED50000', tcbComponents: [3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pcesvn: 11 });
const attKey = keyPairFromLabel('tee-attest test attestation key');

interface Layout {
  version: number;
  attKeyType: number;
  teeType: number;
  qeSvn: number;
  pceSvn: number;
  vendor: string;
  userData: Uint8Array;
  bodyType?: number;
  body: Uint8Array;
  signed: Uint8Array;
  sigLenOffset: number;
  quoteSig: Uint8Array;
  attKey: Uint8Array;
  outerType?: number;
  qeReport: Uint8Array;
  qeSig: Uint8Array;
  auth: Uint8Array;
  certType: number;
  certData: Uint8Array;
}

/** Independent reader of the quote layout (DataView, no library code). */
function readLayout(q: Uint8Array): Layout {
  const dv = new DataView(q.buffer, q.byteOffset, q.byteLength);
  const version = dv.getUint16(0, true);
  let off = 48;
  let bodyType: number | undefined;
  let bodySize: number;
  if (version === 5) {
    bodyType = dv.getUint16(48, true);
    bodySize = dv.getUint32(50, true);
    off = 54;
  } else {
    bodySize = version === 3 ? 384 : 584;
  }
  const body = q.subarray(off, off + bodySize);
  off += bodySize;
  const sigLenOffset = off;
  const sigLen = dv.getUint32(off, true);
  off += 4;
  expect(off + sigLen).toBe(q.length);
  const s = q.subarray(off, off + sigLen);
  const sdv = new DataView(s.buffer, s.byteOffset, s.byteLength);
  let p = 128;
  let outerType: number | undefined;
  if (version !== 3) {
    outerType = sdv.getUint16(128, true);
    const outerSize = sdv.getUint32(130, true);
    expect(134 + outerSize).toBe(s.length);
    p = 134;
  }
  const qeReport = s.subarray(p, p + 384);
  const qeSig = s.subarray(p + 384, p + 448);
  const authLen = sdv.getUint16(p + 448, true);
  const auth = s.subarray(p + 450, p + 450 + authLen);
  let c = p + 450 + authLen;
  const certType = sdv.getUint16(c, true);
  const certSize = sdv.getUint32(c + 2, true);
  c += 6;
  expect(c + certSize).toBe(s.length);
  return {
    version,
    attKeyType: dv.getUint16(2, true),
    teeType: dv.getUint32(4, true),
    qeSvn: dv.getUint16(8, true),
    pceSvn: dv.getUint16(10, true),
    vendor: bytesToHex(q.subarray(12, 28)),
    userData: q.subarray(28, 48),
    ...(bodyType !== undefined ? { bodyType } : {}),
    body,
    signed: q.subarray(0, sigLenOffset),
    sigLenOffset,
    quoteSig: s.subarray(0, 64),
    attKey: s.subarray(64, 128),
    ...(outerType !== undefined ? { outerType } : {}),
    qeReport,
    qeSig,
    auth,
    certType,
    certData: s.subarray(c, c + certSize),
  };
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);

function expectValid(l: Layout, pckKey = pck.publicKey): void {
  expect(verifyRaw(Uint8Array.from([4, ...l.attKey]), l.signed, l.quoteSig)).toBe(true);
  expect(verifyRaw(pckKey, l.qeReport, l.qeSig)).toBe(true);
  const rd = l.qeReport.subarray(320, 384);
  expect(bytesToHex(rd.subarray(0, 32))).toBe(sha256(Buffer.concat([l.attKey, l.auth])));
  expect(bytesToHex(rd.subarray(32))).toBe('00'.repeat(32));
}

const base: BuildQuoteOptions = { pck };

describe('buildQuote v4 (TDX)', () => {
  const q = buildQuote(base);
  const l = readLayout(q);

  it('has the v4 layout', () => {
    expect(l.version).toBe(4);
    expect(l.attKeyType).toBe(2);
    expect(l.teeType).toBe(0x81);
    expect(l.vendor).toBe(INTEL_QE_VENDOR_ID);
    expect(l.sigLenOffset).toBe(48 + 584);
    expect(l.body.length).toBe(584);
    expect(l.outerType).toBe(6);
    expect(l.certType).toBe(5);
    expect(l.qeSvn).toBe(QE_DEFAULTS.TD_QE.isvsvn);
    expect(bytesToHex(l.userData)).toBe('00'.repeat(20));
  });

  it('has sensible TD body defaults', () => {
    const b = l.body;
    expect([...b.subarray(0, 16)]).toEqual([4, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // tee_tcb_svn
    expect(bytesToHex(b.subarray(64, 112))).toBe('00'.repeat(48)); // mrsignerseam
    expect(bytesToHex(b.subarray(112, 120))).toBe('00'.repeat(8)); // seam_attributes
    expect(bytesToHex(b.subarray(120, 128))).toBe('0000001000000000'); // td_attributes: SEPT_VE_DISABLE, no debug
    expect(bytesToHex(b.subarray(128, 136))).toBe('e71a060000000000'); // xfam
    expect(bytesToHex(b.subarray(136, 184))).not.toBe('00'.repeat(48)); // mrtd
    expect(bytesToHex(b.subarray(520, 584))).toBe('00'.repeat(64)); // report_data
  });

  it('signs header‖body with the attestation key and binds the QE report', () => {
    expectValid(l);
    expect(bytesToHex(l.attKey)).toBe(bytesToHex(attKey.publicKey.subarray(1)));
    expect([...l.auth]).toEqual(Array.from({ length: 32 }, (_, i) => i));
    // QE report: TD_QE identity
    const r = l.qeReport;
    expect(bytesToHex(r.subarray(48, 64))).toBe('1500000000000000e700000000000000');
    expect(bytesToHex(r.subarray(128, 160)).toUpperCase()).toBe(QE_DEFAULTS.TD_QE.mrsigner);
    expect(u16(r, 256)).toBe(2);
    expect(u16(r, 258)).toBe(4);
  });

  it('carries the PEM chain plus a NUL', () => {
    expect(l.certData[l.certData.length - 1]).toBe(0);
    const text = Buffer.from(l.certData.subarray(0, -1)).toString('utf8');
    expect(text).toBe(pck.chainPem);
    const certs = pemBlocks(text).map((p) => x509(p));
    expect(certs.length).toBe(3);
    expect(certs[0]!.verify(certs[1]!.publicKey)).toBe(true);
    expect(certs[1]!.verify(certs[2]!.publicKey)).toBe(true);
    expect(certs[2]!.verify(certs[2]!.publicKey)).toBe(true);
  });

  it('is deterministic', () => {
    expect(bytesToHex(buildQuote(base))).toBe(bytesToHex(q));
  });
});

describe('buildQuote v3 (SGX)', () => {
  const q = buildQuote({ ...base, teeType: 'SGX', pceSvn: 11, sgxBody: { isvprodid: 7, isvsvn: 9, reportData: 'ab'.repeat(64) } });
  const l = readLayout(q);

  it('has the v3 layout', () => {
    expect(l.version).toBe(3);
    expect(l.teeType).toBe(0);
    expect(l.sigLenOffset).toBe(48 + 384);
    expect(l.outerType).toBeUndefined();
    expect(l.certType).toBe(5);
    expect(l.qeSvn).toBe(QE_DEFAULTS.QE.isvsvn);
    expect(l.pceSvn).toBe(11);
    expect(q.length).toBe(48 + 384 + 4 + 64 + 64 + 384 + 64 + 2 + 32 + 6 + l.certData.length);
    expectValid(l);
  });

  it('encodes the SGX report body fields', () => {
    const b = l.body;
    expect(bytesToHex(b.subarray(48, 64))).toBe('05000000000000000300000000000000');
    expect(u16(b, 256)).toBe(7);
    expect(u16(b, 258)).toBe(9);
    expect(bytesToHex(b.subarray(320))).toBe('ab'.repeat(64));
    expect(u16(l.qeReport, 256)).toBe(1); // QE isvprodid
  });
});

describe('buildQuote v5', () => {
  for (const [tee, bodyType, size] of [['SGX', 1, 384], ['TDX', 2, 584], ['TDX', 3, 648]] as const) {
    it(`body type ${bodyType}`, () => {
      const q = buildQuote({ ...base, teeType: tee, version: 5, bodyType });
      const l = readLayout(q);
      expect(l.version).toBe(5);
      expect(l.teeType).toBe(tee === 'SGX' ? 0 : 0x81);
      expect(l.bodyType).toBe(bodyType);
      expect(l.body.length).toBe(size);
      expect(l.sigLenOffset).toBe(54 + size);
      expect(l.outerType).toBe(6);
      expectValid(l); // signed region = header ‖ body_type ‖ body_size ‖ body
      if (bodyType === 3) {
        expect(bytesToHex(l.body.subarray(584, 600))).toBe(bytesToHex(l.body.subarray(0, 16))); // tee_tcb_svn2 defaults to tee_tcb_svn
        expect(bytesToHex(l.body.subarray(600))).toBe('00'.repeat(48));
      }
    });
  }
});

describe('buildQuote options', () => {
  it('debug flags', () => {
    const td = readLayout(buildQuote({ ...base, debug: true }));
    expect(bytesToHex(td.body.subarray(120, 128))).toBe('0100001000000000');
    const sgx = readLayout(buildQuote({ ...base, teeType: 'SGX', debug: true }));
    expect(sgx.body[48]).toBe(0x07);
  });

  it('every corruption breaks only its check', () => {
    const a = readLayout(buildQuote({ ...base, corruptQuoteSignature: true }));
    expect(verifyRaw(Uint8Array.from([4, ...a.attKey]), a.signed, a.quoteSig)).toBe(false);
    expect(verifyRaw(pck.publicKey, a.qeReport, a.qeSig)).toBe(true);

    const b = readLayout(buildQuote({ ...base, corruptQeReportSignature: true }));
    expect(verifyRaw(Uint8Array.from([4, ...b.attKey]), b.signed, b.quoteSig)).toBe(true);
    expect(verifyRaw(pck.publicKey, b.qeReport, b.qeSig)).toBe(false);

    const c = readLayout(buildQuote({ ...base, breakQeBinding: true }));
    expect(verifyRaw(Uint8Array.from([4, ...c.attKey]), c.signed, c.quoteSig)).toBe(true);
    expect(verifyRaw(pck.publicKey, c.qeReport, c.qeSig)).toBe(true); // still signed by the PCK
    expect(bytesToHex(c.qeReport.subarray(320, 352))).not.toBe(sha256(Buffer.concat([c.attKey, c.auth])));
  });

  it('custom keys, auth data, chain text and certification types', () => {
    const other = keyPairFromLabel('x');
    const l = readLayout(
      buildQuote({
        ...base,
        attestationKey: other.privateKey,
        qeAuthData: new Uint8Array(0),
        chainPem: 'hello',
        certDataNul: false,
        certDataType: 4,
        userData: '11'.repeat(20),
        qeSvn: 3,
        pceSvn: 5,
      }),
    );
    expectValid(l);
    expect(bytesToHex(l.attKey)).toBe(bytesToHex(other.publicKey.subarray(1)));
    expect(l.auth.length).toBe(0);
    expect(Buffer.from(l.certData).toString()).toBe('hello');
    expect(l.certType).toBe(4);
    expect(bytesToHex(l.userData)).toBe('11'.repeat(20));
    expect([l.qeSvn, l.pceSvn]).toEqual([3, 5]);
  });

  it('QE report / TD body overrides and trailing bytes', () => {
    const q = buildQuote({
      ...base,
      qeReport: { isvsvn: 1, mrsigner: '22'.repeat(32) },
      tdBody: { mrsignerseam: '33'.repeat(48), teeTcbSvn: [9, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
      trailing: new Uint8Array(10),
    });
    const l = readLayout(q.subarray(0, q.length - 10));
    expect(u16(l.qeReport, 258)).toBe(1);
    expect(bytesToHex(l.qeReport.subarray(128, 160))).toBe('22'.repeat(32));
    expect(bytesToHex(l.body.subarray(64, 112))).toBe('33'.repeat(48));
    expect(l.body[0]).toBe(9);
    expect(l.qeSvn).toBe(1);
  });

  it('rejects wrongly sized fields', () => {
    expect(() => buildQuote({ ...base, userData: 'aa' })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => buildQuote({ ...base, tdBody: { mrtd: new Uint8Array(3) } })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
