import { hexToBytes } from '../support/hex.js';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parseSgxExtension, parseSgxExtensionValue } from '../../src/x509/sgx-extension.js';
import { toHex } from '../../src/lib/bytes.js';
import { DERIVED, INTEL_ROOT_DER, QVL, expectCode, pemChain, seq, tlv } from './helpers.js';

const leaf = (rel: string): ReturnType<typeof parseCertificate> => parseCertificate(pemChain(rel)[0]!);

describe('parseSgxExtension: real PCK certificates', () => {
  it('SGX quote PCK (Processor CA)', () => {
    const x = parseSgxExtension(leaf(DERIVED + 'sgx_quote/pck_chain_from_quote.pem'));
    expect(toHex(x.ppid)).toBe('d04ec06d4e6d92dc90d0ad3cf5ee2ddf');
    expect(x.pcesvn).toBe(13);
    expect(toHex(x.cpusvn)).toBe('0b0b0202ff0100000000000000000000');
    expect(toHex(x.cpusvn).startsWith('0b0b0202ff01')).toBe(true);
    expect(x.tcbComponents).toEqual([11, 11, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(toHex(x.fmspc).toUpperCase()).toBe('00A067110000');
    expect(toHex(x.pceId)).toBe('0000');
    expect(x.sgxType).toBe('Standard');
    expect(x.platformInstanceId).toBeUndefined();
    expect(x.configuration).toBeUndefined();
  });

  it('TDX quote PCK (Platform CA)', () => {
    const x = parseSgxExtension(leaf(DERIVED + 'tdx_quote/pck_chain_from_quote.pem'));
    expect(toHex(x.ppid)).toBe('811dca2a26b952e85bb6448b097ba4fd');
    expect(toHex(x.fmspc)).toBe('b0c06f000000');
    expect(x.pcesvn).toBe(11);
    expect(x.tcbComponents).toEqual([3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(toHex(x.cpusvn)).toBe('03030202040100050000000000000000');
    expect(x.sgxType).toBe('Scalable');
    expect(toHex(x.platformInstanceId!)).toBe('07828474603e7019dc930775ffe8cdd2');
    expect(x.configuration).toEqual({ dynamicPlatform: true, cachedKeys: true, smtEnabled: true });
  });

  it('other corpus PCK certificates', () => {
    expect(toHex(parseSgxExtension(leaf(DERIVED + 'near/pck_chain_from_quote.pem')).ppid)).toBe('354e2a1c79c98e81723eab4b78b990a7');
    expect(toHex(parseSgxExtension(leaf(DERIVED + 'tdx_quote_outdated/pck_chain_from_quote.pem')).ppid)).toBe(
      '66498c9263c04ed2f0657c530ac2b0cb',
    );
    const qvl = parseSgxExtension(leaf(QVL + 'pckCert.pem'));
    expect(toHex(qvl.fmspc)).toBe('00707f000000');
    expect(toHex(qvl.ppid)).toBe('8461863bb7ece31f64c8e9b77fd31cad');
  });

  it('a certificate without the extension → SgxExtensionParse', () => {
    expectCode(() => parseSgxExtension(parseCertificate(INTEL_ROOT_DER)), 'SgxExtensionParse');
  });
});

describe('parseSgxExtensionValue: malformed extensions', () => {
  // OID 1.2.840.113741.1.13.1 contents, and helpers to build .N and .2.N entries.
  const BASE = [0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01];
  const oid = (...arcs: number[]): Uint8Array => tlv(0x06, [...BASE, ...arcs]);
  const octets = (n: number, fill = 1): Uint8Array => tlv(0x04, new Array(n).fill(fill));
  const int = (v: number): Uint8Array => tlv(0x02, v >= 0x80 ? [0, v] : [v]);
  type Entry = Uint8Array;
  const tcb = (over: Partial<Record<number, Uint8Array | null>> = {}): Entry => {
    const items: Uint8Array[] = [];
    for (let k = 1; k <= 18; k++) {
      const v = k in over ? over[k] : k === 18 ? octets(16) : k === 17 ? int(13) : int(k);
      if (v !== null && v !== undefined) items.push(seq(oid(2, k), v));
    }
    return seq(oid(2), seq(...items));
  };
  const standard = (over: Partial<Record<number, Entry | null>> = {}): Uint8Array => {
    const def: Record<number, Entry> = {
      1: seq(oid(1), octets(16)),
      2: tcb(),
      3: seq(oid(3), octets(2, 0)),
      4: seq(oid(4), octets(6)),
      5: seq(oid(5), tlv(0x0a, [0])),
    };
    const items: Uint8Array[] = [];
    for (const k of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const v = k in over ? over[k] : def[k];
      if (v !== null && v !== undefined) items.push(v);
    }
    return seq(...items);
  };

  it('builder sanity check, and unknown entry numbers are ignored', () => {
    const x = parseSgxExtensionValue(standard({ 8: seq(oid(8), hexToBytes('0500')) }));
    expect(x.tcbComponents).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(x.pcesvn).toBe(13);
    expect(x.sgxType).toBe('Standard');
    const cfg = seq(oid(7), seq(seq(oid(7, 1), hexToBytes('010100'))));
    const y = parseSgxExtensionValue(standard({ 5: seq(oid(5), tlv(0x0a, [2])), 6: seq(oid(6), octets(16)), 7: cfg }));
    expect(y.sgxType).toBe('ScalableWithIntegrity');
    expect(y.configuration).toEqual({ dynamicPlatform: false });
  });

  it('rejects missing, mis-sized, mistyped, out-of-range and duplicate entries', () => {
    const bad: Uint8Array[] = [
      standard({ 1: null }),
      standard({ 2: null }),
      standard({ 3: null }),
      standard({ 4: null }),
      standard({ 5: null }),
      standard({ 1: seq(oid(1), octets(15)) }),
      standard({ 3: seq(oid(3), octets(3)) }),
      standard({ 4: seq(oid(4), octets(5)) }),
      standard({ 6: seq(oid(6), octets(8)) }),
      standard({ 5: seq(oid(5), tlv(0x0a, [3])) }),
      standard({ 5: seq(oid(5), int(0)) }),
      standard({ 1: seq(oid(1), int(1)) }),
      standard({ 2: tcb({ 5: null }) }),
      standard({ 2: tcb({ 17: null }) }),
      standard({ 2: tcb({ 18: octets(15) }) }),
      standard({ 2: tcb({ 3: tlv(0x02, [0x00, 0x05]) }) }), // non-minimal INTEGER
      standard({ 2: tcb({ 3: tlv(0x02, [0x01, 0x00]) }) }), // 256 > 255
      standard({ 2: tcb({ 17: tlv(0x02, [0x01, 0x00, 0x00]) }) }), // pcesvn 65536
      standard({ 2: tcb({ 4: tlv(0x02, [0xff]) }) }), // negative
      standard({ 8: seq(oid(1), octets(16)) }), // duplicate .1
      standard({ 8: seq(tlv(0x06, [0x2a, 0x03]), octets(16)) }), // foreign OID
      standard({ 7: seq(oid(7), seq(seq(oid(7, 1), hexToBytes('0101ff')), seq(oid(7, 1), hexToBytes('0101ff')))) }),
      standard({ 7: seq(oid(7), seq(seq(oid(7, 2), hexToBytes('020101')))) }),
      seq(),
      hexToBytes('0500'),
      Uint8Array.from([...standard(), 0]),
    ];
    bad.forEach((v, i) => {
      const e = expectCode(() => parseSgxExtensionValue(v), 'SgxExtensionParse');
      expect(e.evidence, `case ${i}`).toBeDefined();
    });
  });
});
