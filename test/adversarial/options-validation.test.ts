/**
 * Adversarial class 4b (issue 11 §4): options of the wrong type or shape
 * must be a coded InvalidArgument at the boundary (never a raw TypeError,
 * never a pin that silently matches nothing or everything).
 */
import { describe, expect, it } from 'vitest';
import { createRaTlsConnector, createRaTlsPool } from '../../src/postgres/connector.js';
import { verifySidecarAttestation } from '../../src/ra-tls/sidecar-report.js';
import { verifyServerCertificate } from '../../src/ra-tls/verify-server-certificate.js';
import { IntelApiVerifier } from '../../src/verifier/ita/intel-api-verifier.js';
import { rejectsWith, throwsWith } from '../support/codes.js';
import { tlsKeyOf } from '../postgres/support.js';
import { AT, certificateOf, sidecarReportOf, victim, VICTIM_PINS } from './support.js';

const MRTD = victim.mrtd;
/** Option sets that are wrong, each with the field the error must name. */
const BAD_POLICY: [string, Record<string, unknown>][] = [
  ['allowedMrtds', { allowedMrtds: MRTD }],
  ['allowedMrtds[0]', { allowedMrtds: ['zz'.repeat(48)] }],
  ['allowedMrtds[0]', { allowedMrtds: ['ab'.repeat(47)] }],
  ['allowedMrtds[0]', { allowedMrtds: [42] }],
  ['allowedMrtds', { allowedMrtds: [] }],
  ['allowedComposeHashes[0]', { allowedComposeHashes: [MRTD] }],
  ['allowedAppIds[0]', { allowedAppIds: ['aa'.repeat(32)] }],
  ['allowedOsImageHashes', { allowedOsImageHashes: { 0: 'x' } }],
  ['allowedRtmrs', { allowedRtmrs: ['00'.repeat(48)] }],
  ['allowedRtmrs.4', { allowedRtmrs: { 4: ['00'.repeat(48)] } }],
  ['allowedRtmrs.3', { allowedRtmrs: { 3: '00'.repeat(48) } }],
  ['allowDebug', { allowDebug: 'false' }],
  ['allowSimulator', { allowSimulator: 1 }],
  ['requireSeptVeDisable', { requireSeptVeDisable: 'no' }],
  ['acceptableTcbStatuses', { acceptableTcbStatuses: 'UpToDate' }],
  ['acceptableTcbStatuses[0]', { acceptableTcbStatuses: ['UP_TO_DATE'] }],
  ['rejectedAdvisoryIds', { rejectedAdvisoryIds: 'INTEL-SA-00837' }],
];

describe('RA-TLS policy options are validated at every boundary', () => {
  const cert = certificateOf(victim, 'v0');
  const report = sidecarReportOf(victim);

  it.each(BAD_POLICY)('%s', async (field, bad) => {
    const e1 = await rejectsWith(verifyServerCertificate(cert, { verifier: victim.verifier(), at: AT, ...VICTIM_PINS, ...bad }), 'InvalidArgument');
    expect(e1.evidence?.field).toBe(field);
    await rejectsWith(verifySidecarAttestation(report, { verifier: victim.verifier(), at: AT, ...VICTIM_PINS, ...bad }), 'InvalidArgument');
    const base = { verifier: victim.verifier(), clientCertificate: tlsKeyOf(victim.getTlsKey({ usage_ra_tls: true, usage_client_auth: true })) };
    expect(throwsWith(() => createRaTlsConnector({ ...base, ...VICTIM_PINS, ...bad }), 'InvalidArgument').evidence?.field).toBe(field);
    throwsWith(() => createRaTlsConnector({ ...base, allowAnyTd: true, ...bad }), 'InvalidArgument');
  });

  it('pins in any case, with 0x or spaces, still verify', async () => {
    const v = await verifyServerCertificate(cert, {
      verifier: victim.verifier(),
      at: AT,
      allowedMrtds: [' 0x' + MRTD.toUpperCase() + ' '],
      allowedComposeHashes: VICTIM_PINS.allowedComposeHashes,
    });
    expect(v.result.mrtd).toBe(MRTD);
  });

  it('verifyServerCertificate: bindingMode, sendBindingAsRuntimeData, at, options itself', async () => {
    const verifier = victim.verifier();
    for (const bad of [{ bindingMode: 'sha1' }, { sendBindingAsRuntimeData: 'yes' }, { at: {} }, { crypto: 5 }]) {
      await rejectsWith(verifyServerCertificate(cert, { verifier, ...VICTIM_PINS, ...(bad as object) }), 'InvalidArgument');
    }
    await rejectsWith(verifyServerCertificate(cert, 'options' as never), 'InvalidArgument');
    await rejectsWith(verifyServerCertificate(cert, [] as never), 'InvalidArgument');
  });

  it('connector / pool options', () => {
    const base = { verifier: victim.verifier(), ...VICTIM_PINS, clientCertificate: tlsKeyOf(victim.getTlsKey({ usage_ra_tls: true, usage_client_auth: true })) };
    const dsn = `postgres://teesql_readwrite:${'5e'.repeat(32)}@db:5432/app`;
    for (const bad of [
      { connectTimeoutMs: '5000' },
      { connectTimeoutMs: 0 },
      { servername: 5 },
      { clock: 5 },
      { onVerified: 'log' },
      { warn: 'console' },
      { guestAgent: 'unix:/x' },
      { guestAgent: { socketPaths: '/run/dstack.sock' } },
      { guestAgent: { timeoutMs: '1000' } },
      { guestAgent: { env: 'DSTACK_SIMULATOR_ENDPOINT=/x' } },
      { pinning: 60 },
      { pinning: { ttlSeconds: '60' } },
      { clientCertificateRequest: { subject: 5 } },
      { reverifyOnCheckout: 'always' },
      { at: AT },
    ]) {
      throwsWith(() => createRaTlsConnector({ ...base, ...(bad as object) }), 'InvalidArgument');
      throwsWith(() => createRaTlsPool(dsn, { ...base, ...(bad as object) }), 'InvalidArgument');
    }
    throwsWith(() => createRaTlsConnector(null as never), 'InvalidArgument');
  });

  it('IntelApiVerifier options', () => {
    const fetch = async () => new Response('', { status: 200 });
    for (const bad of [
      { timeoutMs: '30000' },
      { issuers: 'Intel Trust Authority' },
      { allowedAlgorithms: [] },
      { clockSkewSeconds: -1 },
      { jwksCacheSeconds: 'x' },
      { policyMustMatch: 'true' },
      { apiUrl: 5 },
      { fetch: 'fetch' },
    ]) {
      throwsWith(() => new IntelApiVerifier({ apiKey: 'secret-api-key', fetch, ...(bad as object) }), 'InvalidArgument');
    }
    const e = throwsWith(() => new IntelApiVerifier({ apiKey: 'secret-api-key', fetch, timeoutMs: 'secret-api-key' as never }), 'InvalidArgument');
    expect(JSON.stringify(e.toJSON())).not.toContain('secret-api-key');
  });
});
