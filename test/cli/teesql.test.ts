/**
 * The TeeSQL client contract end to end, every program a real process
 * (issue 13 §1, §4; issue 14 CLI): `tee-attest-sim up --postgres --json`
 * (a real PostgreSQL), then the commands docs/postgres.md gives a newcomer:
 *
 *   tee-attest attestation $attestationUrl --root $root --collateral $collateral --mrtd $mrtd --compose-hash $composeHash --insecure-http --json
 *   tee-attest probe $sidecar --root $root --collateral $collateral --mrtd $mrtd --compose-hash $composeHash --json
 *   tee-attest forward --target $sidecar --listen 127.0.0.1:0 --root ... --json-log   (DSTACK_SIMULATOR_ENDPOINT set)
 *
 * and the LSN of the live report advances after a write.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, SKIP_POSTGRES } from '../postgres/support.js';

const CLI = resolve('dist/cli/main.js');
const SIM = resolve('dist/simulator/bin.js');

interface SimInfo {
  DSTACK_SIMULATOR_ENDPOINT: string;
  databaseUrl: string;
  sidecar: string;
  attestationUrl: string;
  mrtd: string;
  composeHash: string;
  appId: string;
  osImageHash: string;
  root: string;
  collateral: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env, encoding: 'utf8' }, (e, stdout, stderr) => done({ code: e === null ? 0 : ((e as { code?: number }).code ?? -1), stdout, stderr }));
  });
}

/** Starts a long-running process; `line()` resolves with its next stdout line. */
function start(args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; line: () => Promise<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else lines.push(l);
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const line = (): Promise<string> =>
    lines.length > 0
      ? Promise.resolve(lines.shift()!)
      : new Promise((res, rej) => {
          waiting.push(res);
          void exit.then((code) => rej(new Error(`exited ${code} before printing: ${stderr}`)));
        });
  return { child, line, exit };
}

describe.skipIf(SKIP_POSTGRES)('TeeSQL client contract against tee-attest-sim (real processes, real PostgreSQL)', () => {
  let sim: ReturnType<typeof start>;
  let info: SimInfo;
  let dir: string;
  let trust: string[];

  beforeAll(async () => {
    requirePostgres();
    dir = mkdtempSync(join(tmpdir(), 'tee-attest-teesql-'));
    sim = start([SIM, 'up', '--postgres', '--socket', join(dir, 'dstack.sock'), '--listen', '127.0.0.1:0', '--attestation-listen', '127.0.0.1:0', '--json', '--quiet']);
    info = JSON.parse(await sim.line()) as SimInfo;
    trust = ['--root', info.root, '--collateral', info.collateral, '--mrtd', info.mrtd, '--compose-hash', info.composeHash];
  }, 90_000);

  afterAll(async () => {
    if (sim !== undefined) {
      sim.child.kill('SIGINT');
      expect(await sim.exit).toBe(0);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('up --json prints everything a client needs', () => {
    for (const k of ['databaseUrl', 'sidecar', 'attestationUrl', 'mrtd', 'composeHash', 'appId', 'osImageHash', 'root', 'collateral'] as const) expect(info[k], k).toBeTruthy();
    expect(info.attestationUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/attestation$/);
    expect(info.sidecar).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('attestation: a live report verifies, pins pass, binding is listed; the LSN advances after a write', async () => {
    const first = await cli(['attestation', info.attestationUrl, ...trust, '--app-id', info.appId, '--os-image-hash', info.osImageHash, '--insecure-http', '--json']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const a = JSON.parse(first.stdout);
    expect(a.ok).toBe(true);
    expect(a.result.authenticated).toBe(true);
    expect(a.binding).toMatchObject({ 'postgres_state.wal_lsn': 'reportData', 'postgres_state.pg_version': 'unbound', compose_hash: 'rtmr3', app_id: 'rtmr3' });
    expect(a.report.postgresState.pgVersion).toMatch(/^PostgreSQL \d+/);
    expect(a.claims.composeHash).toBe(info.composeHash);

    // A write through `tee-attest forward` (plain node-postgres behind it), then a second live report.
    const lsnOf = (t: string): bigint => {
      const [hi, lo] = t.split('/') as [string, string];
      return (BigInt('0x' + hi) << 32n) | BigInt('0x' + lo);
    };
    const fwd = start([CLI, 'forward', '--target', info.sidecar, '--listen', '127.0.0.1:0', ...trust, '--json-log'], { ...process.env, DSTACK_SIMULATOR_ENDPOINT: info.DSTACK_SIMULATOR_ENDPOINT });
    try {
      const ready = JSON.parse(await fwd.line());
      expect(ready.event).toBe('listening');
      const url = new URL(info.databaseUrl);
      const [host, port] = (ready.address as string).split(':') as [string, string];
      const c = new pg.Client({ host, port: Number(port), user: url.username, password: decodeURIComponent(url.password), database: 'postgres', ssl: false });
      await c.connect();
      try {
        await c.query('CREATE TABLE IF NOT EXISTS lsn_probe (v text)');
        await c.query("INSERT INTO lsn_probe SELECT repeat('x', 1000) FROM generate_series(1, 100)");
      } finally {
        await c.end();
      }
      const verified = JSON.parse(await fwd.line());
      expect(verified.event).toBe('verified');
      expect(verified.composeHash).toBe(info.composeHash);
    } finally {
      fwd.child.kill('SIGINT');
      expect(await fwd.exit).toBe(0);
    }
    const second = JSON.parse((await cli(['attestation', info.attestationUrl, ...trust, '--insecure-http', '--json'])).stdout);
    expect(second.ok).toBe(true);
    expect(lsnOf(second.report.postgresState.walLsn)).toBeGreaterThan(lsnOf(a.report.postgresState.walLsn));
  }, 60_000);

  it('attestation: http needs --insecure-http; a wrong pin fails (exit 2); human output says what is not bound', async () => {
    const noFlag = await cli(['attestation', info.attestationUrl, ...trust, '--json']);
    expect(noFlag.code).toBe(1);
    expect(JSON.parse(noFlag.stdout).error.code).toBe('InvalidArgument');
    const wrong = await cli(['attestation', info.attestationUrl, '--root', info.root, '--collateral', info.collateral, '--compose-hash', 'ab'.repeat(32), '--insecure-http', '--json']);
    expect(wrong.code).toBe(2);
    expect(JSON.parse(wrong.stdout).error.code).toBe('PolicyMeasurement');
    const human = await cli(['attestation', info.attestationUrl, ...trust, '--insecure-http']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^VERIFIED/);
    expect(human.stdout).toMatch(/NOT bound \(display only\): +postgres_state\.pg_version/);
  }, 60_000);

  it('probe: claims and the certificate fingerprint; pins required; a wrong pin exits 2', async () => {
    const p = await cli(['probe', info.sidecar, ...trust, '--json']);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    const out = JSON.parse(p.stdout);
    expect(out.ok).toBe(true);
    expect(out.certificateSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(out.claims.composeHash).toBe(info.composeHash);
    expect(out.result.mrtd).toBe(info.mrtd);
    const unpinned = await cli(['probe', info.sidecar, '--root', info.root, '--collateral', info.collateral, '--json']);
    expect(unpinned.code).toBe(1);
    const wrong = await cli(['probe', info.sidecar, '--root', info.root, '--collateral', info.collateral, '--mrtd', info.mrtd, '--compose-hash', 'cd'.repeat(32), '--json']);
    expect(wrong.code).toBe(2);
    expect(JSON.parse(wrong.stdout).error.code).toBe('PolicyMeasurement');
    const human = await cli(['probe', info.sidecar, ...trust]);
    expect(human.stdout).toMatch(/^VERIFIED  RA-TLS server .* no application byte sent/);
  }, 60_000);

  it('forward: a wrong compose-hash pin refuses the connection (the driver gets no server bytes); Ctrl-C stops cleanly', async () => {
    const fwd = start([CLI, 'forward', '--target', info.sidecar, '--listen', '127.0.0.1:0', '--root', info.root, '--collateral', info.collateral, '--mrtd', info.mrtd, '--compose-hash', 'cd'.repeat(32)], {
      ...process.env,
      DSTACK_SIMULATOR_ENDPOINT: info.DSTACK_SIMULATOR_ENDPOINT,
    });
    try {
      const ready = await fwd.line();
      expect(ready).toMatch(/^ready: listening on 127\.0\.0\.1:\d+/);
      const address = /listening on (\S+),/.exec(ready)![1]!;
      const [host, port] = address.split(':') as [string, string];
      const url = new URL(info.databaseUrl);
      const c = new pg.Client({ host, port: Number(port), user: url.username, password: decodeURIComponent(url.password), database: 'postgres', ssl: false });
      await expect(c.connect()).rejects.toThrow();
      await c.end().catch(() => undefined);
      expect(await fwd.line()).toMatch(/refused PolicyMeasurement/);
    } finally {
      fwd.child.kill('SIGINT');
      expect(await fwd.exit).toBe(0);
    }
  }, 60_000);
});
