/**
 * The strict JSON parser under property tests (fast counts; the slow file
 * reruns them with FUZZ_RUNS): agreement with JSON.parse, spans that re-parse
 * to their node (signatures are checked over spans), never more lenient than
 * JSON.parse, duplicate keys rejected even when escaped, bounded depth.
 */
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../src/collateral/json.js';
import { splitSignedResponse } from '../../src/collateral/parse.js';
import { onlyAttestationError, propJsonDifferential, propJsonDuplicateKeys, propJsonNeverLenient } from './properties.js';

const enc = new TextEncoder();

describe('parseJson properties', () => {
  it('agrees with JSON.parse; every node span re-parses to the node', () => propJsonDifferential(300));
  it('mutated texts and random bytes: CollateralParse only, never more lenient than JSON.parse', () => propJsonNeverLenient(1500));
  it('a duplicate key is rejected at any depth, also when one copy is \\u-escaped', () => propJsonDuplicateKeys(300));
});

describe('parseJson limits', () => {
  const nested = (d: number): Uint8Array => enc.encode('['.repeat(d) + ']'.repeat(d));
  it('nesting: 33 arrays (innermost value at depth 32) parse, 34 do not', () => {
    expect(parseJson(nested(33)).kind).toBe('array');
    expect(onlyAttestationError(() => parseJson(nested(34)))?.code).toBe('CollateralParse');
  });
  it('100 000 open brackets fail at the depth limit, with no stack overflow', () => {
    const e = onlyAttestationError(() => parseJson(enc.encode('['.repeat(100_000))));
    expect(e?.code).toBe('CollateralParse');
    expect(e?.evidence?.offset).toBe(33);
  });
  it('input over 4 MiB is refused before parsing', () => {
    const e = onlyAttestationError(() => parseJson(new Uint8Array(4 * 1024 * 1024 + 1).fill(0x20)));
    expect(e?.code).toBe('CollateralParse');
    expect(e?.evidence?.check).toBe('json.size');
  });
  it('lone surrogates in escapes are rejected (JSON.parse would accept them)', () => {
    for (const t of ['"\\ud800"', '"\\udc00"', '"\\ud800\\u0041"', '"\\ud800x"']) {
      expect(() => JSON.parse(t)).not.toThrow();
      expect(onlyAttestationError(() => parseJson(enc.encode(t)))?.code).toBe('CollateralParse');
    }
    expect(parseJson(enc.encode('"\\ud83d\\ude00"'))).toMatchObject({ kind: 'string', value: '😀' });
  });
  it('invalid UTF-8 inside a string and a byte-order mark are rejected', () => {
    for (const b of [Uint8Array.of(0x22, 0xc3, 0x22), Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22), Uint8Array.of(0xef, 0xbb, 0xbf, 0x31)]) {
      expect(onlyAttestationError(() => parseJson(b))?.code).toBe('CollateralParse');
    }
  });
});

/**
 * Found by the slow run of "never more lenient than JSON.parse" (seed
 * 346299506): a TextDecoder without `ignoreBOM: true` strips a leading U+FEFF,
 * so a string or key starting with U+FEFF lost it (a parser differential).
 * Fixed in json.ts; these cases pin it.
 */
describe('a string starting with U+FEFF keeps it (RFC 8259; JSON.parse does)', () => {
  const BOM = '\uFEFF';
  it('raw BOM bytes at the start of a string value are kept', () => {
    expect(parseJson(enc.encode(`"${BOM}a"`))).toMatchObject({ kind: 'string', value: `${BOM}a` });
  });
  it('the key "<U+FEFF>fmspc" is not the key "fmspc"', () => {
    const v = parseJson(enc.encode(`{"${BOM}fmspc":"00","fmspc":"11"}`));
    expect(v.kind === 'object' && [...v.members.keys()]).toEqual([`${BOM}fmspc`, 'fmspc']);
  });
  it('a PCS response whose member is "<U+FEFF>tcbInfo" has no tcbInfo → CollateralParse', () => {
    const body = `{"${BOM}tcbInfo":{"id":"TDX"},"signature":"${'00'.repeat(64)}"}`;
    expect(onlyAttestationError(() => splitSignedResponse(body, 'tcbInfo'))?.code).toBe('CollateralParse');
  });
  it('the escaped form \\ufeff is decoded correctly (only raw BOM bytes are affected)', () => {
    expect(parseJson(enc.encode('"\\ufeffa"'))).toMatchObject({ kind: 'string', value: `${BOM}a` });
  });
});
