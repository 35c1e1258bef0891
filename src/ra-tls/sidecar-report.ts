/**
 * The TeeSQL sidecar's `GET /attestation` report (port 8080): a TDX quote
 * whose REPORTDATA commits to the database's WAL position, its pg_control
 * state and the time the report was made. The documented shape
 * (docs/ra-tls.md, "Sidecar /attestation report"):
 *
 *   {
 *     "app_id":       "<hex>",                    dstack app id
 *     "compose_hash": "<64 hex>",                 SHA-256 of the normalised compose file
 *     "instance_id":  "<string>",                 this CVM instance
 *     "quote":        "<hex>",                    TDX quote (v4 / v5), no 0x
 *     "tcb_info":     { "mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3": "<96 hex>" },
 *     "postgres_state": {
 *       "wal_lsn":          "16/B374D848",        pg_lsn text, canonical %X/%X
 *       "controldata_hash": "<64 hex>",           SHA-256 of pg_controldata output
 *       "pg_version":       "<string>"            server version (NOT bound by the quote)
 *     },
 *     "timestamp":    1750328400,                 unix seconds, 10 digits
 *     "event_log":    "<JSON text>" | [...]       optional (this library's extension):
 *                                                 dstack JSON event log, replayed into RTMR3
 *   }
 *
 * Layers: parseSidecarReport (grammar only), then verifySidecarAttestation:
 *   1. tcb_info cross-checked against the quote body (AttestationReportInconsistent);
 *   2. REPORTDATA binding under a named encoding (sidecar-report-data.ts,
 *      AttestationReportBinding);
 *   3. event log replayed into RTMR3 (rtmr3-claims.ts, the one rule);
 *   4. the injected verifier authenticates the quote;
 *   5. app_id / compose_hash / instance_id: bound only when the replayed
 *      RTMR3 claims carry them (they must then agree, else
 *      AttestationReportInconsistent); otherwise reported `unbound`, and a pin
 *      on them fails closed (the policy reads replayed claims only);
 *   6. policy and freshness, every violation in one PolicyError.
 *
 * Unknown members are refused (AttestationReportParse) unless
 * `allowUnknownMembers: true`.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { defaultCryptoBackend } from '../crypto/default.js';
import { ParseError, PolicyError, VerifyError, attestationError } from '../errors.js';
import { bytesEqual, toHex, tryFromHex } from '../lib/bytes.js';
import type { TimeInput } from '../lib/time.js';
import { resolveTime } from '../verifier/clock.js';
import { parseTdxQuote } from '../verifier/td-fields.js';
import type { VerifierClock, RaTlsVerifier, VerificationResult } from '../verifier/types.js';
import type { DstackAppClaims } from './app-claims.js';
import { isPlainObject, parseJsonBounded } from './bounded-json.js';
import { parseEventLogJson, tdxEventFromJson } from './event-log-json.js';
import type { TdxEvent } from './event-log.js';
import { ATTESTATION_LIMITS } from './limits.js';
import { optionalBoolean, optionalFunction, optionalNonNegative, optionalTime, requireOptionsObject, validateRaTlsPolicyOptions } from './option-checks.js';
import { ratlsPolicyViolations, type RaTlsPolicyOptions } from './ratls-policy.js';
import type { EventLogCheck } from './rtmr-replay.js';
import {
  checkReportDataEncoding,
  DEFAULT_REPORT_DATA_ENCODING,
  lsnValue,
  sidecarReportData,
  type ReportDataEncoding,
} from './sidecar-report-data.js';
import { requireVerifier, verifyAttestedQuote } from './verify-attested-quote.js';

export interface SidecarTcbInfo {
  /** Lower-case hex, 48 bytes each. */
  readonly mrtd: string;
  readonly rtmr0: string;
  readonly rtmr1: string;
  readonly rtmr2: string;
  readonly rtmr3: string;
}

export interface SidecarPostgresState {
  /** pg_lsn text exactly as in the report (canonical `%X/%X`). */
  readonly walLsn: string;
  readonly walLsnValue: bigint;
  /** 64 hex characters exactly as in the report (the 'text' encoding hashes this text). */
  readonly controldataHash: string;
  readonly pgVersion: string;
}

export interface SidecarAttestationReport {
  /** Lower-case hex, as claimed by the sidecar (bound only through a replayed event log). */
  readonly appId: string;
  readonly composeHash: string;
  readonly instanceId: string;
  readonly quote: Uint8Array;
  readonly tcbInfo: SidecarTcbInfo;
  readonly postgresState: SidecarPostgresState;
  /** Unix seconds. */
  readonly timestamp: number;
  /** The optional dstack event log (this library's extension of the documented shape). */
  readonly eventLog?: readonly TdxEvent[];
  /** Member paths present but not in the documented shape (only with allowUnknownMembers). */
  readonly unknownMembers: readonly string[];
}

export interface ParseSidecarReportOptions {
  /** Tolerate members the documented shape does not have (listed in `unknownMembers`). Default false: refused. */
  readonly allowUnknownMembers?: boolean;
}

const TOP = ['app_id', 'compose_hash', 'instance_id', 'quote', 'tcb_info', 'postgres_state', 'timestamp', 'event_log'] as const;
const TCB = ['mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'] as const;
const PG = ['wal_lsn', 'controldata_hash', 'pg_version'] as const;
const MAX_REPORT_LENGTH = 8 * 1024 * 1024;
/** Canonical pg_lsn output (PostgreSQL pg_lsn_out: "%X/%X"): upper-case hex, no leading zeros, 1-8 digits per half. */
const LSN_RE = /^(?:0|[1-9A-F][0-9A-F]{0,7})\/(?:0|[1-9A-F][0-9A-F]{0,7})$/;
/** Timestamps are exactly 10 decimal digits: 2001-09-09T01:46:40Z .. 2286-11-20T17:46:39Z. */
export const MIN_REPORT_TIMESTAMP = 1_000_000_000;
export const MAX_REPORT_TIMESTAMP = 9_999_999_999;

function fail(field: string, message: string, extra?: { expected?: string; found?: string }): never {
  throw new ParseError('AttestationReportParse', `sidecar report ${field}: ${message}`, { check: 'sidecarReport', field, ...extra });
}

const clip = (v: unknown): string => (typeof v === 'string' ? (v.length > 40 ? `${v.slice(0, 40)}…` : v) : typeof v);

/** PostgreSQL pg_lsn text in its canonical output form ("%X/%X") → 64-bit value. */
export function parseLsn(text: unknown): bigint {
  if (typeof text !== 'string' || !LSN_RE.test(text)) {
    fail('postgres_state.wal_lsn', 'expected canonical PostgreSQL LSN text "X/Y" (upper-case hex halves, 1-8 digits, no leading zeros)', { found: clip(text) });
  }
  return lsnValue(text);
}

function hexField(v: unknown, field: string, bytes: number | 'any'): string {
  if (typeof v !== 'string') fail(field, 'expected a hex string', { found: typeof v });
  const max = bytes === 'any' ? 64 : bytes;
  if (!/^[0-9a-fA-F]*$/.test(v) || v.length % 2 !== 0 || v.length === 0 || (bytes === 'any' ? v.length > 2 * max : v.length !== 2 * bytes)) {
    fail(field, bytes === 'any' ? `expected hex (1-${max} bytes, no 0x)` : `expected ${bytes * 2} hex characters`, { found: clip(v) });
  }
  return v.toLowerCase();
}

function textField(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 256 || !/^[\x20-\x7e]+$/.test(v)) {
    fail(field, 'expected printable ASCII text (1-256 characters)', { found: clip(v) });
  }
  return v;
}

function members(obj: Record<string, unknown>, known: readonly string[], prefix: string, allow: boolean, unknown: string[]): void {
  for (const k of Object.keys(obj)) {
    if (known.includes(k)) continue;
    if (!allow) fail(`${prefix}${k}`, 'unknown member (allowUnknownMembers tolerates it)');
    unknown.push(`${prefix}${k}`);
  }
}

/** Parses a report (JSON text, UTF-8 bytes, or an already-parsed object) by the grammar above. */
export function parseSidecarReport(input: string | Uint8Array | Record<string, unknown>, options: ParseSidecarReportOptions = {}): SidecarAttestationReport {
  requireOptionsObject(options, 'parseSidecarReport');
  optionalBoolean(options.allowUnknownMembers, 'parseSidecarReport', 'allowUnknownMembers');
  const allow = options.allowUnknownMembers === true;
  const doc =
    typeof input === 'string' || input instanceof Uint8Array
      ? parseJsonBounded(input, { maxLength: MAX_REPORT_LENGTH, maxDepth: 8 }, 'AttestationReportParse', 'sidecar report')
      : input;
  if (!isPlainObject(doc)) fail('root', 'expected a JSON object');
  const unknown: string[] = [];
  members(doc, TOP, '', allow, unknown);

  const appId = hexField(doc.app_id, 'app_id', 'any');
  const composeHash = hexField(doc.compose_hash, 'compose_hash', 32);
  const instanceId = textField(doc.instance_id, 'instance_id');

  if (typeof doc.quote !== 'string' || doc.quote.length === 0 || doc.quote.length > 2 * ATTESTATION_LIMITS.maxQuoteBytes) {
    fail('quote', 'expected a non-empty hex string');
  }
  const quote = /^[0-9a-fA-F]+$/.test(doc.quote) ? tryFromHex(doc.quote) : undefined;
  if (quote === undefined) fail('quote', 'invalid hex (no 0x, even length)');

  const tcb = doc.tcb_info;
  if (!isPlainObject(tcb)) fail('tcb_info', 'expected an object { mrtd, rtmr0, rtmr1, rtmr2, rtmr3 }', { found: Array.isArray(tcb) ? 'array' : typeof tcb });
  members(tcb, TCB, 'tcb_info.', allow, unknown);
  const tcbInfo: SidecarTcbInfo = {
    mrtd: hexField(tcb.mrtd, 'tcb_info.mrtd', 48),
    rtmr0: hexField(tcb.rtmr0, 'tcb_info.rtmr0', 48),
    rtmr1: hexField(tcb.rtmr1, 'tcb_info.rtmr1', 48),
    rtmr2: hexField(tcb.rtmr2, 'tcb_info.rtmr2', 48),
    rtmr3: hexField(tcb.rtmr3, 'tcb_info.rtmr3', 48),
  };

  const pg = doc.postgres_state;
  if (!isPlainObject(pg)) fail('postgres_state', 'expected an object { wal_lsn, controldata_hash, pg_version }', { found: Array.isArray(pg) ? 'array' : typeof pg });
  members(pg, PG, 'postgres_state.', allow, unknown);
  const walLsnValue = parseLsn(pg.wal_lsn);
  if (typeof pg.controldata_hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(pg.controldata_hash)) {
    fail('postgres_state.controldata_hash', 'expected exactly 64 hex characters (SHA-256)', { found: clip(pg.controldata_hash) });
  }
  const postgresState: SidecarPostgresState = {
    walLsn: pg.wal_lsn as string,
    walLsnValue,
    controldataHash: pg.controldata_hash,
    pgVersion: textField(pg.pg_version, 'postgres_state.pg_version'),
  };

  const ts = doc.timestamp;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < MIN_REPORT_TIMESTAMP || ts > MAX_REPORT_TIMESTAMP) {
    fail('timestamp', 'expected unix seconds as a 10-digit integer (2001-09-09 .. 2286-11-20)', {
      expected: `${MIN_REPORT_TIMESTAMP}..${MAX_REPORT_TIMESTAMP}`,
      found: typeof ts === 'number' ? String(ts) : typeof ts,
    });
  }

  let eventLog: TdxEvent[] | undefined;
  if (typeof doc.event_log === 'string') {
    eventLog = parseEventLogJson(doc.event_log, 'sidecar report event_log');
  } else if (Array.isArray(doc.event_log)) {
    if (doc.event_log.length > ATTESTATION_LIMITS.maxEvents) fail('event_log', 'too many events');
    eventLog = doc.event_log.map((e, i) => tdxEventFromJson(e, `event_log[${i}]`));
  } else if (doc.event_log !== undefined) {
    fail('event_log', 'expected JSON text or an array of events');
  }

  return {
    appId,
    composeHash,
    instanceId,
    quote,
    tcbInfo,
    postgresState,
    timestamp: ts,
    ...(eventLog === undefined ? {} : { eventLog }),
    unknownMembers: unknown,
  };
}

export interface SidecarAttestationOptions extends RaTlsPolicyOptions {
  readonly verifier: RaTlsVerifier;
  /** Verification time (also the freshness reference). */
  readonly at?: TimeInput;
  /** Used when `at` is absent (unix seconds or a Date). */
  readonly clock?: VerifierClock;
  /** Maximum report age, seconds. Default 300. */
  readonly maxAgeSeconds?: number;
  /** How far in the future a report timestamp may be, seconds. Default 60. */
  readonly maxFutureSkewSeconds?: number;
  /** How REPORTDATA encodes the three bound fields. Default 'text' (sidecar-report-data.ts). */
  readonly reportDataEncoding?: ReportDataEncoding;
  /** Tolerate members outside the documented shape. Default false. */
  readonly allowUnknownMembers?: boolean;
  readonly crypto?: CryptoBackend;
}

/**
 * How each report field is bound:
 *   'verifier'   the quote itself, authenticated by the verifier;
 *   'quote'      equal to the authenticated quote body;
 *   'reportData' committed to by the quote's REPORTDATA;
 *   'rtmr3'      equal to the claim replayed from the event log into RTMR3;
 *   'unbound'    nothing verified it: display only, never a pin.
 */
export type SidecarFieldBinding = 'verifier' | 'quote' | 'reportData' | 'rtmr3' | 'unbound';

export interface SidecarAttestationVerification {
  readonly report: SidecarAttestationReport;
  readonly result: VerificationResult;
  /** Claims replayed from the event log into RTMR3 (undefined without an event log). */
  readonly claims: DstackAppClaims | undefined;
  readonly eventLog: EventLogCheck;
  /** Report age at the verification time, seconds (negative: dated in the future). */
  readonly ageSeconds: number;
  /** The REPORTDATA encoding that was checked. */
  readonly reportDataEncoding: 'text' | 'binary' | 'custom';
  /** Per report field (JSON path), how it is bound. */
  readonly binding: Readonly<Record<string, SidecarFieldBinding>>;
}

function nonNegative(v: number | undefined, dflt: number, field: string): number {
  optionalNonNegative(v, 'verifySidecarAttestation', field);
  return v ?? dflt;
}

function inconsistent(field: string, message: string, expected: string, found: string): VerifyError {
  return new VerifyError('AttestationReportInconsistent', `sidecar report ${field}: ${message}`, { check: 'sidecarReport.consistency', field, expected, found });
}

/** The report's tcb_info must be the quote body's registers (checked before the verifier is called). */
function checkTcbInfo(report: SidecarAttestationReport): void {
  const body = parseTdxQuote(report.quote).body;
  const quoted: SidecarTcbInfo = { mrtd: toHex(body.mrTd), rtmr0: toHex(body.rtmr0), rtmr1: toHex(body.rtmr1), rtmr2: toHex(body.rtmr2), rtmr3: toHex(body.rtmr3) };
  for (const k of TCB) {
    if (report.tcbInfo[k] !== quoted[k]) throw inconsistent(`tcb_info.${k}`, 'differs from the quote body', quoted[k], report.tcbInfo[k]);
  }
}

/** app_id / compose_hash / instance_id against the replayed claims: bound when present there, refused when they disagree. */
function appBinding(report: SidecarAttestationReport, claims: DstackAppClaims | undefined): Record<string, SidecarFieldBinding> {
  const out: Record<string, SidecarFieldBinding> = {};
  const pairs: [string, string, string | undefined][] = [
    ['app_id', report.appId, claims?.appId],
    ['compose_hash', report.composeHash, claims?.composeHash],
    ['instance_id', report.instanceId.toLowerCase(), claims?.instanceId],
  ];
  for (const [field, stated, replayed] of pairs) {
    if (replayed === undefined) {
      out[field] = 'unbound';
      continue;
    }
    if (stated !== replayed) throw inconsistent(field, 'differs from the claim replayed into RTMR3', replayed, stated);
    out[field] = 'rtmr3';
  }
  return out;
}

/** Verifies a sidecar `/attestation` report: consistency, binding, quote, event log, policy and freshness. */
export async function verifySidecarAttestation(
  input: string | Uint8Array | Record<string, unknown>,
  options: SidecarAttestationOptions,
): Promise<SidecarAttestationVerification> {
  const who = 'verifySidecarAttestation';
  requireOptionsObject(options, who);
  requireVerifier(options.verifier);
  validateRaTlsPolicyOptions(options, who);
  optionalTime(options.at, who, 'at');
  optionalFunction(options.clock, who, 'clock');
  checkReportDataEncoding(options.reportDataEncoding, who);
  optionalBoolean(options.allowUnknownMembers, who, 'allowUnknownMembers');
  if (options.crypto !== undefined && (options.crypto === null || typeof options.crypto !== 'object')) {
    throw attestationError('InvalidArgument', `${who}: crypto must be a CryptoBackend`, { check: 'options.crypto', field: 'crypto' });
  }
  const now = resolveTime(options.at, options.clock, who);
  const maxAge = nonNegative(options.maxAgeSeconds, 300, 'maxAgeSeconds');
  const maxFuture = nonNegative(options.maxFutureSkewSeconds, 60, 'maxFutureSkewSeconds');
  const crypto = options.crypto ?? defaultCryptoBackend();
  const encoding = options.reportDataEncoding ?? DEFAULT_REPORT_DATA_ENCODING;

  const report = parseSidecarReport(input, { allowUnknownMembers: options.allowUnknownMembers === true });
  checkTcbInfo(report);
  const pgState = report.postgresState;
  const expected = sidecarReportData({ walLsn: pgState.walLsn, controldataHash: pgState.controldataHash, timestamp: report.timestamp }, encoding, crypto);

  const attested = await verifyAttestedQuote({
    quote: report.quote,
    eventLog: report.eventLog,
    // The RTMR3 sequence is derived from the log by the boot-claim rule (rtmr3-claims.ts).
    runtimeEvents: [],
    runtimeEventsSource: report.eventLog === undefined ? 'none' : 'event-log',
    checkBinding: (reportData) => {
      if (!bytesEqual(reportData, expected)) {
        const name = typeof encoding === 'string' ? encoding : 'custom';
        throw new VerifyError('AttestationReportBinding', `quote REPORTDATA is not SHA-256(wal_lsn ‖ controldata_hash ‖ timestamp) ‖ 0^32 (encoding '${name}')`, {
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

  const app = appBinding(report, attested.claims);
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
  const binding: Record<string, SidecarFieldBinding> = {
    quote: 'verifier',
    ...Object.fromEntries(TCB.map((k) => [`tcb_info.${k}`, 'quote' as const])),
    'postgres_state.wal_lsn': 'reportData',
    'postgres_state.controldata_hash': 'reportData',
    timestamp: 'reportData',
    'postgres_state.pg_version': 'unbound',
    ...app,
  };
  return {
    report,
    result: attested.result,
    claims: attested.claims,
    eventLog: attested.eventLog,
    ageSeconds: age,
    reportDataEncoding: typeof encoding === 'string' ? encoding : 'custom',
    binding,
  };
}
