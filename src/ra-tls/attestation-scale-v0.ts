/**
 * SCALE decoding of dstack's `VersionedAttestation::V0` (dstack-attest
 * `attestation.rs`, derive(Encode, Decode)):
 *
 *   VersionedAttestation  = u8 variant (0 = V0) ‖ Attestation
 *   Attestation           = AttestationQuote ‖ runtime_events: Vec<RuntimeEvent>
 *                           ‖ report_data: [u8; 64] ‖ config: String ‖ report: () (0 bytes)
 *   AttestationQuote      = u8 variant: 0 DstackTdx(TdxQuote), 1 DstackGcpTdx,
 *                           2 DstackNitroEnclave, 3 DstackAmdSevSnp, 4 DstackAwsNitroTpm
 *   TdxQuote              = quote: Vec<u8> ‖ event_log: Vec<TdxEvent>
 *   TdxEvent              = imr: u32 ‖ event_type: u32 ‖ digest: Vec<u8> ‖ event: String
 *                           ‖ event_payload: Vec<u8>          (version / hash_input: codec(skip))
 *   RuntimeEvent          = event: String ‖ payload: Vec<u8>  (version: codec(skip))
 *
 * Events decoded here are always digest version 1 (the version is not encoded).
 * No trailing bytes are allowed.
 */
import { ParseError, attestationError } from '../errors.js';
import type { DstackAttestation } from './attestation.js';
import type { RuntimeEvent, TdxEvent } from './event-log.js';
import { ATTESTATION_LIMITS as L } from './limits.js';
import { ScaleReader } from './scale.js';

const QUOTE_VARIANTS = ['DstackTdx', 'DstackGcpTdx', 'DstackNitroEnclave', 'DstackAmdSevSnp', 'DstackAwsNitroTpm'] as const;

/** Smallest encodings: TdxEvent = 4 + 4 + 1 + 1 + 1, RuntimeEvent = 1 + 1. */
const MIN_TDX_EVENT = 11;
const MIN_RUNTIME_EVENT = 2;

function readTdxEvent(r: ScaleReader, field: string): TdxEvent {
  const imr = r.u32(`${field}.imr`);
  if (imr > 3) {
    throw new ParseError('EventLogParse', `${field}.imr: TDX has RTMR 0..3 only`, {
      check: 'eventLog.scale',
      field: `${field}.imr`,
      offset: r.offset - 4,
      expected: '0..3',
      found: String(imr),
    });
  }
  const eventType = r.u32(`${field}.event_type`);
  const digest = r.bytes(`${field}.digest`, L.maxFieldBytes);
  const event = r.string(`${field}.event`, L.maxFieldBytes);
  const payload = r.bytes(`${field}.event_payload`, L.maxFieldBytes);
  return { imr, eventType, digest, event, payload, version: 1 };
}

function readRuntimeEvent(r: ScaleReader, field: string): RuntimeEvent {
  const event = r.string(`${field}.event`, L.maxFieldBytes);
  const payload = r.bytes(`${field}.payload`, L.maxFieldBytes);
  return { event, payload, version: 1 };
}

export function decodeAttestationV0(bytes: Uint8Array): DstackAttestation {
  const r = new ScaleReader(bytes, 'RaTlsParse');
  const version = r.u8('VersionedAttestation');
  if (version !== 0) r.fail('VersionedAttestation', 'not the V0 variant', { expected: '0', found: String(version) });

  const at = r.offset;
  const variant = r.u8('Attestation.quote');
  if (variant !== 0) {
    const name = QUOTE_VARIANTS[variant];
    throw attestationError(
      name === undefined ? 'RaTlsParse' : 'RaTlsUnsupported',
      name === undefined ? `Attestation.quote: unknown AttestationQuote variant ${variant}` : `Attestation.quote: ${name} evidence is not supported (Intel TDX only)`,
      { check: 'attestation.platform', field: 'Attestation.quote', offset: at, expected: '0 (DstackTdx)', found: String(variant) },
    );
  }
  const quote = r.bytes('TdxQuote.quote', L.maxQuoteBytes);
  const nEvents = r.count('TdxQuote.event_log', MIN_TDX_EVENT, L.maxEvents);
  const eventLog: TdxEvent[] = [];
  for (let i = 0; i < nEvents; i++) eventLog.push(readTdxEvent(r, `TdxQuote.event_log[${i}]`));

  const nRuntime = r.count('Attestation.runtime_events', MIN_RUNTIME_EVENT, L.maxEvents);
  const runtimeEvents: RuntimeEvent[] = [];
  for (let i = 0; i < nRuntime; i++) runtimeEvents.push(readRuntimeEvent(r, `Attestation.runtime_events[${i}]`));

  const reportData = r.fixed(64, 'Attestation.report_data');
  const config = r.string('Attestation.config', L.maxFieldBytes);
  r.finish('VersionedAttestation');

  return {
    format: 'scale-v0',
    platform: 'tdx',
    quote,
    eventLog,
    runtimeEvents,
    runtimeEventsSource: 'stack',
    reportData,
    config,
  };
}
