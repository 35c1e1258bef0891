/**
 * The connector's client certificate (issue 13 §3): fetched on first use,
 * renewed when within `clientCertificateRenewBeforeSeconds` (default 300) of
 * its notAfter; one fetch at a time; a failed fetch is not remembered; an
 * expired certificate is never handed out.
 */
import { describe, expect, it } from 'vitest';
import { attestationError } from '../../src/errors.js';
import { createRaTlsConnector } from '../../src/postgres/connector.js';
import type { DstackTlsKey } from '../../src/postgres/guest-agent.js';
import { DstackSimulator } from '../../src/simulator/simulator.js';
import { rejectsWith, throwsWith } from '../support/codes.js';
import { AT, victim, VICTIM_PINS } from '../adversarial/support.js';
import { tlsKeyOf } from './support.js';

const YEAR = 365 * 86_400;
/** The simulator issues certificates valid [at, at + 365 days]. */
const keyA = tlsKeyOf(victim.getTlsKey({ subject: 'a', usage_ra_tls: true, usage_client_auth: true }));
const keyB = tlsKeyOf(new DstackSimulator({ at: AT + 200 * 86_400 }).getTlsKey({ subject: 'b', usage_ra_tls: true, usage_client_auth: true }));
const NOT_AFTER_A = AT + YEAR;

interface Deferred {
  resolve(k: DstackTlsKey): void;
  reject(e: unknown): void;
}

function setup(renewBefore?: number) {
  const clock = { t: AT };
  const pending: Deferred[] = [];
  let calls = 0;
  const connector = createRaTlsConnector({
    verifier: victim.verifier(),
    ...VICTIM_PINS,
    clock: () => clock.t,
    ...(renewBefore === undefined ? {} : { clientCertificateRenewBeforeSeconds: renewBefore }),
    clientCertificate: () => {
      calls++;
      return new Promise<DstackTlsKey>((resolve, reject) => pending.push({ resolve, reject }));
    },
  });
  return { clock, pending, connector, calls: () => calls };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('client certificate renewal', () => {
  it('fetched once while far from notAfter; concurrent first uses share one fetch', async () => {
    const s = setup();
    const p1 = s.connector.clientKey();
    const p2 = s.connector.clientKey();
    expect(s.calls()).toBe(1);
    s.pending[0]!.resolve(keyA);
    expect(await p1).toBe(keyA);
    expect(await p2).toBe(keyA);
    s.clock.t = NOT_AFTER_A - 301;
    expect(await s.connector.clientKey()).toBe(keyA);
    expect(s.calls()).toBe(1);
    expect(s.connector.clientCertificateRenewAt).toBe(NOT_AFTER_A - 300);
  });

  it('within the margin: ONE background refetch, the current certificate is used meanwhile, then the new one', async () => {
    const s = setup();
    const first = s.connector.clientKey();
    s.pending[0]!.resolve(keyA);
    await first;
    s.clock.t = NOT_AFTER_A - 100;
    expect(await s.connector.clientKey()).toBe(keyA);
    expect(await s.connector.clientKey()).toBe(keyA);
    expect(s.calls()).toBe(2); // single-flight
    s.pending[1]!.resolve(keyB);
    await tick();
    expect(await s.connector.clientKey()).toBe(keyB);
    expect(s.calls()).toBe(2);
  });

  it('a failed renewal does not poison: the still-valid certificate is kept, the next use retries', async () => {
    const s = setup();
    const first = s.connector.clientKey();
    s.pending[0]!.resolve(keyA);
    await first;
    s.clock.t = NOT_AFTER_A - 100;
    expect(await s.connector.clientKey()).toBe(keyA);
    s.pending[1]!.reject(attestationError('DstackAgent', 'agent restarting'));
    await tick();
    expect(await s.connector.clientKey()).toBe(keyA);
    expect(s.calls()).toBe(3);
    s.pending[2]!.resolve(keyB);
    await tick();
    expect(await s.connector.clientKey()).toBe(keyB);
  });

  it('past notAfter the old certificate is never used: callers wait for the fetch, and get its error', async () => {
    const s = setup();
    const first = s.connector.clientKey();
    s.pending[0]!.resolve(keyA);
    await first;
    s.clock.t = NOT_AFTER_A;
    const p = s.connector.clientKey();
    s.pending[1]!.reject(attestationError('DstackAgent', 'agent down'));
    await rejectsWith(p, 'DstackAgent');
    const q = s.connector.clientKey(); // retried, not poisoned
    expect(s.calls()).toBe(3);
    s.pending[2]!.resolve(keyB);
    expect(await q).toBe(keyB);
  });

  it('the margin is an option, bounded to half the remaining lifetime; it is validated', async () => {
    const s = setup(3600);
    const first = s.connector.clientKey();
    s.pending[0]!.resolve(keyA);
    await first;
    expect(s.connector.clientCertificateRenewAt).toBe(NOT_AFTER_A - 3600);
    const huge = setup(10 * YEAR);
    const f = huge.connector.clientKey();
    huge.pending[0]!.resolve(keyA);
    await f;
    expect(huge.connector.clientCertificateRenewAt).toBe(NOT_AFTER_A - YEAR / 2);
    for (const bad of [0, -1, '300', Number.NaN]) {
      expect(throwsWith(() => setup(bad as number), 'InvalidArgument').evidence?.field).toBe('clientCertificateRenewBeforeSeconds');
    }
  });

  it('refreshClientCertificate() forgets the certificate: the next use fetches', async () => {
    const s = setup();
    const first = s.connector.clientKey();
    s.pending[0]!.resolve(keyA);
    await first;
    s.connector.refreshClientCertificate();
    const p = s.connector.clientKey();
    expect(s.calls()).toBe(2);
    s.pending[1]!.resolve(keyB);
    expect(await p).toBe(keyB);
  });
});
