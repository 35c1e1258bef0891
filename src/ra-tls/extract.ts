/**
 * Extraction of a dstack attestation from an RA-TLS certificate, in dstack's
 * order (`ra-tls/src/attestation.rs` `from_ext_getter`):
 *
 *   1. OID 1.3.6.1.4.1.62397.1.8 present: `VersionedAttestation` (SCALE V0 / msgpack V1);
 *   2. else OID .1.1 (raw TDX quote) with OID .1.2 (JSON event log) when present;
 *   3. else RaTlsMissing.
 *
 * Also reads OID .1.3 (app id) and .1.4 (certificate usage), which are NOT
 * covered by the quote: they are reported as unauthenticated metadata only.
 * Nothing here verifies anything; see verify-server-certificate.ts.
 */
import { ParseError } from '../errors.js';
import { readDer, Tag } from '../der/reader.js';
import { tryUtf8Decode } from '../lib/bytes.js';
import { type DstackAttestation, parseVersionedAttestation } from './attestation.js';
import { parseCertificateFields, type CertificateFields } from './certificate-fields.js';
import { parseEventLogJson } from './event-log-json.js';
import { runtimeEventsOf } from './event-log.js';
import { ATTESTATION_LIMITS } from './limits.js';
import { RATLS_OID } from './oids.js';

export interface RaTlsCertificate {
  /** The parsed certificate fields (SPKI, extensions, validity). */
  readonly certificate: CertificateFields;
  /** Which extension the attestation came from. */
  readonly source: 'attestation-extension' | 'legacy-quote-extension';
  readonly attestation: DstackAttestation;
  /** OID .1.3 contents, if present. Unauthenticated: not bound by the quote. */
  readonly appId?: Uint8Array;
  /** OID .1.4 contents (e.g. `app:custom`), if present. Unauthenticated: not bound by the quote. */
  readonly usage?: string;
}

/** extnValue contents → the payload of the inner DER OCTET STRING. */
export function unwrapExtensionOctetString(value: Uint8Array, oid: string): Uint8Array {
  const node = readDer(value, 'RaTlsParse', `extension ${oid}`);
  if (node.tag !== Tag.OCTET_STRING) {
    throw new ParseError('RaTlsParse', `extension ${oid}: value is not a DER OCTET STRING`, {
      check: 'ratls.extension.wrapper',
      field: oid,
      expected: '0x04',
      found: '0x' + node.tag.toString(16).padStart(2, '0'),
      offset: 0,
    });
  }
  return node.value;
}

function extension(cert: CertificateFields, oid: string): Uint8Array | undefined {
  const ext = cert.extensions.find((e) => e.oid === oid);
  return ext === undefined ? undefined : unwrapExtensionOctetString(ext.value, oid);
}

function legacyAttestation(quote: Uint8Array, eventLogJson: Uint8Array | undefined): DstackAttestation {
  if (quote.length === 0 || quote.length > ATTESTATION_LIMITS.maxQuoteBytes) {
    throw new ParseError('RaTlsParse', `extension ${RATLS_OID.tdxQuote}: quote size out of range`, {
      check: 'ratls.legacy.quote',
      field: RATLS_OID.tdxQuote,
      expected: `1..${ATTESTATION_LIMITS.maxQuoteBytes} bytes`,
      found: String(quote.length),
    });
  }
  const eventLog = eventLogJson === undefined ? undefined : parseEventLogJson(eventLogJson, `extension ${RATLS_OID.eventLog}`);
  return {
    format: 'legacy-oid',
    platform: 'tdx',
    quote,
    eventLog,
    runtimeEvents: eventLog === undefined ? [] : runtimeEventsOf(eventLog),
    runtimeEventsSource: eventLog === undefined ? 'none' : 'event-log',
  };
}

/**
 * Reads the attestation carried by an RA-TLS certificate (DER bytes, or PEM).
 * Throws RaTlsMissing when the certificate carries none, RaTlsParse /
 * RaTlsUnsupported / EventLogParse / CertificateParse when malformed.
 */
export function extractRaTlsAttestation(cert: Uint8Array | string): RaTlsCertificate {
  const certificate = parseCertificateFields(cert);
  const appId = extension(certificate, RATLS_OID.appId);
  const usageBytes = extension(certificate, RATLS_OID.certUsage);
  let usage: string | undefined;
  if (usageBytes !== undefined) {
    usage = tryUtf8Decode(usageBytes);
    if (usage === undefined) {
      throw new ParseError('RaTlsParse', `extension ${RATLS_OID.certUsage}: usage is not UTF-8`, {
        check: 'ratls.usage',
        field: RATLS_OID.certUsage,
      });
    }
  }
  const meta = { ...(appId === undefined ? {} : { appId }), ...(usage === undefined ? {} : { usage }) };

  const versioned = extension(certificate, RATLS_OID.attestation);
  if (versioned !== undefined) {
    return { certificate, source: 'attestation-extension', attestation: parseVersionedAttestation(versioned), ...meta };
  }
  const quote = extension(certificate, RATLS_OID.tdxQuote);
  if (quote !== undefined) {
    const log = extension(certificate, RATLS_OID.eventLog);
    return { certificate, source: 'legacy-quote-extension', attestation: legacyAttestation(quote, log), ...meta };
  }
  throw new ParseError('RaTlsMissing', 'certificate carries no RA-TLS attestation (OID 1.3.6.1.4.1.62397.1.8 or .1.1)', {
    check: 'ratls.extension',
    expected: `${RATLS_OID.attestation} or ${RATLS_OID.tdxQuote}`,
    found: certificate.extensions.map((e) => e.oid).join(', ') || 'no extensions',
  });
}
