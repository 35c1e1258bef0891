/**
 * The RA-TLS / verifier barrels export what the docs promise, and their value
 * names do not collide with the package root's (so `export *` of both is safe).
 */
import { describe, expect, it } from 'vitest';
import * as root from '../../src/ra-tls/index.js';
import * as core from '../../src/index.js';
import * as ratls from '../../src/ra-tls/exports.js';
import * as verifiers from '../../src/verifier/index.js';
import * as noop from '../../src/testing/noop-verifier.js';
import * as testing from '../../src/testing/index.js';
import { ErrorCodes } from '../../src/errors.js';

describe('public API', () => {
  it('ratls barrel', () => {
    for (const name of [
      'verifyServerCertificate',
      'verifySidecarAttestation',
      'extractRaTlsAttestation',
      'parseVersionedAttestation',
      'parseEventLogJson',
      'replayEventLog',
      'checkEventLogAgainstQuote',
      'dstackAppClaims',
      'expectedReportData',
      'checkKeyBinding',
      'RATLS_OID',
    ]) {
      expect(ratls, name).toHaveProperty(name);
    }
  });

  it('verifiers barrel', () => {
    for (const name of ['DcapVerifier', 'IntelApiVerifier', 'CachedVerifier', 'ITA_API_URL', 'ITA_JWKS_URL']) expect(verifiers, name).toHaveProperty(name);
    expect(noop).toHaveProperty('NoopVerifier');
  });

  it('tee-attest/ra-tls re-exports both barrels unchanged, the core entry neither, and the testing subpath the NoopVerifier', () => {
    expect((core as Record<string, unknown>).verifyServerCertificate).toBeUndefined();
    const ours = [...Object.entries(ratls), ...Object.entries(verifiers)];
    expect(new Set(ours.map(([n]) => n)).size).toBe(ours.length);
    for (const [name, value] of ours) expect((root as Record<string, unknown>)[name], name).toBe(value);
    expect((testing as Record<string, unknown>).NoopVerifier).toBe(noop.NoopVerifier);
    expect((root as Record<string, unknown>).NoopVerifier).toBeUndefined();
  });

  it('new error codes exist with their kinds', () => {
    expect(ErrorCodes).toMatchObject({
      RaTlsMissing: 'parse',
      RaTlsParse: 'parse',
      RaTlsUnsupported: 'parse',
      EventLogParse: 'parse',
      AttestationReportParse: 'parse',
      TokenParse: 'parse',
      RaTlsBinding: 'verify',
      RaTlsInconsistent: 'verify',
      EventLogReplay: 'verify',
      VerifierUnavailable: 'verify',
      TokenSignature: 'verify',
      TokenExpired: 'verify',
      TokenClaims: 'verify',
      AttestationReportBinding: 'verify',
      PolicySimulator: 'policy',
      PolicyFreshness: 'policy',
    });
  });
});
