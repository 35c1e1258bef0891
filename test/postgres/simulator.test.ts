/**
 * The guest-agent simulator's certificates verify end to end under the test
 * PKI (DCAP with the simulator's fake root and collateral), and its negative
 * knobs produce the expected codes.
 */
import { describe, expect, it } from 'vitest';
import { getInfo, getQuote, getTlsKey, guestAgentCall } from '../../src/postgres/guest-agent.js';
import { serveGuestAgent } from '../../src/simulator/agent.js';
import { verifyServerCertificate } from '../../src/ra-tls/verify-server-certificate.js';
import { extractRaTlsAttestation } from '../../src/ra-tls/extract.js';
import { DstackSimulator } from '../../src/simulator/simulator.js';
import { keyPairFromLabel } from '../../src/encode/keys.js';
import { decodePem } from '../../src/x509/pem.js';
import { rejectsWith } from '../ra-tls/helpers.js';

const leafOf = (chain: readonly string[]): Uint8Array => decodePem(chain[0]!)[0]!;

describe('DstackSimulator', () => {
  const sim = new DstackSimulator();

  it('GetTlsKey (usage_ra_tls) issues a certificate that verifies with DCAP under the simulator root', async () => {
    const k = sim.getTlsKey({ subject: 'client', usage_ra_tls: true, usage_client_auth: true });
    expect(k.key).toContain('-----BEGIN PRIVATE KEY-----');
    expect(k.certificate_chain).toHaveLength(2);
    const v = await verifyServerCertificate(leafOf(k.certificate_chain), { verifier: sim.verifier(), at: sim.at, allowedMrtds: [sim.mrtd] });
    expect(v.result.authenticated).toBe(true);
    expect(v.result.tcbStatus).toBe('UpToDate');
    expect(v.eventLog.rtmr[3]).toBe('match');
    expect(v.claims?.composeHash).toBe(Buffer.from(sim.composeHash).toString('hex'));
    expect(v.certificate.source).toBe('attestation-extension');
  });

  it('legacy layout (.1.1 quote + .1.2 event log) verifies too', async () => {
    const legacy = new DstackSimulator({ certificateFormat: 'legacy', at: sim.at });
    const k = legacy.getTlsKey({ usage_ra_tls: true });
    const v = await verifyServerCertificate(leafOf(k.certificate_chain), { verifier: legacy.verifier(), at: legacy.at });
    expect(v.certificate.source).toBe('legacy-quote-extension');
    expect(v.eventLog.rtmr[3]).toBe('match');
  });

  it('without usage_ra_tls the certificate carries no attestation (RaTlsMissing)', async () => {
    const k = sim.getTlsKey({ usage_server_auth: true });
    await rejectsWith(verifyServerCertificate(leafOf(k.certificate_chain), { verifier: sim.verifier(), at: sim.at }), 'RaTlsMissing');
  });

  it('bindTo mints an UNBOUND certificate (RaTlsBinding)', async () => {
    const k = sim.getTlsKey({ usage_ra_tls: true }, { bindTo: keyPairFromLabel('someone else') });
    await rejectsWith(verifyServerCertificate(leafOf(k.certificate_chain), { verifier: sim.verifier(), at: sim.at }), 'RaTlsBinding');
  });

  it('debug TD, other MRTD, revoked PCK', async () => {
    const debug = new DstackSimulator({ debug: true, at: sim.at });
    const dk = debug.getTlsKey({ usage_ra_tls: true });
    await rejectsWith(verifyServerCertificate(leafOf(dk.certificate_chain), { verifier: debug.verifier(), at: sim.at }), 'PolicyDebug');
    const other = new DstackSimulator({ mrtd: 'ab'.repeat(48), at: sim.at });
    expect(other.mrtd).toBe('ab'.repeat(48));
    const ok = other.getTlsKey({ usage_ra_tls: true });
    await rejectsWith(verifyServerCertificate(leafOf(ok.certificate_chain), { verifier: other.verifier(), at: sim.at, allowedMrtds: [sim.mrtd] }), 'PolicyMeasurement');
    const revoked = new DstackSimulator({ revokePck: true, at: sim.at });
    const rk = revoked.getTlsKey({ usage_ra_tls: true });
    await rejectsWith(verifyServerCertificate(leafOf(rk.certificate_chain), { verifier: revoked.verifier(), at: sim.at }), 'CrlRevoked');
  });

  it('GetQuote and Info have the guest agent shapes', () => {
    const q = sim.getQuote(new Uint8Array([1, 2, 3]));
    expect(q.report_data).toBe('010203' + '00'.repeat(61));
    expect(q.quote.slice((48 + 520) * 2, (48 + 520 + 3) * 2)).toBe('010203');
    expect(JSON.parse(q.event_log)).toHaveLength(8);
    const info = sim.info();
    expect(JSON.parse(info['tcb_info'] as string)).toMatchObject({ mrtd: sim.mrtd });
    expect(info['app_id']).toBe(Buffer.from(sim.appId).toString('hex'));
  });

  it('the certificate extension decodes as dstack V0', () => {
    const k = sim.getTlsKey({ usage_ra_tls: true });
    const c = extractRaTlsAttestation(leafOf(k.certificate_chain));
    expect(c.attestation.format).toBe('scale-v0');
    expect(c.usage).toBe('app:custom');
  });

  it('serves the guest agent API over loopback HTTP (DSTACK_SIMULATOR_ENDPOINT=http://...); bad requests are DstackAgent errors', async () => {
    const agent = await serveGuestAgent(sim, { port: 0 });
    try {
      expect(agent.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const env = { DSTACK_SIMULATOR_ENDPOINT: agent.endpoint };
      const k = await getTlsKey({ usageRaTls: true, usageClientAuth: true, altNames: ['app.local'] }, { env });
      const v = await verifyServerCertificate(leafOf(k.certificateChain), { verifier: sim.verifier(), at: sim.at });
      expect(v.result.mrtd).toBe(sim.mrtd);
      expect((await getQuote(new Uint8Array(64).fill(7), { env })).report_data).toBe('07'.repeat(64));
      expect((await getInfo({ env }))['app_name']).toBe('tee-attest-sim');
      await rejectsWith(guestAgentCall(agent.endpoint, 'NoSuchMethod', {}), 'DstackAgent');
      await rejectsWith(guestAgentCall(agent.endpoint, 'GetQuote', { report_data: 'zz' }), 'DstackAgent');
      await rejectsWith(guestAgentCall(agent.endpoint, 'GetTlsKey', { usage_ra_tls: 'yes' }), 'DstackAgent');
    } finally {
      await agent.close();
    }
    await rejectsWith(getTlsKey({}, { endpoint: agent.endpoint, timeoutMs: 2000 }), 'DstackAgent');
  });
});
