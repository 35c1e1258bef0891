/**
 * The connector's connection result cache (issue 13 §3: "cached for 1 hour"),
 * on by default: keyed by SHA-256 of the certificate DER with the full DER
 * kept and compared on every hit; never past the TTL, the verification's
 * `expiresAt` (collateral / token expiry) or the certificate's notAfter;
 * failures never cached (and they evict); unverified results never cached;
 * reverifyOnCheckout is never answered from the cache. Single-flight:
 * concurrent first connections presenting exactly the same bytes share ONE
 * full verification (other bytes, a checkout, `pinning: false` or a clock
 * behind it do not); a failure reaches every waiter and is not cached; an
 * unverified result is not shared. No network: verifyPeer is called directly
 * with certificate bytes.
 */
import { describe, expect, it, vi } from 'vitest';

const hashOverride = vi.hoisted(() => ({ constant: false }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    // A forced SHA-256 collision (every input hashes alike) when asked: the cache must still tell certificates apart.
    createHash: (alg: string) => {
      const h = real.createHash(alg);
      if (!hashOverride.constant || alg !== 'sha256') return h;
      const fake = { update: () => fake, digest: (enc?: string) => (enc === 'hex' ? 'ff'.repeat(32) : Buffer.alloc(32, 0xff)) };
      return fake;
    },
  };
});

import { AttestationError, attestationError } from '../../src/errors.js';
import { createRaTlsConnector, type RaTlsConnectorOptions } from '../../src/postgres/connector.js';
import type { RaTlsVerifiedEvent } from '../../src/postgres/types.js';
import type { RaTlsVerifier } from '../../src/verifier/types.js';
import { decodePem } from '../../src/x509/pem.js';
import { rejectsWith } from '../support/codes.js';
import { AT, certificateOf, victim, VICTIM_PINS } from '../adversarial/support.js';
import { CountingVerifier, ExpiringVerifier, tlsKeyOf } from './support.js';

const target = { host: '127.0.0.1', port: 5433 };
const connect = { ...target, reason: 'connect' as const };
const clientCertificate = tlsKeyOf(victim.getTlsKey({ usage_ra_tls: true, usage_client_auth: true }));
const CERT = certificateOf(victim, 'v0'); // notBefore AT - 1 day, notAfter AT + 1 day
const NOT_AFTER = AT + 86_400;
const OTHER = certificateOf(victim, 'v1');

function setup(extra: Partial<RaTlsConnectorOptions> = {}, inner: RaTlsVerifier = victim.verifier()) {
  const clock = { t: AT };
  const counting = new CountingVerifier(inner);
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

describe('connection result cache', () => {
  it('on by default for 1 hour: hits inside, a full verification at the hour', async () => {
    const { clock, counting, connector, events } = setup();
    const first = await connector.verifyPeer(CERT, connect);
    expect(first.pinned).toBe(false);
    clock.t = AT + 3599;
    const hit = await connector.verifyPeer(CERT, connect);
    expect(hit.pinned).toBe(true);
    expect(hit.verifiedAt).toBe(AT);
    expect(counting.calls).toBe(1);
    clock.t = AT + 3600;
    expect((await connector.verifyPeer(CERT, connect)).pinned).toBe(false);
    expect(counting.calls).toBe(2);
    expect(events.map((e) => e.pinned)).toEqual([false, true, false]);
  });

  it('a clock before the verification time is a miss', async () => {
    const { clock, counting, connector } = setup();
    await connector.verifyPeer(CERT, connect);
    clock.t = AT - 1;
    await connector.verifyPeer(CERT, connect).catch(() => undefined);
    expect(counting.calls).toBe(2);
  });

  it("never past the verification's expiresAt (collateral / token expiry)", async () => {
    const { clock, counting, connector } = setup({}, new ExpiringVerifier(victim.verifier(), AT + 100));
    await connector.verifyPeer(CERT, connect);
    clock.t = AT + 99;
    expect((await connector.verifyPeer(CERT, connect)).pinned).toBe(true);
    clock.t = AT + 100;
    expect((await connector.verifyPeer(CERT, connect)).pinned).toBe(false);
    expect(counting.calls).toBe(2);
  });

  it("never past the certificate's notAfter, whatever the TTL", async () => {
    const { clock, counting, connector } = setup({ pinning: { ttlSeconds: 30 * 86_400 } }, new ExpiringVerifier(victim.verifier(), undefined));
    await connector.verifyPeer(CERT, connect);
    clock.t = NOT_AFTER - 1;
    expect((await connector.verifyPeer(CERT, connect)).pinned).toBe(true);
    clock.t = NOT_AFTER;
    await connector.verifyPeer(CERT, connect).catch(() => undefined);
    expect(counting.calls).toBe(2);
  });

  it('failures are never cached and evict the entry', async () => {
    const { counting, connector } = setup();
    counting.fail = attestationError('VerifierUnavailable', 'PCS down');
    await rejectsWith(connector.verifyPeer(CERT, connect), 'VerifierUnavailable');
    expect(connector.pinCount).toBe(0);
    counting.fail = undefined;
    await connector.verifyPeer(CERT, connect);
    expect(connector.pinCount).toBe(1);
    // A failed re-verification (checkout) evicts the cached success.
    counting.fail = attestationError('CrlRevoked', 'revoked since');
    await rejectsWith(connector.verifyPeer(CERT, { ...target, reason: 'checkout' }), 'CrlRevoked');
    expect(connector.pinCount).toBe(0);
    counting.fail = undefined;
    expect((await connector.verifyPeer(CERT, connect)).pinned).toBe(false);
    expect(counting.calls).toBe(4);
  });

  it('checkout re-verification is never answered from the cache, and refreshes the entry', async () => {
    const { clock, counting, connector } = setup();
    await connector.verifyPeer(CERT, connect);
    clock.t = AT + 3000;
    const re = await connector.verifyPeer(CERT, { ...target, reason: 'checkout' });
    expect(re.pinned).toBe(false);
    expect(counting.calls).toBe(2);
    clock.t = AT + 3000 + 3599; // inside the refreshed hour
    expect((await connector.verifyPeer(CERT, connect)).pinned).toBe(true);
    expect(counting.calls).toBe(2);
  });

  it('pinning: false turns it off; pinning: { ttlSeconds, maxEntries } tunes it', async () => {
    const off = setup({ pinning: false });
    for (let i = 0; i < 3; i++) await off.connector.verifyPeer(CERT, connect);
    expect(off.counting.calls).toBe(3);
    expect(off.connector.pinCount).toBe(0);
    const short = setup({ pinning: { ttlSeconds: 10 } });
    await short.connector.verifyPeer(CERT, connect);
    short.clock.t = AT + 10;
    await short.connector.verifyPeer(CERT, connect);
    expect(short.counting.calls).toBe(2);
    const one = setup({ pinning: { maxEntries: 1 } });
    const other = certificateOf(victim, 'v1');
    await one.connector.verifyPeer(CERT, connect);
    await one.connector.verifyPeer(other, connect);
    await one.connector.verifyPeer(CERT, connect); // evicted by `other`
    expect(one.counting.calls).toBe(3);
    expect(one.connector.pinCount).toBe(1);
  });

  it('the entry keeps a private copy of the DER: mutating the caller buffer does not change what it matches', async () => {
    const { counting, connector } = setup();
    const buf = new Uint8Array(CERT);
    await connector.verifyPeer(buf, connect);
    buf.fill(0);
    const hit = await connector.verifyPeer(CERT, connect);
    expect(hit.pinned).toBe(true);
    hit.certificate.fill(0); // nor does mutating what a verification hands out
    expect((await connector.verifyPeer(CERT, connect)).pinned).toBe(true);
    expect(counting.calls).toBe(1);
  });

  it('a fingerprint collision is not a hit: the full DER is compared', async () => {
    const { counting, connector } = setup();
    hashOverride.constant = true;
    try {
      const a = await connector.verifyPeer(CERT, connect);
      const other = certificateOf(victim, 'legacy');
      const b = await connector.verifyPeer(other, connect);
      expect(b.fingerprint).toBe(a.fingerprint); // the forced collision
      expect(b.pinned).toBe(false);
      expect(counting.calls).toBe(2);
    } finally {
      hashOverride.constant = false;
    }
  });
});

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
    counting.fail = attestationError('VerifierUnavailable', 'PCS down');
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

  it('a fingerprint collision does not share: the full DER is compared before joining', async () => {
    const { counting, connector } = setup();
    hashOverride.constant = true;
    try {
      const release = counting.hold();
      const a = connector.verifyPeer(CERT, connect);
      const b = connector.verifyPeer(certificateOf(victim, 'legacy'), connect);
      await until(() => counting.calls === 2);
      release();
      expect((await Promise.all([a, b])).map((p) => p.pinned)).toEqual([false, false]);
    } finally {
      hashOverride.constant = false;
    }
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
