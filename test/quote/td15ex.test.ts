/**
 * v5 body type 4, TD_REPORT15EX (Intel QVL QuoteConstants.h BODY_TD_REPORT15EX_TYPE = 4,
 * TD_REPORT15EX_BYTE_LEN = 885; QuoteStructures.h TDReport15Ex): synthetic quotes from
 * the test factory, field offsets checked against Intel's structure definition.
 */
import { describe, expect, it } from 'vitest';
import { parseQuote } from '../../src/quote/parse.js';
import { scenario } from '../verify/helpers.js';
import { toHex } from '../../src/lib/bytes.js';
import { expectCode, writeU16, writeU32 } from './helpers.js';

/** Each field filled with its own byte so that an offset error shows. */
const FIELDS = {
  teeTcbSvn2: Array(16).fill(0x0a),
  mrservicetd: '0b'.repeat(48),
  vmid: 0x0c,
  tdId: '0d'.repeat(32),
  devInfo: '0e'.repeat(48),
  initServTdHash: '0f'.repeat(48),
  initServTdAttributes: '10'.repeat(8),
  initCpuSvn: Array(16).fill(0x11),
  initTeeTcbSvn: Array(16).fill(0x12),
  initTeeFmspc: '13'.repeat(12),
  curServTdHash: '14'.repeat(48),
  curServTdAttributes: '15'.repeat(8),
};
/** [field, offset in the body, length] from TDReport15Ex: the 648-byte TD 1.5 body, then the extension. */
const LAYOUT: [string, number, number][] = [
  ['teeTcbSvn2', 584, 16],
  ['mrServiceTd', 600, 48],
  ['vmid', 648, 1],
  ['tdId', 649, 32],
  ['devInfo', 681, 48],
  ['initServTdHash', 729, 48],
  ['initServTdAttributes', 777, 8],
  ['initCpuSvn', 785, 16],
  ['initTeeTcbSvn', 801, 16],
  ['initTeeFmspc', 817, 12],
  ['curServTdHash', 829, 48],
  ['curServTdAttributes', 877, 8],
];

const quote = (): Uint8Array => scenario({ quoteVersion: 5, bodyType: 4, quote: { tdBody: FIELDS } }).quote;
const BODY = 48 + 6; // header, then the v5 body descriptor

describe('TD_REPORT15EX (v5 body type 4)', () => {
  it('parses every field at the offset of Intel\'s TDReport15Ex, 885 bytes in all', () => {
    const bytes = quote();
    const q = parseQuote(bytes);
    if (q.version !== 5 || q.bodyType !== 4) throw new Error('expected a v5 body type 4 quote');
    expect(q.body.kind).toBe('td15ex');
    expect(q.body.raw.length).toBe(885);
    expect(q.signedData.length).toBe(BODY + 885);
    const b = q.body as unknown as Record<string, Uint8Array>;
    for (const [field, off, len] of LAYOUT) {
      expect(b[field]!.length, field).toBe(len);
      expect(toHex(b[field]!), field).toBe(toHex(bytes.subarray(BODY + off, BODY + off + len)));
    }
    expect(q.body.vmid[0]).toBe(0x0c);
    expect(toHex(q.body.initTeeFmspc)).toBe('13'.repeat(12));
    expect(toHex(q.body.curServTdAttributes)).toBe('15'.repeat(8));
  });

  it('a body size other than 885 for body type 4 → QuoteParse', () => {
    for (const size of [648, 884, 886]) {
      const b = Uint8Array.from(quote());
      writeU32(b, 50, size);
      expectCode(() => parseQuote(b), 'QuoteParse');
    }
  });

  it('type 4 on an SGX quote → QuoteParse; type 3 over an 885-byte body → QuoteParse', () => {
    const b = Uint8Array.from(quote());
    writeU16(b, 48, 3);
    expectCode(() => parseQuote(b), 'QuoteParse');
    const sgx = Uint8Array.from(scenario({ teeType: 'SGX', quoteVersion: 5 }).quote);
    writeU16(sgx, 48, 4);
    expectCode(() => parseQuote(sgx), 'QuoteParse');
  });
});
