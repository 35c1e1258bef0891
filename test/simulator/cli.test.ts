/**
 * tee-attest-sim on the package's one argument parser: identity flags
 * (--mrtd, --compose-hash, --app-id, --os-image-hash) so identity-change
 * tests need no code, per-command --help, --version, strict usage errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSimArgs, runSimulatorCli } from '../../src/simulator/cli.js';

const HASH = 'c0'.repeat(32);
const APP = 'a1'.repeat(20);
const OS = '05'.repeat(32);

function io(): { out: string[]; err: string[]; io: Parameters<typeof runSimulatorCli>[1]; printed: Promise<void> } {
  const out: string[] = [];
  const err: string[] = [];
  let release!: () => void;
  const printed = new Promise<void>((r) => (release = r));
  return {
    out,
    err,
    printed,
    io: {
      stdout: (s) => {
        out.push(s);
        release();
      },
      stderr: (s) => void err.push(s),
      stopped: printed,
    },
  };
}

describe('tee-attest-sim arguments (shared parser)', () => {
  it('--compose-hash, --app-id, --os-image-hash and --mrtd reach the simulator', () => {
    const p = parseSimArgs(['agent', '--agent-port', '0', '--compose-hash', `0x${HASH.toUpperCase()}`, '--app-id', APP, '--os-image-hash', OS, '--mrtd', 'ab'.repeat(48)]);
    expect(p.stack.platform).toEqual({ composeHash: HASH, appId: APP, osImageHash: OS, mrtd: 'ab'.repeat(48) });
    expect(parseSimArgs(['up', '--postgres', '--app-id', APP]).stack.platform).toEqual({ appId: APP });
  });

  it('bad values, unknown and repeated options are usage errors', () => {
    for (const bad of [
      ['agent', '--compose-hash', 'c0'.repeat(31)],
      ['agent', '--app-id', 'a1'.repeat(32)],
      ['agent', '--os-image-hash', 'zz'],
      ['agent', '--app-id', APP, '--app-id', APP],
      ['agent', '--frob'],
      ['agent', '--socket', '/tmp/x', '--agent-port', '0'],
    ]) {
      expect(() => parseSimArgs(bad), bad.join(' ')).toThrow();
    }
  });

  it('per-command --help, --version, JSON usage errors', async () => {
    const h = io();
    expect(await runSimulatorCli(['up', '--help'], h.io)).toBe(0);
    expect(h.out.join('')).toContain('usage: tee-attest-sim up');
    expect(h.out.join('')).toContain('--compose-hash HEX');
    const v = io();
    expect(await runSimulatorCli(['--version'], v.io)).toBe(0);
    expect(v.out.join('')).toBe(`${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`);
    const u = io();
    expect(await runSimulatorCli(['agent', '--app-id', 'xx', '--json'], u.io)).toBe(1);
    expect(JSON.parse(u.out.join(''))).toMatchObject({ ok: false, error: { code: 'InvalidArgument', kind: 'usage', message: '--app-id takes 20 bytes of hex' } });
  });

  it('an agent started with a new identity reports it (and stops cleanly)', async () => {
    const r = io();
    const code = await runSimulatorCli(['agent', '--agent-port', '0', '--compose-hash', HASH, '--app-id', APP, '--os-image-hash', OS, '--json'], r.io);
    expect(code).toBe(0);
    expect(JSON.parse(r.out[0]!)).toMatchObject({ composeHash: HASH, appId: APP, osImageHash: OS });
  });
});
