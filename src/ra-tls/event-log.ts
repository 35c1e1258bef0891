/**
 * dstack TDX event log entries and runtime events (dstack `cc-eventlog`
 * crate: `TdxEvent`, `RuntimeEvent`).
 *
 *   TdxEvent     { imr: u32 (0-based RTMR index), event_type: u32, digest: bytes,
 *                  event: string, event_payload: bytes, version: 1 | 2 }
 *   RuntimeEvent { event: string, payload: bytes, version: 1 | 2 }
 *
 * Runtime events (event_type 0x08000001, extended into RTMR3 by the guest)
 * carry no trusted digest: the digest is always recomputed from the content.
 *   V1: SHA-384(u32le(0x08000001) ‖ ":" ‖ event ‖ ":" ‖ payload)
 *   V2: SHA-384(JCS {"event":…,"event_type":134217729,"payload":hex,"version":2})
 * SCALE-encoded (V0) attestations never carry the version (always V1).
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { VerifyError } from '../errors.js';
import { concatBytes, toHex, utf8Encode } from '../lib/bytes.js';
import { sha384Of } from '../crypto/sha2.js';

/** dstack runtime event type (`DSTACK_RUNTIME_EVENT_TYPE`), not defined by the TCG. */
export const DSTACK_RUNTIME_EVENT_TYPE = 0x08000001;

/** Digest format of a runtime event (`EventLogVersion`). */
export type EventLogVersion = 1 | 2;

export interface TdxEvent {
  /** RTMR index, 0-based (TCG PCR index − 1). */
  readonly imr: number;
  readonly eventType: number;
  /** As carried (48 bytes for boot events; often empty for stripped runtime events). */
  readonly digest: Uint8Array;
  readonly event: string;
  readonly payload: Uint8Array;
  readonly version: EventLogVersion;
}

export interface RuntimeEvent {
  readonly event: string;
  readonly payload: Uint8Array;
  readonly version: EventLogVersion;
}

export function isRuntimeEvent(e: TdxEvent): boolean {
  return e.eventType === DSTACK_RUNTIME_EVENT_TYPE;
}

/** The bytes hashed to give a runtime event's digest (`RuntimeEvent::hash_input`). */
export function runtimeEventHashInput(e: RuntimeEvent): Uint8Array {
  if (e.version === 2) {
    // RFC 8785 (JCS): keys sorted, no whitespace; JSON.stringify renders strings
    // exactly as JCS requires (ECMAScript JSON string serialisation).
    const json =
      `{"event":${JSON.stringify(e.event)},"event_type":${DSTACK_RUNTIME_EVENT_TYPE},` +
      `"payload":"${toHex(e.payload)}","version":2}`;
    return utf8Encode(json);
  }
  const type = Uint8Array.of(0x01, 0x00, 0x00, 0x08); // u32le(0x08000001)
  const colon = Uint8Array.of(0x3a);
  return concatBytes(type, colon, utf8Encode(e.event), colon, e.payload);
}

/** SHA-384 digest of a runtime event. */
export function runtimeEventDigest(e: RuntimeEvent, crypto: CryptoBackend): Uint8Array {
  return sha384Of(crypto)(runtimeEventHashInput(e));
}

/** RTMR3's 0-based index in `TdxEvent.imr`. */
export const RTMR3_IMR = 3;

/**
 * The placement rule of dstack runtime events: RTMR3 is extended only with
 * runtime events (whose digests are recomputed from their content), and a
 * runtime event is only ever extended into RTMR3. Anything else is a forged
 * or foreign log (EventLogStructure): a runtime event outside imr 3 is never
 * replayed into RTMR3, and an imr-3 entry of another type can only be
 * replayed with a carried digest, so neither may stand for a claim.
 */
export function checkEventPlacement(e: TdxEvent, index: number): void {
  const runtime = isRuntimeEvent(e);
  if (runtime && e.imr !== RTMR3_IMR) {
    throw new VerifyError('EventLogStructure', `event log entry ${index} (${JSON.stringify(e.event.slice(0, 64))}) is a runtime event outside imr 3`, {
      check: 'eventLog.runtimeEventImr',
      field: `eventLog[${index}].imr`,
      expected: String(RTMR3_IMR),
      found: String(e.imr),
    });
  }
  if (!runtime && e.imr === RTMR3_IMR) {
    throw new VerifyError('EventLogStructure', `event log entry ${index} in imr 3 is not a runtime event: its digest cannot be recomputed`, {
      check: 'eventLog.rtmr3EventType',
      field: `eventLog[${index}].event_type`,
      expected: '0x' + DSTACK_RUNTIME_EVENT_TYPE.toString(16).padStart(8, '0'),
      found: '0x' + e.eventType.toString(16).padStart(8, '0'),
    });
  }
}

/**
 * The runtime events an event log replays into RTMR3: its imr-3 entries, in
 * order, after checking every entry's placement (checkEventPlacement).
 * Throws EventLogStructure on a misplaced entry.
 */
export function runtimeEventsOf(log: readonly TdxEvent[]): RuntimeEvent[] {
  const out: RuntimeEvent[] = [];
  log.forEach((e, i) => {
    checkEventPlacement(e, i);
    if (e.imr === RTMR3_IMR) out.push({ event: e.event, payload: e.payload, version: e.version });
  });
  return out;
}
