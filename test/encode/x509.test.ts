/**
 * The factory's certificate writer: RFC 5280 §4.1 says `extensions [3]`, when
 * present, is a SEQUENCE of one or more extensions, so a certificate with no
 * extensions must omit the field (an empty one is malformed and our strict
 * parser refuses it). Found by fast-check seeds 2011940760 and -147820099 of
 * test/fuzz/roundtrip.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { buildCertificate, buildTbsCertificate, encodeName, keyPairFromLabel } from '../../src/testing/index.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { toHex } from '../../src/lib/bytes.js';

describe('x509 writer', () => {
  const keys = keyPairFromLabel('writer');
  const spec = {
    serial: Uint8Array.of(1),
    issuer: encodeName({ commonName: 'issuer' }),
    subject: encodeName({ commonName: 'subject' }),
    notBefore: 1_700_000_000,
    notAfter: 1_800_000_000,
    publicKey: keys.publicKey,
    extensions: [] as Uint8Array[],
    signingKey: keys.privateKey,
  };

  it('a certificate with no extensions omits the [3] field and parses back', () => {
    const tbs = buildTbsCertificate(spec);
    expect(toHex(tbs)).not.toContain('a3023000'); // [3] { SEQUENCE {} }
    const c = parseCertificate(buildCertificate(spec));
    expect(c.extensions).toEqual([]);
    expect(toHex(c.tbs)).toBe(toHex(tbs));
    expect(c.subjectText).toBe('CN=subject,O=Intel Corporation,L=Santa Clara,ST=CA,C=US');
  });
});
