/**
 * The pool's result encoding (src/pool/codec.ts, issue #15): what the pool's
 * thread rebuilds must strictly equal what the worker encoded (same keys in
 * the same order, `undefined` values, -0 and NaN included), across batches,
 * shape changes and table resets; anything but plain data is refused (it then
 * travels by structured clone).
 */
import { describe, expect, it } from 'vitest';
import { ResultDecoder, ResultEncoder, type EncodedResults } from '../../src/pool/codec.js';

/** A small deterministic generator (fixed seed). */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 7 : 9));
  switch (k) {
    case 0:
      return `s${Math.floor(r() * 50)}`;
    case 1:
      return [0, -0, NaN, 1.5, -7, 2 ** 53, Infinity][Math.floor(r() * 7)];
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return 'x'.repeat(Math.floor(r() * 200));
    case 6:
      return Math.floor(r() * 1e9);
    case 7:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++) o[['a', 'b', '10', '2', 'status', 'quote', 'κ'][Math.floor(r() * 7)]!] = randomValue(r, depth + 1);
      return o;
    }
  }
}

/** Encode `values` in batches of `per`, decode each batch on the other side. */
function roundTrip(values: readonly unknown[], per: number): unknown[] {
  const enc = new ResultEncoder();
  const dec = new ResultDecoder();
  const out: unknown[] = [];
  for (let i = 0; i < values.length; i += per) {
    for (let j = i; j < Math.min(values.length, i + per); j++) expect(enc.add(j, values[j])).toBe(true);
    const batch = enc.take() as EncodedResults;
    // What crosses the thread boundary is a structured clone.
    dec.begin(structuredClone(batch));
    while (!dec.done) {
      const v = dec.next();
      out[dec.id] = v;
    }
  }
  return out;
}

describe('pool result encoding', () => {
  it('rebuilds random plain data exactly (keys, order, undefined, -0, NaN), in batches', () => {
    const r = rng(15);
    const values = Array.from({ length: 600 }, () => randomValue(r, 0));
    const back = roundTrip(values, 7);
    expect(back).toHaveLength(values.length);
    values.forEach((v, i) => {
      expect(back[i]).toStrictEqual(v);
      if (typeof v === 'object' && v !== null) {
        expect(back[i]).not.toBe(v);
        expect(Object.keys(back[i] as object)).toEqual(Object.keys(v));
      }
    });
    expect(Object.is(roundTrip([-0], 1)[0], -0)).toBe(true);
    expect(roundTrip([{ a: undefined }], 1)[0]).toHaveProperty('a', undefined);
    expect(Object.keys(roundTrip([{ a: undefined }], 1)[0] as object)).toEqual(['a']);
  });

  it('keeps working across table resets (more distinct strings than a table holds)', () => {
    const values = Array.from({ length: 9000 }, (_, i) => ({ id: `quote-${i}`, status: 'UpToDate', n: i, list: [`a${i % 3}`, 'b'] }));
    const back = roundTrip(values, 16);
    values.forEach((v, i) => expect(back[i]).toStrictEqual(v));
  });

  it('results of another shape get their own shape; fresh objects every time', () => {
    const a = { teeType: 'TDX', checks: ['x', 'y'], pck: { ca: 'platform' } };
    const b = { teeType: 'SGX', checks: ['x'], pck: { ca: 'processor' }, moduleStatus: undefined };
    const back = roundTrip([a, b, a, b, a], 2);
    expect(back).toStrictEqual([a, b, a, b, a]);
    expect(back[0]).not.toBe(back[2]);
    expect((back[0] as typeof a).checks).not.toBe((back[2] as typeof a).checks);
  });

  it('refuses anything but plain data (it travels by structured clone instead)', () => {
    const enc = new ResultEncoder();
    class Claims {
      x = 1;
    }
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const withProto = JSON.parse('{"__proto__": 1}') as unknown;
    for (const v of [new Uint8Array(2), new Date(0), new Claims(), [1, , 3], cyclic, withProto, { f: () => 1 }, 1n, Symbol('s'), new Map(), Object.create(null)]) {
      expect(enc.add(1, v)).toBe(false);
    }
    expect(enc.take()).toBeUndefined();
  });

  it('a batch out of step with the tables is refused, not misread', () => {
    const enc = new ResultEncoder();
    enc.add(1, { a: 'one' });
    const first = enc.take()!;
    enc.add(2, { a: 'two' });
    const second = enc.take()!;
    const dec = new ResultDecoder();
    expect(() => dec.begin(second)).toThrow(/out of step/);
    const ok = new ResultDecoder();
    ok.begin(first);
    expect(ok.next()).toStrictEqual({ a: 'one' });
    ok.begin(second);
    expect(ok.next()).toStrictEqual({ a: 'two' });
  });

  it('leaves out the top-level key it is told to (the worker omits `quote`), and only that one', () => {
    const enc = new ResultEncoder();
    const dec = new ResultDecoder();
    const bytes = new Uint8Array([1, 2, 3]); // not plain data: only encodable because it is left out
    const values = [
      { status: 'UpToDate', quote: bytes, report: { quote: 'nested', n: 1 } },
      { status: 'OutOfDate', quote: bytes, report: { quote: 'kept', n: 2 } },
      { status: 'UpToDate', report: { quote: 'no top-level quote', n: 3 } },
    ];
    values.forEach((v, i) => expect(enc.add(i, v, 'quote')).toBe(true));
    dec.begin(structuredClone(enc.take()!));
    const back: unknown[] = [];
    while (!dec.done) {
      const v = dec.next();
      back[dec.id] = v;
    }
    expect(back).toStrictEqual([
      { status: 'UpToDate', report: { quote: 'nested', n: 1 } },
      { status: 'OutOfDate', report: { quote: 'kept', n: 2 } },
      { status: 'UpToDate', report: { quote: 'no top-level quote', n: 3 } },
    ]);
    // Without `omit` the same value is not plain data.
    expect(enc.add(9, values[0])).toBe(false);
  });

  it('a batch larger than the tape it starts with (grown, nothing lost)', () => {
    const values = Array.from({ length: 700 }, (_, i) => ({ n: i, m: -i, s: `v${i % 7}`, b: i % 2 === 0 }));
    const back = roundTrip(values, 700); // 700 × 6 numbers > the initial 1,024
    values.forEach((v, i) => expect(back[i]).toStrictEqual(v));
  });
});
