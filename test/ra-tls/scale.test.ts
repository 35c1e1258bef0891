/**
 * SCALE compact integers against known answers (parity-scale-codec's
 * documented examples, and each mode's first and last value worked out by
 * hand from the spec: the low two bits of the first byte give the mode,
 * 0b00 one byte, 0b01 two, 0b10 four, little-endian with the value shifted
 * left by two; 0b11 then `bytes - 4` in the upper six bits and the value in
 * that many little-endian bytes). The fuzz suite round-trips the simulator's
 * encoder through the reader; these fix both to the spec, so that a mistake
 * the two shared could not pass.
 */
import { describe, expect, it } from 'vitest';
import { ScaleReader } from '../../src/ra-tls/scale.js';
import { compact } from '../../src/simulator/mint.js';
import { fromHex } from '../../src/lib/bytes.js';
import { expectCode } from '../support/codes.js';

const KNOWN: readonly (readonly [number, string])[] = [
  [0, '00'],
  [1, '04'],
  [42, 'a8'],
  [63, 'fc'],
  [64, '0101'],
  [69, '1501'],
  [16383, 'fdff'],
  [16384, '02000100'],
  [65535, 'feff0300'],
  [2 ** 30 - 1, 'feffffff'],
  [2 ** 30, '0300000040'],
  [2 ** 32 - 1, '03ffffffff'],
];

describe('SCALE compact integers', () => {
  it('read the known encodings, and nothing after them', () => {
    for (const [n, hex] of KNOWN) {
      const r = new ScaleReader(fromHex(hex));
      expect(r.compact('n')).toBe(n);
      r.finish('n');
    }
  });

  it('are written as the known encodings by the simulator', () => {
    for (const [n, hex] of KNOWN) expect(Buffer.from(compact(n)).toString('hex')).toBe(hex);
  });

  it('refuse a value in a longer mode than it needs, and integers wider than u32', () => {
    // 0 and 63 in the two-byte mode, 0 and 16383 in the four-byte mode, 0 in the big-integer mode.
    for (const hex of ['0100', 'fd00', '02000000', 'feff0000', '0300000000']) {
      expectCode(() => new ScaleReader(fromHex(hex)).compact('n'), 'RaTlsParse');
    }
    expectCode(() => new ScaleReader(fromHex('070000000001')).compact('n'), 'RaTlsParse'); // five value bytes
  });
});
