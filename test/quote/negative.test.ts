import { describe, expect, it } from 'vitest';
import { ParseError, UsageError } from '../../src/errors.js';
import {
  isDebugEnclave,
  isDebugTd,
  parseQuote,
  parseSgxReportBody,
  parseTdReportBody,
  sgxAttributeFlags,
  tdAttributeFlags,
} from '../../src/quote/index.js';
import { V, cat, copy, expectCode, loadBin, offsetIn, readU32, u16, u32, writeU16, writeU32 } from './helpers.js';
import { isSeptVeDisabled } from '../../src/quote/attributes.js';
import type { SgxReportBody, TdReportBody } from '../../src/quote/types.js';

// Exact quotes (no padding).
const SGX = loadBin(V.sgxQuote); // v3, 4600 bytes
const TDX = copy(loadBin(V.tdxQuote).subarray(0, 4936)); // v4, padding removed
const V5 = loadBin(V.tdxQuoteOutdated); // v5 TD 1.5, 5006 bytes

/** v5 TD 1.0 quote built from the v4 one: version 5 + body descriptor (2, 584). */
function makeV5Td10(): Uint8Array {
  const h = copy(TDX.subarray(0, 48));
  writeU16(h, 0, 5);
  return cat(h, u16(2), u32(584), TDX.subarray(48));
}

/** v5 SGX quote built from the v3 one: body descriptor (1, 384) and type-6 wrapped QE data. */
function makeV5Sgx(): Uint8Array {
  const q = parseQuote(SGX);
  const h = copy(SGX.subarray(0, 48));
  writeU16(h, 0, 5);
  const qeStart = offsetIn(SGX, q.signatureData.qeReportRaw);
  const qeBlock = SGX.subarray(qeStart); // QE report ‖ sig ‖ auth data ‖ cert data
  const sig = cat(q.signatureData.signature, q.signatureData.attestationKey, u16(6), u32(qeBlock.length), qeBlock);
  return cat(h, u16(1), u32(384), q.body.raw, u32(sig.length), sig);
}

function mutate(base: Uint8Array, f: (b: Uint8Array) => void): Uint8Array {
  const b = copy(base);
  f(b);
  return b;
}

describe('synthetic v5 quotes', () => {
  it('v5 body type 2 (TD 1.0) parses', () => {
    const bytes = makeV5Td10();
    const q = parseQuote(bytes);
    expect(q.version).toBe(5);
    if (q.version !== 5) throw new Error('unreachable');
    expect(q.bodyType).toBe(2);
    expect(q.body.kind).toBe('td10');
    if (q.body.kind !== 'td10') throw new Error('unreachable');
    expect(q.signedData.length).toBe(48 + 6 + 584);
    const v4 = parseQuote(TDX);
    if (v4.body.kind === 'sgx') throw new Error('unreachable');
    expect(q.body.mrTd).toEqual(v4.body.mrTd);
    expect(q.signatureData.raw).toEqual(v4.signatureData.raw);
  });

  it('v5 body type 1 (SGX) parses', () => {
    const bytes = makeV5Sgx();
    const q = parseQuote(bytes);
    expect(q.version).toBe(5);
    expect(q.teeType).toBe('SGX');
    if (q.version !== 5) throw new Error('unreachable');
    expect(q.bodyType).toBe(1);
    expect(q.body.kind).toBe('sgx');
    expect(q.signedData.length).toBe(48 + 6 + 384);
    expect(q.signatureData.outerCertificationType).toBe(6);
    expect(q.signatureData.certificationData.type).toBe(5);
    expect(q.signatureData.qeReportRaw).toEqual(parseQuote(SGX).signatureData.qeReportRaw);
  });
});

describe('truncation and trailing bytes', () => {
  for (const [name, base] of [
    ['sgx_quote (v3)', SGX],
    ['tdx_quote (v4)', TDX],
    ['tdx_quote_outdated (v5)', V5],
  ] as const) {
    it(`${name}: every proper prefix → QuoteParse`, () => {
      expect(parseQuote(base).signatureData.raw.length + parseQuote(base).signedData.length + 4).toBe(base.length);
      const codes = new Set<string>();
      for (let n = 0; n < base.length; n++) {
        try {
          parseQuote(base.subarray(0, n));
          throw new Error(`prefix of length ${n} parsed`);
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
          codes.add(e.code);
        }
      }
      expect([...codes]).toEqual(['QuoteParse']);
    });

    it(`${name}: one appended byte → QuoteParse (zero byte accepted only with allowTrailingZeros)`, () => {
      for (const extra of [0x00, 0x01, 0xff]) {
        const err = expectCode(() => parseQuote(cat(base, Uint8Array.of(extra))), 'QuoteParse');
        expect(err.evidence?.check).toBe('quote.trailing');
        expect(err.evidence?.offset).toBe(base.length);
      }
      expect(parseQuote(cat(base, Uint8Array.of(0)), { trailingBytes: 'zeros' }).trailingBytes).toBe(1);
      expectCode(() => parseQuote(cat(base, Uint8Array.of(0, 1)), { trailingBytes: 'zeros' }), 'QuoteParse');
    });
  }

  it('empty input → QuoteParse', () => {
    expectCode(() => parseQuote(new Uint8Array(0)), 'QuoteParse');
  });
});

describe('header', () => {
  it('versions other than 3/4/5 → QuoteUnsupported', () => {
    for (const v of [0, 1, 2, 6, 0xffff]) {
      const err = expectCode(() => parseQuote(mutate(TDX, (b) => writeU16(b, 0, v))), 'QuoteUnsupported');
      expect(err.evidence?.check).toBe('quote.header.version');
      expect(err.evidence?.found).toBe(String(v));
    }
    // Even a bare 2-byte version is reported as unsupported, not truncated.
    expectCode(() => parseQuote(Uint8Array.of(6, 0)), 'QuoteUnsupported');
  });

  it('attestation key type 3 (ECDSA-384) → QuoteUnsupported', () => {
    for (const base of [SGX, TDX, V5]) {
      const err = expectCode(() => parseQuote(mutate(base, (b) => writeU16(b, 2, 3))), 'QuoteUnsupported');
      expect(err.evidence?.check).toBe('quote.header.attestationKeyType');
    }
  });

  it('tee type 0x82 → QuoteUnsupported', () => {
    for (const base of [SGX, TDX, V5]) {
      const err = expectCode(() => parseQuote(mutate(base, (b) => writeU32(b, 4, 0x82))), 'QuoteUnsupported');
      expect(err.evidence?.check).toBe('quote.header.teeType');
    }
  });

  it('v3 with TDX and v4 with SGX → QuoteUnsupported', () => {
    expectCode(() => parseQuote(mutate(SGX, (b) => writeU32(b, 4, 0x81))), 'QuoteUnsupported');
    expectCode(() => parseQuote(mutate(TDX, (b) => writeU32(b, 4, 0))), 'QuoteUnsupported');
  });

  it('QE vendor id not Intel → QuoteUnsupported', () => {
    for (const base of [SGX, TDX, V5]) {
      for (const i of [12, 20, 27]) {
        const err = expectCode(() => parseQuote(mutate(base, (b) => (b[i] = b[i]! ^ 1))), 'QuoteUnsupported');
        expect(err.evidence?.check).toBe('quote.header.qeVendorId');
        expect(err.evidence?.offset).toBe(12);
      }
    }
  });

  it('header QE/PCE SVN and user data are not validated (kept raw)', () => {
    const q = parseQuote(mutate(TDX, (b) => {
      writeU16(b, 8, 0xbeef);
      writeU16(b, 10, 0x1234);
      b[30] = 0x55;
    }));
    expect(q.header.qeSvn).toBe(0xbeef);
    expect(q.header.pceSvn).toBe(0x1234);
    expect(q.header.userData[2]).toBe(0x55);
  });
});

describe('v5 body descriptor', () => {
  it('body size off by one → QuoteParse', () => {
    for (const d of [-1, 1]) {
      const err = expectCode(() => parseQuote(mutate(V5, (b) => writeU32(b, 50, 648 + d))), 'QuoteParse');
      expect(err.evidence?.check).toBe('quote.body.size');
      expect(err.evidence?.offset).toBe(50);
    }
    expectCode(() => parseQuote(mutate(makeV5Td10(), (b) => writeU32(b, 50, 585))), 'QuoteParse');
    expectCode(() => parseQuote(mutate(makeV5Sgx(), (b) => writeU32(b, 50, 383))), 'QuoteParse');
    expectCode(() => parseQuote(mutate(V5, (b) => writeU32(b, 50, 0xffffffff))), 'QuoteParse');
  });

  it('body type that does not fit the TEE type → QuoteParse', () => {
    // type 2 / 3 under SGX
    for (const t of [2, 3]) {
      const err = expectCode(
        () => parseQuote(mutate(makeV5Sgx(), (b) => writeU16(b, 48, t))),
        'QuoteParse',
      );
      expect(err.evidence?.check).toBe('quote.body.typeTee');
    }
    // type 2 with size 584 under an SGX header
    expectCode(() => parseQuote(mutate(makeV5Td10(), (b) => writeU32(b, 4, 0))), 'QuoteParse');
    // type 1 under TDX
    expectCode(() => parseQuote(mutate(V5, (b) => writeU16(b, 48, 1))), 'QuoteParse');
  });

  it('unknown body type → QuoteUnsupported', () => {
    for (const t of [0, 5, 0xffff]) {
      const err = expectCode(() => parseQuote(mutate(V5, (b) => writeU16(b, 48, t))), 'QuoteUnsupported');
      expect(err.evidence?.check).toBe('quote.body.type');
    }
  });

  it('body type 2 with a TD 1.5 sized body → QuoteParse', () => {
    expectCode(() => parseQuote(mutate(V5, (b) => writeU16(b, 48, 2))), 'QuoteParse');
  });
});

describe('signature data', () => {
  const tdxQ = parseQuote(TDX);
  const sgxQ = parseQuote(SGX);
  const sigLenOff = 48 + 584;
  const outerTypeOff = sigLenOff + 4 + 128;
  const outerSizeOff = outerTypeOff + 2;
  const innerData = tdxQ.signatureData.certificationData.data;
  const innerTypeOff = offsetIn(TDX, innerData) - 6;
  const innerSizeOff = innerTypeOff + 2;
  const authSizeOff = offsetIn(TDX, tdxQ.signatureData.qeAuthData) - 2;
  const sgxCertOff = offsetIn(SGX, sgxQ.signatureData.certificationData.data) - 6;
  const sgxAuthSizeOff = offsetIn(SGX, sgxQ.signatureData.qeAuthData) - 2;

  it('layout sanity', () => {
    expect(readU32(TDX, sigLenOff)).toBe(4300);
    expect(TDX[outerTypeOff]).toBe(6);
    expect(readU32(TDX, outerSizeOff)).toBe(4166);
    expect(TDX[innerTypeOff]).toBe(5);
    expect(readU32(TDX, innerSizeOff)).toBe(innerData.length);
    expect(SGX[sgxCertOff]).toBe(5);
  });

  it('signature data length larger / smaller than the rest → QuoteParse', () => {
    for (const d of [1, -1, 1000, 0xffffffff - 4300]) {
      expectCode(() => parseQuote(mutate(TDX, (b) => writeU32(b, sigLenOff, 4300 + d))), 'QuoteParse');
    }
    for (const d of [1, -1]) {
      expectCode(() => parseQuote(mutate(SGX, (b) => writeU32(b, 432, 4164 + d))), 'QuoteParse');
    }
  });

  it('signature data length shorter with the same total → trailing bytes inside the quote → QuoteParse', () => {
    // Declared length 4299 and one extra byte after it: the inner certification data overruns.
    const err = expectCode(() => parseQuote(mutate(TDX, (b) => writeU32(b, sigLenOff, 4299))), 'QuoteParse');
    expect(err.evidence?.offset).toBeDefined();
  });

  it('outer certification type not 6 in v4 / v5 → QuoteParse', () => {
    for (const t of [0, 1, 5, 7, 0xffff]) {
      const err = expectCode(() => parseQuote(mutate(TDX, (b) => writeU16(b, outerTypeOff, t))), 'QuoteParse');
      expect(err.evidence?.check).toBe('quote.certificationData.outerType');
      expect(err.evidence?.offset).toBe(outerTypeOff);
    }
    expectCode(() => parseQuote(mutate(V5, (b) => writeU16(b, 48 + 6 + 648 + 4 + 128, 5))), 'QuoteParse');
  });

  it('certification data size larger than the remaining bytes → QuoteParse', () => {
    for (const d of [1, 2, 0xffff, 0xffffffff - 4166]) {
      expectCode(() => parseQuote(mutate(TDX, (b) => writeU32(b, outerSizeOff, 4166 + d))), 'QuoteParse');
    }
    for (const d of [1, 0x7fffffff]) {
      expectCode(
        () => parseQuote(mutate(TDX, (b) => writeU32(b, innerSizeOff, innerData.length + d))),
        'QuoteParse',
      );
      expectCode(
        () => parseQuote(mutate(SGX, (b) => writeU32(b, sgxCertOff + 2, 3548 + d))),
        'QuoteParse',
      );
    }
  });

  it('certification data size smaller → trailing bytes inside the signature data → QuoteParse', () => {
    expectCode(() => parseQuote(mutate(TDX, (b) => writeU32(b, outerSizeOff, 4165))), 'QuoteParse');
    const e1 = expectCode(
      () => parseQuote(mutate(TDX, (b) => writeU32(b, innerSizeOff, innerData.length - 1))),
      'QuoteParse',
    );
    expect(e1.evidence?.field).toBe('signatureData.qeReportCertificationData');
    const e2 = expectCode(() => parseQuote(mutate(SGX, (b) => writeU32(b, sgxCertOff + 2, 3547))), 'QuoteParse');
    expect(e2.evidence?.field).toBe('signatureData');
  });

  it('QE auth data size larger → QuoteParse', () => {
    expectCode(() => parseQuote(mutate(TDX, (b) => writeU16(b, authSizeOff, 0xffff))), 'QuoteParse');
    expectCode(() => parseQuote(mutate(TDX, (b) => writeU16(b, authSizeOff, 33))), 'QuoteParse');
    expectCode(() => parseQuote(mutate(SGX, (b) => writeU16(b, sgxAuthSizeOff, 33))), 'QuoteParse');
  });

  it('inner certification type outside 1..7 → QuoteParse; 1..4, 6, 7 are kept raw', () => {
    for (const t of [0, 8, 0xffff]) {
      const err = expectCode(() => parseQuote(mutate(TDX, (b) => writeU16(b, innerTypeOff, t))), 'QuoteParse');
      expect(err.evidence?.check).toBe('quote.certificationData.type');
      expectCode(() => parseQuote(mutate(SGX, (b) => writeU16(b, sgxCertOff, t))), 'QuoteParse');
    }
    for (const t of [1, 2, 3, 4, 6, 7]) {
      const q = parseQuote(mutate(TDX, (b) => writeU16(b, innerTypeOff, t)));
      expect(q.signatureData.certificationData.type).toBe(t);
      expect(q.signatureData.certificationData.pemChain).toBeUndefined();
      expect(q.signatureData.certificationData.data.length).toBe(innerData.length);
      const s = parseQuote(mutate(SGX, (b) => writeU16(b, sgxCertOff, t)));
      expect(s.signatureData.certificationData.type).toBe(t);
    }
  });

  it('type-5 data that is not PEM text is kept raw without pemChain', () => {
    const start = offsetIn(TDX, innerData);
    for (const bad of [0x80, 0xff, 0x01, 0x7f, 0x00]) {
      const q = parseQuote(mutate(TDX, (b) => (b[start + 10] = bad)));
      expect(q.signatureData.certificationData.type).toBe(5);
      expect(q.signatureData.certificationData.pemChain).toBeUndefined();
      expect(q.signatureData.certificationData.data.length).toBe(innerData.length);
    }
  });

  it('all trailing NULs of the PEM chain are stripped; an empty chain is not rejected here', () => {
    const start = offsetIn(TDX, innerData);
    const end = start + innerData.length;
    const q = parseQuote(mutate(TDX, (b) => b.fill(0, end - 30, end)));
    const pem = q.signatureData.certificationData.pemChain!;
    expect(pem.endsWith('\0')).toBe(false);
    expect(pem.length).toBe(innerData.length - 30);
    const q2 = parseQuote(mutate(TDX, (b) => b.fill(0, start, end)));
    expect(q2.signatureData.certificationData.pemChain).toBe('');
  });
});

describe('input type and helpers', () => {
  it('non-Uint8Array input → UsageError(InvalidArgument), never TypeError', () => {
    for (const bad of [undefined, null, 'abc', 42, [1, 2, 3], {}, new ArrayBuffer(8), new Uint16Array(4)]) {
      const err = expectCode(() => parseQuote(bad as unknown as Uint8Array), 'InvalidArgument');
      expect(err).toBeInstanceOf(UsageError);
    }
  });

  it('accepts a Node Buffer and a view at a non-zero offset', () => {
    const q1 = parseQuote(Buffer.from(SGX));
    expect(q1.version).toBe(3);
    const big = new Uint8Array(SGX.length + 100);
    big.set(SGX, 37);
    const view = big.subarray(37, 37 + SGX.length);
    const q2 = parseQuote(view);
    expect(q2.signedData.byteOffset).toBe(37);
    expect(q2.signedData.length).toBe(432);
  });

  it('parseSgxReportBody / parseTdReportBody check the length', () => {
    expectCode(() => parseSgxReportBody(new Uint8Array(383)), 'QuoteParse');
    expectCode(() => parseSgxReportBody(new Uint8Array(385)), 'QuoteParse');
    expect(parseSgxReportBody(new Uint8Array(384)).kind).toBe('sgx');
    expect(parseTdReportBody(new Uint8Array(584)).kind).toBe('td10');
    expect(parseTdReportBody(new Uint8Array(648)).kind).toBe('td15');
    expect(parseTdReportBody(new Uint8Array(885)).kind).toBe('td15ex');
    expectCode(() => parseTdReportBody(new Uint8Array(884)), 'QuoteParse');
    expectCode(() => parseTdReportBody(new Uint8Array(600)), 'QuoteParse');
  });

  it('tdAttributeFlags decodes little-endian bit positions', () => {
    const at = (bitNo: number): Uint8Array => {
      const b = new Uint8Array(8);
      b[bitNo >> 3] = 1 << (bitNo & 7);
      return b;
    };
    expect(tdAttributeFlags(at(0)).debug).toBe(true);
    expect(tdAttributeFlags(at(28)).septVeDisable).toBe(true);
    expect(tdAttributeFlags(at(29)).migratable).toBe(true);
    expect(tdAttributeFlags(at(30)).pks).toBe(true);
    expect(tdAttributeFlags(at(31)).kl).toBe(true);
    expect(tdAttributeFlags(at(63)).perfmon).toBe(true);
    const none = tdAttributeFlags(at(1));
    expect([none.debug, none.septVeDisable, none.pks, none.kl, none.perfmon]).toEqual([false, false, false, false, false]);
    expect(tdAttributeFlags(at(63)).value).toBe(1n << 63n);
    expectCode(() => tdAttributeFlags(new Uint8Array(7)), 'InvalidArgument');
  });

  it('isDebugTd / isDebugEnclave follow the DEBUG bits of the parsed quotes', () => {
    const tdOff = 48 + 120; // TD_ATTRIBUTES
    const tdDebug = parseQuote(mutate(TDX, (b) => (b[tdOff] = b[tdOff]! | 1)));
    if (tdDebug.body.kind === 'sgx') throw new Error('unreachable');
    expect(isDebugTd(tdDebug.body)).toBe(true);
    const sgxOff = 48 + 48; // ATTRIBUTES
    const sgxDebug = parseQuote(mutate(SGX, (b) => (b[sgxOff] = b[sgxOff]! | 2)));
    if (sgxDebug.body.kind !== 'sgx') throw new Error('unreachable');
    expect(isDebugEnclave(sgxDebug.body)).toBe(true);
    expect(sgxAttributeFlags(sgxDebug.body.attributes).init).toBe(true);
    expect(sgxAttributeFlags(sgxDebug.body.attributes).mode64bit).toBe(true);
  });

  it('the single-bit readers agree with the u64 decoders on every bit, and refuse a wrong length alike', () => {
    const td = (bytes: Uint8Array) => ({ tdAttributes: bytes }) as unknown as TdReportBody;
    const sgx = (bytes: Uint8Array) => ({ attributes: bytes }) as unknown as SgxReportBody;
    for (let bitNo = 0; bitNo < 128; bitNo++) {
      const b = new Uint8Array(16);
      b[bitNo >> 3] = 1 << (bitNo & 7);
      if (bitNo < 64) {
        const t = b.subarray(0, 8);
        expect(isDebugTd(td(t))).toBe(tdAttributeFlags(t).debug);
        expect(isSeptVeDisabled(td(t))).toBe(tdAttributeFlags(t).septVeDisable);
        expect(isSeptVeDisabled(td(t))).toBe(bitNo === 28);
      }
      expect(isDebugEnclave(sgx(b))).toBe(sgxAttributeFlags(b).debug);
      expect(isDebugEnclave(sgx(b))).toBe(bitNo === 1);
    }
    const all = new Uint8Array(16).fill(0xff);
    expect([isDebugTd(td(all.subarray(0, 8))), isSeptVeDisabled(td(all.subarray(0, 8))), isDebugEnclave(sgx(all))]).toEqual([true, true, true]);
    expectCode(() => isDebugTd(td(new Uint8Array(7))), 'InvalidArgument');
    expectCode(() => isSeptVeDisabled(td(new Uint8Array(9))), 'InvalidArgument');
    expectCode(() => isDebugEnclave(sgx(new Uint8Array(8))), 'InvalidArgument');
  });
});
