/**
 * Work budget of the msgpack decoder and of the V1 attestation schema
 * (issue #11 §4): a hostile document is refused on the header of the
 * structure that exceeds the schema, after reading a few bytes, instead of
 * being decoded in full and found wrong afterwards. The measure is the offset
 * at which the decoder stopped (work done), not a time.
 */
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { parseVersionedAttestation } from '../../src/ra-tls/attestation.js';
import { V1_MSGPACK_LIMITS } from '../../src/ra-tls/attestation-msgpack-v1.js';
import { decodeMsgpack } from '../../src/ra-tls/msgpack.js';
import { ATTESTATION_LIMITS } from '../../src/ra-tls/limits.js';
import { bin, msgpack } from './helpers.js';

function refused(f: () => unknown): ParseError {
  try {
    f();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('accepted');
}

/** A map32 of `n` entries "k<i>" → i (fixint), each key a distinct str8, then `version: 1`. */
function hugeRootMap(n: number): Uint8Array {
  const parts: number[] = [0xdf, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  for (let i = 0; i < n - 1; i++) {
    const k = `k${i}`;
    parts.push(0xa0 | k.length, ...Buffer.from(k), 0x01);
  }
  parts.push(0xa7, ...Buffer.from('version'), 0x01);
  return Uint8Array.from(parts);
}

describe('msgpack work budget', () => {
  it('the reported attack: a 9 MiB root map of 1.6 M keys is refused on its header (offset 0)', () => {
    const doc = hugeRootMap(1_000_000); // ~9.8 MB; the same shape as the report
    expect(doc.length).toBeGreaterThan(8 * 1024 * 1024);
    expect(doc.length).toBeLessThanOrEqual(ATTESTATION_LIMITS.maxBytes);
    const e = refused(() => parseVersionedAttestation(doc));
    expect(e.code).toBe('RaTlsParse');
    expect(e.message).toContain('exceeds the limit');
    expect(e.evidence?.offset).toBeLessThanOrEqual(5); // the 5-byte map32 header: no key was read
    expect(e.evidence?.found).toBe('1000000');
  });

  it('a map one entry over the schema limit is refused wherever it is nested', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i <= V1_MSGPACK_LIMITS.maxMapEntries!; i++) wide[`m${i}`] = i;
    const doc = msgpack({ version: 1, platform: { kind: 'tdx', data: wide } });
    const e = refused(() => parseVersionedAttestation(doc));
    expect(e.code).toBe('RaTlsParse');
    expect(e.evidence?.expected).toBe(`<= ${V1_MSGPACK_LIMITS.maxMapEntries}`);
  });

  it('the total map-entry budget bounds many small maps', () => {
    const m: Record<string, number> = {};
    for (let i = 0; i < 15; i++) m[`m${i}`] = i;
    const e = refused(() => decodeMsgpack(msgpack(Array(100).fill(m)), 'RaTlsParse', { maxMapEntriesTotal: 1000 }));
    expect(e.message).toContain('work budget exceeded');
    // Stopped at the 67th map: 66 × 15 = 990 entries read, the next 15 refused on the header.
    expect(decodeMsgpack(msgpack(Array(66).fill(m)), 'RaTlsParse', { maxMapEntriesTotal: 1000 })).toHaveLength(66);
  });

  it('the value budget and the array limit are checked on the header', () => {
    const arr = msgpack(Array(5000).fill(1));
    expect(refused(() => decodeMsgpack(arr, 'RaTlsParse', { maxValues: 4000 })).evidence?.offset).toBe(3);
    expect(refused(() => decodeMsgpack(arr, 'RaTlsParse', { maxArrayLength: 4999 })).evidence?.offset).toBe(3);
    expect(decodeMsgpack(arr, 'RaTlsParse', { maxValues: 5001, maxArrayLength: 5000 })).toHaveLength(5000);
  });

  it('a depth given as a number still works (compatibility)', () => {
    expect(refused(() => decodeMsgpack(msgpack([[[1]]]), 'RaTlsParse', 2)).message).toContain('nested deeper than 2');
    expect(decodeMsgpack(msgpack([[1]]), 'RaTlsParse', 2)).toEqual([[1]]);
  });

  it('a real attestation fits the V1 budget with room to spare', () => {
    const a = parseVersionedAttestation(bin('sdk-simulator-attestation.bin'));
    expect(a.eventLog!.length * 8 + 64).toBeLessThan(V1_MSGPACK_LIMITS.maxMapEntriesTotal!);
    expect(a.quote.length).toBeLessThan(V1_MSGPACK_LIMITS.maxArrayLength!);
  });
});
