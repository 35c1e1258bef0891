/**
 * The handshake and transport against the published cacophony vectors
 * (vectors/noise/README.md): every message byte, the handshake hash, both roles.
 */
import { vectorPath } from '../support/vectors.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HandshakeState, type NoisePatternName } from '../../src/noise/handshake.js';
import { fromHex, toHex } from '../../src/lib/bytes.js';

interface Vector {
  protocol_name: string;
  init_prologue: string;
  init_static?: string;
  init_ephemeral: string;
  init_remote_static: string;
  resp_prologue: string;
  resp_static: string;
  resp_ephemeral: string;
  handshake_hash: string;
  messages: { payload: string; ciphertext: string }[];
}
const file = JSON.parse(readFileSync(vectorPath('noise/cacophony-nk-xk.json'), 'utf8')) as { vectors: Vector[] };

describe.each(file.vectors)('$protocol_name', (v) => {
  const pattern = v.protocol_name.split('_')[1] as NoisePatternName;
  const handshakeLen = pattern === 'NK' ? 2 : 3;

  it('initiator and responder reproduce every message and the handshake hash', () => {
    const init = new HandshakeState({
      pattern,
      initiator: true,
      prologue: fromHex(v.init_prologue),
      remoteStaticKey: fromHex(v.init_remote_static),
      testOnlyEphemeralKey: fromHex(v.init_ephemeral),
      ...(v.init_static === undefined ? {} : { staticKey: fromHex(v.init_static) }),
    });
    const resp = new HandshakeState({ pattern, initiator: false, prologue: fromHex(v.resp_prologue), staticKey: fromHex(v.resp_static), testOnlyEphemeralKey: fromHex(v.resp_ephemeral) });
    let i = 0;
    for (; i < handshakeLen; i++) {
      const m = v.messages[i]!;
      const [w, r] = i % 2 === 0 ? [init, resp] : [resp, init];
      const c = w.writeMessage(fromHex(m.payload));
      expect(toHex(c)).toBe(m.ciphertext);
      expect(toHex(r.readMessage(c).payload)).toBe(m.payload);
    }
    expect(init.isComplete && resp.isComplete).toBe(true);
    expect(toHex(init.handshakeHash)).toBe(v.handshake_hash);
    expect(toHex(resp.handshakeHash)).toBe(v.handshake_hash);
    if (pattern === 'XK') expect(toHex(resp.remoteStaticKey!)).toBe(toHex(init.localStaticPublicKey!));
    const [i1, i2] = init.split();
    const [r1, r2] = resp.split();
    for (; i < v.messages.length; i++) {
      const m = v.messages[i]!;
      // Transport messages keep alternating: even index initiator → responder (c1), odd responder → initiator (c2).
      const [enc, dec] = i % 2 === 0 ? [i1, r1] : [r2, i2];
      const c = enc.encryptWithAd(new Uint8Array(0), fromHex(m.payload));
      expect(toHex(c)).toBe(m.ciphertext);
      expect(toHex(dec.decryptWithAd(new Uint8Array(0), c))).toBe(m.payload);
    }
  });

  it('a flipped bit in the second message is NoiseDecrypt, and the handshake cannot continue', () => {
    const init = new HandshakeState({ pattern, initiator: true, prologue: fromHex(v.init_prologue), remoteStaticKey: fromHex(v.init_remote_static), testOnlyEphemeralKey: fromHex(v.init_ephemeral), ...(v.init_static === undefined ? {} : { staticKey: fromHex(v.init_static) }) });
    init.writeMessage(fromHex(v.messages[0]!.payload));
    const c = fromHex(v.messages[1]!.ciphertext);
    c[c.length - 1]! ^= 1;
    expect(() => init.readMessage(c)).toThrow(expect.objectContaining({ code: 'NoiseDecrypt' }));
    expect(() => init.writeMessage()).toThrow(expect.objectContaining({ code: 'NoiseState' }));
  });
});
