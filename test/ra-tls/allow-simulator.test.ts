/**
 * allowSimulator as the documents mean it (issue 13 §2; sqlx-ra-tls
 * `allow_simulator`: a server certificate without the RA-TLS extension is
 * accepted with a warning): never by default, a warning on every acceptance,
 * the verification marked unverified, refused as soon as any measurement or
 * app pin is set, and the identity-pin rule of the credential paths is not
 * waived by it.
 */
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors.js';
import { createRaTlsConnector } from '../../src/postgres/connector.js';
import { requireIdentityPins } from '../../src/ra-tls/identity-pins.js';
import { verifyServerCertificate } from '../../src/ra-tls/verify-server-certificate.js';
import { NoopVerifier } from '../../src/testing/noop-verifier.js';
import { rejectsWith, throwsWith } from '../support/codes.js';
import { tlsKeyOf } from '../postgres/support.js';
import { AT, certificateOf, victim, VICTIM_PINS } from '../adversarial/support.js';

/** A plain TLS certificate of the simulator's CA: no RA-TLS extension at all. */
const plainCert = victim.getTlsKey({ subject: 'dev sidecar', usage_server_auth: true }).certificate_chain[0]!;

describe('allowSimulator: a certificate with no quote', () => {
  it('is RaTlsMissing by default', async () => {
    await rejectsWith(verifyServerCertificate(plainCert, { verifier: victim.verifier(), at: AT }), 'RaTlsMissing');
    await rejectsWith(verifyServerCertificate(plainCert, { verifier: victim.verifier(), at: AT, allowSimulator: false }), 'RaTlsMissing');
  });

  it('is accepted with allowSimulator and no pins: unverified, empty result, a warning on every call', async () => {
    const warnings: string[] = [];
    for (let i = 0; i < 3; i++) {
      const v = await verifyServerCertificate(plainCert, { verifier: victim.verifier(), at: AT, allowSimulator: true, warn: (m) => warnings.push(m) });
      expect(v.quote).toBe('absent');
      expect(v.unverified).toBe(true);
      expect(v.claims).toBeUndefined();
      expect(v.certificate.source).toBe('none');
      expect(v.certificate.attestation).toBeUndefined();
      expect(v.certificate.certificate.notAfter).toBeGreaterThan(AT);
      expect(v.result).toMatchObject({ verifier: 'none', authenticated: false, tcbStatus: 'Unverified', mrtd: '', rtmr3: '', verifiedAt: AT });
      expect(v.eventLog.rtmr).toEqual(['unavailable', 'unavailable', 'unavailable', 'unavailable']);
    }
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/NO TDX quote/);
  });

  it.each([
    [{ allowedMrtds: [victim.mrtd] }, ['mrtd']],
    [{ allowedRtmrs: { 3: ['00'.repeat(48)] } }, ['rtmr3']],
    [{ allowedComposeHashes: VICTIM_PINS.allowedComposeHashes }, ['composeHash']],
    [{ allowedAppIds: VICTIM_PINS.allowedAppIds }, ['appId']],
    [{ allowedOsImageHashes: ['0a'.repeat(32)] }, ['osImageHash']],
    [VICTIM_PINS, ['mrtd', 'composeHash', 'appId']],
  ])('is refused when any measurement pin is set (%o)', async (pins, fields) => {
    const warnings: string[] = [];
    const e = await rejectsWith(
      verifyServerCertificate(plainCert, { verifier: victim.verifier(), at: AT, allowSimulator: true, warn: (m) => warnings.push(m), ...pins }),
      'PolicyMeasurement',
    );
    expect(e).toBeInstanceOf(PolicyError);
    expect((e as PolicyError).violations.map((v) => v.evidence?.field)).toEqual(fields);
    expect(warnings).toEqual([]);
  });

  it('a certificate WITH a quote is verified in full under allowSimulator (pins, binding, authentication)', async () => {
    const warnings: string[] = [];
    const cert = certificateOf(victim, 'v0');
    const v = await verifyServerCertificate(cert, { verifier: victim.verifier(), at: AT, allowSimulator: true, warn: (m) => warnings.push(m), ...VICTIM_PINS });
    expect(v.quote).toBe('authenticated');
    expect(v.unverified).toBe(false);
    expect(warnings).toEqual([]);
    await rejectsWith(verifyServerCertificate(cert, { verifier: victim.verifier(), at: AT, allowSimulator: true, allowedMrtds: ['ee'.repeat(48)] }), 'PolicyMeasurement');
    // A quote nobody authenticated: accepted, unverified, warned.
    const u = await verifyServerCertificate(cert, { verifier: new NoopVerifier(), at: AT, allowSimulator: true, warn: (m) => warnings.push(m) });
    expect(u.quote).toBe('unauthenticated');
    expect(u.unverified).toBe(true);
    expect(warnings).toHaveLength(1);
  });

  it('warn must be a function', async () => {
    const e = await rejectsWith(verifyServerCertificate(plainCert, { verifier: victim.verifier(), allowSimulator: true, warn: 'console' as never }), 'InvalidArgument');
    expect(e.evidence?.field).toBe('warn');
  });
});

describe('allowSimulator and the identity-pin rule of credential paths', () => {
  const clientCertificate = tlsKeyOf(victim.getTlsKey({ usage_ra_tls: true, usage_client_auth: true }));

  it('allowSimulator does not waive requireIdentityPins; the error says what to add', () => {
    const e = throwsWith(() => requireIdentityPins({ allowSimulator: true }, 'test'), 'InvalidArgument');
    expect(e.message).toMatch(/allowSimulator does not waive/);
    throwsWith(() => createRaTlsConnector({ verifier: victim.verifier(), allowSimulator: true, clientCertificate }), 'InvalidArgument');
  });

  it('allowSimulator + allowAnyTd: a connector for a quote-less dev sidecar (warned once for allowAnyTd)', () => {
    const warnings: string[] = [];
    createRaTlsConnector({ verifier: victim.verifier(), allowSimulator: true, allowAnyTd: true, clientCertificate, warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/allowAnyTd/);
  });

  it('allowSimulator + pins: a valid connector (quoted servers pinned as usual, quote-less ones refused at connect)', () => {
    expect(() => createRaTlsConnector({ verifier: victim.verifier(), allowSimulator: true, ...VICTIM_PINS, clientCertificate })).not.toThrow();
  });
});
