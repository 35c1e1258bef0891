/**
 * Adversarial class 1 end to end (issue 11 §1): a rogue app in a genuine TD
 * serves a legacy RA-TLS certificate whose event log claims the victim's
 * compose hash and app id (attacks (a) and (b)). A pool pinned to the victim
 * must not send the cluster secret: against a recording TLS server it sends
 * zero application bytes, and against the simulator's sidecar in front of a
 * real PostgreSQL the query fails with EventLogStructure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRaTlsPool, type RaTlsConnectorOptions } from '../../src/postgres/connector.js';
import { startPostgresCluster, type PostgresCluster } from '../../src/simulator/postgres-cluster.js';
import { startSidecar, type RaTlsSidecar } from '../../src/simulator/sidecar.js';
import { DstackSimulator } from '../../src/simulator/simulator.js';
import { toHex } from '../../src/lib/bytes.js';
import { rejectsWith } from '../support/codes.js';
import { recordingTlsServer, requirePostgres, SKIP_POSTGRES, sleep, tlsKeyOf, type Recording } from '../postgres/support.js';
import { AT, prependVictimInImr0, retypeBootEntries, rogue, victim, VICTIM_APP_EVENTS, VICTIM_PINS } from './support.js';

const clientSim = new DstackSimulator({ at: AT, appId: 'cc'.repeat(20), composeHash: 'c1'.repeat(32), appName: 'client' });
const SECRET = '5e'.repeat(32);
const dsn = (port: number, password = SECRET): string => `postgres://teesql_readwrite:${password}@127.0.0.1:${port}/postgres`;

const ATTACKS = {
  '(a) victim claims in imr 0': rogue({ certificateFormat: 'legacy', eventLogTransform: prependVictimInImr0 }),
  '(b) re-typed boot entries': rogue({ certificateFormat: 'legacy', appEvents: VICTIM_APP_EVENTS, eventLogTransform: retypeBootEntries }),
};

function poolOptions(): RaTlsConnectorOptions {
  return {
    verifier: victim.verifier(),
    clock: () => AT,
    ...VICTIM_PINS,
    clientCertificate: tlsKeyOf(clientSim.getTlsKey({ subject: 'client', usage_ra_tls: true, usage_client_auth: true, usage_server_auth: false })),
    connectTimeoutMs: 15_000,
  };
}

const serverKey = (sim: DstackSimulator) => tlsKeyOf(sim.getTlsKey({ subject: 'db', usage_ra_tls: true, usage_server_auth: true }));

describe.each(Object.entries(ATTACKS))('rogue legacy server, %s', (_name, sim) => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await recordingTlsServer(serverKey(sim), { hangUpAfterBytes: true });
  });
  afterAll(async () => rec.close());

  it('the pool sends no application byte (no startup message, no password)', async () => {
    const pool = createRaTlsPool(dsn(rec.port), poolOptions());
    try {
      await rejectsWith(pool.query('SELECT 1'), 'EventLogStructure');
    } finally {
      await pool.end();
    }
    await rec.allClosed();
    await sleep(20);
    const sent = Buffer.concat(rec.bytes);
    expect(sent.length, 'application bytes the rogue server received').toBe(0);
    expect(sent.includes(Buffer.from(SECRET))).toBe(false);
  });
});

describe.skipIf(SKIP_POSTGRES)('rogue server behind the sidecar, real PostgreSQL', () => {
  let cluster: PostgresCluster;
  const sidecars: RaTlsSidecar[] = [];
  let password: string;

  beforeAll(async () => {
    requirePostgres();
    cluster = await startPostgresCluster();
    password = cluster.roles[0]!.password;
  }, 60_000);
  afterAll(async () => {
    for (const s of sidecars) await s.close();
    await cluster?.stop();
  }, 30_000);

  async function sidecarOf(sim: DstackSimulator): Promise<RaTlsSidecar> {
    const s = await startSidecar({
      tlsKey: serverKey(sim),
      upstream: { host: cluster.host, port: cluster.port },
      verifier: clientSim.verifier(),
      clock: () => AT,
      allowedComposeHashes: [toHex(clientSim.composeHash)],
    });
    sidecars.push(s);
    return s;
  }

  it('baseline: the victim sidecar serves the pinned pool', async () => {
    const s = await sidecarOf(victim);
    const pool = createRaTlsPool(dsn(s.port, password), poolOptions());
    try {
      expect((await pool.query('SELECT 6 * 7 AS answer')).rows).toEqual([{ answer: 42 }]);
    } finally {
      await pool.end();
    }
  });

  it.each(Object.entries(ATTACKS))('%s: the pinned pool refuses the rogue sidecar', async (_name, sim) => {
    const s = await sidecarOf(sim);
    const pool = createRaTlsPool(dsn(s.port, password), poolOptions());
    try {
      await rejectsWith(pool.query('SELECT 1'), 'EventLogStructure');
    } finally {
      await pool.end();
    }
  });
});
