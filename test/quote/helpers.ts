import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { fromHex } from '../../src/lib/bytes.js';
export { throwsWith as expectCode } from '../support/codes.js';

const ROOT = new URL('../../', import.meta.url);

export function vectorPath(rel: string): URL {
  return new URL(rel, ROOT);
}

export function loadBin(rel: string): Uint8Array {
  const b = readFileSync(vectorPath(rel));
  // A plain Uint8Array (not a Node Buffer) over an exact-size ArrayBuffer.
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function loadHex(rel: string): Uint8Array {
  return fromHex(readFileSync(vectorPath(rel), 'utf8').trim());
}

export function loadText(rel: string): string {
  return readFileSync(vectorPath(rel), 'utf8');
}

export const V = {
  sgxQuote: 'vectors/dcap/dcap-qvl/sgx_quote',
  tdxQuote: 'vectors/dcap/dcap-qvl/tdx_quote',
  tdxQuoteOutdated: 'vectors/dcap/dcap-qvl/tdx_quote_outdated',
  tdxQuoteHex: 'vectors/dcap/dcap-qvl/tdx-quote.hex',
  tappdHex: 'vectors/dcap/dcap-qvl/quote-from-tappd.hex',
  nearHex: 'vectors/dcap/dcap-qvl/near/quote_hex.txt',
  sgxSnap: 'vectors/dcap/dcap-qvl/snapshots/verify_quote__could_parse_sgx_quote.snap',
  tdxSnap: 'vectors/dcap/dcap-qvl/snapshots/verify_quote__could_parse_tdx_quote.snap',
  goSprE4: 'vectors/dcap/go-tdx-guest/testing/testdata/tdx_prod_quote_SPR_E4.dat',
  goV5: 'vectors/dcap/go-tdx-guest/testing/testdata/quote_v5_sample.dat',
  goCos113: 'vectors/dcap/go-tdx-guest/testing/testdata/ccel/cos-113-tdx-quote.dat',
  intelSgx: 'vectors/dcap/intel-qvl/Src/AttestationApp/sampleData/quote.dat',
  intelTdx: 'vectors/dcap/intel-qvl/Src/AttestationApp/sampleData/tdx/quote.dat',
} as const;


/** Offset of a view inside the buffer it was parsed from. */
export function offsetIn(buf: Uint8Array, view: Uint8Array): number {
  expect(view.buffer).toBe(buf.buffer);
  return view.byteOffset - buf.byteOffset;
}

export function copy(b: Uint8Array): Uint8Array {
  return Uint8Array.from(b);
}

export function writeU16(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
}

export function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

export function readU32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16)) + b[off + 3]! * 0x1000000;
}

export function u16(v: number): Uint8Array {
  const b = new Uint8Array(2);
  writeU16(b, 0, v);
  return b;
}

export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  writeU32(b, 0, v);
  return b;
}

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Minimal reader for the insta `Debug` dumps of dcap-qvl's parsed quotes:
 * collects, in document order, every `name: [bytes]`, `name: number,` and
 * `name: "string"` entry.
 */
export interface Snapshot {
  arrays: Map<string, Uint8Array[]>;
  scalars: Map<string, number[]>;
  strings: Map<string, string[]>;
}

function unescapeRustDebug(s: string): string {
  return s.replace(/\\(u\{([0-9a-fA-F]+)\}|.)/g, (_m, esc: string, hex: string | undefined) => {
    if (hex !== undefined) return String.fromCodePoint(parseInt(hex, 16));
    switch (esc) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '0':
        return '\0';
      default:
        return esc; // \\ \" \'
    }
  });
}

export function loadSnapshot(rel: string): Snapshot {
  const text = loadText(rel);
  const push = <T>(m: Map<string, T[]>, k: string, v: T): void => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  const snap: Snapshot = { arrays: new Map(), scalars: new Map(), strings: new Map() };
  for (const m of text.matchAll(/(\w+): \[([\d,\s]*)\]/g)) {
    const nums = m[2]!
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map(Number);
    push(snap.arrays, m[1]!, Uint8Array.from(nums));
  }
  for (const m of text.matchAll(/(\w+): (\d+),/g)) push(snap.scalars, m[1]!, Number(m[2]));
  for (const m of text.matchAll(/(\w+): "((?:[^"\\]|\\.)*)"/g)) push(snap.strings, m[1]!, unescapeRustDebug(m[2]!));
  return snap;
}

export function snapArray(s: Snapshot, name: string, index = 0): Uint8Array {
  const v = s.arrays.get(name)?.[index];
  if (v === undefined) throw new Error(`snapshot has no array ${name}[${index}]`);
  return v;
}

export function snapScalar(s: Snapshot, name: string, index = 0): number {
  const v = s.scalars.get(name)?.[index];
  if (v === undefined) throw new Error(`snapshot has no scalar ${name}[${index}]`);
  return v;
}

export function snapString(s: Snapshot, name: string, index = 0): string {
  const v = s.strings.get(name)?.[index];
  if (v === undefined) throw new Error(`snapshot has no string ${name}[${index}]`);
  return v;
}

export function countCerts(pem: string): number {
  return pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
}
