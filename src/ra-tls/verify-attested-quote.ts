/**
 * The part of RA-TLS verification shared by certificates and sidecar reports,
 * in this order (cheap local checks before any verifier call):
 *
 *   1. parse the TDX quote;
 *   2. REPORTDATA binding (the caller's check: certificate key, report fields);
 *   3. event log / runtime events replayed against the quote's RTMRs, and the
 *      app claims read from exactly the RTMR3 sequence (rtmr3-claims.ts);
 *   4. the injected verifier decides whether the quote is genuine;
 *   5. the verifier's result must describe this very quote (MRTD, RTMRs,
 *      REPORTDATA), so a confused or caching verifier cannot substitute another.
 *
 * Policy is applied by the callers.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { VerifyError, attestationError } from '../errors.js';
import type { TdReportBody } from '../quote/types.js';
import { parseTdxQuote, tdFields } from '../verifier/td-fields.js';
import type { RaTlsVerifier, VerificationResult } from '../verifier/types.js';
import type { DstackAppClaims } from './app-claims.js';
import type { RuntimeEvent, TdxEvent } from './event-log.js';
import type { EventLogCheck } from './rtmr-replay.js';
import { replayedAppClaims } from './rtmr3-claims.js';

export interface AttestedQuoteInput {
  readonly quote: Uint8Array;
  readonly eventLog: readonly TdxEvent[] | undefined;
  readonly runtimeEvents: readonly RuntimeEvent[];
  readonly runtimeEventsSource: 'stack' | 'event-log' | 'none';
  /** Throws (a coded VerifyError) unless the quote's REPORTDATA is the expected binding. */
  readonly checkBinding: (reportData: Uint8Array) => void;
  readonly verifier: RaTlsVerifier;
  readonly at: number | string | Date | undefined;
  readonly runtimeData?: Uint8Array;
  readonly crypto: CryptoBackend;
}

export interface AttestedQuote {
  readonly body: TdReportBody;
  readonly result: VerificationResult;
  readonly eventLog: EventLogCheck;
  /** Runtime-event claims, present only when RTMR3 was replayed and matched. */
  readonly claims: DstackAppClaims | undefined;
}

export function requireVerifier(verifier: unknown): asserts verifier is RaTlsVerifier {
  if (verifier === null || typeof verifier !== 'object' || typeof (verifier as RaTlsVerifier).verify !== 'function') {
    throw attestationError('InvalidArgument', 'options.verifier (a RaTlsVerifier) is required', {
      check: 'options.verifier',
      expected: 'DcapVerifier | IntelApiVerifier | CachedVerifier | ...',
    });
  }
}

export async function verifyAttestedQuote(input: AttestedQuoteInput): Promise<AttestedQuote> {
  const parsed = parseTdxQuote(input.quote);
  const body = parsed.body;
  input.checkBinding(body.reportData);
  // The one boot-claim rule for every log source (rtmr3-claims.ts).
  const { eventLog, claims } = replayedAppClaims(input, body, input.crypto);

  const result = await input.verifier.verify(input.quote, {
    ...(input.at === undefined ? {} : { at: input.at }),
    ...(input.runtimeData === undefined ? {} : { runtimeData: input.runtimeData }),
  });
  const local = tdFields(body);
  for (const k of ['mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3', 'reportData'] as const) {
    if (result?.[k] !== local[k]) {
      throw new VerifyError('RaTlsInconsistent', `verifier ${String(result?.verifier)} returned a result for another quote (${k})`, {
        check: 'ratls.verifierResult',
        field: k,
        expected: local[k],
        found: String(result?.[k]),
      });
    }
  }
  return { body, result, eventLog, claims };
}
