import { hexToBytes } from '../support/hex.js';
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { parseCertificate } from '../../src/x509/certificate.js';
import { toHex } from '../../src/lib/bytes.js';
import { DERIVED, INTEL_ROOT_DER, OID_DER, QVL, VECTORS, expectCode, extension, joinCert, pemChain, seq, splitCert, tlv } from './helpers.js';

const INTEL_ROOT_KEY =
  '040ba9c4c0c0c86193a3fe23d6b02cda10a8bbd4e88e48b4458561a36e705525f567918e2edc88e40d860bd0cc4ee26aacc988e505a953558c453f6b0904ae7394';

describe('parseCertificate: real Intel certificates', () => {
  it('parses the Intel SGX Root CA', () => {
    const c = parseCertificate(INTEL_ROOT_DER);
    expect(c.version).toBe(3);
    expect(c.serialHex).toBe('22650cd65a9d3489f383b49552bf501b392706ac');
    expect(toHex(c.serial)).toBe('22650cd65a9d3489f383b49552bf501b392706ac');
    expect(c.subjectText).toBe('CN=Intel SGX Root CA,O=Intel Corporation,L=Santa Clara,ST=CA,C=US');
    expect(c.issuerText).toBe(c.subjectText);
    expect(toHex(c.issuer)).toBe(toHex(c.subject));
    expect(c.notBefore).toBe(Date.UTC(2018, 4, 21, 10, 45, 10) / 1000);
    expect(c.notAfter).toBe(Date.UTC(2049, 11, 31, 23, 59, 59) / 1000);
    expect(toHex(c.publicKey)).toBe(INTEL_ROOT_KEY);
    expect(c.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(c.signature.length).toBe(64);
    expect(toHex(c.signature).slice(0, 8)).toBe('e5bfe509');
    expect(c.basicConstraints).toEqual({ ca: true, pathLen: 1 });
    expect(c.keyUsage).toEqual({ digitalSignature: false, nonRepudiation: false, keyCertSign: true, cRLSign: true });
    expect(toHex(c.subjectKeyId!)).toBe('22650cd65a9d3489f383b49552bf501b392706ac');
    expect(toHex(c.authorityKeyId!)).toBe('22650cd65a9d3489f383b49552bf501b392706ac');
    expect(c.crlDistributionPoints).toEqual(['https://certificates.trustedservices.intel.com/IntelSGXRootCA.der']);
    expect(c.unknownCriticalExtensions).toEqual([]);
    expect(c.extensions.filter((e) => e.critical).map((e) => e.oid).sort()).toEqual(['2.5.29.15', '2.5.29.19']);
    // tbs is the exact TBSCertificate TLV inside the DER
    expect(toHex(c.tbs)).toBe(toHex(INTEL_ROOT_DER.subarray(4, 4 + c.tbs.length)));
    expect(c.tbs.length).toBe(0x234 + 4);
    expect(c.spki.length).toBe(91);
  });

  it('parses the SGX (Processor CA) quote chain', () => {
    const [leaf, ca, root] = pemChain(DERIVED + 'sgx_quote/pck_chain_from_quote.pem').map(parseCertificate) as [
      ReturnType<typeof parseCertificate>,
      ReturnType<typeof parseCertificate>,
      ReturnType<typeof parseCertificate>,
    ];
    // serial 81b7… has the high bit set: encoded with a 00 sign octet, serialHex without it
    expect(toHex(leaf.serial)).toBe('0081b77732b761e98eb9b963a4abd1e5b9bf5dd8d6');
    expect(leaf.serialHex).toBe('81b77732b761e98eb9b963a4abd1e5b9bf5dd8d6');
    expect(leaf.subjectText).toBe('CN=Intel SGX PCK Certificate,O=Intel Corporation,L=Santa Clara,ST=CA,C=US');
    expect(leaf.issuerText).toBe('CN=Intel SGX PCK Processor CA,O=Intel Corporation,L=Santa Clara,ST=CA,C=US');
    expect(leaf.notBefore).toBe(Date.UTC(2023, 8, 20, 21, 53, 43) / 1000);
    expect(leaf.notAfter).toBe(Date.UTC(2030, 8, 20, 21, 53, 43) / 1000);
    expect(leaf.basicConstraints).toEqual({ ca: false });
    expect(leaf.keyUsage).toEqual({ digitalSignature: true, nonRepudiation: true, keyCertSign: false, cRLSign: false });
    expect(leaf.crlDistributionPoints).toEqual([
      'https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=processor&encoding=der',
    ]);
    expect(leaf.extensions.some((e) => e.oid === '1.2.840.113741.1.13.1' && !e.critical)).toBe(true);
    expect(ca.serialHex).toBe('d0e8aada75d7f92e4917983c7b1465d0d5f2594d');
    expect(ca.basicConstraints).toEqual({ ca: true, pathLen: 0 });
    expect(toHex(leaf.authorityKeyId!)).toBe(toHex(ca.subjectKeyId!));
    expect(toHex(ca.authorityKeyId!)).toBe(toHex(root.subjectKeyId!));
    expect(toHex(root.der)).toBe(toHex(INTEL_ROOT_DER));
  });

  it('parses the TDX (Platform CA) quote chain', () => {
    const [leaf, ca] = pemChain(DERIVED + 'tdx_quote/pck_chain_from_quote.pem').map(parseCertificate);
    expect(leaf!.serialHex).toBe('3c16ed54eacbb4ced072be72630c85788cf46e36');
    expect(toHex(leaf!.publicKey).slice(0, 20)).toBe('041720fa04edef8680bf');
    expect(toHex(leaf!.authorityKeyId!)).toBe('956f5dcdbd1be1e94049c9d4f433ce01570bde54');
    expect(ca!.subjectText.startsWith('CN=Intel SGX PCK Platform CA,')).toBe(true);
    expect(ca!.serialHex).toBe('956f5dcdbd1be1e94049c9d4f433ce01570bde54');
  });

  it('parses every certificate in the vector corpus', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(VECTORS + dir, { withFileTypes: true })) {
        const rel = dir + e.name;
        if (e.isDirectory()) walk(rel + '/');
        else if (e.name.endsWith('.pem') && !e.name.includes('Crl')) files.push(rel);
      }
    };
    walk('');
    let count = 0;
    for (const f of files) {
      for (const der of pemChain(f)) {
        const c = parseCertificate(der);
        expect(c.unknownCriticalExtensions, f).toEqual([]);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(50);
    const qvlRoot = parseCertificate(pemChain(QVL + 'trustedRootCaCert.pem')[0]!);
    expect(qvlRoot.serialHex).toBe('56cdfc507bd17702b65281c2d3b2dc82f039fb7a');
    expect(toHex(qvlRoot.publicKey)).not.toBe(INTEL_ROOT_KEY);
  });
});

describe('parseCertificate: rejects malformed or unsupported certificates', () => {
  const parts = (): ReturnType<typeof splitCert> => splitCert(INTEL_ROOT_DER);

  it('round-trips the unmodified parts (builder sanity check)', () => {
    expect(toHex(joinCert(parts()))).toBe(toHex(INTEL_ROOT_DER));
  });

  it('requires v3', () => {
    const p = parts();
    expectCode(() => parseCertificate(joinCert(p, { omitVersion: true })), 'CertificateParse');
    p.version = tlv(0xa0, tlv(0x02, [1]));
    const e = expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    expect(e.evidence?.field).toBe('tbsCertificate.version');
  });

  it('accepts only ecdsa-with-SHA256 with absent parameters, same inside and outside', () => {
    const sha384 = seq(hexToBytes('06082a8648ce3d040303'));
    let p = parts();
    p.outerSigAlg = sha384;
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    p = parts();
    p.sigAlg = sha384;
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    p = parts();
    p.sigAlg = seq(hexToBytes('06082a8648ce3d040302'), hexToBytes('0500'));
    p.outerSigAlg = p.sigAlg;
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    p = parts();
    p.sigAlg = seq(hexToBytes('06092a864886f70d01010b'), hexToBytes('0500')); // sha256WithRSAEncryption
    const e = expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    expect(e.evidence?.found).toBe('1.2.840.113549.1.1.11');
  });

  it('accepts only uncompressed P-256 id-ecPublicKey keys', () => {
    const point = (bytes: number[]): Uint8Array => tlv(0x03, [0, ...bytes]);
    const ecAlg = (curve: string): Uint8Array => seq(hexToBytes('06072a8648ce3d0201'), hexToBytes(curve));
    const key65 = [4, ...new Array(64).fill(1)];
    let p = parts();
    p.spki = seq(ecAlg('06082a8648ce3d030107'), point(key65));
    expect([...parseCertificate(joinCert(p)).publicKey]).toEqual(key65);
    p.spki = seq(ecAlg('06052b81040022'), point(key65)); // secp384r1
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    p = parts();
    p.spki = seq(ecAlg('06082a8648ce3d030107'), point([2, ...new Array(32).fill(1)])); // compressed
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    p.spki = seq(seq(hexToBytes('06092a864886f70d010101'), hexToBytes('0500')), point(key65)); // rsaEncryption
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
  });

  it('rejects duplicate extensions and malformed known extensions; reports unknown critical ones', () => {
    let p = parts();
    p.extensions.push(p.extensions[0]!);
    const e = expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    expect(e.evidence?.check).toBe('x509.extensions.duplicate');

    p = parts();
    p.extensions = [extension(OID_DER.basicConstraints, true, hexToBytes('3003010101'))]; // BOOLEAN 0x01 is not DER
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    p.extensions = [extension(OID_DER.keyUsage, true, hexToBytes('0302'))];
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    p.extensions = [extension(OID_DER.basicConstraints, true, hexToBytes('30060101ff0201ff'))]; // negative pathLen
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');

    p = parts();
    p.extensions.push(extension(hexToBytes('06032a0304'), true, hexToBytes('0500')));
    p.extensions.push(extension(hexToBytes('06032a0305'), false, hexToBytes('0500')));
    const c = parseCertificate(joinCert(p));
    expect(c.unknownCriticalExtensions).toEqual(['1.2.3.4']);

    p = parts();
    p.extensions = [];
    const bare = parseCertificate(joinCert(p));
    expect(bare.basicConstraints).toBeUndefined();
    expect(bare.crlDistributionPoints).toEqual([]);
    // an empty [3] Extensions SEQUENCE violates SIZE (1..MAX)
    expectCode(() => parseCertificate(joinCert(p, { extraTbs: [tlv(0xa3, seq())] })), 'CertificateParse');
  });

  it('rejects bad times, unexpected TBS elements, bad signatures and trailing data', () => {
    const ascii = (s: string): number[] => [...s].map((ch) => ch.charCodeAt(0));
    let p = parts();
    p.validity = seq(tlv(0x17, ascii('180521104510Z')), tlv(0x17, ascii('491231235960Z')));
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    p = parts();
    expectCode(() => parseCertificate(joinCert(p, { extraTbs: [hexToBytes('0500')] })), 'CertificateParse');
    p.sigValue = tlv(0x03, [0, ...seq(tlv(0x02, [0x80]), tlv(0x02, [1]))]);
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    p = parts();
    p.sigValue = tlv(0x03, [0, ...seq(tlv(0x02, [1]), tlv(0x02, [1])), 0]);
    expectCode(() => parseCertificate(joinCert(p)), 'CertificateParse');
    expectCode(() => parseCertificate(Uint8Array.from([...INTEL_ROOT_DER, 0])), 'CertificateParse');
    expectCode(() => parseCertificate(INTEL_ROOT_DER.subarray(0, 100)), 'CertificateParse');
    expectCode(() => parseCertificate(new Uint8Array(0)), 'CertificateParse');
  });
});
