/**
 * The simulator's `GET /attestation` endpoint (Node only; development and
 * tests): the TeeSQL sidecar report (attestation-report.ts) with real values
 * read from the simulator's PostgreSQL on every request:
 *
 *   wal_lsn           SELECT pg_current_wal_lsn()::text
 *   controldata_hash  SHA-256 of `pg_controldata -D <data dir>` output (LC_ALL=C)
 *   pg_version        SHOW server_version
 *   timestamp         the clock, unix seconds
 *
 * Plain HTTP on its own port, as the documented sidecar (port 8080).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ReportDataEncoding } from '../ra-tls/sidecar-report-data.js';
import { readClock, systemClock, type Clock } from '../lib/time.js';
import { simulatorAttestationReport, type SimPostgresState } from './attestation-report.js';
import { findPostgresBinDir, type PostgresCluster } from './postgres-cluster.js';
import type { DstackSimulator } from './simulator.js';
import { listening } from '../node/listen.js';

export interface AttestationServerOptions {
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  readonly clock?: Clock;
  /** Default 'text'. */
  readonly encoding?: ReportDataEncoding;
  /** Include the event log (binds app_id / compose_hash / instance_id through RTMR3). Default true. */
  readonly withEventLog?: boolean;
}

export interface AttestationServer {
  readonly host: string;
  readonly port: number;
  /** http://host:port/attestation */
  readonly url: string;
  close(): Promise<void>;
}

function run(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`${cmd} exited ${code}: ${err.slice(0, 400)}`))));
  });
}

/** Reads the live state of a simulator PostgreSQL cluster (superuser over its unix socket). */
export function postgresStateReader(cluster: PostgresCluster, binDir = findPostgresBinDir()): () => Promise<SimPostgresState> {
  if (binDir === undefined) throw new Error('pg_controldata not found: install PostgreSQL or set PG_BIN');
  return async () => {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ host: cluster.socketDir, port: cluster.port, user: cluster.superuser, database: 'postgres' });
    await c.connect();
    let walLsn: string;
    let pgVersion: string;
    try {
      const r = await c.query<{ lsn: string; version: string }>("SELECT pg_current_wal_lsn()::text AS lsn, current_setting('server_version') AS version");
      walLsn = r.rows[0]!.lsn;
      pgVersion = `PostgreSQL ${r.rows[0]!.version}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 256);
    } finally {
      await c.end();
    }
    const controldata = await run(join(binDir, 'pg_controldata'), ['-D', cluster.dataDir]);
    return { walLsn, controldataHash: createHash('sha256').update(controldata).digest('hex'), pgVersion };
  };
}

/** Serves GET /attestation for `sim` with the state `state()` reads at each request. */
export async function serveAttestation(sim: DstackSimulator, state: () => Promise<SimPostgresState>, options: AttestationServerOptions = {}): Promise<AttestationServer> {
  const clock = options.clock ?? systemClock;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/attestation') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    state().then(
      (s) => {
        const report = simulatorAttestationReport(sim, s, {
          timestamp: readClock(clock, 'attestation server'),
          ...(options.encoding === undefined ? {} : { encoding: options.encoding }),
          ...(options.withEventLog === undefined ? {} : { withEventLog: options.withEventLog }),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(report));
      },
      (e: unknown) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`cannot read PostgreSQL state: ${e instanceof Error ? e.message : String(e)}\n`),
    );
  });
  await listening(server, { port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const addr = server.address() as AddressInfo;
  const hostText = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closed: Promise<void> | undefined;
  return {
    host: addr.address,
    port: addr.port,
    url: `http://${hostText}:${addr.port}/attestation`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
