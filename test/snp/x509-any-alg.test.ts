/**
 * The any-algorithm X.509 parsers (src/x509: parseCertificateAnyAlg,
 * parseCrlAnyAlg) that SEV-SNP uses, and proof that the DCAP parsers still
 * accept nothing but P-256 / ecdsa-with-SHA256.
 */
import { vectorPath } from '../support/vectors.js';
import { readFileSync } from 'node:fs';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCertificate, parseCertificateAnyAlg } from '../../src/x509/certificate.js';
import { parseCrl, parseCrlAnyAlg } from '../../src/x509/crl.js';
import { bitString, explicit, integer, nullValue, oid, sequence, time } from '../../src/encode/der.js';
import { encodeName } from '../../src/encode/x509.js';
import { toHex } from '../../src/lib/bytes.js';
import { OIDS, T0, T_END, amdName, buildCert, caExtensions, makeCa, makeCrl, rsaPssAlgId, spkiOf } from './pki.js';
import { expectCode, vec } from './helpers.js';

const ARK = vec('virtee-sev/builtin/milan_ark.pem');
const VCEK = vec('virtee-sev/vcek_milan.der');
const INTEL_ROOT = new Uint8Array(readFileSync(vectorPath('dcap/root/Intel_SGX_Provisioning_Certification_RootCA.cer')));
const ca = makeCa('Milan');

function pemToDer(pem: Uint8Array): Uint8Array {
  const s = new TextDecoder().decode(pem).replace(/-----[A-Z ]+-----|\s/g, '');
  return Uint8Array.from(Buffer.from(s, 'base64'));
}

function certWith(o: { sigAlg?: Uint8Array; spki?: Uint8Array }): Uint8Array {
  return buildCert({
    issuer: amdName('ARK-Milan'),
    subject: amdName('ARK-Milan'),
    spki: o.spki ?? spkiOf(createPublicKey(ca.arkKey)),
    extensions: caExtensions(),
    signer: ca.arkKey,
    ...(o.sigAlg === undefined ? {} : { sigAlg: o.sigAlg }),
  });
}

describe('parseCertificateAnyAlg', () => {
  it('AMD ARK: RSA-4096 key, RSASSA-PSS-SHA384 signature', () => {
    const c = parseCertificateAnyAlg(pemToDer(ARK));
    expect(c.signatureAlgorithm).toBe('rsassa-pss-sha384');
    expect(c.publicKeyInfo).toMatchObject({ kind: 'rsa', bits: 4096 });
    if (c.publicKeyInfo.kind === 'rsa') expect(toHex(c.publicKeyInfo.exponent)).toBe('010001');
    expect(c.signature).toHaveLength(512);
    expect(c.subjectText).toContain('CN=ARK-Milan');
  });

  it('AMD VCEK: P-384 key', () => {
    const c = parseCertificateAnyAlg(VCEK);
    expect(c.publicKeyInfo.kind).toBe('ec');
    if (c.publicKeyInfo.kind === 'ec') {
      expect(c.publicKeyInfo.curve).toBe('P-384');
      expect(c.publicKeyInfo.point).toHaveLength(97);
    }
  });

  it('a DCAP certificate parses the same way under both parsers', () => {
    const dcap = parseCertificate(INTEL_ROOT);
    const any = parseCertificateAnyAlg(INTEL_ROOT);
    expect(any.publicKeyInfo).toEqual({ kind: 'ec', curve: 'P-256', point: dcap.publicKey });
    expect(any.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(any.subjectText).toBe(dcap.subjectText);
    expect(toHex(any.tbs)).toBe(toHex(dcap.tbs));
  });

  it('ecdsa-with-SHA384 by a P-384 key is accepted (and refused by the DCAP parser)', () => {
    const k = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const alg = sequence(oid('1.2.840.10045.4.3.3'));
    const tbs = sequence(explicit(0, integer(2)), integer(5), alg, encodeName(amdName('x')), sequence(time(T0), time(T_END)), encodeName(amdName('x')), spkiOf(k.publicKey));
    const der = sequence(tbs, alg, bitString(new Uint8Array(sign('sha384', tbs, k.privateKey))));
    const c = parseCertificateAnyAlg(der);
    expect(c.signatureAlgorithm).toBe('ecdsa-with-SHA384');
    expect(c.publicKeyInfo).toMatchObject({ kind: 'ec', curve: 'P-384' });
    expect(expectCode(() => parseCertificate(der), 'CertificateParse').evidence?.check).toBe('x509.signatureAlgorithm');
  });

  it('RSASSA-PSS parameters other than SHA-384 / MGF1-SHA-384 / 48 / 1 are refused; an omitted trailer is fine', () => {
    for (const p of [{ salt: 32 }, { hash: OIDS.sha256 }, { mgfHash: OIDS.sha256 }, { trailer: 2 }]) {
      const e = expectCode(() => parseCertificateAnyAlg(certWith({ sigAlg: rsaPssAlgId(p) })), 'CertificateParse');
      expect(e.evidence?.check).toBe('x509.signatureAlgorithm.pss');
    }
    expect(parseCertificateAnyAlg(certWith({ sigAlg: rsaPssAlgId({ trailer: null }) })).signatureAlgorithm).toBe('rsassa-pss-sha384');
    expectCode(() => parseCertificateAnyAlg(certWith({ sigAlg: sequence(oid(OIDS.rsassaPss)) })), 'CertificateParse');
    expectCode(() => parseCertificateAnyAlg(certWith({ sigAlg: sequence(oid('1.2.840.113549.1.1.11'), nullValue()) })), 'CertificateParse');
  });

  it('RSA keys: 2048..4096 bits, odd modulus, odd exponent >= 3, NULL parameters', () => {
    const spki = (n: Uint8Array, e: number, params: Uint8Array | null = nullValue()): Uint8Array =>
      sequence(sequence(oid('1.2.840.113549.1.1.1'), ...(params === null ? [] : [params])), bitString(sequence(integer(n), integer(e))));
    const mod = (bits: number, odd = true): Uint8Array => {
      const b = new Uint8Array(bits / 8).fill(0xab);
      b[0] = 0xc1;
      b[b.length - 1] = odd ? 0x01 : 0x02;
      return b;
    };
    expect(parseCertificateAnyAlg(certWith({ spki: spki(mod(2048), 65537) })).publicKeyInfo).toMatchObject({ kind: 'rsa', bits: 2048 });
    for (const bad of [spki(mod(1024), 65537), spki(mod(4096 + 8), 65537), spki(mod(2048, false), 65537), spki(mod(2048), 1), spki(mod(2048), 65536), spki(mod(2048), 65537, null)]) {
      expectCode(() => parseCertificateAnyAlg(certWith({ spki: bad })), 'CertificateParse');
    }
  });

  it('the DCAP parser refuses every AMD certificate', () => {
    for (const der of [pemToDer(ARK), VCEK, ca.ark]) {
      expect(expectCode(() => parseCertificate(der), 'CertificateParse').evidence?.check).toBe('x509.signatureAlgorithm');
    }
  });

  it('outer and inner signature algorithms must be identical', () => {
    const der = certWith({});
    const a = rsaPssAlgId();
    const b = rsaPssAlgId({ trailer: null });
    // The TBS runs from offset 4 (after the outer SEQUENCE header) to the second copy of the algorithm.
    const i = indexOf(der, a);
    const j = indexOf(der.subarray(i + a.length), a) + i + a.length;
    const rebuilt = sequence(der.subarray(4, j), b, bitString(new Uint8Array(256)));
    expect(expectCode(() => parseCertificateAnyAlg(rebuilt), 'CertificateParse').evidence?.check).toBe('x509.signatureAlgorithm');
  });
});

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

describe('parseCrlAnyAlg', () => {
  it('parses an RSASSA-PSS-signed CRL; the DCAP parser refuses it', () => {
    const der = makeCrl(ca, { revoked: [0x10001, 5] });
    const crl = parseCrlAnyAlg(der);
    expect(crl.signatureAlgorithm).toBe('rsassa-pss-sha384');
    expect([...crl.revokedSerials]).toEqual(['010001', '05']);
    expect(crl.signature).toHaveLength(256);
    expect(expectCode(() => parseCrl(der), 'CrlParse').evidence?.check).toBe('x509.signatureAlgorithm');
  });
});

describe('fuzz', () => {
  it('mutated AMD certificates only ever fail with coded errors (parser and AMD extensions)', async () => {
    const fc = (await import('fast-check')).default;
    const { AttestationError } = await import('../../src/errors.js');
    const { parseEndorsementExtensions } = await import('../../src/snp/extensions.js');
    const seeds = [VCEK, pemToDer(ARK), vec('trustee/test-vlek.der'), vec('virtee-sev/vcek_turin.der')];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (k, flips) => {
        const der = seeds[k]!.slice();
        for (const [i, x] of flips) der[i % der.length] = der[i % der.length]! ^ x;
        try {
          parseEndorsementExtensions(parseCertificateAnyAlg(der));
        } catch (e) {
          expect(e).toBeInstanceOf(AttestationError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
