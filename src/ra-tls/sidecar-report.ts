/**
 * The Postgres sidecar's `/attestation` JSON report: a TDX quote whose
 * REPORTDATA commits to the database's WAL position, its pg_control state and
 * the time the report was made.
 *
 * No upstream specification or vector defines this report; this library
 * defines it as follows (docs/ra-tls.md, "Sidecar /attestation report"):
 *
 *   {
 *     "quote":            "<hex>",              TDX quote (v4 / v5), lower or upper case, no 0x
 *     "wal_lsn":          "16/B374D848",        PostgreSQL pg_lsn text: two hex halves "X/Y"
 *     "controldata_hash": "<64 hex chars>",     SHA-256 of the pg_control file (32 bytes)
 *     "timestamp":        1750328400,           unix seconds (integer) when the quote was made
 *     "event_log":        "<JSON text>" | [...] optional dstack JSON event log (GetQuote `event_log`)
 *   }
 *
 *   REPORTDATA = SHA-256( u64be(lsn) ‖ controldata_hash ‖ u64be(timestamp) ) ‖ 32 zero bytes
 *   where lsn = X·2^32 + Y (PostgreSQL XLogRecPtr).
 *
 * Freshness: the report must be no older than `maxAgeSeconds` (default 300)
 * and no more than `maxFutureSkewSeconds` (default 60) ahead of the
 * verification time. Unknown members are rejected (strict).
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { defaultCryptoBackend } from '../crypto/default.js';
import { ParseError, PolicyError, VerifyError } from '../errors.js';
import { bytesEqual, concatBytes, toHex, tryFromHex } from '../lib/bytes.js';
import { resolveTime } from '../verifier/clock.js';
import type { VerifierClock, RaTlsVerifier, VerificationResult } from '../verifier/types.js';
import type { DstackAppClaims } from './app-claims.js';
import { isPlainObject, parseJsonBounded } from './bounded-json.js';
import { parseEventLogJson, tdxEventFromJson } from './event-log-json.js';
import type { TdxEvent } from './event-log.js';
import { ATTESTATION_LIMITS } from './limits.js';
import { optionalFunction, optionalNonNegative, optionalTime, requireOptionsObject, validateRaTlsPolicyOptions } from './option-checks.js';
import { ratlsPolicyViolations, type RaTlsPolicyOptions } from './ratls-policy.js';
import type { EventLogCheck } from './rtmr-replay.js';
import { requireVerifier, verifyAttestedQuote } from './verify-attested-quote.js';

export interface SidecarAttestationReport {
  readonly quote: Uint8Array;
  /** The LSN as PostgreSQL prints it ("X/Y"), normalised to upper-case hex. */
  readonly walLsn: string;
  readonly walLsnValue: bigint;
  readonly controldataHash: Uint8Array;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly eventLog?: readonly TdxEvent[];
}

const KNOWN = new Set(['quote', 'wal_lsn', 'controldata_hash', 'timestamp', 'event_log']);
const MAX_REPORT_LENGTH = 8 * 1024 * 1024;

function fail(field: string, message: string, extra?: { expected?: string; found?: string }): never {
  throw new ParseError('AttestationReportParse', `sidecar report ${field}: ${message}`, { check: 'sidecarReport', field, ...extra });
}

/** PostgreSQL pg_lsn text ("%X/%X", each half at most 8 hex digits) → 64-bit value. */
export function parseLsn(text: unknown): bigint {
  if (typeof text !== 'string' || !/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/.test(text)) {
    fail('wal_lsn', 'expected PostgreSQL LSN text "X/Y" (hex halves, 1-8 digits each)', { found: String(text).slice(0, 40) });
  }
  const [hi, lo] = text.split('/') as [string, string];
  return (BigInt('0x' + hi) << 32n) | BigInt('0x' + lo);
}

function u64be(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Parses a report (JSON text, UTF-8 bytes, or an already-parsed object). */
export function parseSidecarReport(input: string | Uint8Array | Record<string, unknown>): SidecarAttestationReport {
  const doc =
    typeof input === 'string' || input instanceof Uint8Array
      ? parseJsonBounded(input, { maxLength: MAX_REPORT_LENGTH, maxDepth: 8 }, 'AttestationReportParse', 'sidecar report')
      : input;
  if (!isPlainObject(doc)) fail('root', 'expected a JSON object');
  for (const k of Object.keys(doc)) if (!KNOWN.has(k)) fail(k, 'unknown member');

  if (typeof doc.quote !== 'string' || doc.quote.length === 0 || doc.quote.length > 2 * ATTESTATION_LIMITS.maxQuoteBytes) {
    fail('quote', 'expected a non-empty hex string');
  }
  const quote = tryFromHex(doc.quote);
  if (quote === undefined || doc.quote.startsWith('0x') || doc.quote.startsWith('0X')) fail('quote', 'invalid hex');

  const walLsnValue = parseLsn(doc.wal_lsn);
  const walLsn = `${(walLsnValue >> 32n).toString(16).toUpperCase()}/${(walLsnValue & 0xffffffffn).toString(16).toUpperCase()}`;

  if (typeof doc.controldata_hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(doc.controldata_hash)) {
    fail('controldata_hash', 'expected 64 hex characters (SHA-256)');
  }
  const controldataHash = tryFromHex(doc.controldata_hash)!;

  const ts = doc.timestamp;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) fail('timestamp', 'expected unix seconds (non-negative integer)');

  let eventLog: TdxEvent[] | undefined;
  if (typeof doc.event_log === 'string') {
    eventLog = parseEventLogJson(doc.event_log, 'sidecar report event_log');
  } else if (Array.isArray(doc.event_log)) {
    if (doc.event_log.length > ATTESTATION_LIMITS.maxEvents) fail('event_log', 'too many events');
    eventLog = doc.event_log.map((e, i) => tdxEventFromJson(e, `event_log[${i}]`));
  } else if (doc.event_log !== undefined) {
    fail('event_log', 'expected JSON text or an array of events');
  }

  return { quote, walLsn, walLsnValue, controldataHash, timestamp: ts, ...(eventLog === undefined ? {} : { eventLog }) };
}

/** The REPORTDATA a report must carry: SHA-256(u64be(lsn) ‖ controldata_hash ‖ u64be(timestamp)) ‖ 32 zero bytes. */
export function sidecarReportData(
  report: Pick<SidecarAttestationReport, 'walLsnValue' | 'controldataHash' | 'timestamp'>,
  crypto: CryptoBackend,
): Uint8Array {
  const digest = crypto.sha256(concatBytes(u64be(report.walLsnValue), report.controldataHash, u64be(BigInt(report.timestamp))));
  return concatBytes(digest, new Uint8Array(32));
}

export interface SidecarAttestationOptions extends RaTlsPolicyOptions {
  readonly verifier: RaTlsVerifier;
  /** Verification time (also the freshness reference). */
  readonly at?: number | string | Date;
  /** Used when `at` is absent. */
  readonly clock?: VerifierClock;
  /** Maximum report age, seconds. Default 300. */
  readonly maxAgeSeconds?: number;
  /** How far in the future a report timestamp may be, seconds. Default 60. */
  readonly maxFutureSkewSeconds?: number;
  readonly crypto?: CryptoBackend;
}

export interface SidecarAttestationVerification {
  readonly report: SidecarAttestationReport;
  readonly result: VerificationResult;
  readonly claims: DstackAppClaims | undefined;
  readonly eventLog: EventLogCheck;
  /** Report age at the verification time, seconds (negative: dated in the future). */
  readonly ageSeconds: number;
}

function nonNegative(v: number | undefined, dflt: number, field: string): number {
  optionalNonNegative(v, 'verifySidecarAttestation', field);
  return v ?? dflt;
}

/** Verifies a sidecar `/attestation` report: binding, quote, event log, policy and freshness. */
export async function verifySidecarAttestation(
  input: string | Uint8Array | Record<string, unknown>,
  options: SidecarAttestationOptions,
): Promise<SidecarAttestationVerification> {
  requireOptionsObject(options, 'verifySidecarAttestation');
  requireVerifier(options.verifier);
  validateRaTlsPolicyOptions(options, 'verifySidecarAttestation');
  optionalTime(options.at, 'verifySidecarAttestation', 'at');
  optionalFunction(options.clock, 'verifySidecarAttestation', 'clock');
  const now = resolveTime(options.at, options.clock, 'verifySidecarAttestation');
  const maxAge = nonNegative(options.maxAgeSeconds, 300, 'maxAgeSeconds');
  const maxFuture = nonNegative(options.maxFutureSkewSeconds, 60, 'maxFutureSkewSeconds');
  const crypto = options.crypto ?? defaultCryptoBackend();
  const report = parseSidecarReport(input);
  const expected = sidecarReportData(report, crypto);

  const attested = await verifyAttestedQuote({
    quote: report.quote,
    eventLog: report.eventLog,
    // The RTMR3 sequence is derived from the log by the boot-claim rule (rtmr3-claims.ts).
    runtimeEvents: [],
    runtimeEventsSource: report.eventLog === undefined ? 'none' : 'event-log',
    checkBinding: (reportData) => {
      if (!bytesEqual(reportData, expected)) {
        throw new VerifyError('AttestationReportBinding', 'quote REPORTDATA is not SHA-256(wal_lsn ‖ controldata_hash ‖ timestamp) ‖ 0^32', {
          check: 'sidecarReport.reportData',
          field: 'reportData',
          expected: toHex(expected),
          found: toHex(reportData),
        });
      }
    },
    verifier: options.verifier,
    at: now,
    crypto,
  });

  const violations = ratlsPolicyViolations(attested.result, attested.claims, options);
  const age = now - report.timestamp;
  if (age > maxAge) {
    violations.push({
      code: 'PolicyFreshness',
      message: `report is ${age} s old (maximum ${maxAge} s)`,
      evidence: { check: 'policy.freshness', field: 'timestamp', expected: `>= ${now - maxAge}`, found: String(report.timestamp) },
    });
  } else if (-age > maxFuture) {
    violations.push({
      code: 'PolicyFreshness',
      message: `report is dated ${-age} s in the future (maximum ${maxFuture} s)`,
      evidence: { check: 'policy.freshness', field: 'timestamp', expected: `<= ${now + maxFuture}`, found: String(report.timestamp) },
    });
  }
  if (violations.length > 0) throw new PolicyError(violations);
  return { report, result: attested.result, claims: attested.claims, eventLog: attested.eventLog, ageSeconds: age };
}
