/**
 * verifyServerCertificate: the MANIFEST §6 outcomes (bound certificates accepted
 * in simulator mode only, the UNBOUND certificate rejected), end-to-end DCAP
 * verification of RA-TLS certificates built under the test PKI, binding modes,
 * and the policy (secure defaults, every violation in one PolicyError).
 */
import { hexToBytes } from '../support/hex.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PolicyError } from '../../src/errors.js';
import { expectedReportData } from '../../src/ra-tls/binding.js';
import { extractRaTlsAttestation } from '../../src/ra-tls/extract.js';
import { verifyServerCertificate } from '../../src/ra-tls/verify-server-certificate.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { NoopVerifier } from '../../src/testing/noop-verifier.js';
import { keyPairFromLabel } from '../../src/testing/index.js';
import { toHex, utf8Encode } from '../../src/lib/bytes.js';
import type { RaTlsVerifier, VerificationResult } from '../../src/verifier/types.js';
import { APP_EVENTS, bin, leafCertificate, makeRaTlsScenario, ratlsExtension, rejectsWith, summary, text } from './helpers.js';

let noop: NoopVerifier;
beforeAll(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  noop = new NoopVerifier();
});
afterAll(() => vi.restoreAllMocks());

const SIM = {
  mrtd: 'e53236d44a074bc78e784cdfa1a2c858a5f6b53afc1b60d8f079662314978b64241b646d8498dd767d5ea48e1e115822',
  rtmr3: 'f28a1490ee924e9396c2ccf2d93ad536b83cbe159a1d45024d1fd7acdcc102145efcfcd0cfa209416446c70226affadf',
  appId: '5bb4ff9a3837357f19dc176407a5709c62eb6c56',
  composeHash: 'c143116fef3940e7f776bfc0919c256232ae5338a6e948c96b711e0b2383483a',
  instanceId: '1691ed1b47506cad7d08834668691d88246f5b1f',
};

describe('MANIFEST §6 synth certificates', () => {
  for (const name of ['synth-ratls-v0-oid8-bound', 'synth-ratls-legacy-oid1-oid2-bound']) {
    it(`${name}: binding OK, RTMR3 replays, claims as in §1; accepted with allowSimulator only`, async () => {
      const v = await verifyServerCertificate(bin(`${name}.der`), { verifier: noop, allowSimulator: true, allowedMrtds: [SIM.mrtd] });
      expect(v.bindingMode).toBe('dstack-sha512');
      expect(v.result.reportData).toBe(summary().expected_report_data);
      expect(v.result.mrtd).toBe(SIM.mrtd);
      expect(v.result.rtmr3).toBe(SIM.rtmr3);
      expect(v.eventLog.rtmr[3]).toBe('match');
      // The legacy certificate carries the full log: RTMR0-2 replay too.
      expect(v.eventLog.rtmr.slice(0, 3)).toEqual(name.includes('legacy') ? ['match', 'match', 'match'] : ['unavailable', 'unavailable', 'unavailable']);
      expect(v.claims).toMatchObject({ appId: SIM.appId, composeHash: SIM.composeHash, instanceId: SIM.instanceId });
      expect(v.result.authenticated).toBe(false);
      expect(v.certificate.usage).toBe('app:custom');

      const e = await rejectsWith(verifyServerCertificate(bin(`${name}.der`), { verifier: noop }), 'PolicySimulator');
      expect(e).toBeInstanceOf(PolicyError);
    });
  }

  it('synth-ratls-v0-oid8-UNBOUND: RaTlsBinding, even with every relaxation except bindingMode', async () => {
    const e = await rejectsWith(
      verifyServerCertificate(bin('synth-ratls-v0-oid8-UNBOUND.der'), { verifier: noop, allowSimulator: true, allowDebug: true }),
      'RaTlsBinding',
    );
    expect(e.evidence?.expected).toBe(summary().expected_report_data);
    expect(e.evidence?.found).toBe('00'.repeat(64));
    // PEM input behaves the same.
    await rejectsWith(verifyServerCertificate(text('synth-ratls-v0-oid8-UNBOUND.pem'), { verifier: noop, allowSimulator: true }), 'RaTlsBinding');
  });

  it('the verifier is not even called for an unbound certificate', async () => {
    const spy: RaTlsVerifier = { name: 'spy', verify: vi.fn(async () => Promise.reject(new Error('must not be called'))) };
    await rejectsWith(verifyServerCertificate(bin('synth-ratls-v0-oid8-UNBOUND.der'), { verifier: spy }), 'RaTlsBinding');
    expect(spy.verify).not.toHaveBeenCalled();
  });

  it('the "SHA-256(public key)" modes do not match dstack certificates', async () => {
    const s = summary();
    const cert = extractRaTlsAttestation(bin('synth-ratls-v0-oid8-bound.der')).certificate;
    expect(toHex(expectedReportData(cert, 'sha256-spki', nobleBackend())!)).toBe(s.sha256_of_spki + '00'.repeat(32));
    expect(toHex(expectedReportData(cert, 'dstack-sha512', nobleBackend())!)).toBe(s.expected_report_data);
    for (const bindingMode of ['sha256-spki', 'sha256-public-key'] as const) {
      await rejectsWith(verifyServerCertificate(bin('synth-ratls-v0-oid8-bound.der'), { verifier: noop, allowSimulator: true, bindingMode }), 'RaTlsBinding');
    }
  });

  it("bindingMode 'none' (insecure, explicit) lets the unbound certificate through to policy", async () => {
    const v = await verifyServerCertificate(bin('synth-ratls-v0-oid8-UNBOUND.der'), { verifier: noop, allowSimulator: true, bindingMode: 'none' });
    expect(v.result.reportData).toBe('00'.repeat(64));
  });

  it('an unknown binding mode is a usage error', async () => {
    await rejectsWith(verifyServerCertificate(bin('synth-ratls-v0-oid8-bound.der'), { verifier: noop, bindingMode: 'sha1' as never }), 'InvalidArgument');
  });
});

describe('end to end under the test PKI (DcapVerifier, authenticated)', () => {
  it('a bound certificate with a genuine quote is accepted with secure defaults', async () => {
    const s = makeRaTlsScenario();
    const v = await verifyServerCertificate(s.cert, { verifier: s.verifier, at: s.scenario.at });
    expect(v.result.authenticated).toBe(true);
    expect(v.result.tcbStatus).toBe('UpToDate');
    expect(v.eventLog.rtmr[3]).toBe('match');
    expect(v.claims).toMatchObject({
      appId: '11'.repeat(20),
      composeHash: '22'.repeat(32),
      instanceId: '33'.repeat(20),
      osImageHash: '44'.repeat(32),
      keyProviderInfo: { name: 'kms', id: '3059' },
      systemReady: true,
    });
    // Pins that match.
    await verifyServerCertificate(s.cert, {
      verifier: s.verifier,
      at: s.scenario.at,
      allowedMrtds: ['0x' + v.result.mrtd.toUpperCase()],
      allowedRtmrs: { 0: [v.result.rtmr0], 3: [v.result.rtmr3] },
      allowedComposeHashes: ['22'.repeat(32)],
      allowedAppIds: ['11'.repeat(20)],
      allowedOsImageHashes: ['44'.repeat(32)],
    });
  });

  it('every policy violation is reported together in one PolicyError', async () => {
    const s = makeRaTlsScenario({ debug: true });
    const e = await rejectsWith(
      verifyServerCertificate(s.cert, {
        verifier: s.verifier,
        at: s.scenario.at,
        allowedMrtds: ['00'.repeat(48)],
        allowedRtmrs: { 3: ['00'.repeat(48)] },
        allowedComposeHashes: ['ff'.repeat(32)],
        acceptableTcbStatuses: ['SWHardeningNeeded'],
      }),
      'PolicyTcbStatus',
    );
    expect(e).toBeInstanceOf(PolicyError);
    const codes = (e as PolicyError).violations.map((v) => `${v.code}:${v.evidence?.field}`);
    expect(codes).toEqual([
      'PolicyTcbStatus:tcbStatus',
      'PolicyDebug:TDATTRIBUTES.DEBUG',
      'PolicyMeasurement:mrtd',
      'PolicyMeasurement:rtmr3',
      'PolicyMeasurement:composeHash',
    ]);
  });

  it('debug TDs are refused by default, accepted with allowDebug', async () => {
    const s = makeRaTlsScenario({ debug: true });
    await rejectsWith(verifyServerCertificate(s.cert, { verifier: s.verifier, at: s.scenario.at }), 'PolicyDebug');
    const v = await verifyServerCertificate(s.cert, { verifier: s.verifier, at: s.scenario.at, allowDebug: true });
    expect(v.result.isDebug).toBe(true);
  });

  it('a quote for another key is RaTlsBinding before the verifier runs', async () => {
    const s = makeRaTlsScenario({ key: keyPairFromLabel('another key') });
    const other = makeRaTlsScenario();
    // Certificate of `s` (key A, quote binding key A) is fine; splice its attestation into a certificate for the default key.
    const att = extractRaTlsAttestation(s.cert);
    expect(att.attestation.reportData).not.toEqual(extractRaTlsAttestation(other.cert).attestation.reportData);
    const spliced = leafCertificate([ratlsExtension('1.3.6.1.4.1.62397.1.8', s.attestation)]);
    await rejectsWith(verifyServerCertificate(spliced, { verifier: s.verifier, at: s.scenario.at }), 'RaTlsBinding');
  });

  it('runtime events that do not replay to RTMR3 are EventLogReplay', async () => {
    const s = makeRaTlsScenario({
      mutateV0: (a) => ({ ...a, runtimeEvents: a.runtimeEvents.map((e) => (e.event === 'compose-hash' ? { ...e, payload: hexToBytes('ff'.repeat(32)) } : e)) }),
    });
    await rejectsWith(verifyServerCertificate(s.cert, { verifier: s.verifier, at: s.scenario.at }), 'EventLogReplay');
  });

  it('declared report_data differing from the quote is RaTlsInconsistent', async () => {
    const s = makeRaTlsScenario({ mutateV0: (a) => ({ ...a, reportData: new Uint8Array(64) }) });
    await rejectsWith(verifyServerCertificate(s.cert, { verifier: s.verifier, at: s.scenario.at }), 'RaTlsInconsistent');
  });

  it('a verifier answering for another quote is RaTlsInconsistent', async () => {
    const s = makeRaTlsScenario();
    const liar: RaTlsVerifier = {
      name: 'liar',
      verify: async (q, o) => ({ ...(await s.verifier.verify(q, o)), rtmr3: '00'.repeat(48) }) as VerificationResult,
    };
    await rejectsWith(verifyServerCertificate(s.cert, { verifier: liar, at: s.scenario.at }), 'RaTlsInconsistent');
  });

  it('verifier failures propagate with their code (QuoteSignature)', async () => {
    const s = makeRaTlsScenario({ corruptQuoteSignature: true });
    await rejectsWith(verifyServerCertificate(s.cert, { verifier: s.verifier, at: s.scenario.at }), 'QuoteSignature');
  });

  it('app pins without a replayed event log are violations, not silently skipped', async () => {
    // Legacy certificate without the .1.2 event log.
    const s = makeRaTlsScenario();
    const cert = leafCertificate([ratlsExtension('1.3.6.1.4.1.62397.1.1', s.scenario.quote)]);
    const ok = await verifyServerCertificate(cert, { verifier: s.verifier, at: s.scenario.at });
    expect(ok.claims).toBeUndefined();
    expect(ok.eventLog.rtmr).toEqual(['unavailable', 'unavailable', 'unavailable', 'unavailable']);
    const e = await rejectsWith(verifyServerCertificate(cert, { verifier: s.verifier, at: s.scenario.at, allowedComposeHashes: ['22'.repeat(32)] }), 'PolicyMeasurement');
    expect(e.message).toContain('not available');
  });

  it('sendBindingAsRuntimeData forwards "ratls-cert:" ‖ SPKI to the verifier', async () => {
    const s = makeRaTlsScenario();
    let seen: Uint8Array | undefined;
    const spy: RaTlsVerifier = {
      name: 'spy',
      verify: async (q, o) => {
        seen = o?.runtimeData;
        return s.verifier.verify(q, o);
      },
    };
    const v = await verifyServerCertificate(s.cert, { verifier: spy, at: s.scenario.at, sendBindingAsRuntimeData: true });
    expect(toHex(seen!)).toBe(toHex(utf8Encode('ratls-cert:')) + toHex(v.certificate.certificate.spki));
  });

  it('options: a verifier is required', async () => {
    await rejectsWith(verifyServerCertificate(bin('synth-ratls-v0-oid8-bound.der'), {} as never), 'InvalidArgument');
    await rejectsWith(verifyServerCertificate(bin('synth-ratls-v0-oid8-bound.der'), null as never), 'InvalidArgument');
  });

  it('the APP_EVENTS helper matches the dstack event order', () => {
    expect(APP_EVENTS.map((e) => e.event).at(-1)).toBe('system-ready');
  });
});
