/**
 * Process start (issue #15): `tee-attest --help` loads no command module, and
 * an offline `verify --collateral FILE` loads neither undici nor @sigstore
 * (they load only on the paths that fetch or check provenance). Measured as
 * the set of modules the real process resolved, not as a time; the timing
 * ratio is a benchmark: bench/cli-start.mjs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = resolve('dist/cli/main.js');
const V = 'vectors/dcap/dcap-qvl/';
const dir = mkdtempSync(join(tmpdir(), 'tee-attest-loads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loads(name: string, args: string[]): string[] {
  const out = join(dir, name);
  try {
    execFileSync(process.execPath, ['--import', resolve('test/cli/fixtures/trace-loads.mjs'), CLI, ...args], {
      env: { ...process.env, TRACE_LOADS_FILE: out },
      stdio: 'ignore',
    });
  } catch {
    // exit codes are checked elsewhere; only the loaded modules matter here
  }
  return readFileSync(out, 'utf8').split('\n').filter(Boolean);
}

describe.skipIf(!existsSync(CLI))('lazy loading', () => {
  it('--help loads the dispatcher only', () => {
    const urls = loads('help.txt', ['--help']);
    expect(urls.some((u) => u.endsWith('/dist/cli/run.js'))).toBe(true);
    expect(urls.filter((u) => /-command\.js$/.test(u))).toEqual([]);
    expect(urls.filter((u) => u.includes('/node_modules/'))).toEqual([]);
  });

  it('verify --help and inspect --help load the options, not the verification stack or any dependency', () => {
    for (const c of ['verify', 'inspect']) {
      const urls = loads(`${c}-help.txt`, [c, '--help']);
      expect(urls.some((u) => u.endsWith(`/dist/cli/${c}-command.js`))).toBe(true);
      expect(urls.filter((u) => u.endsWith('-run.js') || u.includes('/node_modules/'))).toEqual([]);
    }
  });

  it('verify --collateral FILE loads neither undici nor @sigstore nor the online collateral path', () => {
    const urls = loads('verify.txt', ['verify', '--quote', `${V}sgx_quote`, '--collateral', `${V}sgx_quote_collateral.json`, '--at', '1752919277']);
    expect(urls.some((u) => u.endsWith('/dist/cli/verify-command.js'))).toBe(true);
    expect(urls.filter((u) => /\/node_modules\/(undici|@sigstore)\//.test(u))).toEqual([]);
    expect(urls.filter((u) => /collateral-online\.js|pcs-source\.js|undici-fetch\.js/.test(u))).toEqual([]);
  });
});
