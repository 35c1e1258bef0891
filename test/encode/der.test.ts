import { bytesToHex } from '../support/hex.js';
import { describe, expect, it } from 'vitest';
import { der } from '../../src/testing/index.js';


describe('der-writer', () => {
  it('encodes definite minimal lengths', () => {
    expect(bytesToHex(der.derLength(0))).toBe('00');
    expect(bytesToHex(der.derLength(127))).toBe('7f');
    expect(bytesToHex(der.derLength(128))).toBe('8180');
    expect(bytesToHex(der.derLength(255))).toBe('81ff');
    expect(bytesToHex(der.derLength(256))).toBe('820100');
    expect(bytesToHex(der.derLength(0x10000))).toBe('83010000');
  });

  it('encodes DER-minimal INTEGERs', () => {
    expect(bytesToHex(der.integer(0))).toBe('020100');
    expect(bytesToHex(der.integer(1))).toBe('020101');
    expect(bytesToHex(der.integer(127))).toBe('02017f');
    expect(bytesToHex(der.integer(128))).toBe('02020080');
    expect(bytesToHex(der.integer(255))).toBe('020200ff');
    expect(bytesToHex(der.integer(256))).toBe('02020100');
    expect(bytesToHex(der.integer(-1))).toBe('0201ff');
    expect(bytesToHex(der.integer(-129))).toBe('0202ff7f');
    // magnitude bytes: leading zeros stripped, sign byte added when needed
    expect(bytesToHex(der.integer(Uint8Array.from([0, 0, 0x12])))).toBe('020112');
    expect(bytesToHex(der.integer(Uint8Array.from([0x80, 0x01])))).toBe('0203008001');
    expect(bytesToHex(der.integer(Uint8Array.from([0, 0x80])))).toBe('02020080');
    expect(bytesToHex(der.integer(new Uint8Array(3)))).toBe('020100');
    expect(bytesToHex(der.enumerated(1))).toBe('0a0101');
  });

  it('encodes OIDs', () => {
    expect(bytesToHex(der.oid('1.2.840.113741.1.13.1'))).toBe('06092a864886f84d010d01');
    expect(bytesToHex(der.oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(bytesToHex(der.oid('2.5.29.35'))).toBe('0603551d23');
    expect(bytesToHex(der.oid('2.999.3'))).toBe('0603883703');
  });

  it('encodes named bit strings with trailing-zero trimming', () => {
    expect(bytesToHex(der.namedBitString([5, 6]))).toBe('03020106'); // keyCertSign | cRLSign
    expect(bytesToHex(der.namedBitString([0, 1]))).toBe('030206c0'); // digitalSignature | nonRepudiation
    expect(bytesToHex(der.namedBitString([0]))).toBe('03020780');
  });

  it('encodes booleans, strings and times', () => {
    expect(bytesToHex(der.boolean(true))).toBe('0101ff');
    expect(bytesToHex(der.boolean(false))).toBe('010100');
    expect(Buffer.from(der.utcTime(1767225600)).subarray(2).toString()).toBe('260101000000Z');
    // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050
    expect(der.time(Date.UTC(2049, 11, 31, 23, 59, 59) / 1000)[0]).toBe(0x17);
    const g = der.time(Date.UTC(2050, 0, 1) / 1000);
    expect(g[0]).toBe(0x18);
    expect(Buffer.from(g).subarray(2).toString()).toBe('20500101000000Z');
    expect(bytesToHex(der.sequence(der.nullValue()))).toBe('30020500');
    expect(bytesToHex(der.explicit(3, der.integer(1)))).toBe('a303020101');
  });
});
