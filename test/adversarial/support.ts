/**
 * Shared pieces of the adversarial suite: a victim app and a rogue app on the
 * SAME genuine (test-PKI) platform, and RA-TLS certificates / sidecar reports
 * minted from a simulator in every wire format (SCALE V0, msgpack V1, legacy
 * .1.1 + .1.2), with whatever event log the rogue TD chooses to serve.
 */
import { createHash } from 'node:crypto';
import { nobleBackend } from '../../src/crypto/noble.js';
import { DSTACK_RUNTIME_EVENT_TYPE, runtimeEventDigest, type RuntimeEvent } from '../../src/ra-tls/event-log.js';
import { simulatorAttestationReport } from '../../src/simulator/attestation-report.js';
import { encodeAttestationV0, eventLogJson, mintRaTlsCertificate, randomKeyPair, ratlsReportData, type SimEvent } from '../../src/simulator/mint.js';
import { DstackSimulator, type DstackSimulatorOptions } from '../../src/simulator/simulator.js';
import { fromHex } from '../../src/lib/bytes.js';
import { msgpack, type Mp } from '../ra-tls/helpers.js';

/** Fixed platform time: every certificate and collateral is valid around it. */
export const AT = 1_767_225_600; // 2026-01-01T00:00:00Z

export const VICTIM_APP_ID = 'aa'.repeat(20);
export const VICTIM_COMPOSE_HASH = 'a1'.repeat(32);
export const ROGUE_APP_ID = 'ee'.repeat(20);
export const ROGUE_COMPOSE_HASH = 'e1'.repeat(32);

export const victim = new DstackSimulator({ at: AT, appId: VICTIM_APP_ID, composeHash: VICTIM_COMPOSE_HASH, appName: 'victim' });

/** A rogue app on the same genuine platform (same MRTD, same OS image, its own compose hash and app id). */
export function rogue(options: Partial<DstackSimulatorOptions> = {}): DstackSimulator {
  return new DstackSimulator({ at: AT, appId: ROGUE_APP_ID, composeHash: ROGUE_COMPOSE_HASH, appName: 'rogue', ...options });
}

/** The pins a client of the victim sets: the platform and the victim app. */
export const VICTIM_PINS = {
  allowedMrtds: [victim.mrtd],
  allowedComposeHashes: [VICTIM_COMPOSE_HASH],
  allowedAppIds: [VICTIM_APP_ID],
} as const;

const crypto = nobleBackend();

export const rt = (event: string, payloadHex: string): RuntimeEvent => ({ event, payload: fromHex(payloadHex), version: 1 });

/** A runtime-typed event-log entry with its digest computed from the content (as genuine tooling writes it). */
export function runtimeEntry(imr: number, event: string, payloadHex: string): SimEvent {
  const e = rt(event, payloadHex);
  return { imr, eventType: DSTACK_RUNTIME_EVENT_TYPE, digest: runtimeEventDigest(e, crypto), event, payload: e.payload };
}

/** Attack (a): the victim's claims prepended as runtime events in imr 0 (not replayed into RTMR3). */
export const prependVictimInImr0 = (log: SimEvent[]): SimEvent[] => [
  runtimeEntry(0, 'compose-hash', VICTIM_COMPOSE_HASH),
  runtimeEntry(0, 'app-id', VICTIM_APP_ID),
  ...log,
];

/**
 * Attack (b): the genuine boot-time compose-hash, app-id and system-ready
 * entries of imr 3 re-typed as non-runtime events keeping their carried
 * digests (the replay still matches), so that the app's own post-boot
 * events become "the first before system-ready".
 */
export const retypeBootEntries = (log: SimEvent[]): SimEvent[] => {
  let booting = true;
  return log.map((e) => {
    if (!booting) return e;
    if (e.event === 'system-ready') booting = false;
    return ['compose-hash', 'app-id', 'system-ready'].includes(e.event) ? { ...e, eventType: 0x80000001 } : e;
  });
};

/** The app events a rogue app emits after boot, claiming the victim's identity. */
export const VICTIM_APP_EVENTS: readonly RuntimeEvent[] = [rt('compose-hash', VICTIM_COMPOSE_HASH), rt('app-id', VICTIM_APP_ID)];

export type CertFormat = 'v0' | 'v1' | 'legacy';

/** A server RA-TLS certificate (DER) of `sim`, carrying `sim.eventLog()` in `format`. */
export function certificateOf(sim: DstackSimulator, format: CertFormat): Uint8Array {
  const key = randomKeyPair();
  const reportData = ratlsReportData(key.publicKey);
  const quote = sim.quote(reportData);
  const log = sim.eventLog();
  const base = {
    key,
    ca: sim.ca,
    serial: Uint8Array.of(0x01, 0x07),
    subject: 'rogue',
    serverAuth: true,
    clientAuth: false,
    notBefore: AT - 86_400,
    notAfter: AT + 86_400,
  };
  if (format === 'legacy') return mintRaTlsCertificate({ ...base, legacy: { quote, eventLogJson: eventLogJson(log) } });
  if (format === 'v0') {
    return mintRaTlsCertificate({
      ...base,
      attestation: encodeAttestationV0({ quote, eventLog: log, runtimeEvents: sim.runtimeEvents, reportData, config: sim.vmConfig }),
    });
  }
  const doc: Mp = {
    version: 1,
    platform: {
      kind: 'tdx',
      data: {
        quote,
        event_log: log.map((e) => ({ imr: e.imr, event_type: e.eventType, digest: e.digest, event: e.event, event_payload: e.payload })),
      },
    },
    stack: {
      kind: 'dstack',
      data: { report_data: reportData, runtime_events: sim.runtimeEvents.map((e) => ({ event: e.event, payload: e.payload })), config: sim.vmConfig },
    },
  };
  return mintRaTlsCertificate({ ...base, attestation: msgpack(doc) });
}

/** A sidecar `/attestation` report of `sim` in the documented shape (its quote binds the report fields), with `sim.eventLog()`. */
export function sidecarReportOf(sim: DstackSimulator, timestamp = AT): Record<string, unknown> {
  const state = { walLsn: '16/B374D848', controldataHash: createHash('sha256').update('pg_control').digest('hex'), pgVersion: 'PostgreSQL 16' };
  return simulatorAttestationReport(sim, state, { timestamp, withEventLog: true });
}
