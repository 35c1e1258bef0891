/**
 * dstack application claims read from RTMR3 runtime events (dstack-attest
 * `find_event`: the event of a name before `system-ready`; later events are
 * application-defined and never taken for these claims).
 *
 * Boot rules (EventLogStructure otherwise), for a non-empty sequence:
 *   - exactly one `system-ready` (the guest emits it once, at the end of boot;
 *     a missing one leaves boot and app events indistinguishable);
 *   - each claim name below at most once before `system-ready`.
 * An empty sequence (RTMR3 never extended) gives no claims.
 *
 *   app-id         20 bytes   the app's identity (KMS / on-chain registry)
 *   compose-hash   32 bytes   SHA-256 of the app-compose.json the CVM booted
 *   instance-id    20 bytes   this CVM instance
 *   os-image-hash  32 bytes   the dstack OS image
 *   key-provider   JSON text  e.g. {"name":"kms","id":"<hex SPKI of the KMS root CA>"}
 *
 * Only meaningful once the event log has been replayed against the verified
 * quote's RTMR3 (verify-server-certificate.ts does both).
 */
import { VerifyError } from '../errors.js';
import { toHex, tryUtf8Decode } from '../lib/bytes.js';
import { isPlainObject } from './bounded-json.js';
import type { RuntimeEvent } from './event-log.js';

export interface DstackAppClaims {
  /** Hex of the claim payloads, when the event is present before `system-ready`. */
  readonly appId?: string;
  readonly composeHash?: string;
  readonly instanceId?: string;
  readonly osImageHash?: string;
  /** The key-provider payload as UTF-8 text (hex if not UTF-8). */
  readonly keyProvider?: string;
  /** The key-provider payload parsed, when it is a `{"name": string, "id": string}` JSON object. */
  readonly keyProviderInfo?: { readonly name: string; readonly id: string };
  /** Whether a `system-ready` event was seen. */
  readonly systemReady: boolean;
  /** Every runtime event in order (payload hex), including application events after `system-ready`. */
  readonly events: readonly { readonly event: string; readonly payload: string }[];
}

const SYSTEM_READY = 'system-ready';
/** The runtime events read as boot claims. */
export const BOOT_CLAIM_EVENTS = ['app-id', 'compose-hash', 'instance-id', 'os-image-hash', 'key-provider'] as const;

/** Throws EventLogStructure unless `events` follows the boot rules above. */
export function checkBootSequence(events: readonly RuntimeEvent[]): void {
  if (events.length === 0) return;
  const ready = events.reduce((n, e) => n + (e.event === SYSTEM_READY ? 1 : 0), 0);
  if (ready !== 1) {
    throw new VerifyError('EventLogStructure', `the RTMR3 event sequence has ${ready} system-ready events (exactly one required)`, {
      check: 'eventLog.systemReady',
      field: SYSTEM_READY,
      expected: '1',
      found: String(ready),
    });
  }
  const seen = new Set<string>();
  for (const e of events) {
    if (e.event === SYSTEM_READY) break;
    if (!(BOOT_CLAIM_EVENTS as readonly string[]).includes(e.event)) continue;
    if (seen.has(e.event)) {
      throw new VerifyError('EventLogStructure', `claim ${e.event} appears twice before system-ready`, {
        check: 'eventLog.claimRepeated',
        field: e.event,
        expected: 'at most once before system-ready',
        found: 'twice',
      });
    }
    seen.add(e.event);
  }
}

function findPayload(events: readonly RuntimeEvent[], name: string): Uint8Array | undefined {
  for (const e of events) {
    if (e.event === SYSTEM_READY) break;
    if (e.event === name) return e.payload;
  }
  return undefined;
}

function keyProviderInfo(text: string): { name: string; id: string } | undefined {
  if (text.length > 64 * 1024) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (isPlainObject(v) && typeof v.name === 'string' && typeof v.id === 'string') return { name: v.name, id: v.id };
  } catch {
    // not JSON: reported as text only
  }
  return undefined;
}

/**
 * The claims of an RTMR3 runtime-event sequence (throws EventLogStructure
 * when it breaks the boot rules). Pass only the exact sequence replayed into
 * RTMR3; rtmr3-claims.ts replayedAppClaims does both for every source.
 */
export function dstackAppClaims(events: readonly RuntimeEvent[]): DstackAppClaims {
  checkBootSequence(events);
  const hex = (name: string): string | undefined => {
    const p = findPayload(events, name);
    return p === undefined ? undefined : toHex(p);
  };
  const kp = findPayload(events, 'key-provider');
  const kpText = kp === undefined ? undefined : (tryUtf8Decode(kp) ?? toHex(kp));
  const kpInfo = kpText === undefined ? undefined : keyProviderInfo(kpText);
  const appId = hex('app-id');
  const composeHash = hex('compose-hash');
  const instanceId = hex('instance-id');
  const osImageHash = hex('os-image-hash');
  return {
    ...(appId === undefined ? {} : { appId }),
    ...(composeHash === undefined ? {} : { composeHash }),
    ...(instanceId === undefined ? {} : { instanceId }),
    ...(osImageHash === undefined ? {} : { osImageHash }),
    ...(kpText === undefined ? {} : { keyProvider: kpText }),
    ...(kpInfo === undefined ? {} : { keyProviderInfo: kpInfo }),
    systemReady: events.some((e) => e.event === SYSTEM_READY),
    events: events.map((e) => ({ event: e.event, payload: toHex(e.payload) })),
  };
}
