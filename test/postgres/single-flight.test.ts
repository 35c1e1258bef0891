/**
 * Single-flight of the result cache (RaTlsPeerHost, src/postgres/peer-host.ts,
 * used by the connector and the forwarder): concurrent first connections
 * presenting exactly the same certificate bytes share ONE full verification;
 * other bytes, a checkout, `pinning: false` or a clock behind the running
 * verification do not share; a failure reaches every waiter and is not cached;
 * an unverified (allowSimulator) result is not shared (each connection
 * re-checks and warns). No network: verifyPeer is called with certificate bytes.
 */
import { describe, expect, it } from 'vitest';
import { AttestationError } from '../../src/errors.js';
import { createRaTlsConnector, type RaTlsConnectorOptions } from '../../src/postgres/connector.js';
import type { RaTlsVerifiedEvent } from '../../src/postgres/types.js';
import { decodePem } from '../../src/x509/pem.js';
import { AT, certificateOf, victim, VICTIM_PINS } from '../adversarial/support.js';
import { CountingVerifier, tlsKeyOf } from './support.js';

const connect = { host: '127.0.0.1', port: 5433, reason: 'connect' as const };
const clientCertificate = tlsKeyOf(victim.getTlsKey({ usage_ra_tls: true, usage_client_auth: true }));
const CERT = certificateOf(victim, 'v0');
const OTHER = certificateOf(victim, 'v1');

function setup(extra: Partial<RaTlsConnectorOptions> = {}) {
  const clock = { t: AT };
  const counting = new CountingVerifier(victim.verifier());
  const events: RaTlsVerifiedEvent[] = [];
  const connector = createRaTlsConnector({
    verifier: counting,
    ...VICTIM_PINS,
    clientCertificate,
    clock: () => clock.t,
    onVerified: (e) => events.push(e),
    ...extra,
  });
  return { clock, counting, events, connector };
}

/** Lets pending promise callbacks run until `done()` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setImmediate(r));
  expect(done()).toBe(true);
}

describe('verification single-flight', () => {
  it('two concurrent connections with the same DER: the verifier is called once, the second shares the result', async () => {
    const { counting, connector, events } = setup();
    const release = counting.hold();
    const a = connector.verifyPeer(CERT, connect);
    await until(() => counting.calls === 1); // the first verification is inside the verifier
    const b = connector.verifyPeer(new Uint8Array(CERT), connect); // equal bytes, another buffer
    release();
    const [pa, pb] = await Promise.all([a, b]);
    expect(counting.calls).toBe(1);
    expect(pa.pinned).toBe(false);
    expect(pb.pinned).toBe(true); // it did not run the verification itself
    expect(pb.verification).toBe(pa.verification);
    expect(pb.verifiedAt).toBe(AT);
    expect(events.map((e) => e.pinned)).toEqual([false, true]);
    expect(connector.pinCount).toBe(1);
  });

  it('different DERs: two verifications', async () => {
    const { counting, connector } = setup();
    const release = counting.hold();
    const a = connector.verifyPeer(CERT, connect);
    const b = connector.verifyPeer(OTHER, connect);
    await until(() => counting.calls === 2);
    release();
    expect((await Promise.all([a, b])).map((p) => p.pinned)).toEqual([false, false]);
    expect(counting.calls).toBe(2);
  });

  it('a failure reaches every waiter and is not cached', async () => {
    const { counting, connector, events } = setup();
    counting.fail = new AttestationError('VerifierUnavailable', 'PCS down');
    const release = counting.hold();
    const flights = [connector.verifyPeer(CERT, connect)];
    await until(() => counting.calls === 1);
    flights.push(connector.verifyPeer(CERT, connect), connector.verifyPeer(CERT, connect));
    release();
    const outcomes = await Promise.allSettled(flights);
    expect(counting.calls).toBe(1);
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as AttestationError) : undefined));
    expect(reasons.map((r) => r?.code)).toEqual(['VerifierUnavailable', 'VerifierUnavailable', 'VerifierUnavailable']);
    expect(reasons[1]).toBe(reasons[0]);
    expect(connector.pinCount).toBe(0);
    expect(events).toHaveLength(0);
    counting.fail = undefined;
    expect((await connector.verifyPeer(CERT, connect)).pinned).toBe(false); // verified again in full
    expect(counting.calls).toBe(2);
  });

  it('checkout re-verification, pinning: false and a clock behind the running verification never share', async () => {
    const one = setup();
    let release = one.counting.hold();
    const both = [one.connector.verifyPeer(CERT, connect), one.connector.verifyPeer(CERT, { ...connect, reason: 'checkout' })];
    await until(() => one.counting.calls === 2);
    release();
    await Promise.all(both);

    const off = setup({ pinning: false });
    release = off.counting.hold();
    const two = [off.connector.verifyPeer(CERT, connect), off.connector.verifyPeer(CERT, connect)];
    await until(() => off.counting.calls === 2);
    release();
    expect((await Promise.all(two)).map((p) => p.pinned)).toEqual([false, false]);

    const behind = setup();
    release = behind.counting.hold();
    const first = behind.connector.verifyPeer(CERT, connect);
    behind.clock.t = AT - 1;
    const second = behind.connector.verifyPeer(CERT, connect);
    await until(() => behind.counting.calls === 2);
    release();
    expect((await Promise.all([first, second])).map((p) => p.verifiedAt)).toEqual([AT, AT - 1]);
  });

  it('an unverified (allowSimulator) result is not shared: each connection re-checks and warns', async () => {
    const plain = victim.getTlsKey({ subject: 'dev sidecar', usage_server_auth: true });
    const der = decodePem(plain.certificate_chain[0]!)[0]!;
    const warnings: string[] = [];
    const { connector, events } = setup({
      allowedMrtds: undefined,
      allowedComposeHashes: undefined,
      allowedAppIds: undefined,
      allowSimulator: true,
      allowAnyTd: true,
      warn: (m) => warnings.push(m),
    });
    const peers = await Promise.all([connector.verifyPeer(der, connect), connector.verifyPeer(der, connect)]);
    expect(peers.map((p) => [p.pinned, p.verification.unverified])).toEqual([
      [false, true],
      [false, true],
    ]);
    expect(warnings.filter((w) => /NO TDX quote/.test(w))).toHaveLength(2);
    expect(events).toHaveLength(2);
    expect(connector.pinCount).toBe(0);
  });
});
