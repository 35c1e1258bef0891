/**
 * The one rule for dstack app claims, used by every log source (SCALE V0,
 * msgpack V1, legacy certificates with the .1.2 JSON log, sidecar reports):
 *
 *   1. the claims sequence is exactly what is replayed into RTMR3: the stack
 *      runtime-event list (V0 / V1), else the imr-3 entries of the event log
 *      (legacy, sidecar), never a list filtered by event type;
 *   2. every event-log entry is placed by the rule of event-log.ts
 *      (checkEventPlacement): runtime events in imr 3 only, imr 3 holds only
 *      runtime events, whose digests are recomputed from the content (a
 *      carried digest never stands for a runtime event);
 *   3. the replay must equal the quote's RTMR3 (rtmr-replay.ts);
 *   4. the sequence follows the boot rules (app-claims.ts checkBootSequence):
 *      one `system-ready`, each claim name at most once before it; events
 *      after `system-ready` never feed boot claims.
 *
 * Steps 2 and 4 throw EventLogStructure, step 3 EventLogReplay. Claims are
 * returned only when RTMR3 matched.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { dstackAppClaims, type DstackAppClaims } from './app-claims.js';
import { runtimeEventsOf, type RuntimeEvent, type TdxEvent } from './event-log.js';
import { checkEventLogAgainstQuote, type EventLogCheck } from './rtmr-replay.js';

export interface EventLogSource {
  readonly eventLog: readonly TdxEvent[] | undefined;
  /** The stack list (used only when runtimeEventsSource is 'stack'). */
  readonly runtimeEvents: readonly RuntimeEvent[];
  readonly runtimeEventsSource: 'stack' | 'event-log' | 'none';
}

export interface QuotedRtmrs {
  readonly rtmr0: Uint8Array;
  readonly rtmr1: Uint8Array;
  readonly rtmr2: Uint8Array;
  readonly rtmr3: Uint8Array;
}

export interface ReplayedAppClaims {
  readonly eventLog: EventLogCheck;
  /** Claims of the sequence replayed into RTMR3; undefined when RTMR3 could not be replayed. */
  readonly claims: DstackAppClaims | undefined;
  /** The exact runtime-event sequence replayed into RTMR3 (empty when none). */
  readonly sequence: readonly RuntimeEvent[];
}

/** Replays an attestation's events against the quote's RTMRs and reads the app claims (see above). */
export function replayedAppClaims(att: EventLogSource, quoted: QuotedRtmrs, crypto: CryptoBackend): ReplayedAppClaims {
  // Recomputed here from the log, whatever list the caller carried along.
  const sequence: readonly RuntimeEvent[] =
    att.runtimeEventsSource === 'stack' ? att.runtimeEvents : att.runtimeEventsSource === 'event-log' && att.eventLog !== undefined ? runtimeEventsOf(att.eventLog) : [];
  const eventLog = checkEventLogAgainstQuote(
    { eventLog: att.eventLog, runtimeEvents: sequence, runtimeEventsSource: att.runtimeEventsSource },
    quoted,
    crypto,
  );
  const claims = eventLog.rtmr[3] === 'match' ? dstackAppClaims(sequence) : undefined;
  return { eventLog, claims, sequence };
}
