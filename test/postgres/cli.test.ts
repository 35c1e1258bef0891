/**
 * tee-attest-sim: argument parsing, and the documented quick start run in
 * process: `up --postgres` prints DSTACK_SIMULATOR_ENDPOINT and a
 * DATABASE_URL that an RA-TLS pool (simulatorVerifier) can query.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRaTlsPool } from '../../src/postgres/connector.js';
import { parseSimArgs, runSimulatorCli } from '../../src/simulator/cli.js';
import { simulatorVerifier } from '../../src/simulator/trust.js';
import { requirePostgres, SKIP_POSTGRES } from './support.js';

describe('tee-attest-sim arguments', () => {
  it('parses up / agent and refuses bad usage', () => {
    expect(parseSimArgs(['up', '--postgres', '--listen', '127.0.0.1:6543', '--debug']).stack).toMatchObject({
      sidecar: { host: '127.0.0.1', port: 6543 },
      postgres: true,
      platform: { debug: true },
    });
    expect(parseSimArgs(['agent', '--agent-port', '0']).stack).toEqual({ platform: {}, agentPort: 0 });
    for (const bad of [['up'], ['up', '--postgres', '--upstream', 'h:1'], ['nope'], ['up', '--upstream', 'nohost'], ['agent', '--mrtd', 'ab']]) {
      expect(() => parseSimArgs(bad), bad.join(' ')).toThrow();
    }
  });

  it('help and usage errors exit 0 / 1', async () => {
    const out: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), stopped: Promise.resolve() };
    expect(await runSimulatorCli(['--help'], io)).toBe(0);
    expect(await runSimulatorCli(['up'], io)).toBe(1);
    expect(out.join('')).toContain('tee-attest-sim up');
  });
});

describe.skipIf(SKIP_POSTGRES)('tee-attest-sim up --postgres (quick start)', () => {
  it('starts agent + PostgreSQL + sidecar; the printed DATABASE_URL works over RA-TLS; Ctrl-C cleans up', async () => {
    requirePostgres();
    const dir = mkdtempSync(join(tmpdir(), 'tee-attest-cli-'));
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const out: string[] = [];
    let printed!: () => void;
    const started = new Promise<void>((r) => (printed = r));
    const run = runSimulatorCli(['up', '--postgres', '--socket', join(dir, 'dstack.sock'), '--listen', '127.0.0.1:0', '--attestation-listen', '127.0.0.1:0', '--json', '--quiet'], {
      stdout: (s) => {
        out.push(s);
        printed();
      },
      stderr: (s) => out.push(s),
      stopped,
    });
    try {
      await Promise.race([started, run.then((code) => Promise.reject(new Error(`exited ${code}: ${out.join('')}`)))]);
      const info = JSON.parse(out[0]!) as { DSTACK_SIMULATOR_ENDPOINT: string; DATABASE_URL: string; mrtd: string; composeHash: string };
      expect(info.DSTACK_SIMULATOR_ENDPOINT).toBe(join(dir, 'dstack.sock'));
      const env = { DSTACK_SIMULATOR_ENDPOINT: info.DSTACK_SIMULATOR_ENDPOINT };
      const verifier = await simulatorVerifier({ env, quiet: true });
      // docs/postgres.md quick start: pin the printed TD MRTD and compose hash.
      const pool = createRaTlsPool(info.DATABASE_URL, { verifier, allowedMrtds: [info.mrtd], allowedComposeHashes: [info.composeHash], guestAgent: { env } });
      try {
        expect((await pool.query('SELECT current_user AS who')).rows[0].who).toBe('teesql_readwrite');
      } finally {
        await pool.end();
      }
    } finally {
      stop();
      expect(await run).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
