/**
 * src/lib/base64-node.ts (the CLI bundle's native strict decoder) gives the
 * same result as the portable src/lib/base64.ts on every input: canonical
 * encodings, non-canonical trailing bits, bad padding, bad characters and
 * lengths, whitespace, non-ASCII. Fixed seed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64DecodeStrict as portable, base64Encode } from '../../src/lib/base64.js';
import { base64DecodeStrict as native } from '../../src/lib/base64-node.js';

const same = (s: string): void => {
  const a = portable(s);
  const b = native(s);
  expect(b === undefined ? undefined : [...b], JSON.stringify(s)).toEqual(a === undefined ? undefined : [...a]);
  if (b !== undefined) {
    expect(Object.getPrototypeOf(b)).toBe(Uint8Array.prototype);
    expect(b.byteOffset).toBe(0);
    expect(b.buffer.byteLength).toBe(b.length);
  }
};

describe('base64-node: the same strict decoder as base64.ts', () => {
  it('fixed cases: canonical, non-canonical, padding, characters, lengths', () => {
    for (const s of ['', 'AA==', 'AB==', 'AQ==', 'Ag==', 'AAA=', 'AAB=', 'AAE=', 'AAAA', 'A===', '====', 'AA=A', 'A', 'AA', 'AAA', 'AAAAA', 'AA==AA==', 'AAAA\n', ' AAA', 'AA-_', 'é===', 'AAAA=', 'Zm9vYmFy', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYh==', 'Zm9vYmF=']) same(s);
  });

  it('the encoding of any bytes, and any single-character change of it', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \né';
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.nat(), (bytes, at, pick) => {
        const s = base64Encode(bytes);
        same(s);
        if (s.length > 0) {
          const i = at % s.length;
          same(s.slice(0, i) + alphabet[pick % alphabet.length]! + s.slice(i + 1));
        }
      }),
      { seed: 15, numRuns: 3000 },
    );
  });

  it('random strings over the alphabet, padding and stray characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AQgwBCE+/=9z- \n'.split('')), maxLength: 24 }), (s) => same(s)),
      { seed: 15, numRuns: 3000 },
    );
  });
});
