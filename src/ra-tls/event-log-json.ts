/**
 * dstack's JSON event log: `serde_json` of `Vec<TdxEvent>` (cc-eventlog
 * `TdxEvent` with `serde_human_bytes` hex fields), as carried by RA-TLS
 * extension 1.3.6.1.4.1.62397.1.2, GetQuote responses (`event_log`) and
 * `tdx_event_log_string()`:
 *
 *   [{ "imr": 0, "event_type": 2147483659, "digest": "<hex>", "event": "",
 *      "event_payload": "<hex>", "version"?: 1 | 2, "hash_input"?: "<hex>" }, ...]
 *
 * `digest` defaults to empty when absent (serde `default`); `version` to 1.
 * Unknown members are ignored (serde's default); members of the wrong type,
 * non-hex bytes and out-of-range integers are EventLogParse errors.
 */
import { ParseError } from '../errors.js';
import { tryFromHex } from '../lib/bytes.js';
import { isPlainObject, parseJsonBounded } from './bounded-json.js';
import type { EventLogVersion, TdxEvent } from './event-log.js';
import { ATTESTATION_LIMITS } from './limits.js';

function fail(field: string, message: string, extra?: { expected?: string; found?: string }): never {
  throw new ParseError('EventLogParse', `${field}: ${message}`, { check: 'eventLog.json', field, ...extra });
}

function u32(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    fail(field, 'expected an unsigned 32-bit integer', { found: typeof v === 'number' ? String(v) : typeof v });
  }
  return v;
}

function hexBytes(v: unknown, field: string): Uint8Array {
  if (typeof v !== 'string') fail(field, 'expected a hex string', { found: typeof v });
  if (v.startsWith('0x') || v.startsWith('0X')) fail(field, 'hex with a 0x prefix is not serde_human_bytes output');
  const b = tryFromHex(v);
  if (b === undefined) fail(field, 'invalid hex');
  return b;
}

/** One `TdxEvent` JSON object. */
export function tdxEventFromJson(v: unknown, field: string): TdxEvent {
  if (!isPlainObject(v)) fail(field, 'expected an object', { found: Array.isArray(v) ? 'array' : typeof v });
  const imr = u32(v.imr, `${field}.imr`);
  if (imr > 3) fail(`${field}.imr`, 'TDX has RTMR 0..3 only', { expected: '0..3', found: String(imr) });
  const eventType = u32(v.event_type, `${field}.event_type`);
  const digest = v.digest === undefined ? new Uint8Array(0) : hexBytes(v.digest, `${field}.digest`);
  if (typeof v.event !== 'string') fail(`${field}.event`, 'expected a string', { found: typeof v.event });
  const payload = hexBytes(v.event_payload, `${field}.event_payload`);
  let version: EventLogVersion = 1;
  if (v.version !== undefined) {
    if (v.version !== 1 && v.version !== 2) fail(`${field}.version`, 'unsupported event log version', { expected: '1 | 2', found: String(v.version) });
    version = v.version;
  }
  return { imr, eventType, digest, event: v.event, payload, version };
}

/** Parses a dstack JSON event log (text or UTF-8 bytes). */
export function parseEventLogJson(input: string | Uint8Array, field = 'eventLog'): TdxEvent[] {
  const doc = parseJsonBounded(input, { maxLength: ATTESTATION_LIMITS.maxJsonLength, maxDepth: 8 }, 'EventLogParse', field);
  if (!Array.isArray(doc)) fail(field, 'expected a JSON array of events', { found: typeof doc });
  if (doc.length > ATTESTATION_LIMITS.maxEvents) {
    fail(field, 'too many events', { expected: `<= ${ATTESTATION_LIMITS.maxEvents}`, found: String(doc.length) });
  }
  return doc.map((e, i) => tdxEventFromJson(e, `${field}[${i}]`));
}
