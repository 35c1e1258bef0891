/**
 * Adversarial class 1 (issue 11 §1): app identity forged through the event
 * log. A rogue app in a GENUINE TD (same platform, same MRTD as the victim)
 * must never be reported with the victim's compose hash or app id:
 *
 *   (a) the victim's claims prepended as runtime events in imr 0 (never
 *       replayed into RTMR3);
 *   (b) the genuine boot-time compose-hash / app-id / system-ready entries of
 *       imr 3 re-typed as non-runtime events with their carried digests, so
 *       that the app's own post-boot events look like boot events.
 *
 * Every log source is attacked: SCALE V0, msgpack V1, legacy certificates
 * (.1.1 quote + .1.2 JSON log) and sidecar reports. The end-to-end pool case
 * is in credential-forgery.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { PolicyError } from '../../src/errors.js';
import { dstackAppClaims } from '../../src/ra-tls/app-claims.js';
import { DSTACK_RUNTIME_EVENT_TYPE, type TdxEvent } from '../../src/ra-tls/event-log.js';
import { replayedAppClaims } from '../../src/ra-tls/rtmr3-claims.js';
import { verifySidecarAttestation } from '../../src/ra-tls/sidecar-report.js';
import { verifyServerCertificate } from '../../src/ra-tls/verify-server-certificate.js';
import { rtmr3Of } from '../../src/simulator/mint.js';
import { rejectsWith, throwsWith } from '../support/codes.js';
import {
  AT,
  certificateOf,
  prependVictimInImr0,
  retypeBootEntries,
  rogue,
  ROGUE_APP_ID,
  ROGUE_COMPOSE_HASH,
  rt,
  sidecarReportOf,
  victim,
  VICTIM_APP_EVENTS,
  VICTIM_APP_ID,
  VICTIM_COMPOSE_HASH,
  VICTIM_PINS,
  type CertFormat,
} from './support.js';

const FORMATS: readonly CertFormat[] = ['v0', 'v1', 'legacy'];
const crypto = nobleBackend();
const verifyCert = (der: Uint8Array) => verifyServerCertificate(der, { verifier: victim.verifier(), at: AT, ...VICTIM_PINS });

describe.each(FORMATS)('RA-TLS certificate, %s', (format) => {
  it('baseline: the victim passes its own pins, an honest rogue does not', async () => {
    const v = await verifyCert(certificateOf(victim, format));
    expect(v.claims?.composeHash).toBe(VICTIM_COMPOSE_HASH);
    expect(v.claims?.appId).toBe(VICTIM_APP_ID);
    const e = await rejectsWith(verifyCert(certificateOf(rogue(), format)), 'PolicyMeasurement');
    expect((e as PolicyError).violations.map((x) => x.code)).toEqual(['PolicyMeasurement', 'PolicyMeasurement']);
  });

  it('(a) victim claims prepended as imr-0 runtime events are refused (EventLogStructure)', async () => {
    const sim = rogue({ eventLogTransform: prependVictimInImr0 });
    const e = await rejectsWith(verifyCert(certificateOf(sim, format)), 'EventLogStructure');
    expect(e.evidence?.check).toBe('eventLog.runtimeEventImr');
  });

  it('(b) boot entries re-typed to promote post-boot app events are refused (EventLogStructure)', async () => {
    const sim = rogue({ appEvents: VICTIM_APP_EVENTS, eventLogTransform: retypeBootEntries });
    const e = await rejectsWith(verifyCert(certificateOf(sim, format)), 'EventLogStructure');
    expect(e.evidence?.check).toBe('eventLog.rtmr3EventType');
  });

  it('post-boot app events never feed boot claims', async () => {
    const sim = rogue({ appEvents: VICTIM_APP_EVENTS });
    const v = await verifyServerCertificate(certificateOf(sim, format), { verifier: victim.verifier(), at: AT, allowedMrtds: [victim.mrtd] });
    expect(v.claims?.composeHash).toBe(ROGUE_COMPOSE_HASH);
    expect(v.claims?.appId).toBe(ROGUE_APP_ID);
    await rejectsWith(verifyCert(certificateOf(sim, format)), 'PolicyMeasurement');
  });
});

describe('sidecar /attestation report', () => {
  const verify = (report: Record<string, unknown>) => verifySidecarAttestation(report, { verifier: victim.verifier(), at: AT, ...VICTIM_PINS });

  it('baseline: the victim passes', async () => {
    const v = await verify(sidecarReportOf(victim));
    expect(v.claims?.composeHash).toBe(VICTIM_COMPOSE_HASH);
  });

  it('(a) imr-0 runtime events are refused', async () => {
    await rejectsWith(verify(sidecarReportOf(rogue({ eventLogTransform: prependVictimInImr0 }))), 'EventLogStructure');
  });

  it('(b) re-typed boot entries are refused', async () => {
    await rejectsWith(verify(sidecarReportOf(rogue({ appEvents: VICTIM_APP_EVENTS, eventLogTransform: retypeBootEntries }))), 'EventLogStructure');
  });
});

describe('the boot-claim rule (one function for every source)', () => {
  const boot = victim.runtimeEvents;
  const logOf = (events: typeof boot): TdxEvent[] =>
    events.map((e) => ({ imr: 3, eventType: DSTACK_RUNTIME_EVENT_TYPE, digest: new Uint8Array(0), event: e.event, payload: e.payload, version: 1 }));
  const quoted = (events: typeof boot) => {
    const z = new Uint8Array(48);
    return { rtmr0: z, rtmr1: z, rtmr2: z, rtmr3: rtmr3Of(events) };
  };
  const claimsOfLog = (events: typeof boot, log = logOf(events)) =>
    replayedAppClaims({ eventLog: log, runtimeEvents: [], runtimeEventsSource: 'event-log' }, quoted(events), crypto);

  it('claims come from the replayed imr-3 sequence', () => {
    const r = claimsOfLog(boot);
    expect(r.claims?.composeHash).toBe(VICTIM_COMPOSE_HASH);
    expect(r.claims?.systemReady).toBe(true);
  });

  it('a missing system-ready is refused', () => {
    const events = boot.filter((e) => e.event !== 'system-ready');
    expect(throwsWith(() => claimsOfLog(events), 'EventLogStructure').evidence?.check).toBe('eventLog.systemReady');
    throwsWith(() => dstackAppClaims(events), 'EventLogStructure');
  });

  it('a repeated system-ready is refused', () => {
    const events = [...boot, rt('system-ready', '')];
    expect(throwsWith(() => claimsOfLog(events), 'EventLogStructure').evidence?.check).toBe('eventLog.systemReady');
  });

  it('a claim name twice before system-ready is refused', () => {
    for (const name of ['compose-hash', 'app-id', 'instance-id', 'os-image-hash', 'key-provider']) {
      const i = boot.findIndex((e) => e.event === 'system-ready');
      const events = [...boot.slice(0, i), rt(name, 'a1'.repeat(32)), ...boot.slice(i)];
      expect(throwsWith(() => claimsOfLog(events), 'EventLogStructure').evidence?.check, name).toBe('eventLog.claimRepeated');
    }
  });

  it('after system-ready the same names are application events, not claims', () => {
    const r = claimsOfLog([...boot, rt('compose-hash', 'ff'.repeat(32)), rt('app-id', 'ff'.repeat(20))]);
    expect(r.claims?.composeHash).toBe(VICTIM_COMPOSE_HASH);
    expect(r.claims?.events.length).toBe(boot.length + 2);
  });

  it('a runtime-typed event outside imr 3 is refused even when not a claim', () => {
    const log = [{ ...logOf(boot)[0]!, imr: 1 }, ...logOf(boot)];
    throwsWith(() => claimsOfLog(boot, log), 'EventLogStructure');
  });

  it('an imr-3 entry whose digest cannot be recomputed is refused, even with a matching carried digest', () => {
    const log = logOf(boot).map((e, i) => (i === 0 ? { ...e, eventType: 0x0000000d, digest: new Uint8Array(48) } : e));
    throwsWith(() => claimsOfLog(boot, log), 'EventLogStructure');
  });

  it('stack lists (V0 / V1) follow the same boot rules', () => {
    const events = [...boot, rt('system-ready', '')];
    const r = () => replayedAppClaims({ eventLog: [], runtimeEvents: events, runtimeEventsSource: 'stack' }, quoted(events), crypto);
    throwsWith(r, 'EventLogStructure');
  });
});
