import { hexToBytes } from '../support/hex.js';
import { describe, expect, it } from 'vitest';
import { parseCrl, parseCrlAny } from '../../src/x509/crl.js';
import { toHex } from '../../src/lib/bytes.js';
import { DERIVED, QVL, expectCode, readVector, readVectorText, seq, tlv } from './helpers.js';
import { derChildren, readDer } from '../../src/der/reader.js';

const TDX_PCK_CRL = readVector(DERIVED + 'tdx_quote/pck_crl.der');
const TDX_ROOT_CRL = readVector(DERIVED + 'tdx_quote/root_ca_crl.der');

describe('parseCrl: real Intel CRLs', () => {
  it('parses the TDX PCK Platform CA CRL with 44 revoked entries', () => {
    const crl = parseCrl(TDX_PCK_CRL);
    expect(crl.version).toBe(2);
    expect(crl.issuerText).toBe('CN=Intel SGX PCK Platform CA,O=Intel Corporation,L=Santa Clara,ST=CA,C=US');
    expect(crl.thisUpdate).toBe(Date.UTC(2025, 5, 19, 10, 0, 35) / 1000);
    expect(crl.nextUpdate).toBe(Date.UTC(2025, 6, 19, 10, 0, 35) / 1000);
    expect(crl.revokedSerials.size).toBe(44);
    expect(crl.revoked.length).toBe(44);
    expect(crl.revokedSerials.has('6fc34e5023e728923435d61aa4b83c618166ad35')).toBe(true);
    expect(crl.revokedSerials.has('a17c51722ec1e0c3278fe8bdf052059cbec4e648')).toBe(true);
    expect(crl.revoked.every((r) => r.reasonCode === 1)).toBe(true); // keyCompromise
    expect(crl.crlNumber).toBe('1');
    expect(toHex(crl.authorityKeyId!)).toBe('956f5dcdbd1be1e94049c9d4f433ce01570bde54');
    expect(crl.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(crl.signature.length).toBe(64);
    expect(crl.unknownCriticalExtensions).toEqual([]);
    expect(toHex(crl.tbs)).toBe(toHex(TDX_PCK_CRL.subarray(4, 4 + crl.tbs.length)));
  });

  it('parses the root CA CRL (no revokedCertificates)', () => {
    const crl = parseCrl(TDX_ROOT_CRL);
    expect(crl.issuerText).toBe('CN=Intel SGX Root CA,O=Intel Corporation,L=Santa Clara,ST=CA,C=US');
    expect(crl.revokedSerials.size).toBe(0);
    expect(toHex(crl.authorityKeyId!)).toBe('22650cd65a9d3489f383b49552bf501b392706ac');
    expect(crl.thisUpdate).toBe(Date.UTC(2025, 2, 20, 11, 21, 57) / 1000);
    expect(crl.nextUpdate).toBe(Date.UTC(2026, 3, 3, 11, 21, 57) / 1000);
  });

  it('parses every CRL in the corpus with the expected entry counts', () => {
    const expected: Record<string, number> = {
      [DERIVED + 'sgx_quote/pck_crl.der']: 0,
      [DERIVED + 'near/pck_crl.der']: 44,
      [DERIVED + 'tdx_quote_outdated/pck_crl.der']: 57,
      [DERIVED + 'sgx_quote/root_ca_crl.der']: 0,
      'go-tdx-guest/testing/testdata/pckcrl': 44,
      'go-tdx-guest/testing/testdata/rootcrl.der': 0,
      [QVL + 'intermediateCaCrl.der']: 1,
      [QVL + 'rootCaCrl.der']: 0,
      [QVL + 'tdx/intermediateCaCrl.der']: 0,
      [QVL + 'tdx/rootCaCrl.der']: 0,
    };
    for (const [f, n] of Object.entries(expected)) {
      expect(parseCrl(readVector(f)).revokedSerials.size, f).toBe(n);
    }
    expect([...parseCrl(readVector(QVL + 'intermediateCaCrl.der')).revokedSerials]).toEqual([
      '1d210d4e73d7814f34c097ef496d3c4fa982684c',
    ]);
  });
});

describe('parseCrlAny', () => {
  it('accepts DER bytes, PEM text or bytes, and hex strings', () => {
    const der = readVector(QVL + 'intermediateCaCrl.der');
    const pem = readVectorText(QVL + 'intermediateCaCrl.pem');
    const a = parseCrlAny(der);
    expect(toHex(parseCrlAny(pem).der)).toBe(toHex(a.der));
    expect(toHex(parseCrlAny(new TextEncoder().encode(pem)).der)).toBe(toHex(a.der));
    expect(toHex(parseCrlAny(toHex(der)).der)).toBe(toHex(a.der));
    expect(toHex(parseCrlAny(toHex(der).toUpperCase()).der)).toBe(toHex(a.der));
    const json = JSON.parse(readVectorText('dcap-qvl/tdx_quote_collateral.json')) as { pck_crl: string; root_ca_crl: string };
    expect(parseCrlAny(json.pck_crl).revokedSerials.size).toBe(44);
    expect(parseCrlAny(json.root_ca_crl).revokedSerials.size).toBe(0);
  });

  it('rejects other input', () => {
    expectCode(() => parseCrlAny('not a crl'), 'CrlParse');
    expectCode(() => parseCrlAny('abc'), 'CrlParse');
    expectCode(() => parseCrlAny(''), 'CrlParse');
    const cert = readVectorText('root/Intel_SGX_Provisioning_Certification_RootCA.pem');
    expectCode(() => parseCrlAny(cert), 'CrlParse');
    expectCode(() => parseCrlAny(readVector('root/Intel_SGX_Provisioning_Certification_RootCA.cer')), 'CrlParse');
  });
});

describe('parseCrl: malformed input', () => {
  /** Rebuild the PCK CRL with a modified TBSCertList element list. */
  function rebuild(edit: (tbs: Uint8Array[]) => Uint8Array[]): Uint8Array {
    const [tbs, alg, sig] = derChildren(readDer(TDX_PCK_CRL));
    const fields = derChildren(tbs!).map((k) => k.raw);
    return seq(seq(...edit(fields)), alg!.raw, sig!.raw);
  }

  it('round-trips (builder sanity check)', () => {
    expect(toHex(rebuild((f) => f))).toBe(toHex(TDX_PCK_CRL));
  });

  it('accepts an empty revokedCertificates SEQUENCE and a CRL without nextUpdate', () => {
    expect(parseCrl(rebuild((f) => [...f.slice(0, 5), seq(), f[6]!])).revokedSerials.size).toBe(0);
    const noNext = parseCrl(rebuild((f) => [...f.slice(0, 4), ...f.slice(5)]));
    expect(noNext.nextUpdate).toBeUndefined();
    expect(noNext.revokedSerials.size).toBe(44);
  });

  it('rejects bad versions, element order, entries and extensions', () => {
    expectCode(() => parseCrl(rebuild((f) => [tlv(0x02, [2]), ...f.slice(1)])), 'CrlParse');
    expectCode(() => parseCrl(rebuild((f) => f.slice(1))), 'CrlParse'); // v1 with extensions
    expectCode(() => parseCrl(rebuild((f) => [f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, f[6]!, f[5]!])), 'CrlParse');
    expectCode(() => parseCrl(rebuild((f) => [...f, hexToBytes('0500')])), 'CrlParse');
    // entry with a negative serial
    const badEntry = seq(tlv(0x02, [0x80]), tlv(0x17, [...'250619100035Z'].map((c) => c.charCodeAt(0))));
    expectCode(() => parseCrl(rebuild((f) => [...f.slice(0, 5), seq(badEntry), f[6]!])), 'CrlParse');
    // duplicate CRL extension
    const exts = derChildren(derChildren(readDer(rebuild((f) => f))).at(0)!).at(-1)!;
    const inner = derChildren(derChildren(exts)[0]!).map((e) => e.raw);
    expectCode(() => parseCrl(rebuild((f) => [...f.slice(0, 6), tlv(0xa0, seq(...inner, inner[0]!))])), 'CrlParse');
  });

  it('reports unknown critical CRL and entry extensions', () => {
    const critical = seq(hexToBytes('0603551d1c'), hexToBytes('0101ff'), tlv(0x04, seq())); // issuingDistributionPoint
    const exts = derChildren(derChildren(readDer(TDX_PCK_CRL))[0]!).at(-1)!;
    const inner = derChildren(derChildren(exts)[0]!).map((e) => e.raw);
    const crl = parseCrl(rebuild((f) => [...f.slice(0, 6), tlv(0xa0, seq(...inner, critical))]));
    expect(crl.unknownCriticalExtensions).toEqual(['2.5.29.28']);
    const time = tlv(0x17, [...'250619100035Z'].map((c) => c.charCodeAt(0)));
    const entry = seq(tlv(0x02, [5]), time, seq(seq(hexToBytes('0603551d1d'), hexToBytes('0101ff'), tlv(0x04, seq()))));
    const crl2 = parseCrl(rebuild((f) => [...f.slice(0, 5), seq(entry), f[6]!]));
    expect(crl2.unknownCriticalExtensions).toEqual(['2.5.29.29']);
    expect(crl2.revokedSerials.has('05')).toBe(true);
  });
});
