/**
 * A throw-away PostgreSQL cluster for development and tests (Node only):
 * initdb into a temporary directory, `postgres` listening only on
 * 127.0.0.1:<free port> plus a unix socket in that directory, the sidecar
 * roles `teesql_read` (read-only) and `teesql_readwrite` with 64-hex
 * passwords, and `stop()` removing everything.
 *
 * PostgreSQL refuses to run as root: as root, the temporary directory is
 * given to the `postgres` user and initdb / postgres run through
 * `runuser -u postgres --` (else `su postgres -c`).
 *
 * Binaries: `binDir`, else $PG_BIN, else the newest /usr/lib/postgresql/<v>/bin,
 * else /usr/local/pgsql/bin, else `initdb` on PATH.
 */
import { attestationError } from '../errors.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

export interface PostgresRole {
  readonly name: string;
  readonly password: string;
  /** Read-only role: pg_read_all_data and default_transaction_read_only. */
  readonly readOnly?: boolean;
}

export interface PostgresClusterOptions {
  /** Directory holding initdb and postgres. Default: see findPostgresBinDir. */
  readonly binDir?: string;
  /** TCP port on 127.0.0.1. Default: a free one. */
  readonly port?: number;
  /** Roles to create. Default teesql_readwrite and teesql_read (read-only) with random 64-hex passwords. */
  readonly roles?: readonly PostgresRole[];
  /** Bound on initdb + start + role creation. Default 60 000 ms. */
  readonly startTimeoutMs?: number;
  /** Parent of the temporary directory. Default os.tmpdir(). */
  readonly parentDir?: string;
}

export interface PostgresCluster {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Unix socket directory (superuser `postgres`, trust authentication). */
  readonly socketDir: string;
  readonly dataDir: string;
  readonly superuser: 'postgres';
  readonly roles: readonly PostgresRole[];
  /** The server's log so far (for error messages). */
  log(): string;
  /** Stops the server (fast shutdown, then SIGKILL) and removes the temporary directory. */
  stop(): Promise<void>;
}

/** A random 32-byte secret as 64 lowercase hex characters. */
export function randomClusterSecret(): string {
  return randomBytes(32).toString('hex');
}

function versionOf(name: string): number {
  const n = Number.parseFloat(name);
  return Number.isFinite(n) ? n : -1;
}

/** The directory with initdb and postgres, or undefined when PostgreSQL is not installed. */
export function findPostgresBinDir(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const ok = (d: string | undefined): d is string => d !== undefined && d !== '' && existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres'));
  if (ok(env['PG_BIN'])) return env['PG_BIN'];
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).sort((a, b) => versionOf(b) - versionOf(a));
    for (const v of versions) if (ok(join(base, v, 'bin'))) return join(base, v, 'bin');
  }
  if (ok('/usr/local/pgsql/bin')) return '/usr/local/pgsql/bin';
  for (const d of (env['PATH'] ?? '').split(delimiter)) if (ok(d)) return d;
  return undefined;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === 'postgres' && f[2] !== undefined && f[3] !== undefined) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    /* no passwd file */
  }
  return undefined;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** [command, args] running `argv` as the postgres user when we are root. */
function asPostgres(argv: readonly string[]): [string, string[]] {
  if (!isRoot()) return [argv[0]!, argv.slice(1)];
  if (existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser') || existsSync('/usr/bin/runuser')) {
    return ['runuser', ['-u', 'postgres', '--', ...argv]];
  }
  return ['su', ['postgres', '-s', '/bin/sh', '-c', argv.map(shellQuote).join(' ')]];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** True when every directory from `dir` up to / can be traversed by other users (the postgres user, when we are root). */
function traversableByOthers(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dirname(d) === d) return true;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a throw-away cluster. Throws (with the server log) when PostgreSQL is missing or fails to start. */
export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const binDir = options.binDir ?? findPostgresBinDir();
  if (binDir === undefined) throw new Error('PostgreSQL binaries (initdb, postgres) not found: install PostgreSQL or set PG_BIN');
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  const roles = options.roles ?? [
    { name: 'teesql_readwrite', password: randomClusterSecret() },
    { name: 'teesql_read', password: randomClusterSecret(), readOnly: true },
  ];
  for (const r of roles) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(r.name)) throw attestationError('InvalidArgument', `bad role name ${r.name}`, { check: 'simulator.postgres.role', field: 'name' });
  }

  let parent = options.parentDir ?? tmpdir();
  // As root, the postgres user must reach the directory (e.g. TMPDIR under /root would not do).
  if (options.parentDir === undefined && isRoot() && !traversableByOthers(parent) && traversableByOthers('/tmp')) parent = '/tmp';
  const root = mkdtempSync(join(parent, 'tee-attest-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'sock');
  mkdirSync(socketDir);
  if (isRoot()) {
    const pgUser = postgresUser();
    if (pgUser === undefined) {
      rmSync(root, { recursive: true, force: true });
      throw new Error("running as root needs a 'postgres' user to run PostgreSQL (initdb refuses root)");
    }
    chownSync(root, pgUser.uid, pgUser.gid);
    chownSync(socketDir, pgUser.uid, pgUser.gid);
  }

  let child: ChildProcess | undefined;
  let logText = '';
  let exited = false;
  const appendLog = (b: Buffer): void => {
    logText = (logText + b.toString('utf8')).slice(-20_000);
  };
  const postmasterPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const onExit = (): void => {
    // Last resort if the process exits without stop(): do not leave a server behind.
    const pid = postmasterPid();
    if (!exited && pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.off('exit', onExit);
      if (child !== undefined && !exited) {
        const pid = postmasterPid() ?? child.pid;
        const signal = (s: NodeJS.Signals): void => {
          try {
            if (pid !== undefined) process.kill(pid, s);
          } catch {
            /* already gone */
          }
        };
        signal('SIGINT'); // fast shutdown
        const until = Date.now() + 10_000;
        while (!exited && Date.now() < until) await sleep(50);
        if (!exited) {
          signal('SIGKILL');
          try {
            if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
          const until2 = Date.now() + 5_000;
          while (!exited && Date.now() < until2) await sleep(50);
        }
      }
      rmSync(root, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    const [cmd, args] = asPostgres([
      join(binDir, 'initdb'),
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const init = spawnSync(cmd, args, { encoding: 'utf8', timeout: Math.max(1000, deadline - Date.now()), cwd: root });
    if (init.status !== 0) throw new Error(`initdb failed (${init.status ?? init.signal ?? init.error?.message}): ${init.stderr || init.stdout}`);

    const port = options.port ?? (await freePort());
    const [pcmd, pargs] = asPostgres([
      join(binDir, 'postgres'),
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      socketDir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=40',
      '-c',
      'logging_collector=off',
    ]);
    child = spawn(pcmd, pargs, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
    child.stdout?.on('data', appendLog);
    child.stderr?.on('data', appendLog);
    child.on('exit', () => {
      exited = true;
    });
    child.on('error', (e) => {
      exited = true;
      logText += `\nspawn error: ${e.message}`;
    });
    process.on('exit', onExit);

    // Ready when the superuser can connect over the unix socket.
    const { default: pg } = await import('pg');
    let lastError = '';
    for (;;) {
      if (exited) throw new Error(`postgres exited during start-up: ${logText}`);
      if (Date.now() > deadline) throw new Error(`postgres did not start in time (${lastError}): ${logText}`);
      const c = new pg.Client({ host: socketDir, port, user: 'postgres', database: 'postgres' });
      try {
        await c.connect();
        try {
          for (const r of roles) {
            await c.query(`CREATE ROLE ${r.name} LOGIN PASSWORD ${pg.escapeLiteral(r.password)}`);
            if (r.readOnly === true) {
              await c.query(`GRANT pg_read_all_data TO ${r.name}`);
              await c.query(`ALTER ROLE ${r.name} SET default_transaction_read_only = on`);
            } else {
              await c.query(`GRANT pg_read_all_data, pg_write_all_data TO ${r.name}`);
              await c.query(`GRANT ALL ON SCHEMA public TO ${r.name}`);
            }
          }
        } finally {
          await c.end();
        }
        break;
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
        await c.end().catch(() => undefined);
        if (!/ENOENT|ECONNREFUSED|starting up|the database system is/.test(lastError)) throw e;
        await sleep(100);
      }
    }
    return {
      host: '127.0.0.1',
      port,
      socketDir,
      dataDir,
      superuser: 'postgres',
      roles,
      log: () => logText,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
