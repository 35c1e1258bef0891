/**
 * The forwarder end to end with a REAL PostgreSQL behind the simulator's
 * RA-TLS sidecar, used by drivers that know nothing about RA-TLS: psql
 * (libpq), postgres.js, node-postgres without our connector, and Prisma's
 * @prisma/adapter-pg. Large COPY in both directions; 50 concurrent sessions
 * through one forwarder; rogue sidecars (wrong compose hash, unbound
 * certificate, debug TD) get zero bytes from every driver.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRaTlsForwarder, type ForwarderEvent, type RaTlsForwarder, type RaTlsForwarderOptions } from '../../src/forward/forwarder.js';
import { serveGuestAgent, type AgentServer } from '../../src/simulator/agent.js';
import { startPostgresCluster, type PostgresCluster } from '../../src/simulator/postgres-cluster.js';
import { startSidecar, type RaTlsSidecar } from '../../src/simulator/sidecar.js';
import { DstackSimulator } from '../../src/simulator/simulator.js';
import { keyPairFromLabel } from '../../src/encode/keys.js';
import { toHex } from '../../src/lib/bytes.js';
import { recordingTlsServer, requirePostgres, SKIP_POSTGRES, tlsKeyOf, type Recording } from '../postgres/support.js';

const AT = Math.floor(Date.now() / 1000);
const serverSim = new DstackSimulator({ at: AT, appId: 'aa'.repeat(20), composeHash: 'a1'.repeat(32), appName: 'db' });
const clientSim = new DstackSimulator({ at: AT, appId: 'cc'.repeat(20), composeHash: 'c1'.repeat(32), appName: 'app' });

let dir: string;
let binDir: string;
let cluster: PostgresCluster;
let agent: AgentServer;
let sidecar: RaTlsSidecar;
let forwarder: RaTlsForwarder;
const events: ForwarderEvent[] = [];
let rw: { user: string; password: string };

function forwarderOptions(port: number, extra: Partial<RaTlsForwarderOptions> = {}): RaTlsForwarderOptions {
  return {
    target: `127.0.0.1:${port}`,
    verifier: serverSim.verifier(),
    allowedMrtds: [serverSim.mrtd],
    allowedComposeHashes: [toHex(serverSim.composeHash)],
    guestAgent: { env: { DSTACK_SIMULATOR_ENDPOINT: agent.endpoint } },
    handshakeTimeoutMs: 20_000,
    ...extra,
  };
}

const url = (address: string): string => `postgres://${rw.user}:${rw.password}@${address}/postgres?sslmode=disable`;

function psql(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(join(binDir, 'psql'), ['-X', '-A', '-t', ...args], { env: { ...process.env, PGCONNECT_TIMEOUT: '20' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function queryPg(address: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url(address), ssl: false, connectionTimeoutMillis: 20_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function queryPostgresJs(address: string): Promise<unknown> {
  const sql = postgres(url(address), { ssl: false, max: 1, connect_timeout: 20, onnotice: () => undefined });
  try {
    return (await sql`SELECT current_user AS who`)[0];
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function queryPrisma(address: string): Promise<unknown> {
  const adapter = await new PrismaPg({ connectionString: url(address), ssl: false, max: 1, connectionTimeoutMillis: 20_000 }).connect();
  try {
    return (await adapter.queryRaw({ sql: 'SELECT current_user AS who', args: [], argTypes: [] })).rows;
  } finally {
    await adapter.dispose();
  }
}

describe.skipIf(SKIP_POSTGRES)('RA-TLS forwarder with real drivers and a real PostgreSQL', () => {
  beforeAll(async () => {
    binDir = requirePostgres();
    dir = mkdtempSync(join(tmpdir(), 'tee-attest-fwd-pg-'));
    cluster = await startPostgresCluster();
    const [w] = cluster.roles;
    rw = { user: w!.name, password: w!.password };
    agent = await serveGuestAgent(clientSim, { socketPath: join(dir, 'dstack.sock') });
    sidecar = await startSidecar({
      tlsKey: tlsKeyOf(serverSim.getTlsKey({ subject: 'db', usage_ra_tls: true, usage_server_auth: true })),
      upstream: { host: cluster.host, port: cluster.port },
      verifier: clientSim.verifier(),
      allowedComposeHashes: [toHex(clientSim.composeHash)],
      maxConnections: 80,
    });
    forwarder = await createRaTlsForwarder(forwarderOptions(sidecar.port, { pinning: { ttlSeconds: 300 }, onEvent: (e) => events.push(e) }));
  }, 90_000);

  afterAll(async () => {
    await forwarder?.close({ drainTimeoutMs: 0 });
    await sidecar?.close();
    await agent?.close();
    await cluster?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('psql (libpq) over TCP and over the Unix socket listener', async () => {
    const r = await psql([url(forwarder.address), '-c', 'SELECT current_user, 6 * 7']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('teesql_readwrite|42');
    const sockDir = join(dir, 'sock');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sockDir, { mode: 0o700 });
    const unix = await createRaTlsForwarder(forwarderOptions(sidecar.port, { listen: { path: join(sockDir, '.s.PGSQL.5432') } }));
    try {
      const u = await psql([`host=${sockDir} port=5432 user=${rw.user} password=${rw.password} dbname=postgres`, '-c', 'SELECT 1']);
      expect(u.stdout.trim()).toBe('1');
    } finally {
      await unix.close();
    }
  });

  it('postgres.js, node-postgres without the connector, and Prisma (adapter-pg)', async () => {
    expect(await queryPostgresJs(forwarder.address)).toEqual({ who: 'teesql_readwrite' });
    expect(await queryPg(forwarder.address, 'SELECT current_user AS who')).toEqual([{ who: 'teesql_readwrite' }]);
    expect(await queryPrisma(forwarder.address)).toEqual([['teesql_readwrite']]);
    const verified = events.filter((e) => e.type === 'verified');
    expect(verified.length).toBeGreaterThanOrEqual(4);
    expect(verified[0]).toMatchObject({ mrtd: serverSim.mrtd, composeHash: toHex(serverSim.composeHash), pinned: false });
  });

  it('large COPY in both directions (postgres.js COPY FROM STDIN / TO STDOUT, 24 MiB)', async () => {
    const sql = postgres(url(forwarder.address), { ssl: false, max: 1, onnotice: () => undefined });
    try {
      await sql`CREATE TABLE IF NOT EXISTS big (id int PRIMARY KEY, body text NOT NULL)`;
      const body = 'x'.repeat(1000);
      const rows = 24 * 1024;
      const inHash = createHash('sha256');
      function* lines(): Generator<string> {
        for (let i = 0; i < rows; i++) {
          const line = `${i}\t${body}\n`;
          inHash.update(line);
          yield line;
        }
      }
      await pipeline(Readable.from(lines()), await sql`COPY big FROM STDIN`.writable());
      const outHash = createHash('sha256');
      let outBytes = 0;
      const readable = await sql`COPY (SELECT id, body FROM big ORDER BY id) TO STDOUT`.readable();
      for await (const chunk of readable) {
        outBytes += (chunk as Buffer).length;
        outHash.update(chunk as Buffer);
      }
      expect(outBytes).toBeGreaterThan(24 * 1000 * 1024);
      expect(outHash.digest('hex')).toBe(inHash.digest('hex'));
    } finally {
      await sql.end({ timeout: 5 });
    }
    expect(forwarder.stats.peakQueuedBytes).toBeLessThan(4 * 1024 * 1024);
  });

  // The simulator's clusters run with max_connections=40: for 50 sessions at once, a second
  // cluster with the same roles sits behind a round-robin TCP splitter in front of the sidecar's upstream.
  it('50 concurrent PostgreSQL sessions through one forwarder', async () => {
    const second = await startPostgresCluster({ roles: cluster.roles });
    const upstreams = [cluster.port, second.port];
    let turn = 0;
    const pairs = new Set<Socket>();
    const splitter = createNetServer((s) => {
      const up = netConnect(upstreams[turn++ % 2]!, '127.0.0.1');
      for (const x of [s, up]) {
        pairs.add(x);
        x.on('error', () => undefined);
        x.on('close', () => {
          pairs.delete(x);
          s.destroy();
          up.destroy();
        });
      }
      s.pipe(up).pipe(s);
    });
    await new Promise<void>((r) => splitter.listen(0, '127.0.0.1', r));
    const sc = await startSidecar({
      tlsKey: tlsKeyOf(serverSim.getTlsKey({ subject: 'db', usage_ra_tls: true, usage_server_auth: true })),
      upstream: { host: '127.0.0.1', port: (splitter.address() as AddressInfo).port },
      verifier: clientSim.verifier(),
      allowedComposeHashes: [toHex(clientSim.composeHash)],
      maxConnections: 64,
    });
    const f = await createRaTlsForwarder(forwarderOptions(sc.port, { pinning: { ttlSeconds: 300 } }));
    const clients = Array.from({ length: 50 }, () => new pg.Client({ connectionString: url(f.address), ssl: false, connectionTimeoutMillis: 60_000 }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const rows = await Promise.all(
        clients.map(async (c) => (await c.query('SELECT pg_backend_pid() AS pid, current_setting(\'port\') AS port, current_user AS who')).rows[0] as { pid: number; port: string; who: string }),
      );
      expect(new Set(rows.map((r) => `${r.port}/${r.pid}`)).size).toBe(50);
      expect(rows.every((r) => r.who === 'teesql_readwrite')).toBe(true);
      expect(f.stats.active).toBe(50);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await f.close();
      await sc.close();
      for (const x of pairs) x.destroy();
      await new Promise<void>((r) => splitter.close(() => r()));
      await second.stop();
    }
    expect(f.stats).toMatchObject({ verified: 50, refused: 0, rejected: 0 });
  }, 120_000);

  describe('rogue sidecars get zero bytes from every driver', () => {
    const rogues: [string, () => { key: ReturnType<typeof tlsKeyOf>; verifier: ReturnType<DstackSimulator['verifier']> }, string][] = [
      ['wrong compose hash', () => {
        const sim = new DstackSimulator({ at: AT, composeHash: 'b2'.repeat(32) });
        return { key: tlsKeyOf(sim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true })), verifier: sim.verifier() };
      }, 'PolicyMeasurement'],
      ['unbound certificate', () => ({
        key: tlsKeyOf(serverSim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true }, { bindTo: keyPairFromLabel('the real sidecar key') })),
        verifier: serverSim.verifier(),
      }), 'RaTlsBinding'],
      ['debug TD', () => {
        const sim = new DstackSimulator({ at: AT, debug: true, composeHash: 'a1'.repeat(32) });
        return { key: tlsKeyOf(sim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true })), verifier: sim.verifier() };
      }, 'PolicyDebug'],
    ];
    for (const [name, make, code] of rogues) {
      it(`${name} (${code}): psql, postgres.js, pg and Prisma all fail; the rogue reads nothing`, async () => {
        const { key, verifier } = make();
        const rogue: Recording = await recordingTlsServer(key);
        const ev: ForwarderEvent[] = [];
        const f = await createRaTlsForwarder(forwarderOptions(rogue.port, { verifier, onEvent: (e) => ev.push(e) }));
        try {
          const p = await psql([url(f.address), '-c', 'SELECT 1']);
          expect(p.code).not.toBe(0);
          await expect(queryPostgresJs(f.address)).rejects.toThrow();
          await expect(queryPg(f.address, 'SELECT 1')).rejects.toThrow();
          await expect(queryPrisma(f.address)).rejects.toThrow();
        } finally {
          await f.close();
          await rogue.close();
        }
        const refused = ev.filter((e) => e.type === 'refused');
        expect(refused.length).toBeGreaterThanOrEqual(4);
        for (const r of refused) expect(r).toMatchObject({ code });
        expect(Buffer.concat(rogue.bytes).length, 'application bytes the rogue sidecar read').toBe(0);
        expect(f.stats).toMatchObject({ verified: 0, bytesUp: 0, bytesDown: 0 });
      }, 120_000);
    }
  });
});
