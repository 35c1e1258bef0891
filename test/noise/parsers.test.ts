/**
 * The new parsers (attested payload, handshake messages, checkpoints) fail
 * only with coded errors on arbitrary input (fixed fast-check seed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttestationError } from '../../src/errors.js';
import { HandshakeState, decodeEvidencePayload, encodeEvidencePayload, x25519KeyPair } from '../../src/noise/index.js';
import { parseCheckpoint } from '../../src/provenance/checkpoint.js';

const coded = (f: () => unknown): void => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AttestationError);
  }
};

describe('bounded, strict parsers', () => {
  it('decodeEvidencePayload: round trip, and only coded errors on arbitrary bytes', () => {
    const ev = { tee: 'TDX' as const, evidence: Uint8Array.of(1, 2, 3) };
    expect(decodeEvidencePayload(encodeEvidencePayload(ev))).toEqual(ev);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => coded(() => decodeEvidencePayload(b))), { seed: 21, numRuns: 500 });
  });

  it('HandshakeState.readMessage: only coded errors on arbitrary first messages', () => {
    const key = x25519KeyPair(new Uint8Array(32).fill(9));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => coded(() => new HandshakeState({ pattern: 'NK', initiator: false, staticKey: key.privateKey }).readMessage(b))),
      { seed: 21, numRuns: 300 },
    );
  });

  it('parseCheckpoint: only coded errors on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => coded(() => parseCheckpoint(s))), { seed: 21, numRuns: 500 });
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => coded(() => parseCheckpoint(`origin\n${a}\n${b}\n\n\u2014 name ${b}\n`))),
      { seed: 21, numRuns: 300 },
    );
  });
});
