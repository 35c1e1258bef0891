/**
 * Issue #15 parse memos: Name texts, OID strings and SGX extension entry
 * numbers are read from exact bytes. A memo hit must be indistinguishable from
 * a fresh parse: keyed by a private copy (mutating the caller's buffer in place
 * never reaches a stale entry) and never accepting what the full parse refuses.
 */
import { hexToBytes } from '../support/hex.js';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parseName } from '../../src/x509/name.js';
import { parseSgxExtensionValue } from '../../src/x509/sgx-extension.js';
import { derOid, readDer } from '../../src/der/reader.js';
import { DERIVED, INTEL_ROOT_DER, expectCode, pemChain, seq, tlv } from './helpers.js';

const printableCn = (cn: string): Uint8Array =>
  seq(tlv(0x31, seq(tlv(0x06, [0x55, 0x04, 0x03]), tlv(0x13, [...new TextEncoder().encode(cn)]))));

describe('Name text memo', () => {
  it('follows the bytes when the caller mutates its buffer in place', () => {
    const der = printableCn('Intel SGX Root CA');
    expect(parseName(readDer(der, 'CertificateParse', 'name'), 'name', 'CertificateParse')).toBe('CN=Intel SGX Root CA');
    der[der.length - 1] = 0x42; // "...CB"
    expect(parseName(readDer(der, 'CertificateParse', 'name'), 'name', 'CertificateParse')).toBe('CN=Intel SGX Root CB');
    expect(parseName(readDer(printableCn('Intel SGX Root CA'), 'CertificateParse', 'name'), 'name', 'CertificateParse')).toBe(
      'CN=Intel SGX Root CA',
    );
  });

  it('gives the same texts on the first and the repeated parse of real certificates', () => {
    const certs = [...pemChain(DERIVED + 'tdx_quote/pck_chain_from_quote.pem'), INTEL_ROOT_DER];
    const first = certs.map((d) => parseCertificate(d.slice()));
    const again = certs.map((d) => parseCertificate(d.slice()));
    expect(again.map((c) => [c.subjectText, c.issuerText])).toEqual(first.map((c) => [c.subjectText, c.issuerText]));
    expect(first[0]!.subjectText).toContain('CN=Intel SGX PCK Certificate');
  });

  it('a malformed Name is refused every time (no memo entry)', () => {
    const bad = seq(tlv(0x31)); // empty RDN
    for (let i = 0; i < 2; i++) {
      expectCode(() => parseName(readDer(bad, 'CertificateParse', 'name'), 'name', 'CertificateParse'), 'CertificateParse');
    }
  });
});

describe('OID memo', () => {
  it('follows the bytes and still refuses non-minimal encodings', () => {
    const oid = tlv(0x06, [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01]);
    expect(derOid(readDer(oid, 'DerParse', 'oid'), 'oid')).toBe('1.2.840.113549.1');
    oid[oid.length - 1] = 0x02;
    expect(derOid(readDer(oid, 'DerParse', 'oid'), 'oid')).toBe('1.2.840.113549.2');
    for (let i = 0; i < 2; i++) expectCode(() => derOid(readDer(tlv(0x06, [0x2a, 0x80, 0x01]), 'DerParse', 'oid'), 'oid'), 'DerParse');
  });
});

describe('SGX extension entries read from OID bytes', () => {
  const BASE = [0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01];
  // A valid extension, taken from a real PCK leaf, with one entry identifier replaced.
  const leafExt = (): Uint8Array => {
    const leaf = parseCertificate(pemChain(DERIVED + 'tdx_quote/pck_chain_from_quote.pem')[0]!);
    const ext = leaf.extensions.find((e) => e.oid === '1.2.840.113741.1.13.1')!;
    return ext.value.slice();
  };
  const withPpidId = (arcs: number[]): Uint8Array => {
    const v = leafExt();
    const ppidOid = tlv(0x06, [...BASE, 0x01]);
    const at = v.findIndex((_, i) => ppidOid.every((b, j) => v[i + j] === b));
    expect(at).toBeGreaterThan(0);
    const out = [...v.subarray(0, at), ...tlv(0x06, [...BASE, ...arcs]), ...v.subarray(at + ppidOid.length)];
    return Uint8Array.from(out);
  };

  it('parses the real leaf through the byte path', () => {
    expect(parseSgxExtensionValue(leafExt()).fmspc).toEqual(hexToBytes('b0c06f000000'));
  });

  it('refuses a non-minimal entry number and entry 0 like the dotted check', () => {
    // Same length (1 byte) replacement keeps every enclosing length valid.
    expectCode(() => parseSgxExtensionValue(withPpidId([0x00])), 'SgxExtensionParse');
    expectCode(() => parseSgxExtensionValue(withPpidId([0x80])), 'SgxExtensionParse');
  });
});
