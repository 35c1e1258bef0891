/**
 * `tee-attest attestation FILE` as a real process (no PostgreSQL needed): a
 * report of a simulated TD verified under the simulator's FAKE root and
 * collateral files, the shared trust flags (repeatable pins, hex checked),
 * and what is printed as bound / NOT bound with and without an event log.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulatorAttestationReport } from '../../src/simulator/attestation-report.js';
import { DstackSimulator } from '../../src/simulator/simulator.js';
import { toHex } from '../../src/lib/bytes.js';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'tee-attest-att-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sim = new DstackSimulator({ label: 'attestation cli test' });
const now = Math.floor(Date.now() / 1000);
const state = { walLsn: '0/1A2B3C4', controldataHash: 'ab'.repeat(32), pgVersion: 'PostgreSQL 16.4' };
const root = join(dir, 'root.pem');
const collateral = join(dir, 'collateral.json');
writeFileSync(root, sim.scenario.pki.root.pem);
writeFileSync(collateral, JSON.stringify(sim.collateral));
const withLog = join(dir, 'with-log.json');
const withoutLog = join(dir, 'without-log.json');
writeFileSync(withLog, JSON.stringify(simulatorAttestationReport(sim, state, { timestamp: now })));
writeFileSync(withoutLog, JSON.stringify(simulatorAttestationReport(sim, state, { timestamp: now, withEventLog: false })));
const TRUST = ['--root', root, '--collateral', collateral];

function run(args: string[]): { code: number; stdout: string } {
  try {
    return { code: 0, stdout: execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, stdout: err.stdout };
  }
}

describe('tee-attest attestation FILE', () => {
  it('verifies with repeatable pins; app fields bound through RTMR3', () => {
    const r = run(['attestation', withLog, ...TRUST, '--mrtd', 'ff'.repeat(48), '--mrtd', sim.mrtd, '--compose-hash', toHex(sim.composeHash), '--json']);
    expect(r.code, r.stdout).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.pins.allowedMrtds).toEqual(['ff'.repeat(48), sim.mrtd]);
    expect(out.binding.compose_hash).toBe('rtmr3');
    expect(out.report.postgresState.walLsn).toBe('0/1A2B3C4');
  });

  it('without an event log: NOT bound, and a compose-hash pin fails closed (exit 2)', () => {
    const human = run(['attestation', withoutLog, ...TRUST, '--mrtd', sim.mrtd]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/NOT bound \(display only\): +postgres_state\.pg_version, app_id, compose_hash, instance_id/);
    const pinned = run(['attestation', withoutLog, ...TRUST, '--compose-hash', toHex(sim.composeHash), '--json']);
    expect(pinned.code).toBe(2);
    const out = JSON.parse(pinned.stdout);
    expect(out.error.code).toBe('PolicyMeasurement');
    expect(out.error.violations[0].evidence.found).toBe('unavailable');
  });

  it("the wrong encoding does not bind; the FAKE root is needed; usage errors exit 1", () => {
    expect(JSON.parse(run(['attestation', withLog, ...TRUST, '--encoding', 'binary', '--json']).stdout).error.code).toBe('AttestationReportBinding');
    expect(run(['attestation', withLog, '--collateral', collateral, '--json']).code).toBe(2);
    expect(run(['attestation', withLog, ...TRUST, '--mrtd', 'abc', '--json']).code).toBe(1);
    expect(run(['attestation', withLog, ...TRUST, '--encoding', 'hex']).code).toBe(1);
    expect(run(['attestation', withLog, ...TRUST, '--json', '--json']).code).toBe(1);
    expect(run(['attestation', 'ftp://x/attestation', '--json']).code).toBe(1);
  });
});
