import { describe, expect, it } from 'vitest';
import { base64DecodeStrict, base64Encode, base64UrlDecode, base64UrlEncode } from '../../src/lib/base64.js';

const list = (r: Uint8Array | undefined): number[] | undefined => (r === undefined ? undefined : [...r]);

// Deterministic byte strings of every length 0..40 (fixed LCG seed).
function samples(): Uint8Array[] {
  let x = 0x12345678;
  const out: Uint8Array[] = [];
  for (let n = 0; n <= 40; n++) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      b[i] = x >>> 24;
    }
    out.push(b);
  }
  return out;
}

describe('base64DecodeStrict (standard, padded; RFC 4648 §4)', () => {
  it('decodes canonical base64 and rejects everything else', () => {
    const dec = (s: string): number[] | undefined => list(base64DecodeStrict(s));
    expect(dec('')).toEqual([]);
    expect(dec('TWFu')).toEqual([77, 97, 110]);
    expect(dec('TWE=')).toEqual([77, 97]);
    expect(dec('TQ==')).toEqual([77]);
    expect(dec('+/+/')).toEqual([0xfb, 0xff, 0xbf]);
    for (const bad of ['TWF', 'TW=u', 'T===', '====', 'TR==', 'TWF=', 'TW-_', 'TWFu====', 'TWé=', 'TQ', 'TWE', '=TWE', 'TW E', 'TWFu\n']) {
      expect(dec(bad), bad).toBeUndefined();
    }
  });

  it('refuses a character outside the alphabet in every position of every quantum (the unrolled loop and the last quantum alike)', () => {
    const good = base64Encode(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])); // 16 characters, no padding
    expect(list(base64DecodeStrict(good))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (let i = 0; i < good.length; i++) {
      for (const bad of ['=', '-', '_', ' ', '\u00e9', '\u0100', '\u{1f600}'.slice(0, 1), '\u0000']) {
        if (bad === '=' && i >= good.length - 2) continue; // padding may stand there
        const s = good.slice(0, i) + bad + good.slice(i + 1);
        expect(base64DecodeStrict(s), `${JSON.stringify(bad)} at ${i}`).toBeUndefined();
      }
    }
  });

  it('refuses a non-string without throwing', () => {
    expect(base64DecodeStrict(42 as unknown as string)).toBeUndefined();
  });
});

describe('base64UrlDecode (url alphabet, unpadded; RFC 4648 §5, RFC 7515 §2)', () => {
  it('decodes canonical base64url', () => {
    const dec = (s: string): number[] | undefined => list(base64UrlDecode(s));
    expect(dec('')).toEqual([]);
    expect(dec('TWFu')).toEqual([77, 97, 110]);
    expect(dec('TWE')).toEqual([77, 97]);
    expect(dec('TQ')).toEqual([77]);
    expect(dec('-_-_')).toEqual([0xfb, 0xff, 0xbf]);
  });

  it('refuses padding, the standard alphabet, bad lengths and non-canonical trailing bits', () => {
    for (const bad of ['TQ==', 'TWE=', 'T', 'TWFuT', '+/+/', 'TR', 'TWF', 'TW E', 'TWé', 'TWFu.']) {
      expect(base64UrlDecode(bad), bad).toBeUndefined();
    }
    expect(base64UrlDecode(undefined as unknown as string)).toBeUndefined();
  });
});

describe('encoders', () => {
  it('match RFC 4648 §10 test vectors', () => {
    const enc = new TextEncoder();
    const want = ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy'];
    const foobar = 'foobar';
    for (let n = 0; n <= 6; n++) {
      const bytes = enc.encode(foobar.slice(0, n));
      expect(base64Encode(bytes)).toBe(want[n]);
      expect(base64UrlEncode(bytes)).toBe(want[n]!.replace(/=+$/, ''));
    }
    expect(base64Encode(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('+/+/');
    expect(base64UrlEncode(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('-_-_');
  });

  it('round-trip every length through both alphabets, and agree with Buffer', () => {
    for (const b of samples()) {
      const std = base64Encode(b);
      const url = base64UrlEncode(b);
      expect(std).toBe(Buffer.from(b).toString('base64'));
      expect(url).toBe(Buffer.from(b).toString('base64url'));
      expect(list(base64DecodeStrict(std))).toEqual([...b]);
      expect(list(base64UrlDecode(url))).toEqual([...b]);
      // Each decoder refuses the other's form whenever they differ.
      if (std !== url) {
        expect(base64UrlDecode(std)).toBeUndefined();
        expect(base64DecodeStrict(url)).toBeUndefined();
      }
    }
  });
});
