/**
 * byteString (src/lib/bytes.ts) and percentDecode (src/x509/pem.ts) build
 * their text in one piece instead of a character at a time (issue #15: a
 * character-at-a-time string is a rope that every cached certificate kept,
 * one node per character of each CRL distribution point). The text must be
 * exactly the one the character-at-a-time code built.
 */
import { describe, expect, it } from 'vitest';
import { byteString } from '../../src/lib/bytes.js';
import { decodePemChain, percentDecode } from '../../src/x509/pem.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { DERIVED, expectCode, readVectorText } from '../x509/helpers.js';

/** The reference: one character per byte, appended one at a time. */
function oneAtATime(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Deterministic bytes covering every value. */
function bytesOf(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 151 + 7) & 0xff;
  return b;
}

describe('byteString', () => {
  it('maps every byte value to the character of the same code', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const s = byteString(all);
    expect(s.length).toBe(256);
    for (let i = 0; i < 256; i++) expect(s.charCodeAt(i)).toBe(i);
  });

  it('equals the one-at-a-time text on both sides of the short and chunked paths', () => {
    for (const n of [0, 1, 15, 16, 17, 100, 8191, 8192, 8193, 16384, 20000]) {
      const b = bytesOf(n);
      expect(byteString(b)).toBe(oneAtATime(b));
    }
  });

  it('reads only [start, end), also of a view into a larger buffer', () => {
    const big = bytesOf(30000);
    const view = big.subarray(1000, 29000);
    for (const [start, end] of [[0, 0], [5, 5], [3, 18], [10, 8202], [7, 17000], [0, view.length]] as const) {
      expect(byteString(view, start, end)).toBe(oneAtATime(view, start, end));
    }
  });
});

describe('percentDecode', () => {
  it('decodes escapes in either case and keeps every other character', () => {
    expect(percentDecode('')).toBe('');
    expect(percentDecode('no escapes + here')).toBe('no escapes + here');
    expect(percentDecode('%2D%2d-a%20b%0A%41')).toBe('---a b\nA');
    expect(percentDecode('%25%2541')).toBe('%%41');
    expect(percentDecode('x%FF')).toBe('x\u00ff');
  });

  it('equals decodeURIComponent on an encoded PEM chain', () => {
    const chain = readVectorText(DERIVED + 'tdx_quote/tcb_info_issuer_chain.pem');
    expect(percentDecode(encodeURIComponent(chain))).toBe(chain);
    expect(percentDecode(encodeURIComponent(chain).replace(/-/g, '%2D'))).toBe(chain);
  });

  it('refuses a truncated or non-hex escape with its offset', () => {
    for (const bad of ['%', 'ab%2', '%G0', 'abc%2x', '%%']) expectCode(() => percentDecode(bad), 'PemParse');
  });
});

describe('certificate text fields', () => {
  it('keep the text of the DER strings they came from', () => {
    const chain = readVectorText(DERIVED + 'tdx_quote/tcb_info_issuer_chain.pem');
    const [signer, root] = decodePemChain(chain).map((der) => parseCertificate(der));
    expect(signer!.subjectText).toBe('CN=Intel SGX TCB Signing,O=Intel Corporation,L=Santa Clara,ST=CA,C=US');
    expect(root!.subjectText).toBe('CN=Intel SGX Root CA,O=Intel Corporation,L=Santa Clara,ST=CA,C=US');
    // Intel's Root CA CRL address, as written in both certificates.
    const want = ['https://certificates.trustedservices.intel.com/IntelSGXRootCA.der'];
    expect(signer!.crlDistributionPoints).toEqual(want);
    expect(root!.crlDistributionPoints).toEqual(want);
  });
});
