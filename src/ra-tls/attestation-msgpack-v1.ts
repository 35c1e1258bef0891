/**
 * dstack `VersionedAttestation::V1`: `rmp_serde::to_vec_named` of
 * dstack-attest `v1.rs` `Attestation` (serde names; enums adjacently tagged
 * `#[serde(tag = "kind", content = "data")]`):
 *
 *   { "version": 1,
 *     "platform": { "kind": "tdx", "data": { "quote": bytes, "event_log": [TdxEvent] } }
 *                 (other kinds: "gcp-tdx", "nitro-enclave", "sev-snp": unsupported here),
 *     "stack":    { "kind": "dstack" | "dstack-pod",
 *                   "data": { "report_data": bytes(64), "runtime_events": [RuntimeEvent],
 *                             "config": string, "report_data_payload"?: string (dstack-pod) } } }
 *
 *   TdxEvent     { "imr", "event_type", "digest"?, "event", "event_payload", "version"?, "hash_input"? }
 *   RuntimeEvent { "event", "payload", "version"? }
 *
 * `bytes` are accepted as msgpack bin (serde_bytes / serde_human_bytes in a
 * binary format) or as an array of integers 0..255 (plain `Vec<u8>` in serde).
 * Unknown map members are ignored, as serde does; required members must be
 * present with the right type.
 *
 * Work budget (V1_MSGPACK_LIMITS): the schema's maps have at most 7 members,
 * so a map of more than 32 entries is refused on its header, before any key
 * is decoded (a 9 MiB root map of 1.6 M keys used to be decoded in full,
 * 4-6 s of event loop, before `version` was looked at); arrays are bounded by
 * the larger of the event count and the byte-array form of a quote; the
 * whole document by a budget of map entries and values that real dstack
 * attestations stay far below.
 */
import { ParseError, attestationError } from '../errors.js';
import type { DstackAttestation } from './attestation.js';
import type { EventLogVersion, RuntimeEvent, TdxEvent } from './event-log.js';
import { ATTESTATION_LIMITS as L } from './limits.js';
import { decodeMsgpack, isMsgMap, type MsgMap, type MsgpackLimits, type MsgValue } from './msgpack.js';

/** Members per map in the V1 schema (at most 7 today), with room for a few unknown ones. */
const MAX_SCHEMA_MAP_ENTRIES = 32;

export const V1_MSGPACK_LIMITS: MsgpackLimits = {
  maxDepth: 8,
  maxMapEntries: MAX_SCHEMA_MAP_ENTRIES,
  // An array is an event list or a byte array (`Vec<u8>` form of a quote or field).
  maxArrayLength: Math.max(L.maxEvents, L.maxQuoteBytes),
  // Two event lists of maxEvents events of ≤ 7 members, plus the fixed maps.
  maxMapEntriesTotal: 2 * L.maxEvents * 8 + 64,
  // The byte-array form of a quote is the largest honest value count.
  maxValues: 2 * L.maxQuoteBytes,
};

const UNSUPPORTED_PLATFORMS = new Set(['gcp-tdx', 'nitro-enclave', 'sev-snp']);

function fail(field: string, message: string, extra?: { expected?: string; found?: string }): never {
  throw new ParseError('RaTlsParse', `${field}: ${message}`, { check: 'attestation.v1', field, ...extra });
}

function describe(v: MsgValue | undefined): string {
  if (v === undefined) return 'absent';
  if (v === null) return 'nil';
  if (v instanceof Uint8Array) return 'bin';
  if (v instanceof Map) return 'map';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function map(v: MsgValue | undefined, field: string): MsgMap {
  if (!isMsgMap(v)) fail(field, 'expected a map', { found: describe(v) });
  return v;
}

function str(v: MsgValue | undefined, field: string): string {
  if (typeof v !== 'string') fail(field, 'expected a string', { found: describe(v) });
  if (v.length > L.maxFieldBytes) fail(field, 'string too long');
  return v;
}

function u32(v: MsgValue | undefined, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    fail(field, 'expected an unsigned 32-bit integer', { found: typeof v === 'number' ? String(v) : describe(v) });
  }
  return v;
}

function bytes(v: MsgValue | undefined, field: string, max: number = L.maxFieldBytes): Uint8Array {
  let out: Uint8Array;
  if (v instanceof Uint8Array) {
    out = v;
  } else if (Array.isArray(v)) {
    out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const b = v[i];
      if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) fail(`${field}[${i}]`, 'expected a byte (0..255)');
      out[i] = b;
    }
  } else {
    fail(field, 'expected bytes (bin or array of u8)', { found: describe(v) });
  }
  if (out.length > max) fail(field, `longer than ${max} bytes`, { expected: `<= ${max}`, found: String(out.length) });
  return out;
}

function list(v: MsgValue | undefined, field: string): MsgValue[] {
  if (!Array.isArray(v)) fail(field, 'expected an array', { found: describe(v) });
  if (v.length > L.maxEvents) fail(field, 'too many elements', { expected: `<= ${L.maxEvents}`, found: String(v.length) });
  return v;
}

function version(v: MsgValue | undefined, field: string): EventLogVersion {
  if (v === undefined || v === null) return 1;
  if (v === 1 || v === 2) return v;
  if (v === 'V1' || v === 'V2') return v === 'V1' ? 1 : 2;
  fail(field, 'unsupported event log version', { expected: '1 | 2', found: String(v) });
}

function tdxEvent(v: MsgValue, field: string): TdxEvent {
  const m = map(v, field);
  const imr = u32(m.get('imr'), `${field}.imr`);
  if (imr > 3) fail(`${field}.imr`, 'TDX has RTMR 0..3 only', { expected: '0..3', found: String(imr) });
  const digest = m.get('digest');
  return {
    imr,
    eventType: u32(m.get('event_type'), `${field}.event_type`),
    digest: digest === undefined ? new Uint8Array(0) : bytes(digest, `${field}.digest`),
    event: str(m.get('event'), `${field}.event`),
    payload: bytes(m.get('event_payload'), `${field}.event_payload`),
    version: version(m.get('version'), `${field}.version`),
  };
}

function runtimeEvent(v: MsgValue, field: string): RuntimeEvent {
  const m = map(v, field);
  return {
    event: str(m.get('event'), `${field}.event`),
    payload: bytes(m.get('payload'), `${field}.payload`),
    version: version(m.get('version'), `${field}.version`),
  };
}

export function decodeAttestationV1(input: Uint8Array): DstackAttestation {
  const root = map(decodeMsgpack(input, 'RaTlsParse', V1_MSGPACK_LIMITS), 'Attestation');
  const ver = root.get('version');
  if (ver !== 1) {
    throw new ParseError('RaTlsUnsupported', 'Attestation.version: unsupported attestation version', {
      check: 'attestation.v1.version',
      field: 'Attestation.version',
      expected: '1',
      found: String(ver),
    });
  }

  const platform = map(root.get('platform'), 'Attestation.platform');
  const kind = str(platform.get('kind'), 'Attestation.platform.kind');
  if (kind !== 'tdx') {
    throw attestationError(
      UNSUPPORTED_PLATFORMS.has(kind) ? 'RaTlsUnsupported' : 'RaTlsParse',
      `Attestation.platform.kind: ${JSON.stringify(kind.slice(0, 64))} evidence is not supported (Intel TDX only)`,
      { check: 'attestation.platform', field: 'Attestation.platform.kind', expected: 'tdx', found: kind.slice(0, 64) },
    );
  }
  const pdata = map(platform.get('data'), 'Attestation.platform.data');
  const quote = bytes(pdata.get('quote'), 'Attestation.platform.data.quote', L.maxQuoteBytes);
  const eventLog = list(pdata.get('event_log'), 'Attestation.platform.data.event_log').map((e, i) =>
    tdxEvent(e, `Attestation.platform.data.event_log[${i}]`),
  );

  const stack = map(root.get('stack'), 'Attestation.stack');
  const skind = str(stack.get('kind'), 'Attestation.stack.kind');
  if (skind !== 'dstack' && skind !== 'dstack-pod') {
    fail('Attestation.stack.kind', 'unknown stack evidence', { expected: 'dstack | dstack-pod', found: skind.slice(0, 64) });
  }
  const sdata = map(stack.get('data'), 'Attestation.stack.data');
  const reportData = bytes(sdata.get('report_data'), 'Attestation.stack.data.report_data');
  if (reportData.length !== 64) {
    fail('Attestation.stack.data.report_data', 'must be 64 bytes', { expected: '64', found: String(reportData.length) });
  }
  const runtimeEvents = list(sdata.get('runtime_events'), 'Attestation.stack.data.runtime_events').map((e, i) =>
    runtimeEvent(e, `Attestation.stack.data.runtime_events[${i}]`),
  );
  const config = str(sdata.get('config'), 'Attestation.stack.data.config');
  const payload = skind === 'dstack-pod' ? str(sdata.get('report_data_payload'), 'Attestation.stack.data.report_data_payload') : undefined;

  return {
    format: 'msgpack-v1',
    platform: 'tdx',
    quote,
    eventLog,
    runtimeEvents,
    runtimeEventsSource: 'stack',
    reportData,
    config,
    ...(payload === undefined ? {} : { reportDataPayload: payload }),
  };
}
