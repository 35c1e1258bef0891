import { describe, expect, it } from 'vitest';
import { decodePem, decodePemBlocks, decodePemChain } from '../../src/x509/pem.js';
import { bytesEqual } from '../../src/lib/bytes.js';
import { DERIVED, INTEL_ROOT_DER, QVL, expectCode, readVectorText } from './helpers.js';

const ROOT_PEM = readVectorText('root/Intel_SGX_Provisioning_Certification_RootCA.pem');

describe('decodePem', () => {
  it('decodes the Intel root PEM (CRLF line ends) to the same bytes as the .cer', () => {
    const [der] = decodePem(ROOT_PEM);
    expect(der && bytesEqual(der, INTEL_ROOT_DER)).toBe(true);
  });

  it('returns every block of the label in order, tolerating whitespace and trailing NULs', () => {
    const chain = readVectorText(DERIVED + 'sgx_quote/pck_chain_from_quote.pem');
    const plain = decodePem(chain);
    expect(plain.length).toBe(3);
    const nul = decodePem(chain + '\0');
    expect(nul.length).toBe(3);
    expect(decodePem(new TextEncoder().encode(chain + '\0\0')).length).toBe(3);
    const crlf = decodePem('\r\n  ' + chain.replace(/\n/g, '\r\n') + '\r\n\r\n');
    expect(crlf.map((d) => d.length)).toEqual(plain.map((d) => d.length));
    expect(plain[2] && bytesEqual(plain[2], INTEL_ROOT_DER)).toBe(true);
  });

  it('skips blocks of other labels, and finds CRL blocks by label', () => {
    const crlPem = readVectorText(QVL + 'rootCaCrl.pem');
    const mixed = crlPem + ROOT_PEM;
    expect(decodePem(mixed).length).toBe(1);
    expect(decodePem(mixed, 'X509 CRL').length).toBe(1);
    expect(decodePemBlocks(mixed).map((b) => b.label)).toEqual(['X509 CRL', 'CERTIFICATE']);
    expectCode(() => decodePem(crlPem), 'PemParse');
  });

  it('rejects malformed PEM', () => {
    const body = ROOT_PEM.split(/\r?\n/).slice(1, -2).join('\n');
    const wrap = (b: string): string => `-----BEGIN CERTIFICATE-----\n${b}\n-----END CERTIFICATE-----\n`;
    expect(decodePem(wrap(body)).length).toBe(1);
    expectCode(() => decodePem(''), 'PemParse');
    expectCode(() => decodePem('\0'), 'PemParse');
    expectCode(() => decodePem('hello'), 'PemParse');
    expectCode(() => decodePem('junk\n' + wrap(body)), 'PemParse');
    expectCode(() => decodePem(wrap(body) + 'junk'), 'PemParse');
    expectCode(() => decodePem(wrap(body + '!')), 'PemParse');
    expectCode(() => decodePem(wrap(body.slice(1))), 'PemParse');
    expectCode(() => decodePem(wrap('')), 'PemParse');
    expectCode(() => decodePem(wrap('Proc-Type: 4,ENCRYPTED\n\n' + body)), 'PemParse');
    expectCode(() => decodePem(`-----BEGIN CERTIFICATE-----\n${body}\n`), 'PemParse');
    expectCode(() => decodePem(`-----BEGIN CERTIFICATE-----\n${body}\n-----END X509 CRL-----\n`), 'PemParse');
    expectCode(() => decodePem('\0' + wrap(body)), 'PemParse');
  });
});

describe('decodePemChain', () => {
  it('accepts URL-encoded chains as in Intel PCS issuer-chain headers', () => {
    const chain = readVectorText(DERIVED + 'tdx_quote/tcb_info_issuer_chain.pem');
    const encoded = encodeURIComponent(chain);
    expect(encoded).toContain('-----BEGIN%20CERTIFICATE');
    const a = decodePemChain(encoded);
    const b = decodePemChain(chain);
    expect(a.length).toBe(2);
    expect(a.every((d, i) => bytesEqual(d, b[i]!))).toBe(true);
    // Python-style quoting that also escapes '-'
    const allEscaped = encoded.replace(/-/g, '%2D');
    expect(decodePemChain(allEscaped).length).toBe(2);
    expectCode(() => decodePemChain(encoded + '%2'), 'PemParse');
    expectCode(() => decodePemChain(encoded.replace('%20', '%G0')), 'PemParse');
  });
});
