/**
 * The attested Noise channel end to end: responders on the synthetic AMD PKI
 * (SEV-SNP) and the Intel test PKI (TDX), the binding of REPORT_DATA to the
 * handshake, replay, policy, and mutual attestation (XK).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AttestationError, PolicyError } from '../../src/errors.js';
import {
  acceptAttested,
  connectAttested,
  HandshakeState,
  messagePipe,
  noiseReportData,
  x25519KeyPair,
  encodeEvidencePayload,
  decodeEvidencePayload,
  type ConnectAttestedOptions,
  type NoiseMessageChannel,
  type NoiseEvidenceProducer,
} from '../../src/noise/index.js';
import { toHex } from '../../src/lib/bytes.js';
import { rejectsWith } from '../support/codes.js';
import { snpSim, tdxSim } from './helpers.js';

const te = new TextEncoder();
const td = new TextDecoder();

/** A channel that records what passes through it. */
function recording(c: NoiseMessageChannel): NoiseMessageChannel & { sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  return { sent, send: (m) => { sent.push(m.slice()); return c.send(m); }, receive: () => c.receive(), close: () => c.close?.() };
}

const snp = snpSim();
const snpAppraisal = (policy = { allowedMeasurements: [snp.measurement] }): ConnectAttestedOptions['appraisal'] => ({ tee: 'SEV-SNP', verifier: snp.verifier, policy });

async function run(opts: { evidence?: NoiseEvidenceProducer; appraisal?: ConnectAttestedOptions['appraisal']; at?: number; responderKey?: Uint8Array; expectKey?: Uint8Array } = {}) {
  const key = x25519KeyPair();
  const [a, b] = messagePipe();
  const client = recording(a);
  const server = acceptAttested(b, { staticKey: opts.responderKey ?? key.privateKey, evidence: opts.evidence ?? snp.evidence });
  server.catch(() => undefined);
  const session = connectAttested(client, { responderStaticKey: opts.expectKey ?? key.publicKey, appraisal: opts.appraisal ?? snpAppraisal(), at: opts.at ?? snp.at });
  return { key, client, server, session };
}

describe('attested NK, SEV-SNP responder (synthetic AMD PKI)', () => {
  it('connects: the trust decision names the TEE, measurement, binding and key; data flows both ways', async () => {
    const { key, server, session } = await run();
    const c = await session;
    const s = await server;
    expect(c.peer).toMatchObject({ tee: 'SEV-SNP', verifier: 'sev-snp', measurement: snp.measurement, staticKey: toHex(key.publicKey), isDebug: false, verifiedAt: snp.at });
    expect(c.peer!.tcb).toMatch(/^bl=\d+ tee=\d+ snp=\d+ ucode=\d+$/);
    expect(s.peer).toBeUndefined();
    expect(toHex(c.handshakeHash)).toBe(toHex(s.handshakeHash));
    await c.send(te.encode('GET /secret'));
    expect(td.decode(await s.receive())).toBe('GET /secret');
    await s.send(te.encode('42'));
    expect(td.decode(await c.receive())).toBe('42');
  });

  it('REPORT_DATA is SHA-512("tee-attest/noise/v1" ‖ 0x00 ‖ "R" ‖ s ‖ h), h = the hash right before the message-2 payload', async () => {
    const key = x25519KeyPair();
    const [a, b] = messagePipe();
    const srv = acceptAttested(b, { staticKey: key.privateKey, evidence: snp.evidence });
    // A hand-driven initiator exposes h at the payload of message 2.
    const hs = new HandshakeState({ pattern: 'NK', initiator: true, remoteStaticKey: key.publicKey });
    await a.send(hs.writeMessage());
    const { payload, h } = hs.readMessage(await a.receive());
    await srv;
    const ev = decodeEvidencePayload(payload);
    const r = await snp.verifier.verify(ev.evidence, { at: snp.at });
    const expected = createHash('sha512').update(Buffer.concat([Buffer.from('tee-attest/noise/v1'), Buffer.from([0x00, 0x52]), key.publicKey, h])).digest('hex');
    expect(r.reportData).toBe(expected);
    expect(toHex(noiseReportData('responder', key.publicKey, h))).toBe(expected);
    expect(toHex(noiseReportData('initiator', key.publicKey, h))).not.toBe(expected);
  });

  it('a measurement outside the pins is PolicyMeasurement; only the first (empty) handshake message was sent', async () => {
    const { client, session } = await run({ appraisal: snpAppraisal({ allowedMeasurements: ['00'.repeat(48)] }) });
    const e = await session.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PolicyError);
    expect((e as PolicyError).code).toBe('PolicyMeasurement');
    expect(client.sent).toHaveLength(1);
    expect(client.sent[0]).toHaveLength(32 + 16); // e, and the tag of an empty payload: no application data
  });

  it('a debug guest is PolicyDebug (the SNP policy defaults), TCB minimums apply', async () => {
    const dbg = snpSim({ policy: (1n << 17n) | (1n << 19n) | 0x30000n });
    const r = await run({ evidence: dbg.evidence, appraisal: { tee: 'SEV-SNP', verifier: dbg.verifier, policy: { allowedMeasurements: [dbg.measurement] } } });
    expect(((await r.session.catch((x: unknown) => x)) as AttestationError).code).toBe('PolicyDebug');
    const t = await run({ appraisal: snpAppraisal({ allowedMeasurements: [snp.measurement], minTcb: { snp: 250 } } as never) });
    expect(((await t.session.catch((x: unknown) => x)) as AttestationError).code).toBe('PolicyTcbVersion');
  });

  it('appraisal.confirm runs on the accepted decision before the session exists (e.g. the transparency check); refusing aborts', async () => {
    const seen: string[] = [];
    const ok = await run({ appraisal: { ...snpAppraisal(), confirm: (d) => void seen.push(d.measurement) } });
    await ok.session;
    expect(seen).toEqual([snp.measurement]);
    const no = await run({ appraisal: { ...snpAppraisal(), confirm: () => { throw new PolicyError([{ code: 'PolicyProvenance', message: 'not a signed build', evidence: { check: 'test.confirm' } }]); } } });
    await rejectsWith(no.session, 'PolicyProvenance');
    expect(no.client.sent).toHaveLength(1);
    const raw = await run({ appraisal: { ...snpAppraisal(), confirm: async () => Promise.reject(new Error('rekor down')) } });
    await rejectsWith(raw.session, 'NoiseEvidence');
  });

  it('no measurement pin is InvalidArgument unless allowAnyMeasurement names the relaxation', async () => {
    const [a] = messagePipe();
    await rejectsWith(connectAttested(a, { responderStaticKey: new Uint8Array(32), appraisal: { tee: 'SEV-SNP', verifier: snp.verifier, policy: {} }, at: snp.at }), 'InvalidArgument');
    const { session } = await run({ appraisal: { tee: 'SEV-SNP', verifier: snp.verifier, policy: {}, allowAnyMeasurement: true } });
    expect((await session).peer!.measurement).toBe(snp.measurement);
  });

  it('evidence bound to another static key is NoiseBinding', async () => {
    const other = x25519KeyPair();
    let h: Uint8Array | undefined;
    // A responder that attests a key it does not use for the handshake.
    const { session } = await run({ evidence: (rd) => snp.evidence(noiseReportData('responder', other.publicKey, (h ??= new Uint8Array(32)))) });
    await rejectsWith(session, 'NoiseBinding');
  });

  it('a genuine report replayed into another handshake is NoiseBinding, even by a host that holds the static private key', async () => {
    // Handshake 1: the TEE answers; its evidence is recorded.
    const key = x25519KeyPair();
    const first = await run({ responderKey: key.privateKey, expectKey: key.publicKey });
    await first.session;
    const recorded = snp.produced.at(-1)!;
    // Handshake 2: the same static key (exfiltrated, or the image run outside a TEE) but no TEE: it replays the report.
    const second = await run({ responderKey: key.privateKey, expectKey: key.publicKey, evidence: () => ({ tee: 'SEV-SNP', evidence: recorded }) });
    const e = await second.session.catch((x: unknown) => x);
    expect((e as AttestationError).code).toBe('NoiseBinding');
    expect(second.client.sent).toHaveLength(1);
  });

  it('a whole recorded second message replayed to a new initiator does not decrypt (NoiseDecrypt)', async () => {
    const key = x25519KeyPair();
    const [a, b] = messagePipe();
    const rec = recording(b);
    const srv = acceptAttested(rec, { staticKey: key.privateKey, evidence: snp.evidence });
    await connectAttested(a, { responderStaticKey: key.publicKey, appraisal: snpAppraisal(), at: snp.at });
    await srv;
    const msg2 = rec.sent[0]!;
    const [c2, d2] = messagePipe();
    const p = connectAttested(c2, { responderStaticKey: key.publicKey, appraisal: snpAppraisal(), at: snp.at });
    await d2.receive();
    await d2.send(msg2);
    await rejectsWith(p, 'NoiseDecrypt');
  });

  it('evidence made for the initiator role does not pass as the responder\'s (NoiseBinding)', async () => {
    const key = x25519KeyPair();
    const [a, b] = messagePipe();
    // A hand-driven responder that binds with the wrong role.
    const hs = new HandshakeState({ pattern: 'NK', initiator: false, staticKey: key.privateKey });
    const p = connectAttested(a, { responderStaticKey: key.publicKey, appraisal: snpAppraisal(), at: snp.at });
    hs.readMessage(await b.receive());
    await b.send(await hs.writeMessageWith((h) => encodeEvidencePayload(snp.evidence(noiseReportData('initiator', key.publicKey, h)))));
    await rejectsWith(p, 'NoiseBinding');
  });

  it('a responder without the expected static key cannot read message 1; the initiator gets NoiseTransport', async () => {
    const expected = x25519KeyPair();
    const { server, session } = await run({ expectKey: expected.publicKey });
    await rejectsWith(server, 'NoiseDecrypt');
    await rejectsWith(session, 'NoiseTransport');
  });

  it('a forged report signature fails in the verifier with its own code; TDX evidence for an SNP appraisal is NoiseEvidence', async () => {
    const forged: NoiseEvidenceProducer = (rd) => {
      const e = snp.evidence(rd);
      const ev = e.evidence.slice();
      ev[0x2a0 + 5]! ^= 1; // inside the signature (offset 0x2A0)
      return { tee: 'SEV-SNP', evidence: ev };
    };
    const e = (await (await run({ evidence: forged })).session.catch((x: unknown) => x)) as AttestationError;
    expect(e).toBeInstanceOf(AttestationError);
    expect(e.code).toBe('SnpReportSignature');
    await rejectsWith((await run({ evidence: () => ({ tee: 'TDX', evidence: new Uint8Array(10) }) })).session, 'NoiseEvidence');
  });

  it('the responder refuses data in message 1 (nothing may precede attestation)', async () => {
    const key = x25519KeyPair();
    const [a, b] = messagePipe();
    const srv = acceptAttested(b, { staticKey: key.privateKey, evidence: snp.evidence });
    const hs = new HandshakeState({ pattern: 'NK', initiator: true, remoteStaticKey: key.publicKey });
    await a.send(hs.writeMessage(te.encode('early data')));
    await rejectsWith(srv, 'NoiseParse');
  });

  it('a low-order ephemeral key in message 1 is NoiseParse; an aborted handshake is NoiseTransport', async () => {
    const key = x25519KeyPair();
    const [a, b] = messagePipe();
    const srv = acceptAttested(b, { staticKey: key.privateKey, evidence: snp.evidence });
    await a.send(new Uint8Array(48)); // e = 0 (a low-order point), then 16 bytes
    await rejectsWith(srv, 'NoiseParse');
    const [c] = messagePipe();
    const ctl = new AbortController();
    const p = connectAttested(c, { responderStaticKey: key.publicKey, appraisal: snpAppraisal(), at: snp.at, signal: ctl.signal });
    ctl.abort();
    await rejectsWith(p, 'NoiseTransport');
  });

  it('a modified transport message is NoiseDecrypt and ends the session', async () => {
    const key = x25519KeyPair();
    const [a, b] = messagePipe();
    const [x, y] = messagePipe();
    // Relay b <-> x that flips a bit in the first transport message from the server.
    let n = 0;
    const relay: NoiseMessageChannel = { send: (m) => { n++; const c = m.slice(); if (n === 2) c[0]! ^= 1; return x.send(c); }, receive: () => x.receive() };
    const srv = acceptAttested(relay, { staticKey: key.privateKey, evidence: snp.evidence });
    void (async () => { for (;;) await b.send(await y.receive().catch(() => new Uint8Array(0))); })();
    void (async () => { for (;;) await y.send(await b.receive()); })().catch(() => undefined);
    const c = await connectAttested(a, { responderStaticKey: key.publicKey, appraisal: snpAppraisal(), at: snp.at });
    const s = await srv;
    await s.send(te.encode('hello'));
    await rejectsWith(c.receive(), 'NoiseDecrypt');
    await rejectsWith(c.receive(), 'NoiseState');
  });
});

describe('attested NK, TDX responder (Intel test PKI)', () => {
  const tdx = tdxSim();
  it('connects with DcapVerifier and the RA-TLS policy (MRTD pin)', async () => {
    const key = x25519KeyPair();
    const [a, b] = messagePipe();
    const srv = acceptAttested(b, { staticKey: key.privateKey, evidence: tdx.evidence });
    const probe = await tdx.verifier.verify(tdx.evidence(new Uint8Array(64)).evidence, { at: tdx.at });
    const c = await connectAttested(a, { responderStaticKey: key.publicKey, appraisal: { tee: 'TDX', verifier: tdx.verifier, policy: { allowedMrtds: [probe.mrtd] } }, at: tdx.at });
    expect(c.peer).toMatchObject({ tee: 'TDX', verifier: 'dcap', measurement: probe.mrtd, tcb: 'UpToDate', isDebug: false });
    const s = await srv;
    await s.send(te.encode('ok'));
    expect(td.decode(await c.receive())).toBe('ok');
  });

  it('a debug TD is PolicyDebug; another MRTD is PolicyMeasurement', async () => {
    const dbg = tdxSim({ debug: true });
    for (const [sim, policy, code] of [
      [dbg, { allowedMrtds: ['11'.repeat(48)] }, 'PolicyDebug'],
      [tdx, { allowedMrtds: ['00'.repeat(48)] }, 'PolicyMeasurement'],
    ] as const) {
      const key = x25519KeyPair();
      const [a, b] = messagePipe();
      acceptAttested(b, { staticKey: key.privateKey, evidence: sim.evidence }).catch(() => undefined);
      const e = await connectAttested(a, { responderStaticKey: key.publicKey, appraisal: { tee: 'TDX', verifier: sim.verifier, policy }, at: sim.at }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(PolicyError);
      expect((e as PolicyError).violations.map((v) => v.code)).toContain(code);
    }
  });
});

describe('mutual attestation (XK): TEE to TEE', () => {
  const tdx = tdxSim();

  it('both sides present and verify evidence in the same handshake (SNP initiator, TDX responder)', async () => {
    const rKey = x25519KeyPair();
    const iKey = x25519KeyPair();
    const mrtd = (await tdx.verifier.verify(tdx.evidence(new Uint8Array(64)).evidence, { at: tdx.at })).mrtd;
    const [a, b] = messagePipe();
    const srv = acceptAttested(b, { staticKey: rKey.privateKey, evidence: tdx.evidence, mutual: { appraisal: snpAppraisal(), at: snp.at } });
    const c = await connectAttested(a, {
      responderStaticKey: rKey.publicKey,
      appraisal: { tee: 'TDX', verifier: tdx.verifier, policy: { allowedMrtds: [mrtd] } },
      at: tdx.at,
      mutual: { staticKey: iKey.privateKey, evidence: snp.evidence },
    });
    const s = await srv;
    expect(c.peer).toMatchObject({ tee: 'TDX', staticKey: toHex(rKey.publicKey) });
    expect(s.peer).toMatchObject({ tee: 'SEV-SNP', staticKey: toHex(iKey.publicKey), measurement: snp.measurement });
    await c.send(te.encode('ping'));
    expect(td.decode(await s.receive())).toBe('ping');
  });

  it('the responder refuses an initiator whose evidence is not bound (NoiseBinding) or fails its policy', async () => {
    for (const [evidence, code] of [
      [(rd: Uint8Array) => snp.evidence(rd.map((x) => x ^ 1)), 'NoiseBinding'],
      [snp.evidence, 'PolicyMeasurement'],
    ] as const) {
      const rKey = x25519KeyPair();
      const [a, b] = messagePipe();
      const rec = recording(b);
      const pin = code === 'PolicyMeasurement' ? ['11'.repeat(48)] : [snp.measurement];
      const srv = acceptAttested(rec, { staticKey: rKey.privateKey, evidence: snp.evidence, mutual: { appraisal: snpAppraisal({ allowedMeasurements: pin }), at: snp.at } });
      await connectAttested(a, { responderStaticKey: rKey.publicKey, appraisal: snpAppraisal(), at: snp.at, mutual: { staticKey: x25519KeyPair().privateKey, evidence } }).catch(() => undefined);
      const e = (await srv.catch((x: unknown) => x)) as AttestationError;
      expect(e.code).toBe(code);
      expect(rec.sent).toHaveLength(1); // message 2 only: no transport message to an unappraised initiator
    }
  });

  it('an NK initiator meeting an XK responder (or the reverse) fails: the protocol names differ', async () => {
    const rKey = x25519KeyPair();
    const [a, b] = messagePipe();
    const srv = acceptAttested(b, { staticKey: rKey.privateKey, evidence: snp.evidence, mutual: { appraisal: snpAppraisal(), at: snp.at } });
    const p = connectAttested(a, { responderStaticKey: rKey.publicKey, appraisal: snpAppraisal(), at: snp.at });
    await rejectsWith(srv, 'NoiseDecrypt');
    await rejectsWith(p, 'NoiseTransport');
  });
});
