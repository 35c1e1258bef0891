import { hexToBytes } from '../support/hex.js';
import { describe, expect, it } from 'vitest';
import {
  DER_MAX_DEPTH,
  derBitString,
  derBitStringBytes,
  derBoolean,
  derChildren,
  derEnumerated,
  derInteger,
  derOid,
  derSmallInteger,
  derString,
  derTime,
  ecdsaSigDerToRaw,
  integerMagnitudeHex,
  readDer,
} from '../../src/der/reader.js';
import { toHex } from '../../src/lib/bytes.js';
import { expectCode, seq, tlv } from '../x509/helpers.js';

describe('readDer', () => {
  it('reads a TLV with short and long form lengths and absolute child offsets', () => {
    const inner = tlv(0x04, new Array(300).fill(7));
    const n = readDer(seq([0x05, 0x00], inner));
    expect(n.tag).toBe(0x30);
    expect(n.constructed).toBe(true);
    expect(n.headerLength).toBe(4);
    const kids = derChildren(n);
    expect(kids.map((k) => k.tag)).toEqual([0x05, 0x04]);
    expect(kids[1]!.offset).toBe(6);
    expect(kids[1]!.headerLength).toBe(4);
    expect(kids[1]!.value.length).toBe(300);
    expect(kids[1]!.depth).toBe(1);
  });

  it('rejects trailing bytes, truncation, indefinite and non-minimal lengths, high tags', () => {
    expectCode(() => readDer(hexToBytes('0500 00')), 'DerParse');
    expectCode(() => readDer(hexToBytes('')), 'DerParse');
    expectCode(() => readDer(hexToBytes('30')), 'DerParse');
    expectCode(() => readDer(hexToBytes('3003 0500')), 'DerParse');
    expectCode(() => readDer(hexToBytes('3080 0000')), 'DerParse');
    expectCode(() => readDer(hexToBytes('3081 05 0500050005')), 'DerParse'); // 0x81 with length < 128
    expectCode(() => readDer(hexToBytes('308200 05 0500050005')), 'DerParse'); // leading zero length octet
    expectCode(() => readDer(hexToBytes('3085 0000000001 00')), 'DerParse'); // > 4 length octets
    expectCode(() => readDer(hexToBytes('1f2201 00')), 'DerParse'); // high-tag-number form
    const e = expectCode(() => readDer(hexToBytes('0400ff'), 'CrlParse'), 'CrlParse');
    expect(e.evidence?.check).toBe('der.trailing');
    expect(e.evidence?.offset).toBe(2);
  });

  it('rejects children that overrun their parent and limits nesting depth', () => {
    expectCode(() => derChildren(readDer(hexToBytes('3003 0402 00'))), 'DerParse');
    let deep: Uint8Array = hexToBytes('0500');
    for (let i = 0; i < DER_MAX_DEPTH + 2; i++) deep = seq(deep);
    let node = readDer(deep);
    const walk = (): void => {
      for (;;) node = derChildren(node)[0]!;
    };
    const e = expectCode(walk, 'DerParse');
    expect(e.evidence?.check).toBe('der.depth');
  });
});

describe('primitive decoders', () => {
  it('INTEGER: minimal encodings only; magnitude hex strips one sign octet', () => {
    expect(toHex(derInteger(readDer(hexToBytes('020200ff')), 'x'))).toBe('00ff');
    expect(integerMagnitudeHex(hexToBytes('00ff'))).toBe('ff');
    expect(integerMagnitudeHex(hexToBytes('00'))).toBe('00');
    expect(derSmallInteger(readDer(hexToBytes('020200ff')), 'x')).toBe(255);
    expectCode(() => derInteger(readDer(hexToBytes('0200')), 'x'), 'DerParse');
    expectCode(() => derInteger(readDer(hexToBytes('0202007f')), 'x'), 'DerParse');
    expectCode(() => derInteger(readDer(hexToBytes('0202ff80')), 'x'), 'DerParse');
    expectCode(() => derSmallInteger(readDer(hexToBytes('0201ff')), 'x'), 'DerParse'); // negative
    expectCode(() => derSmallInteger(readDer(hexToBytes('02020100')), 'x', 'DerParse', 255), 'DerParse');
    expectCode(() => derInteger(readDer(hexToBytes('0401 01')), 'x'), 'DerParse'); // wrong tag
  });

  it('BOOLEAN, ENUMERATED', () => {
    expect(derBoolean(readDer(hexToBytes('0101ff')), 'b')).toBe(true);
    expect(derBoolean(readDer(hexToBytes('010100')), 'b')).toBe(false);
    expectCode(() => derBoolean(readDer(hexToBytes('010101')), 'b'), 'DerParse');
    expectCode(() => derBoolean(readDer(hexToBytes('0102ffff')), 'b'), 'DerParse');
    expect(derEnumerated(readDer(hexToBytes('0a0102')), 'e')).toBe(2);
    expectCode(() => derEnumerated(readDer(hexToBytes('0a020001')), 'e'), 'DerParse');
  });

  it('OBJECT IDENTIFIER', () => {
    expect(derOid(readDer(hexToBytes('06082a8648ce3d040302')), 'o')).toBe('1.2.840.10045.4.3.2');
    expect(derOid(readDer(hexToBytes('06092a864886f84d010d01')), 'o')).toBe('1.2.840.113741.1.13.1');
    expect(derOid(readDer(hexToBytes('0603550403')), 'o')).toBe('2.5.4.3');
    expect(derOid(readDer(hexToBytes('0603883703')), 'o')).toBe('2.999.3');
    expectCode(() => derOid(readDer(hexToBytes('0600')), 'o'), 'DerParse');
    expectCode(() => derOid(readDer(hexToBytes('06022a86')), 'o'), 'DerParse'); // truncated
    expectCode(() => derOid(readDer(hexToBytes('06032a8001')), 'o'), 'DerParse'); // non-minimal arc
  });

  it('BIT STRING', () => {
    expect(derBitString(readDer(hexToBytes('03020106')), 'k')).toEqual({ unusedBits: 1, bytes: hexToBytes('06') });
    expect(toHex(derBitStringBytes(readDer(hexToBytes('030300abcd')), 'k'))).toBe('abcd');
    expectCode(() => derBitStringBytes(readDer(hexToBytes('03020106')), 'k'), 'DerParse');
    expectCode(() => derBitString(readDer(hexToBytes('0300')), 'k'), 'DerParse');
    expectCode(() => derBitString(readDer(hexToBytes('030108')), 'k'), 'DerParse');
    expectCode(() => derBitString(readDer(hexToBytes('03020101')), 'k'), 'DerParse'); // padding bit set
  });

  it('strings', () => {
    expect(derString(readDer(tlv(0x0c, [...new TextEncoder().encode('Intel ü')])), 's')).toBe('Intel ü');
    expect(derString(readDer(hexToBytes('13025553')), 's')).toBe('US');
    expectCode(() => derString(readDer(hexToBytes('130140')), 's'), 'DerParse'); // '@' not printable
    expectCode(() => derString(readDer(hexToBytes('0c02c328')), 's'), 'DerParse'); // bad UTF-8
    expectCode(() => derString(readDer(hexToBytes('160180')), 's'), 'DerParse');
  });
});

describe('derTime (RFC 5280 §4.1.2.5)', () => {
  const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
  const utc = (s: string): number => derTime(readDer(tlv(0x17, ascii(s))), 't');
  const gen = (s: string): number => derTime(readDer(tlv(0x18, ascii(s))), 't');

  it('decodes UTCTime with the 1950/2049 pivot and GeneralizedTime', () => {
    expect(utc('180521104510Z')).toBe(Date.UTC(2018, 4, 21, 10, 45, 10) / 1000);
    expect(utc('491231235959Z')).toBe(Date.UTC(2049, 11, 31, 23, 59, 59) / 1000);
    expect(utc('500101000000Z')).toBe(Date.UTC(1950, 0, 1) / 1000);
    expect(gen('20600101000000Z')).toBe(Date.UTC(2060, 0, 1) / 1000);
    expect(gen('20240229120000Z')).toBe(Date.UTC(2024, 1, 29, 12) / 1000);
    expect(gen('99991231235959Z')).toBe(253402300799);
  });

  it('rejects other forms', () => {
    for (const s of ['1805211045Z', '180521104510+0000', '180521104510', '181321104510Z', '180230104510Z', '180521244510Z', '18052110451aZ']) {
      expectCode(() => utc(s), 'DerParse');
    }
    for (const s of ['20230229120000Z', '20240101000000.5Z', '202401010000Z', '2024010100000Z ']) {
      expectCode(() => gen(s), 'DerParse');
    }
    expectCode(() => derTime(readDer(hexToBytes('0400')), 't'), 'DerParse');
  });
});

describe('ecdsaSigDerToRaw', () => {
  it('converts to fixed-width r‖s', () => {
    const raw = ecdsaSigDerToRaw(seq(tlv(0x02, [0x00, 0x80, ...new Array(31).fill(1)]), tlv(0x02, [0x05])));
    expect(raw.length).toBe(64);
    expect(raw[0]).toBe(0x80);
    expect(raw[63]).toBe(0x05);
    expect(raw.subarray(32, 63).every((b) => b === 0)).toBe(true);
  });

  it('rejects negative, zero, oversized, extra elements and trailing data', () => {
    const one = tlv(0x02, [1]);
    expectCode(() => ecdsaSigDerToRaw(seq(tlv(0x02, [0x80]), one)), 'DerParse');
    expectCode(() => ecdsaSigDerToRaw(seq(tlv(0x02, [0]), one)), 'DerParse');
    expectCode(() => ecdsaSigDerToRaw(seq(tlv(0x02, [0x01, ...new Array(32).fill(1)]), one)), 'DerParse');
    expectCode(() => ecdsaSigDerToRaw(seq(one, one, one)), 'DerParse');
    expectCode(() => ecdsaSigDerToRaw(Uint8Array.from([...seq(one, one), 0])), 'DerParse');
    expectCode(() => ecdsaSigDerToRaw(seq(one, one), 0), 'InvalidArgument');
  });
});
