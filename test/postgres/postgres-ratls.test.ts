/**
 * Postgres over mutual RA-TLS, end to end with a REAL PostgreSQL server:
 * temp cluster (127.0.0.1 + unix socket, roles teesql_read / teesql_readwrite
 * with 64-hex passwords) ← RA-TLS sidecar (simulator) ← pg / pg.Pool /
 * @prisma/adapter-pg through the connector, every quote genuine under the
 * test PKI and verified with DCAP.
 *
 * Negative cases: MITM servers (non-attested, unbound) must receive zero
 * application bytes; debug TD, wrong MRTD, revoked PCK refuse with their
 * codes; the sidecar refuses non-attested and debug clients; DSN and guest
 * agent errors come before any I/O.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttestationError, attestationError } from '../../src/errors.js';
import { createRaTlsConnector, createRaTlsPool, type RaTlsConnectorOptions } from '../../src/postgres/connector.js';
import { getInfo, getQuote, getTlsKey } from '../../src/postgres/guest-agent.js';
import type { RaTlsVerifiedEvent } from '../../src/postgres/types.js';
import { serveGuestAgent, type AgentServer } from '../../src/simulator/agent.js';
import { startPostgresCluster, type PostgresCluster } from '../../src/simulator/postgres-cluster.js';
import { startSidecar, type RaTlsSidecar, type SidecarEvent } from '../../src/simulator/sidecar.js';
import { DstackSimulator } from '../../src/simulator/simulator.js';
import { simulatorVerifier } from '../../src/simulator/trust.js';
import { keyPairFromLabel } from '../../src/encode/keys.js';
import { toHex } from '../../src/lib/bytes.js';
import { rejectsWith } from '../ra-tls/helpers.js';
import {
  CountingVerifier,
  recordingRawServer,
  recordingTlsServer,
  requirePostgres,
  SKIP_POSTGRES,
  sleep,
  sniOf,
  tlsKeyOf,
  type Recording,
} from './support.js';

const AT = Math.floor(Date.now() / 1000);
/** Both CVMs sit on platforms of the same (fake) Intel PKI; their apps differ. */
const serverSim = new DstackSimulator({ at: AT, appId: 'aa'.repeat(20), composeHash: 'a1'.repeat(32), appName: 'db' });
const clientSim = new DstackSimulator({ at: AT, appId: 'cc'.repeat(20), composeHash: 'c1'.repeat(32), appName: 'app' });

let dir: string;
let cluster: PostgresCluster;
let agent: AgentServer;
let sidecar: RaTlsSidecar;
const sidecarEvents: SidecarEvent[] = [];
let rw: { user: string; password: string };
let ro: { user: string; password: string };
const recordings: Recording[] = [];

const dsn = (host: string, port: number, role = rw): string => `postgres://${role.user}:${role.password}@${host}:${port}/postgres`;

/** Client options: trust the server platform, pin its MRTD and compose hash, client cert from the simulator socket. */
function clientOptions(extra: Partial<RaTlsConnectorOptions> = {}): RaTlsConnectorOptions {
  return {
    verifier: serverSim.verifier(),
    allowedMrtds: [serverSim.mrtd],
    allowedComposeHashes: [toHex(serverSim.composeHash)],
    guestAgent: { env: { DSTACK_SIMULATOR_ENDPOINT: agent.endpoint } },
    connectTimeoutMs: 15_000,
    ...extra,
  };
}

async function expectZeroApplicationBytes(rec: Recording): Promise<void> {
  await rec.allClosed();
  await sleep(50);
  // The client reached certificate verification (its error code says so), i.e. it
  // got the MITM's certificate; whether the MITM also saw the client's Finished
  // before the hang-up is a race, and irrelevant: it read no application byte.
  expect(rec.connections, 'TCP connections to the MITM').toBe(1);
  expect(rec.handshakes).toBeLessThanOrEqual(1);
  expect(Buffer.concat(rec.bytes).length, 'application bytes the MITM received').toBe(0);
}

describe.skipIf(SKIP_POSTGRES)('Postgres over mutual RA-TLS (real PostgreSQL)', () => {
  beforeAll(async () => {
    requirePostgres();
    dir = mkdtempSync(join(tmpdir(), 'tee-attest-ratls-'));
    cluster = await startPostgresCluster();
    const [w, r] = cluster.roles;
    rw = { user: w!.name, password: w!.password };
    ro = { user: r!.name, password: r!.password };
    agent = await serveGuestAgent(clientSim, { socketPath: join(dir, 'dstack.sock') });
    const serverKey = serverSim.getTlsKey({ subject: 'db', alt_names: ['localhost'], usage_ra_tls: true, usage_server_auth: true });
    sidecar = await startSidecar({
      tlsKey: tlsKeyOf(serverKey),
      upstream: { host: cluster.host, port: cluster.port },
      verifier: clientSim.verifier(),
      allowedComposeHashes: [toHex(clientSim.composeHash)],
      onEvent: (e) => sidecarEvents.push(e),
    });
  }, 60_000);

  afterAll(async () => {
    for (const r of recordings) await r.close();
    await sidecar?.close();
    await agent?.close();
    await cluster?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  async function recordTls(key: ReturnType<typeof serverSim.getTlsKey>): Promise<Recording> {
    const r = await recordingTlsServer(tlsKeyOf(key));
    recordings.push(r);
    return r;
  }

  it('the guest agent API over the unix socket (GetTlsKey, GetQuote, Info)', async () => {
    const opts = { endpoint: agent.endpoint };
    const k = await getTlsKey({ subject: 'x', usageRaTls: true, usageClientAuth: true }, opts);
    expect(k.key).toContain('BEGIN PRIVATE KEY');
    expect(k.certificateChain).toHaveLength(2);
    const q = await getQuote(new Uint8Array([0xab]), opts);
    expect(q.report_data).toBe('ab' + '00'.repeat(63));
    const info = await getInfo(opts);
    expect(info['app_id']).toBe('cc'.repeat(20));
    expect((info['tcb_info'] as { mrtd: string }).mrtd).toBe(clientSim.mrtd);
  });

  it('pg.Client: queries through the sidecar after both sides verified each other', async () => {
    const events: RaTlsVerifiedEvent[] = [];
    const connector = createRaTlsConnector(clientOptions({ onVerified: (e) => events.push(e) }));
    const client = connector.createClient(dsn('127.0.0.1', sidecar.port));
    await client.connect();
    try {
      const r = await client.query('SELECT current_user AS who, 6 * 7 AS answer');
      expect(r.rows).toEqual([{ who: 'teesql_readwrite', answer: 42 }]);
      await client.query('CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)');
      await client.query('INSERT INTO notes (body) VALUES ($1)', ['over RA-TLS']);
    } finally {
      await client.end();
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ pinned: false, reason: 'connect', port: sidecar.port });
    expect(events[0]!.verification.result).toMatchObject({ authenticated: true, tcbStatus: 'UpToDate', mrtd: serverSim.mrtd });
    expect(events[0]!.verification.claims?.appId).toBe('aa'.repeat(20));
    expect(sidecarEvents.some((e) => e.type === 'accepted' && e.appId === 'cc'.repeat(20))).toBe(true);
  });

  it('pg.Pool: concurrent queries, and the read-only role cannot write', async () => {
    const pool = createRaTlsPool(dsn('127.0.0.1', sidecar.port), clientOptions(), { max: 3 });
    try {
      const rows = await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await pool.query('SELECT $1::int * 2 AS v', [n])).rows[0].v as number));
      expect(rows).toEqual([2, 4, 6, 8, 10]);
      const c = await pool.connect();
      try {
        expect((await c.query('SELECT count(*)::int AS n FROM notes')).rows[0].n).toBeGreaterThanOrEqual(1);
      } finally {
        c.release();
      }
    } finally {
      await pool.end();
    }
    const readPool = createRaTlsPool(dsn('127.0.0.1', sidecar.port, ro), clientOptions(), { max: 1 });
    try {
      expect((await readPool.query('SELECT current_user AS who')).rows[0].who).toBe('teesql_read');
      await expect(readPool.query("INSERT INTO notes (body) VALUES ('no')")).rejects.toMatchObject({ code: '25006' });
    } finally {
      await readPool.end();
    }
  });

  it('@prisma/adapter-pg: PrismaPg over the RA-TLS pool (queryRaw / executeRaw), and from a PoolConfig', async () => {
    const connector = createRaTlsConnector(clientOptions());
    const pool = connector.createPool(dsn('127.0.0.1', sidecar.port), { max: 2 });
    const adapter = await new PrismaPg(pool).connect();
    try {
      const changed = await adapter.executeRaw({
        sql: 'INSERT INTO notes (body) VALUES ($1), ($2)',
        args: ['prisma one', 'prisma two'],
        argTypes: [
          { scalarType: 'string', arity: 'scalar' },
          { scalarType: 'string', arity: 'scalar' },
        ],
      });
      expect(changed).toBe(2);
      const rs = await adapter.queryRaw({
        sql: 'SELECT body FROM notes WHERE body LIKE $1 ORDER BY id',
        args: ['prisma%'],
        argTypes: [{ scalarType: 'string', arity: 'scalar' }],
      });
      expect(rs.columnNames).toEqual(['body']);
      expect(rs.rows).toEqual([['prisma one'], ['prisma two']]);
    } finally {
      await adapter.dispose();
      await pool.end();
    }
    // PoolConfig form: PrismaPg builds its own pg.Pool with the RA-TLS stream.
    const adapter2 = await new PrismaPg(connector.poolConfig(dsn('127.0.0.1', sidecar.port), { max: 1 })).connect();
    try {
      const rs = await adapter2.queryRaw({ sql: 'SELECT current_user AS who', args: [], argTypes: [] });
      expect(rs.rows).toEqual([['teesql_readwrite']]);
    } finally {
      await adapter2.dispose();
    }
  });

  it('the first bytes on the wire are a TLS ClientHello with SNI, not a Postgres SSLRequest', async () => {
    const raw = await recordingRawServer();
    recordings.push(raw);
    const client = createRaTlsConnector(clientOptions({ servername: 'db.sidecar.test' })).createClient(dsn('127.0.0.1', raw.port));
    await rejectsWith(client.connect(), 'RaTlsConnect');
    const hello = Buffer.concat(raw.bytes);
    expect(hello[0], 'TLS handshake record').toBe(0x16);
    expect(hello[5], 'ClientHello').toBe(0x01);
    expect(hello.subarray(0, 8).equals(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])), 'SSLRequest').toBe(false);
    expect(sniOf(hello)).toBe('db.sidecar.test');
    // Default SNI: the DSN host name (never an IP address).
    const raw2 = await recordingRawServer();
    recordings.push(raw2);
    await rejectsWith(createRaTlsConnector(clientOptions()).createClient(dsn('localhost', raw2.port)).connect(), 'RaTlsConnect');
    expect(sniOf(Buffer.concat(raw2.bytes))).toBe('localhost');
  });

  it('control: a recording server with an accepted certificate does receive the startup message', async () => {
    const key = serverSim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true });
    const rec = await recordingTlsServer(tlsKeyOf(key), { hangUpAfterBytes: true });
    recordings.push(rec);
    const client = createRaTlsConnector(clientOptions()).createClient(dsn('127.0.0.1', rec.port));
    await expect(client.connect()).rejects.toThrow(/terminated/);
    const sent = Buffer.concat(rec.bytes);
    expect(rec.handshakes).toBe(1);
    expect(sent.readUInt32BE(4), 'protocol 3.0 startup message').toBe(0x00030000);
    expect(sent.toString('latin1')).toContain('teesql_readwrite');
  });

  it('MITM with a non-attested certificate: RaTlsMissing, and it receives zero application bytes', async () => {
    const mitm = await recordTls(serverSim.getTlsKey({ subject: 'mitm', usage_server_auth: true }));
    const client = createRaTlsConnector(clientOptions()).createClient(dsn('127.0.0.1', mitm.port));
    await rejectsWith(client.connect(), 'RaTlsMissing');
    await expectZeroApplicationBytes(mitm);
  });

  it('MITM with an unbound certificate (a genuine quote for another key): RaTlsBinding, zero application bytes', async () => {
    const mitm = await recordTls(serverSim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true }, { bindTo: keyPairFromLabel('the real sidecar key') }));
    const pool = createRaTlsPool(dsn('127.0.0.1', mitm.port), clientOptions(), { max: 1 });
    try {
      await rejectsWith(pool.query('SELECT 1'), 'RaTlsBinding');
    } finally {
      await pool.end();
    }
    await expectZeroApplicationBytes(mitm);
  });

  it('debug TD, wrong MRTD and revoked PCK servers are refused with their codes before any byte is sent', async () => {
    const cases: [DstackSimulator, string, Partial<RaTlsConnectorOptions>][] = [
      [new DstackSimulator({ at: AT, debug: true, composeHash: 'a1'.repeat(32) }), 'PolicyDebug', {}],
      [new DstackSimulator({ at: AT, mrtd: 'ee'.repeat(48), composeHash: 'a1'.repeat(32) }), 'PolicyMeasurement', {}],
      [new DstackSimulator({ at: AT, revokePck: true, composeHash: 'a1'.repeat(32) }), 'CrlRevoked', {}],
    ];
    for (const [sim, code, extra] of cases) {
      const server = await recordTls(sim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true }));
      // The client trusts this platform's collateral (what Intel PCS would serve for it).
      const client = createRaTlsConnector(clientOptions({ verifier: sim.verifier(), ...extra })).createClient(dsn('127.0.0.1', server.port));
      const e = await rejectsWith(client.connect(), code);
      if (code === 'PolicyMeasurement') expect(e.evidence?.field).toBe('mrtd');
      await expectZeroApplicationBytes(server);
    }
  });

  it('the sidecar refuses clients without an attested certificate, or from a debug TD (SQLSTATE 28000)', async () => {
    const plain = clientSim.getTlsKey({ subject: 'no attestation', usage_client_auth: true });
    const c1 = createRaTlsConnector(clientOptions({ clientCertificate: tlsKeyOf(plain) })).createClient(dsn('127.0.0.1', sidecar.port));
    const e1 = await c1.connect().then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(e1?.code).toBe('28000');
    expect(e1?.message).toContain('RaTlsMissing');
    const debug = new DstackSimulator({ at: AT, debug: true, composeHash: 'c1'.repeat(32) });
    const c2 = createRaTlsConnector(clientOptions({ clientCertificate: tlsKeyOf(debug.getTlsKey({ usage_ra_tls: true, usage_client_auth: true })) })).createClient(
      dsn('127.0.0.1', sidecar.port),
    );
    await expect(c2.connect()).rejects.toMatchObject({ code: '28000', message: expect.stringContaining('PolicyDebug') });
    expect(sidecarEvents.filter((e) => e.type === 'refused').map((e) => e.code)).toEqual(expect.arrayContaining(['RaTlsMissing', 'PolicyDebug']));
  });

  it('the result cache is on by default: connections to an already-verified certificate skip the full verification; pinning: false opts out', async () => {
    const counting = new CountingVerifier(serverSim.verifier());
    const events: RaTlsVerifiedEvent[] = [];
    const connector = createRaTlsConnector(clientOptions({ verifier: counting, onVerified: (e) => events.push(e) }));
    for (let i = 0; i < 3; i++) {
      const c = connector.createClient(dsn('127.0.0.1', sidecar.port));
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
    }
    expect(counting.calls).toBe(1);
    expect(events.map((e) => e.pinned)).toEqual([false, true, true]);
    expect(events.map((e) => [e.verification.quote, e.verification.unverified])).toEqual(Array(3).fill(['authenticated', false]));
    expect(new Set(events.map((e) => e.fingerprint)).size).toBe(1);
    expect(connector.pinCount).toBe(1);
    // pinning: false: every connection verifies.
    const counting2 = new CountingVerifier(serverSim.verifier());
    const connector2 = createRaTlsConnector(clientOptions({ verifier: counting2, pinning: false }));
    for (let i = 0; i < 2; i++) {
      const c = connector2.createClient(dsn('127.0.0.1', sidecar.port));
      await c.connect();
      await c.end();
    }
    expect(counting2.calls).toBe(2);
    expect(connector2.pinCount).toBe(0);
  });

  it('allowSimulator: a quote-less dev sidecar is reachable with allowSimulator + allowAnyTd (warned on every connection), refused when pinned', async () => {
    const plainKey = serverSim.getTlsKey({ subject: 'dev sidecar', alt_names: ['localhost'], usage_server_auth: true });
    const dev = await startSidecar({
      tlsKey: tlsKeyOf(plainKey),
      upstream: { host: cluster.host, port: cluster.port },
      verifier: clientSim.verifier(),
      allowedComposeHashes: [toHex(clientSim.composeHash)],
    });
    try {
      // Default: RaTlsMissing.
      await rejectsWith(createRaTlsConnector(clientOptions()).createClient(dsn('127.0.0.1', dev.port)).connect(), 'RaTlsMissing');
      // allowSimulator with pins: refused (a pin cannot be checked without a quote).
      await rejectsWith(createRaTlsConnector(clientOptions({ allowSimulator: true })).createClient(dsn('127.0.0.1', dev.port)).connect(), 'PolicyMeasurement');
      // allowSimulator + allowAnyTd, no pins: queries run; a warning on every connection; never cached.
      const warnings: string[] = [];
      const events: RaTlsVerifiedEvent[] = [];
      const connector = createRaTlsConnector(
        clientOptions({ allowedMrtds: undefined, allowedComposeHashes: undefined, allowSimulator: true, allowAnyTd: true, warn: (m) => warnings.push(m), onVerified: (e) => events.push(e) }),
      );
      for (let i = 0; i < 2; i++) {
        const c = connector.createClient(dsn('127.0.0.1', dev.port));
        await c.connect();
        expect((await c.query('SELECT 41 + 1 AS v')).rows[0].v).toBe(42);
        await c.end();
      }
      expect(warnings.filter((w) => /NO TDX quote/.test(w))).toHaveLength(2);
      expect(warnings.filter((w) => /allowAnyTd/.test(w))).toHaveLength(1);
      expect(events.map((e) => [e.pinned, e.verification.quote, e.verification.unverified])).toEqual([
        [false, 'absent', true],
        [false, 'absent', true],
      ]);
      expect(connector.pinCount).toBe(0);
    } finally {
      await dev.close();
    }
  });

  it('re-verification on pool checkout: every reuse re-verifies; a failure destroys the connection with the code', async () => {
    const counting = new CountingVerifier(serverSim.verifier());
    const pool = createRaTlsPool(dsn('127.0.0.1', sidecar.port), clientOptions({ verifier: counting, reverifyOnCheckout: true }), { max: 1 });
    try {
      for (let i = 0; i < 3; i++) await pool.query('SELECT 1');
      expect(counting.calls).toBe(3); // 1 at connect, 2 on the two reuses
      expect(pool.totalCount).toBe(1);
      counting.fail = attestationError('CrlRevoked', 'platform revoked since');
      await rejectsWith(pool.query('SELECT 1'), 'CrlRevoked');
      expect(pool.totalCount).toBe(0);
      counting.fail = undefined;
      expect((await pool.query('SELECT 2 AS v')).rows[0].v).toBe(2);
    } finally {
      await pool.end();
    }
    // maxAgeSeconds: a fresh verification is reused.
    const counting2 = new CountingVerifier(serverSim.verifier());
    const pool2 = createRaTlsPool(dsn('127.0.0.1', sidecar.port), clientOptions({ verifier: counting2, reverifyOnCheckout: { maxAgeSeconds: 3600 } }), { max: 1 });
    try {
      for (let i = 0; i < 3; i++) await pool2.query('SELECT 1');
      expect(counting2.calls).toBe(1);
    } finally {
      await pool2.end();
    }
  });

  it('a dead guest agent endpoint: DstackAgent from connect(); a dead sidecar port: RaTlsConnect', async () => {
    const c = createRaTlsConnector(clientOptions({ guestAgent: { endpoint: join(dir, 'nobody-listens.sock'), timeoutMs: 2000 } })).createClient(
      dsn('127.0.0.1', sidecar.port),
    );
    await rejectsWith(c.connect(), 'DstackAgent');
    const raw = await recordingRawServer();
    const port = raw.port;
    await raw.close();
    await rejectsWith(createRaTlsConnector(clientOptions()).createClient(dsn('127.0.0.1', port)).connect(), 'RaTlsConnect');
  });

  it('simulatorVerifier fetches the trust material from the agent', async () => {
    const v = await simulatorVerifier({ endpoint: agent.endpoint, quiet: true });
    const c = createRaTlsConnector(clientOptions({ verifier: v, allowedComposeHashes: undefined, allowedAppIds: [toHex(serverSim.appId)] })).createClient(dsn('127.0.0.1', sidecar.port));
    await c.connect();
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await c.end();
  });
});

describe('before any I/O: DSN rules and the guest agent', () => {
  const noAgent = { env: {}, socketPaths: ['/nonexistent/tee-attest/dstack.sock'] };
  const verifier = serverSim.verifier();
  const pins = { allowedMrtds: [serverSim.mrtd], allowedComposeHashes: [toHex(serverSim.composeHash)] };
  const secret = 'ab'.repeat(32);

  it('DSN validation errors are coded (DsnCredentials / DsnInvalid), checked before the guest agent', () => {
    const cases: [string, string][] = [
      [`postgres://postgres:${secret}@db:5433/app`, 'DsnCredentials'],
      [`postgres://teesql_admin:${secret}@db:5433/app`, 'DsnCredentials'],
      ['postgres://teesql_readwrite@db:5433/app', 'DsnCredentials'],
      ['postgres://teesql_readwrite:secret@db:5433/app', 'DsnCredentials'],
      [`postgres://teesql_readwrite:${'AB'.repeat(32)}@db:5433/app`, 'DsnCredentials'],
      [`postgres://teesql_readwrite:${'zz'.repeat(32)}@db:5433/app`, 'DsnCredentials'],
      [`postgres://teesql_readwrite:${secret}0@db:5433/app`, 'DsnCredentials'],
      [`mysql://teesql_readwrite:${secret}@db:5433/app`, 'DsnInvalid'],
      [`teesql_readwrite:${secret}@db:5433`, 'DsnInvalid'],
      [`postgres://teesql_readwrite:${secret}@db:70000/app`, 'DsnInvalid'],
      [`postgres://teesql_readwrite:${secret}@db/app?host=/var/run/postgresql`, 'DsnInvalid'],
      [`postgres://teesql_readwrite:${secret}@db:5433/a/b`, 'DsnInvalid'],
    ];
    for (const [d, code] of cases) {
      let caught: unknown;
      try {
        createRaTlsPool(d, { verifier, ...pins, guestAgent: noAgent });
      } catch (e) {
        caught = e;
      }
      expect(caught, d).toBeInstanceOf(AttestationError);
      expect((caught as AttestationError).code, `${d}: ${(caught as Error).message}`).toBe(code);
      expect((caught as Error).message).not.toContain(secret);
    }
    // Object form too.
    expect(() => createRaTlsConnector({ verifier, ...pins, clientCertificate: { key: 'k', certificateChain: ['c'] } }).clientConfig({ user: 'teesql_read', password: 'x', host: 'db' })).toThrow(
      expect.objectContaining({ code: 'DsnCredentials' }),
    );
    // Valid forms.
    const connector = createRaTlsConnector({ verifier, ...pins, clientCertificate: { key: 'k', certificateChain: ['c'] } });
    expect(connector.clientConfig(`postgresql://teesql_read:${secret}@[::1]/app?application_name=x&sslmode=require`)).toMatchObject({
      user: 'teesql_read',
      host: '::1',
      port: 5433, // no port in the DSN: the sidecar's RA-TLS port
      database: 'app',
      application_name: 'x',
      ssl: false,
    });
  });

  it('no guest agent: MissingDstackSocket when the connector is created', () => {
    let caught: unknown;
    try {
      createRaTlsPool(`postgres://teesql_readwrite:${secret}@db:5433/app`, { verifier, ...pins, guestAgent: noAgent });
    } catch (e) {
      caught = e;
    }
    expect((caught as AttestationError).code).toBe('MissingDstackSocket');
    expect((caught as AttestationError).kind).toBe('usage');
    expect((caught as Error).message).toContain('DSTACK_SIMULATOR_ENDPOINT');
  });
});
