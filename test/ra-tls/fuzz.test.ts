/**
 * Robustness (fast-check): the SCALE, msgpack, extension, event-log, sidecar
 * and JWT parsers only ever throw AttestationError, whatever the input; and
 * the SCALE / msgpack decoders agree with the test encoders on valid input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttestationError } from '../../src/errors.js';
import { parseVersionedAttestation } from '../../src/ra-tls/attestation.js';
import { parseEventLogJson } from '../../src/ra-tls/event-log-json.js';
import { extractRaTlsAttestation } from '../../src/ra-tls/extract.js';
import { decodeMsgpack } from '../../src/ra-tls/msgpack.js';
import { ScaleReader } from '../../src/ra-tls/scale.js';
import { parseSidecarReport } from '../../src/ra-tls/sidecar-report.js';
import { decodeJwt } from '../../src/verifier/ita/jwt.js';
import { bin, compact, leafCertificate, msgpack, ratlsExtension, type Mp } from './helpers.js';

/** Runs f; only AttestationError may escape (returned as false). */
function onlyCoded(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof AttestationError) return false;
    throw e;
  }
}

const V0 = bin('sdk-simulator-attestation.bin');
const V0_STRIPPED = bin('verifier-fixtures-tdx-lite-attestation.bin');
const CERT = bin('synth-ratls-v0-oid8-bound.der');
const LEGACY = bin('synth-ratls-legacy-oid1-oid2-bound.der');

const mutation = (base: Uint8Array) =>
  fc.oneof(
    // flip bits
    fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
      const b = base.slice();
      for (const [i, x] of flips) b[i]! ^= x;
      return b;
    }),
    // truncate
    fc.nat(base.length - 1).map((n) => base.slice(0, n)),
    // extend
    fc.uint8Array({ minLength: 1, maxLength: 16 }).map((tail) => new Uint8Array([...base, ...tail])),
    // overwrite a window with a forged compact length (SCALE) / length octets
    fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(([i, n]) => {
      const b = base.slice();
      b.set(compact(n).subarray(0, Math.min(5, b.length - i)), i);
      return b;
    }),
  );

describe('SCALE V0 attestation parser', () => {
  it('random bytes behind a V0 prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (tail) => {
        onlyCoded(() => parseVersionedAttestation(new Uint8Array([0, 0, ...tail])));
      }),
      { numRuns: 2000 },
    );
  });

  it('mutations of the real fixtures', () => {
    fc.assert(
      fc.property(fc.oneof(mutation(V0), mutation(V0_STRIPPED)), (bytes) => {
        if (onlyCoded(() => parseVersionedAttestation(bytes))) {
          const a = parseVersionedAttestation(bytes);
          expect(a.reportData?.length).toBe(64);
          expect(a.quote.length).toBeLessThanOrEqual(bytes.length);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('compact integers: canonical encodings round-trip, anything else is RaTlsParse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        const r = new ScaleReader(compact(n));
        expect(r.compact('n')).toBe(n);
        r.finish('n');
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 9 }), (b) => {
        onlyCoded(() => new ScaleReader(b).compact('n'));
      }),
    );
  });
});

describe('msgpack V1 parser', () => {
  const mp: fc.Arbitrary<Mp> = fc.letrec<{ v: Mp }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.nat(),
      fc.string(),
      fc.uint8Array({ maxLength: 40 }),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4 }),
    ),
  })).v;

  it('random bytes behind a map marker', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x80, 0x81, 0x83, 0x8f, 0xde, 0xdf), fc.uint8Array({ maxLength: 1024 }), (m, tail) => {
        onlyCoded(() => parseVersionedAttestation(new Uint8Array([m, ...tail])));
      }),
      { numRuns: 2000 },
    );
  });

  it('random msgpack documents: decode succeeds, attestation schema only ever throws coded errors', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('version', 'platform', 'stack', 'x'), mp, { maxKeys: 4 }), (doc) => {
        const bytes = msgpack(doc);
        const decoded = decodeMsgpack(bytes);
        expect(decoded).toBeInstanceOf(Map);
        expect([...(decoded as Map<string, unknown>).keys()]).toEqual(Object.keys(doc));
        onlyCoded(() => parseVersionedAttestation(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it('arbitrary byte strings', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => void onlyCoded(() => decodeMsgpack(b))), { numRuns: 2000 });
  });
});

describe('certificate extraction', () => {
  it('mutated RA-TLS certificates', () => {
    fc.assert(
      fc.property(fc.oneof(mutation(CERT), mutation(LEGACY)), (der) => void onlyCoded(() => extractRaTlsAttestation(der))),
      { numRuns: 600 },
    );
  });

  it('random payloads in the .1.8 / .1.1 / .1.2 extensions', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1.3.6.1.4.1.62397.1.8', '1.3.6.1.4.1.62397.1.1'),
        fc.uint8Array({ maxLength: 600 }),
        fc.option(fc.oneof(fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)), fc.uint8Array({ maxLength: 100 }))),
        (oid, payload, log) => {
          const exts = [ratlsExtension(oid, payload)];
          if (log !== null) exts.push(ratlsExtension('1.3.6.1.4.1.62397.1.2', log));
          onlyCoded(() => extractRaTlsAttestation(leafCertificate(exts)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random text as PEM', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => void onlyCoded(() => extractRaTlsAttestation(s))), { numRuns: 500 });
  });
});

describe('JSON parsers', () => {
  const jsonish = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 4 }),
    fc.array(
      fc.record(
        {
          imr: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.string()),
          event_type: fc.oneof(fc.nat(), fc.double()),
          digest: fc.oneof(fc.string(), fc.constant('00'.repeat(48))),
          event: fc.oneof(fc.string(), fc.nat()),
          event_payload: fc.oneof(fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')), fc.string()),
          version: fc.oneof(fc.constant(1), fc.constant(2), fc.nat()),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 4 },
    ).map((x) => JSON.stringify(x)),
  );

  it('event log JSON', () => {
    fc.assert(fc.property(jsonish, (s) => void onlyCoded(() => parseEventLogJson(s))), { numRuns: 1500 });
  });

  it('sidecar reports', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          jsonish,
          fc.record(
            {
              quote: fc.oneof(fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')), fc.string()),
              wal_lsn: fc.oneof(fc.string(), fc.constant('0/1')),
              controldata_hash: fc.oneof(fc.string(), fc.constant('ab'.repeat(32))),
              timestamp: fc.oneof(fc.integer(), fc.double(), fc.string()),
              event_log: fc.oneof(fc.string(), fc.array(fc.anything(), { maxLength: 3 })),
            },
            { requiredKeys: [] },
          ),
        ),
        (r) => void onlyCoded(() => parseSidecarReport(r as never)),
      ),
      { numRuns: 1500 },
    );
  });

  it('JWTs', () => {
    const part = fc.oneof(fc.base64String(), fc.string({ maxLength: 40 }), fc.json().map((j) => Buffer.from(j).toString('base64url')));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.tuple(part, part, part).map((p) => p.join('.'))), (t) => void onlyCoded(() => decodeJwt(t))),
      { numRuns: 1500 },
    );
  });
});
