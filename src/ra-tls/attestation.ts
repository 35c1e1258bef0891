/**
 * dstack attestation as carried by RA-TLS certificates, normalised across its
 * wire formats (dstack `dstack-attest` crate, `VersionedAttestation`):
 *
 *   - first byte 0x00: SCALE `VersionedAttestation::V0 { Attestation }`
 *     (attestation-scale-v0.ts);
 *   - first byte a msgpack map marker (0x80..0x8f, 0xde, 0xdf):
 *     `VersionedAttestation::V1` (`rmp_serde` named maps, attestation-msgpack-v1.ts);
 *   - legacy certificates (dstack <= 0.5): raw quote (OID .1.1) plus JSON event
 *     log (OID .1.2), see extract.ts.
 *
 * Only Intel TDX platform evidence is supported; GCP TDX (TDX + vTPM),
 * Nitro and SEV-SNP evidence parse to RaTlsUnsupported.
 */
import { ParseError, attestationError } from '../errors.js';
import type { RuntimeEvent, TdxEvent } from './event-log.js';
import { decodeAttestationV0 } from './attestation-scale-v0.js';
import { decodeAttestationV1 } from './attestation-msgpack-v1.js';
import { ATTESTATION_LIMITS } from './limits.js';

export type AttestationFormat = 'scale-v0' | 'msgpack-v1' | 'legacy-oid';

export interface DstackAttestation {
  readonly format: AttestationFormat;
  readonly platform: 'tdx';
  /** The raw TDX quote (unauthenticated until a verifier checks it). */
  readonly quote: Uint8Array;
  /** The TDX event log, or undefined when none was carried (legacy certificate without OID .1.2). */
  readonly eventLog: readonly TdxEvent[] | undefined;
  /**
   * Runtime events (RTMR3). For V0 / V1 the stack evidence's own list; for
   * legacy certificates the imr-3 entries of the event log (runtimeEventsOf:
   * placement checked, EventLogStructure otherwise). Verification re-derives
   * the sequence itself (rtmr3-claims.ts).
   */
  readonly runtimeEvents: readonly RuntimeEvent[];
  readonly runtimeEventsSource: 'stack' | 'event-log' | 'none';
  /** REPORTDATA the attestation declares (V0 / V1); must equal the quote's. Absent for legacy certificates. */
  readonly reportData?: Uint8Array;
  /** VM configuration (JSON text; unauthenticated). */
  readonly config?: string;
  /** V1 `dstack-pod` stack evidence only: the payload its report_data commits to. */
  readonly reportDataPayload?: string;
}

function isMsgpackMapPrefix(b: number): boolean {
  return (b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf;
}

/** Decodes `VersionedAttestation` bytes (the contents of RA-TLS extension 1.3.6.1.4.1.62397.1.8). */
export function parseVersionedAttestation(bytes: Uint8Array): DstackAttestation {
  if (!(bytes instanceof Uint8Array)) {
    throw attestationError('InvalidArgument', 'attestation must be a Uint8Array', { check: 'attestation.input', found: typeof bytes });
  }
  if (bytes.length > ATTESTATION_LIMITS.maxBytes) {
    throw new ParseError('RaTlsParse', 'attestation larger than 10 MiB', {
      check: 'attestation.size',
      expected: `<= ${ATTESTATION_LIMITS.maxBytes}`,
      found: String(bytes.length),
    });
  }
  const first = bytes[0];
  if (first === undefined) throw new ParseError('RaTlsParse', 'empty attestation', { check: 'attestation.size', offset: 0 });
  if (first === 0x00) return decodeAttestationV0(bytes);
  if (isMsgpackMapPrefix(first)) return decodeAttestationV1(bytes);
  throw new ParseError('RaTlsUnsupported', 'unknown attestation wire format', {
    check: 'attestation.format',
    expected: '0x00 (SCALE V0) or a msgpack map (V1)',
    found: '0x' + first.toString(16).padStart(2, '0'),
    offset: 0,
  });
}
