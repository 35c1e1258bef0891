/**
 * VersionedAttestation V1 (msgpack, dstack-attest v1.rs). No V1 vector exists
 * in the MANIFEST, so V1 documents are built here from the V0 simulator
 * fixture with the test encoder (rmp_serde named-map shapes) and must decode
 * to the same attestation.
 */
import { describe, expect, it } from 'vitest';
import { parseVersionedAttestation, type DstackAttestation } from '../../src/ra-tls/attestation.js';
import { decodeMsgpack } from '../../src/ra-tls/msgpack.js';
import { verifyServerCertificate } from '../../src/ra-tls/verify-server-certificate.js';
import { bin, leafCertificate, makeRaTlsScenario, msgpack, ratlsExtension, throwsWith, type Mp } from './helpers.js';

const V0 = parseVersionedAttestation(bin('sdk-simulator-attestation.bin'));

function v1Doc(a: DstackAttestation, o: { bytesAsArrays?: boolean; platformKind?: string; stackKind?: string; version?: number } = {}): { [k: string]: Mp } {
  const b = (x: Uint8Array): Mp => (o.bytesAsArrays ? { array: x } : x);
  return {
    version: o.version ?? 1,
    platform: {
      kind: o.platformKind ?? 'tdx',
      data: {
        quote: b(a.quote),
        event_log: a.eventLog!.map((e) => ({ imr: e.imr, event_type: e.eventType, digest: b(e.digest), event: e.event, event_payload: b(e.payload) })),
      },
    },
    stack: {
      kind: o.stackKind ?? 'dstack',
      data: {
        report_data: b(a.reportData!),
        runtime_events: a.runtimeEvents.map((e) => ({ event: e.event, payload: b(e.payload) })),
        config: a.config!,
        ...(o.stackKind === 'dstack-pod' ? { report_data_payload: '{"pod":"x"}' } : {}),
      },
    },
  };
}

describe('V1 msgpack attestations', () => {
  it('decodes to the same attestation as the V0 fixture (bin byte fields)', () => {
    const a = parseVersionedAttestation(msgpack(v1Doc(V0)));
    expect(a.format).toBe('msgpack-v1');
    expect({ ...a, format: 'scale-v0' }).toEqual(V0);
  });

  it('plain Vec<u8> fields (arrays of integers) decode the same', () => {
    const a = parseVersionedAttestation(msgpack(v1Doc(V0, { bytesAsArrays: true })));
    expect({ ...a, format: 'scale-v0' }).toEqual(V0);
  });

  it('dstack-pod stack evidence exposes report_data_payload', () => {
    expect(parseVersionedAttestation(msgpack(v1Doc(V0, { stackKind: 'dstack-pod' }))).reportDataPayload).toBe('{"pod":"x"}');
  });

  it('unknown members are ignored (serde default), event versions are read', () => {
    const d = v1Doc(V0);
    (d.stack as { [k: string]: Mp })['future'] = 'x';
    const data = (d.platform as { data: { event_log: { [k: string]: Mp }[] } }).data;
    data.event_log[32]!['version'] = 2;
    data.event_log[32]!['hash_input'] = 'ab';
    const a = parseVersionedAttestation(msgpack(d));
    expect(a.eventLog![32]!.version).toBe(2);
  });

  it('other platforms are RaTlsUnsupported; other versions too', () => {
    for (const platformKind of ['gcp-tdx', 'nitro-enclave', 'sev-snp']) {
      throwsWith(() => parseVersionedAttestation(msgpack(v1Doc(V0, { platformKind }))), 'RaTlsUnsupported');
    }
    throwsWith(() => parseVersionedAttestation(msgpack(v1Doc(V0, { platformKind: 'bogus' }))), 'RaTlsParse');
    throwsWith(() => parseVersionedAttestation(msgpack(v1Doc(V0, { version: 2 }))), 'RaTlsUnsupported');
    throwsWith(() => parseVersionedAttestation(msgpack(v1Doc(V0, { stackKind: 'other' }))), 'RaTlsParse');
  });

  it('schema violations are RaTlsParse', () => {
    const cases: ((d: { [k: string]: Mp }) => void)[] = [
      (d) => delete d.stack,
      (d) => ((d.stack as { data: { [k: string]: Mp } }).data.report_data = new Uint8Array(63)),
      (d) => ((d.stack as { data: { [k: string]: Mp } }).data.config = 5),
      (d) => ((d.platform as { data: { [k: string]: Mp } }).data.quote = 'not bytes'),
      (d) => ((d.platform as { data: { [k: string]: Mp } }).data.event_log = [{ imr: 9, event_type: 1, event: '', event_payload: new Uint8Array(0) }]),
      (d) => ((d.platform as { data: { [k: string]: Mp } }).data.event_log = [{ imr: 0, event_type: 1, event: '', event_payload: [256] }]),
      (d) => ((d.stack as { data: { [k: string]: Mp } }).data.runtime_events = [{ event: 'x', payload: new Uint8Array(0), version: 7 }]),
    ];
    for (const mutate of cases) {
      const d = v1Doc(V0);
      mutate(d);
      throwsWith(() => parseVersionedAttestation(msgpack(d)), 'RaTlsParse');
    }
  });

  it('a V1 certificate verifies end to end under the test PKI', async () => {
    const s = makeRaTlsScenario();
    const a0 = parseVersionedAttestation(s.attestation);
    const cert = leafCertificate([ratlsExtension('1.3.6.1.4.1.62397.1.8', msgpack(v1Doc(a0)))]);
    const v = await verifyServerCertificate(cert, { verifier: s.verifier, at: s.scenario.at, allowedComposeHashes: ['22'.repeat(32)] });
    expect(v.certificate.attestation?.format).toBe('msgpack-v1');
    expect(v.eventLog.rtmr[3]).toBe('match');
  });

  it('an unknown first byte is RaTlsUnsupported; empty input is RaTlsParse', () => {
    throwsWith(() => parseVersionedAttestation(Uint8Array.of(0x01, 0x02)), 'RaTlsUnsupported');
    throwsWith(() => parseVersionedAttestation(new Uint8Array(0)), 'RaTlsParse');
  });
});

describe('msgpack decoder rules', () => {
  const bad: [string, number[]][] = [
    ['trailing bytes', [0x80, 0x00]],
    ['duplicate keys', [0x82, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0x02]],
    ['non-string key', [0x81, 0x01, 0x02]],
    ['ext type', [0xd4, 0x01, 0x00]],
    ['float', [0xca, 0, 0, 0, 0]],
    ['reserved 0xc1', [0xc1]],
    ['truncated str', [0xa5, 0x61]],
    ['bin32 length past the end', [0xc6, 0xff, 0xff, 0xff, 0xff]],
    ['array count past the end', [0xdd, 0xff, 0xff, 0xff, 0xff]],
    ['map count past the end', [0xdf, 0x7f, 0xff, 0xff, 0xff]],
    ['invalid UTF-8', [0xa1, 0xff]],
    ['uint64 above 2^53', [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['nesting too deep', [...new Array(40).fill(0x91), 0x00]],
  ];
  for (const [name, bytes] of bad) {
    it(name, () => {
      throwsWith(() => decodeMsgpack(Uint8Array.from(bytes)), 'RaTlsParse');
    });
  }

  it('decodes the scalar and container types', () => {
    const v = decodeMsgpack(Uint8Array.from([0x86, 0xa1, 0x61, 0xff, 0xa1, 0x62, 0xd0, 0x80, 0xa1, 0x63, 0xc3, 0xa1, 0x64, 0xc0, 0xa1, 0x65, 0x92, 0x01, 0xc4, 0x01, 0x07, 0xa1, 0x66, 0xcd, 0x01, 0x00]));
    expect(v).toEqual(
      new Map<string, unknown>([
        ['a', -1],
        ['b', -128],
        ['c', true],
        ['d', null],
        ['e', [1, Uint8Array.of(7)]],
        ['f', 256],
      ]),
    );
  });
});
