/**
 * RTMR replay (Intel TDX Module ABI, TDG.MR.RTMR.EXTEND: RTMR := SHA-384(RTMR ‖ data),
 * RTMRs start at 48 zero bytes) over a dstack event log, and the comparison
 * with the quote's RTMR0..3.
 *
 * Digests: runtime events (type 0x08000001) are recomputed from their content
 * (a carried digest must agree); every other event uses its carried 48-byte
 * digest. Runtime events belong to RTMR3 and RTMR3 holds only runtime events
 * (event-log.ts checkEventPlacement; EventLogStructure otherwise), so RTMR3
 * is always replayed from content, never from a carried digest. A register is *replayable* only when every event for it has a
 * digest. RTMR0..2 (firmware, kernel, boot) additionally need a *full* boot
 * log: events for all of RTMR0, 1 and 2. Logs stripped for certificate
 * embedding (dstack `into_stripped`: RTMR3 only, or RTMR3 plus the "ACPI DATA"
 * digests) only replay RTMR3.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { VerifyError } from '../errors.js';
import { bytesEqual, concatBytes, toHex } from '../lib/bytes.js';
import { checkEventPlacement, isRuntimeEvent, runtimeEventDigest, type RuntimeEvent, type TdxEvent } from './event-log.js';
import { sha384Of } from '../crypto/sha2.js';

export type RtmrIndex = 0 | 1 | 2 | 3;

/** How a quote RTMR compares with the event log. */
export type RtmrCheck = 'match' | 'unavailable';

/** Replayed values per RTMR; undefined where the log cannot reproduce the register. */
export interface RtmrReplay {
  readonly values: readonly [Uint8Array | undefined, Uint8Array | undefined, Uint8Array | undefined, Uint8Array | undefined];
  /** Events seen per RTMR. */
  readonly counts: readonly [number, number, number, number];
}

const ZERO48: Uint8Array = new Uint8Array(48);

function extend(mr: Uint8Array, digest: Uint8Array, crypto: CryptoBackend): Uint8Array {
  return sha384Of(crypto)(concatBytes(mr, digest));
}

/** The digest an event log entry extends, or undefined if the entry carries none (stripped). */
export function eventDigest(e: TdxEvent, crypto: CryptoBackend, index?: number): Uint8Array | undefined {
  if (isRuntimeEvent(e)) {
    const d = runtimeEventDigest(e, crypto);
    if (e.digest.length > 0 && !bytesEqual(e.digest, d)) {
      throw new VerifyError('EventLogReplay', `event ${JSON.stringify(e.event)}: carried digest does not match its content`, {
        check: 'eventLog.digest',
        field: index === undefined ? e.event : `eventLog[${index}]`,
        expected: toHex(d),
        found: toHex(e.digest),
      });
    }
    return d;
  }
  return e.digest.length === 48 ? e.digest : undefined;
}

/** Replays RTMR0..3 from an event log. */
export function replayEventLog(log: readonly TdxEvent[], crypto: CryptoBackend): RtmrReplay {
  const mr: Uint8Array[] = [ZERO48, ZERO48, ZERO48, ZERO48];
  const ok = [true, true, true, true];
  const counts: [number, number, number, number] = [0, 0, 0, 0];
  log.forEach((e, i) => {
    checkEventPlacement(e, i);
    const idx = e.imr as RtmrIndex;
    counts[idx]++;
    const d = eventDigest(e, crypto, i);
    if (d === undefined) ok[idx] = false;
    else if (ok[idx]) mr[idx] = extend(mr[idx]!, d, crypto);
  });
  const fullBoot = counts[0] > 0 && counts[1] > 0 && counts[2] > 0;
  const value = (i: RtmrIndex): Uint8Array | undefined => (ok[i] && (i === 3 || fullBoot) ? mr[i] : undefined);
  return { values: [value(0), value(1), value(2), value(3)], counts };
}

/** RTMR3 from a runtime event list (dstack `replay_events::<Sha384>`). */
export function replayRuntimeEvents(events: readonly RuntimeEvent[], crypto: CryptoBackend): Uint8Array {
  let mr: Uint8Array = ZERO48;
  for (const e of events) mr = extend(mr, runtimeEventDigest(e, crypto), crypto);
  return mr;
}

/** Throws EventLogReplay unless `replayed` equals the quote's RTMR. */
export function expectRtmr(index: RtmrIndex, replayed: Uint8Array, quoted: Uint8Array, source: string): void {
  if (!bytesEqual(replayed, quoted)) {
    throw new VerifyError('EventLogReplay', `RTMR${index} replayed from the ${source} differs from the quote`, {
      check: `eventLog.rtmr${index}`,
      field: `rtmr${index}`,
      expected: toHex(quoted),
      found: toHex(replayed),
    });
  }
}

/** Per-RTMR outcome of checking an attestation's event log against its quote. */
export interface EventLogCheck {
  readonly rtmr: readonly [RtmrCheck, RtmrCheck, RtmrCheck, RtmrCheck];
}

/**
 * Checks an attestation's event log and runtime events against the quote's
 * RTMRs. Every register the log can reproduce must match (EventLogReplay
 * otherwise); RTMR3 must match whenever the attestation carries runtime
 * events (its stack list, or an event log). Registers the log cannot
 * reproduce are reported `unavailable`.
 */
export function checkEventLogAgainstQuote(
  att: {
    readonly eventLog: readonly TdxEvent[] | undefined;
    readonly runtimeEvents: readonly RuntimeEvent[];
    readonly runtimeEventsSource: 'stack' | 'event-log' | 'none';
  },
  quoted: { readonly rtmr0: Uint8Array; readonly rtmr1: Uint8Array; readonly rtmr2: Uint8Array; readonly rtmr3: Uint8Array },
  crypto: CryptoBackend,
): EventLogCheck {
  const q = [quoted.rtmr0, quoted.rtmr1, quoted.rtmr2, quoted.rtmr3] as const;
  const status: [RtmrCheck, RtmrCheck, RtmrCheck, RtmrCheck] = ['unavailable', 'unavailable', 'unavailable', 'unavailable'];
  if (att.eventLog !== undefined) {
    const r = replayEventLog(att.eventLog, crypto);
    for (const i of [0, 1, 2, 3] as const) {
      const v = r.values[i];
      // With a stack runtime-event list, an event log without RTMR3 entries
      // (stripped differently) is not evidence about RTMR3.
      if (v === undefined || (i === 3 && r.counts[3] === 0 && att.runtimeEventsSource === 'stack')) continue;
      expectRtmr(i, v, q[i], 'event log');
      status[i] = 'match';
    }
  }
  if (att.runtimeEventsSource === 'stack') {
    expectRtmr(3, replayRuntimeEvents(att.runtimeEvents, crypto), q[3], 'runtime events');
    status[3] = 'match';
  }
  return { rtmr: status };
}
