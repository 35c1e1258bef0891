/**
 * dstack application claims read from RTMR3 runtime events (dstack-attest
 * `find_event`: the first event of a name before `system-ready`; later
 * events are application-defined and never taken for these claims).
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
import { toHex, tryUtf8Decode } from '../util/bytes.js';
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

export function dstackAppClaims(events: readonly RuntimeEvent[]): DstackAppClaims {
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
