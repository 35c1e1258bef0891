/**
 * Extraction of the MANIFEST's RA-TLS vectors (vectors/ratls/README.md):
 * SCALE V0 attestations, the legacy .1.1/.1.2 certificate, the synth
 * certificates, and the extension wrapper rules.
 */
import { hexToBytes } from '../support/hex.js';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseVersionedAttestation } from '../../src/ra-tls/attestation.js';
import { parseEventLogJson } from '../../src/ra-tls/event-log-json.js';
import { extractRaTlsAttestation, unwrapExtensionOctetString } from '../../src/ra-tls/extract.js';
import { parseCertificateFields } from '../../src/ra-tls/certificate-fields.js';
import { RATLS_OID } from '../../src/ra-tls/oids.js';
import { der } from '../../src/testing/index.js';
import { bytesEqual, toHex } from '../../src/lib/bytes.js';
import { bin, json, leafCertificate, ratlsExtension, summary, text, throwsWith } from './helpers.js';

const SIM_MRTD = 'e53236d44a074bc78e784cdfa1a2c858a5f6b53afc1b60d8f079662314978b64241b646d8498dd767d5ea48e1e115822';

describe('VersionedAttestation V0 (SCALE) vectors', () => {
  it('sdk-simulator-attestation.bin: V0 / DstackTdx, 5010-byte quote, full 33-event log, 9 runtime events', () => {
    const raw = bin('sdk-simulator-attestation.bin');
    expect(toHex(raw.subarray(0, 4))).toBe('0000494e');
    const a = parseVersionedAttestation(raw);
    expect(a.format).toBe('scale-v0');
    expect(a.platform).toBe('tdx');
    expect(bytesEqual(a.quote, bin('sdk-simulator-attestation.quote.bin'))).toBe(true);
    expect(a.quote.length).toBe(5010);
    expect(toHex(a.quote.subarray(184, 232))).toBe(SIM_MRTD);
    expect(a.reportData).toEqual(new Uint8Array(64));
    expect(toHex(a.quote.subarray(568, 632))).toBe('00'.repeat(64));
    // The derived JSON event log is exactly what the SCALE log holds.
    const log = parseEventLogJson(text('sdk-simulator-attestation.event_log.json'));
    expect(a.eventLog).toHaveLength(33);
    expect(a.eventLog).toEqual(log);
    expect(a.runtimeEventsSource).toBe('stack');
    expect(a.runtimeEvents.map((e) => e.event)).toEqual([
      'system-preparing',
      'app-id',
      'compose-hash',
      'instance-id',
      'boot-mr-done',
      'os-image-hash',
      'key-provider',
      'storage-fs',
      'system-ready',
    ]);
    const cfg = JSON.parse(a.config!) as { vm_config: string };
    expect(typeof cfg.vm_config).toBe('string');
    expect(JSON.parse(cfg.vm_config)).toMatchObject({ cpu_count: 8 });
  });

  it('guest-agent-fixture-attestation.bin is byte-identical to the simulator fixture', () => {
    expect(bytesEqual(bin('guest-agent-fixture-attestation.bin'), bin('sdk-simulator-attestation.bin'))).toBe(true);
  });

  it('verifier-fixtures-tdx-lite-attestation: hex JSON = .bin; stripped log of 3 ACPI + 9 runtime events', () => {
    const fromJson = hexToBytes(json<{ attestation: string }>('verifier-fixtures-tdx-lite-attestation.json').attestation);
    const raw = bin('verifier-fixtures-tdx-lite-attestation.bin');
    expect(bytesEqual(fromJson, raw)).toBe(true);
    expect(raw.length).toBe(7305);
    const a = parseVersionedAttestation(raw);
    expect(bytesEqual(a.quote, bin('verifier-fixtures-tdx-lite-attestation.quote.bin'))).toBe(true);
    expect(a.eventLog).toEqual(parseEventLogJson(text('verifier-fixtures-tdx-lite-attestation.event_log.json')));
    const log = a.eventLog!;
    expect(log).toHaveLength(12);
    expect(log.slice(0, 3).map((e) => [e.imr, e.event, new TextDecoder().decode(e.payload)])).toEqual([
      [0, 'acpi-loader', 'ACPI DATA'],
      [0, 'acpi-rsdp', 'ACPI DATA'],
      [0, 'acpi-tables', 'ACPI DATA'],
    ]);
    expect(log.slice(3).every((e) => e.imr === 3 && e.digest.length === 0)).toBe(true);
  });
});

describe('synth RA-TLS certificates (MANIFEST §6)', () => {
  const s = summary();

  it('synth-ratls-v0-oid8-bound: .1.8 = ext8.bin, .1.4 = app:custom, SPKI as in the summary', () => {
    const c = extractRaTlsAttestation(bin('synth-ratls-v0-oid8-bound.der'));
    expect(c.source).toBe('attestation-extension');
    expect(c.usage).toBe('app:custom');
    expect(c.appId).toBeUndefined();
    expect(toHex(c.certificate.spki)).toBe(s.spki_der_hex);
    expect(c.certificate.keyAlgorithm).toBe('1.2.840.10045.2.1');
    const ext8 = c.certificate.extensions.find((e) => e.oid === RATLS_OID.attestation)!;
    const payload = unwrapExtensionOctetString(ext8.value, ext8.oid);
    expect(payload.length).toBe(s.ext8_len);
    expect(bytesEqual(payload, bin('synth-ratls-v0-oid8-bound.ext8.bin'))).toBe(true);
    const a = c.attestation;
    expect(a.format).toBe('scale-v0');
    expect(toHex(a.reportData!)).toBe(s.expected_report_data);
    expect(toHex(a.quote.subarray(568, 632))).toBe(s.expected_report_data);
    expect(toHex(a.quote.subarray(184, 232))).toBe(s.mrtd);
    expect(a.eventLog).toHaveLength(12);
  });

  it('the certificate key is the synth leaf key (synth-ratls-leaf-key.pem)', () => {
    const spki = createPublicKey(createPrivateKey(text('synth-ratls-leaf-key.pem'))).export({ type: 'spki', format: 'der' });
    expect(toHex(new Uint8Array(spki))).toBe(s.spki_der_hex);
  });

  it('PEM and DER forms give the same extraction', () => {
    for (const name of ['synth-ratls-v0-oid8-bound', 'synth-ratls-legacy-oid1-oid2-bound', 'synth-ratls-v0-oid8-UNBOUND']) {
      const fromDer = extractRaTlsAttestation(bin(`${name}.der`));
      const fromPem = extractRaTlsAttestation(text(`${name}.pem`));
      const fromPemBytes = extractRaTlsAttestation(bin(`${name}.pem`));
      expect(fromPem).toEqual(fromDer);
      expect(fromPemBytes).toEqual(fromDer);
      // The chain file starts with the leaf.
      expect(extractRaTlsAttestation(text(`${name}.chain.pem`)).certificate.spki).toEqual(fromDer.certificate.spki);
    }
  });

  it('synth-ratls-legacy-oid1-oid2-bound: raw quote (.1.1) + full 33-event JSON log (.1.2)', () => {
    const c = extractRaTlsAttestation(bin('synth-ratls-legacy-oid1-oid2-bound.der'));
    expect(c.source).toBe('legacy-quote-extension');
    expect(c.usage).toBe('app:custom');
    const a = c.attestation;
    expect(a.format).toBe('legacy-oid');
    expect(a.reportData).toBeUndefined();
    expect(toHex(a.quote.subarray(568, 632))).toBe(s.expected_report_data);
    expect(a.eventLog).toHaveLength(33);
    expect(a.eventLog).toEqual(parseEventLogJson(text('sdk-simulator-attestation.event_log.json')));
    expect(a.runtimeEventsSource).toBe('event-log');
    expect(a.runtimeEvents.map((e) => e.event)).toContain('compose-hash');
  });

  it('synth-ratls-v0-oid8-UNBOUND: the unpatched fixture (report_data all zero)', () => {
    const c = extractRaTlsAttestation(bin('synth-ratls-v0-oid8-UNBOUND.der'));
    expect(toHex(c.certificate.spki)).toBe(s.spki_der_hex);
    expect(c.attestation.reportData).toEqual(new Uint8Array(64));
    expect(toHex(c.attestation.quote.subarray(568, 632))).toBe('00'.repeat(64));
  });

  it('parseCertificateFields reads the CA certificate of the chain too (any key algorithm accepted)', () => {
    const ca = text('synth-ratls-v0-oid8-bound.chain.pem').split('-----END CERTIFICATE-----')[1]! + '-----END CERTIFICATE-----';
    const f = parseCertificateFields(ca.trim());
    expect(f.extensions.some((e) => e.oid.startsWith('1.3.6.1.4.1.62397'))).toBe(false);
  });
});

describe('extension rules', () => {
  it('a certificate without RA-TLS extensions is RaTlsMissing', () => {
    throwsWith(() => extractRaTlsAttestation(leafCertificate([ratlsExtension(RATLS_OID.certUsage, new TextEncoder().encode('app:custom'))])), 'RaTlsMissing');
  });

  it('.1.8 takes precedence over .1.1', () => {
    const v0 = bin('synth-ratls-v0-oid8-bound.ext8.bin');
    const c = extractRaTlsAttestation(
      leafCertificate([ratlsExtension(RATLS_OID.tdxQuote, new Uint8Array(10)), ratlsExtension(RATLS_OID.attestation, v0)]),
    );
    expect(c.source).toBe('attestation-extension');
  });

  it('.1.1 without .1.2 gives a quote without event log', () => {
    const c = extractRaTlsAttestation(leafCertificate([ratlsExtension(RATLS_OID.tdxQuote, bin('sqlx-ra-tls-fixture-tdx_quote.bin'))]));
    expect(c.attestation.eventLog).toBeUndefined();
    expect(c.attestation.runtimeEventsSource).toBe('none');
  });

  it('the extension value must be exactly one DER OCTET STRING', () => {
    const v0 = bin('synth-ratls-v0-oid8-bound.ext8.bin');
    const { extension } = { extension: (v: Uint8Array) => leafCertificate([ratlsExtensionRaw(RATLS_OID.attestation, v)]) };
    // Not wrapped at all (payload directly in extnValue): first byte 0x00 is not a valid tag/length combination here.
    throwsWith(() => extractRaTlsAttestation(extension(v0)), 'RaTlsParse');
    // Wrapped in a SEQUENCE instead of an OCTET STRING.
    throwsWith(() => extractRaTlsAttestation(extension(der.sequence(der.octetString(v0)))), 'RaTlsParse');
    // OCTET STRING followed by a trailing byte.
    throwsWith(() => extractRaTlsAttestation(extension(new Uint8Array([...der.octetString(v0), 0]))), 'RaTlsParse');
  });

  it('usage must be UTF-8', () => {
    throwsWith(
      () =>
        extractRaTlsAttestation(
          leafCertificate([ratlsExtension(RATLS_OID.certUsage, Uint8Array.of(0xff)), ratlsExtension(RATLS_OID.attestation, bin('synth-ratls-v0-oid8-bound.ext8.bin'))]),
        ),
      'RaTlsParse',
    );
  });

  it('a malformed certificate is CertificateParse', () => {
    throwsWith(() => extractRaTlsAttestation(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)), 'CertificateParse');
    throwsWith(() => extractRaTlsAttestation('-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n'), 'PemParse');
  });
});

function ratlsExtensionRaw(oid: string, value: Uint8Array): Uint8Array {
  return der.sequence(der.oid(oid), der.octetString(value));
}
