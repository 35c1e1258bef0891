/**
 * withFields (src/lib/object.ts): the parsers add their last fields to the
 * object they have just built instead of spreading it into a new one (issue
 * #15: `{ ...obj, more }` is a slow copy in V8). The parsed objects must keep
 * the fields, values and key order they had.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withFields } from '../../src/lib/object.js';
import { parseCertificate, parseCertificateAnyAlg } from '../../src/x509/certificate.js';
import { parseCrl } from '../../src/x509/crl.js';
import { decodePem } from '../../src/x509/pem.js';
import { parseCollateral } from '../../src/collateral/parse.js';
import { tryFromHex } from '../../src/lib/bytes.js';

const V = new URL('../../vectors/dcap/dcap-qvl/', import.meta.url);
const sgx = JSON.parse(readFileSync(new URL('sgx_quote_collateral.json', V), 'utf8')) as Record<string, string>;
const tdx = JSON.parse(readFileSync(new URL('tdx_quote_collateral.json', V), 'utf8')) as Record<string, string>;

const CERT_KEYS = [
  'der', 'tbs', 'version', 'serial', 'serialHex', 'issuer', 'subject', 'issuerText', 'subjectText', 'notBefore', 'notAfter', 'spki',
  'basicConstraints', 'keyUsage', 'subjectKeyId', 'authorityKeyId', 'crlDistributionPoints', 'extensions', 'unknownCriticalExtensions',
];

describe('withFields', () => {
  it('adds the fields to the object itself and returns it', () => {
    const o = { a: 1 };
    const out = withFields(o, { b: 'x', c: [2] });
    expect(out).toBe(o);
    expect(Object.keys(out)).toEqual(['a', 'b', 'c']);
    expect(out).toEqual({ a: 1, b: 'x', c: [2] });
  });
});

describe('parsed objects keep their fields and key order', () => {
  const [leaf, ca] = decodePem(sgx['pck_crl_issuer_chain']!);
  it('certificates: the common fields, then key, algorithm and signature', () => {
    const c = parseCertificate(leaf!);
    expect(Object.keys(c)).toEqual([...CERT_KEYS, 'publicKey', 'signatureAlgorithm', 'signature']);
    expect(c.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(c.publicKey).toHaveLength(65);
    expect(c.signature).toHaveLength(64);
    const any = parseCertificateAnyAlg(ca!);
    expect(Object.keys(any)).toEqual([...CERT_KEYS, 'publicKeyInfo', 'signatureAlgorithm', 'signature']);
  });
  it('CRLs end with the algorithm and the signature', () => {
    const crl = parseCrl(tryFromHex(sgx['root_ca_crl']!)!); // hex DER in these files
    expect(Object.keys(crl).slice(-2)).toEqual(['signatureAlgorithm', 'signature']);
    expect(crl.signatureAlgorithm).toBe('ecdsa-with-SHA256');
  });
  it('TCB levels: the SVNs, then date, status and advisories; module identities keep id first', () => {
    const s = parseCollateral(sgx as never).tcbInfo.info;
    expect(Object.keys(s.tcbLevels[0]!)).toEqual(['sgxComponents', 'pcesvn', 'tcbDate', 'status', 'advisoryIds']);
    const t = parseCollateral(tdx as never).tcbInfo.info;
    expect(Object.keys(t.tcbLevels[0]!)).toEqual(['sgxComponents', 'pcesvn', 'tdxComponents', 'tcbDate', 'status', 'advisoryIds']);
    expect(t.tdxModuleIdentities).toHaveLength(2);
    expect(Object.keys(t.tdxModuleIdentities![0]!)).toEqual(['id', 'mrsigner', 'attributes', 'attributesMask', 'tcbLevels']);
  });
});
