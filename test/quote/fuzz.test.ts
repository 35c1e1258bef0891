import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttestationError } from '../../src/errors.js';
import { parseQuote, type Quote } from '../../src/quote/index.js';
import { V, cat, copy, loadBin, offsetIn, u16, u32, writeU32 } from './helpers.js';

const SGX = loadBin(V.sgxQuote);
const TDX = copy(loadBin(V.tdxQuote).subarray(0, 4936));
const V5 = loadBin(V.tdxQuoteOutdated);
const BASES = [SGX, TDX, V5] as const;

/** Offsets of every length / type field of the real quotes (targets for focused mutations). */
function lengthFieldOffsets(buf: Uint8Array): number[] {
  const q = parseQuote(buf);
  const sd = q.signatureData;
  const out = [0, 2, 4, offsetIn(buf, sd.raw) - 4, offsetIn(buf, sd.qeAuthData) - 2];
  const cd = offsetIn(buf, sd.certificationData.data) - 6;
  out.push(cd, cd + 2);
  if (q.version === 5) out.push(48, 50);
  if (q.version !== 3) {
    const outer = offsetIn(buf, sd.raw) + 128;
    out.push(outer, outer + 2);
  }
  return out;
}
const FIELDS = BASES.map(lengthFieldOffsets);

/** Parses and checks: only AttestationError may escape; a success is self-consistent. */
function parseChecked(input: Uint8Array, allowTrailingZeros: boolean): void {
  let q: Quote;
  try {
    q = parseQuote(input, { trailingBytes: allowTrailingZeros ? 'zeros' : 'reject' });
  } catch (e) {
    if (!(e instanceof AttestationError)) throw e;
    expect(['QuoteParse', 'QuoteUnsupported']).toContain(e.code);
    return;
  }
  expect(q.raw.length + q.trailingBytes).toBe(input.length);
  expect(q.signedData.byteOffset).toBe(input.byteOffset);
  expect(q.signedData.buffer).toBe(input.buffer);
  expect(q.signedData.length).toBeLessThan(q.raw.length);
  expect(q.signatureData.signature.length).toBe(64);
  expect(q.signatureData.attestationKey.length).toBe(64);
  expect(q.signatureData.qeReportRaw.length).toBe(384);
  expect(q.signatureData.qeReportSignature.length).toBe(64);
  const end = q.signatureData.raw.byteOffset + q.signatureData.raw.length;
  expect(end).toBe(input.byteOffset + q.raw.length);
}

const baseIdx = fc.integer({ min: 0, max: BASES.length - 1 });

describe('robustness (fast-check)', () => {
  it('random byte arrays only ever throw AttestationError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8192 }), fc.boolean(), (bytes, allow) => parseChecked(bytes, allow)),
      { numRuns: 2000 },
    );
  });

  it('a valid header followed by random bytes only ever throws AttestationError', () => {
    fc.assert(
      fc.property(baseIdx, fc.uint8Array({ maxLength: 6000 }), fc.boolean(), (i, tail, allow) => {
        const base = BASES[i]!;
        const headerLen = base === V5 ? 54 : 48;
        parseChecked(cat(base.subarray(0, headerLen), tail), allow);
      }),
      { numRuns: 1000 },
    );
  });

  it('random single / multi-byte mutations of the real quotes', () => {
    fc.assert(
      fc.property(
        baseIdx,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 }),
        fc.boolean(),
        (i, edits, allow) => {
          const b = copy(BASES[i]!);
          for (const [pos, val] of edits) b[pos % b.length] = val;
          parseChecked(b, allow);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('random values written into length / type fields', () => {
    fc.assert(
      fc.property(
        baseIdx,
        fc.nat(),
        fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: -8, max: 8 })),
        fc.boolean(),
        (i, which, value, allow) => {
          const b = copy(BASES[i]!);
          const fields = FIELDS[i]!;
          const off = fields[which % fields.length]!;
          const v =
            value >= -8 && value <= 8
              ? ((b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16)) + b[off + 3]! * 0x1000000 + value) >>> 0
              : value;
          writeU32(b, off, v);
          parseChecked(b, allow);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('random truncations, insertions and deletions', () => {
    fc.assert(
      fc.property(baseIdx, fc.nat(), fc.nat({ max: 64 }), fc.uint8Array({ maxLength: 64 }), (i, pos, del, ins) => {
        const base = BASES[i]!;
        const p = pos % (base.length + 1);
        const b = cat(base.subarray(0, p), ins, base.subarray(Math.min(base.length, p + del)));
        parseChecked(b, false);
        parseChecked(base.subarray(0, p), true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('linear time', () => {
  function time(fn: () => void): number {
    fn(); // warm-up
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  }

  function tryParse(b: Uint8Array, allow = false): void {
    try {
      parseQuote(b, { trailingBytes: allow ? 'zeros' : 'reject' });
    } catch (e) {
      if (!(e instanceof AttestationError)) throw e;
    }
  }

  function pseudoRandom(n: number, seed: number): Uint8Array {
    const out = new Uint8Array(n);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  }

  const MB = 1 << 20;

  it('1 MB of random bytes', () => {
    const buf = pseudoRandom(MB, 12345);
    expect(time(() => tryParse(buf))).toBeLessThan(50);
    // The same with a valid header in front.
    const withHeader = cat(TDX.subarray(0, 48), buf);
    expect(time(() => tryParse(withHeader))).toBeLessThan(50);
  });

  it('huge declared lengths fail fast', () => {
    for (const [off, base] of [
      [48 + 584, TDX], // signature data length
      [48 + 584 + 4 + 128 + 2, TDX], // outer certification data size
      [432, SGX],
    ] as const) {
      const b = copy(base);
      writeU32(b, off, 0xffffffff);
      expect(time(() => tryParse(b))).toBeLessThan(50);
    }
  });

  it('a valid quote followed by 1 MB of zeros (rejected strictly, accepted with allowTrailingZeros)', () => {
    const b = cat(SGX, new Uint8Array(MB));
    expect(time(() => tryParse(b))).toBeLessThan(50);
    expect(time(() => tryParse(b, true))).toBeLessThan(50);
    expect(parseQuote(b, { trailingBytes: 'zeros' }).trailingBytes).toBe(MB);
  });

  it('a quote with a 1 MB PEM certification data parses in linear time', () => {
    const q = parseQuote(SGX);
    const certOff = offsetIn(SGX, q.signatureData.certificationData.data) - 6;
    const pem = new Uint8Array(MB).fill(0x41);
    const head = copy(SGX.subarray(0, certOff));
    const big = cat(head, u16(5), u32(pem.length), pem);
    writeU32(big, 432, big.length - 436);
    const parsed = parseQuote(big);
    expect(parsed.signatureData.certificationData.pemChain?.length).toBe(MB);
    expect(time(() => tryParse(big))).toBeLessThan(50);
  });
});
