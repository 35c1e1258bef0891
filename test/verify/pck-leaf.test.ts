/**
 * The PCK leaf's subject (docs/dcap.md step 3: "The leaf CN must contain
 * 'SGX PCK Certificate'"; the Intel QVL compares the subject with Intel's PCK
 * subject). A deviation found by this suite (the phrase was searched in the
 * whole subject text, not in the CN) is fixed; the last case pins it.
 */
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/x509/certificate.js';
import { fromHex } from '../../src/lib/bytes.js';
import { buildCertificate, buildQuote, encodeName, extension, toPem, type Scenario } from '../../src/testing/index.js';
import { agreedOutcome, caseOf, scenario } from './helpers.js';

/** The scenario's PCK leaf re-minted (same key, serial, extensions, validity, issuer) with another subject. */
function withLeafSubject(s: Scenario, subject: Uint8Array) {
  const old = parseCertificate(s.pck.cert);
  const cert = buildCertificate({
    serial: fromHex(s.pck.serialHex),
    issuer: s.pck.issuer.name,
    subject,
    notBefore: s.pck.notBefore,
    notAfter: s.pck.notAfter,
    publicKey: s.pck.publicKey,
    extensions: old.extensions.map((e) => extension(e.oid, e.critical, e.value)),
    signingKey: s.pck.issuer.privateKey,
  });
  const pem = toPem(cert);
  return { ...caseOf(s), quote: buildQuote({ ...s.quoteOptions, pck: { pem, privateKey: s.pck.privateKey, chainPem: pem + s.pck.issuerChainPem } }) };
}

describe('PCK leaf subject', () => {
  const s = scenario();

  it('control: the re-minted leaf with Intel\'s subject verifies', async () => {
    const o = await agreedOutcome(withLeafSubject(s, encodeName({ commonName: 'Intel SGX PCK Certificate' })));
    expect(o.ok && o.claims['status']).toBe('UpToDate');
  });

  it('a CN without "SGX PCK Certificate" → CertificateInvalid', async () => {
    const o = await agreedOutcome(withLeafSubject(s, encodeName({ commonName: 'Intel SGX Attestation Key' })));
    expect(o.ok ? 'verified' : [o.code, o.check]).toEqual(['CertificateInvalid', 'pck.leaf.subject']);
  });

  // BUG (minor: the leaf must still be signed by an Intel PCK CA): verify-quote.ts
  // checks `pckLeaf.subjectText.includes('SGX PCK Certificate')`, so the phrase in
  // O (or OU, L, ...) satisfies a rule that docs/dcap.md states for the CN.
  it('the phrase only in O, not in the CN → CertificateInvalid', async () => {
    const o = await agreedOutcome(
      withLeafSubject(s, encodeName({ commonName: 'Intel SGX Attestation Key', organization: 'Intel SGX PCK Certificate Program' })),
    );
    expect(o.ok ? 'verified' : [o.code, o.check]).toEqual(['CertificateInvalid', 'pck.leaf.subject']);
  });
});
