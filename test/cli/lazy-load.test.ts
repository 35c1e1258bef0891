/**
 * Process start (issue #15). The installed executable (dist/bin/tee-attest.cjs)
 * runs the bundled CLI (dist/bin/cli.cjs, scripts/bundle-cli.mjs) with V8's
 * code cache, and each command's code and dependencies load only when that
 * command runs: `tee-attest --help` loads no package and no network module,
 * and an offline `verify --collateral FILE` loads neither undici nor @sigstore
 * nor the HTTP / TLS modules. Checked as the set of modules the real process
 * required, not as a time; the timing ratios are a benchmark:
 * bench/cli-start.mjs. The code cache is used only for the exact script bytes
 * it was made from.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithoutBuild } from '../support/built.js';

const BIN = resolve('dist/bin/tee-attest.cjs');
/** Skipped only without a build outside CI (test/support/built.ts). */
const SKIP = skipWithoutBuild(BIN, 'test/cli/lazy-load');
const V = 'vectors/dcap/dcap-qvl/';
const VERIFY = ['verify', '--quote', `${V}sgx_quote`, '--collateral', `${V}sgx_quote_collateral.json`, '--at', '1752919277', '--json'];
const NETWORK = ['node:http', 'node:https', 'node:tls', 'node:net', 'node:http2', 'node:dns'];
const dir = mkdtempSync(join(tmpdir(), 'tee-attest-loads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loads(name: string, args: string[]): string[] {
  const out = join(dir, name);
  try {
    execFileSync(process.execPath, ['--require', resolve('test/cli/fixtures/trace-requires.cjs'), BIN, ...args], {
      env: { ...process.env, TRACE_LOADS_FILE: out },
      stdio: 'ignore',
    });
  } catch {
    // exit codes are checked elsewhere; only the loaded modules matter here
  }
  return readFileSync(out, 'utf8').split('\n').filter(Boolean);
}

/** Runs `node -e code` with the launcher's path in BIN; returns its stdout. */
function node(code: string, bin = BIN): string {
  const env: NodeJS.ProcessEnv = { ...process.env, BIN: bin };
  delete env.NODE_OPTIONS; // V8 refuses a code cache made under other V8 flags
  return execFileSync(process.execPath, ['-e', code], { env, encoding: 'utf8' });
}

describe.skipIf(SKIP)('the bundled executable', () => {
  it('--help loads the bundle and no package or network module', () => {
    const mods = loads('help.txt', ['--help']);
    expect(mods).toContain(resolve('dist/bin/cli.cjs').replace(/cli\.cjs$/, 'tee-attest.cjs'));
    expect(mods.filter((m) => m.includes('/node_modules/') || m.startsWith('unresolved:'))).toEqual([]);
    expect(mods.filter((m) => NETWORK.includes(m) || m === 'node:worker_threads')).toEqual([]);
  });

  it('verify --collateral FILE loads neither undici nor @sigstore nor any network module', () => {
    const mods = loads('verify.txt', VERIFY);
    expect(mods).toContain('node:crypto');
    expect(mods.filter((m) => m.includes('/node_modules/') || m.startsWith('unresolved:'))).toEqual([]);
    expect(mods.filter((m) => NETWORK.includes(m))).toEqual([]);
  });

  it('the build made a code cache that this Node accepts', () => {
    expect(existsSync(resolve('dist/bin/cli.cjs.v8cache'))).toBe(true);
    expect(node('console.log(require(process.env.BIN).loadCli().cacheRejected)').trim()).toBe('false');
  });

  it('the cache is used only for the exact script bytes it was made from (one byte changed, same length: not used)', () => {
    const copy = join(dir, 'bin');
    cpSync(resolve('dist/bin'), copy, { recursive: true });
    const script = join(copy, 'cli.cjs');
    const text = readFileSync(script, 'utf8');
    const at = text.indexOf('verify an Intel DCAP quote');
    expect(at).toBeGreaterThan(0);
    writeFileSync(script, `${text.slice(0, at)}Verify${text.slice(at + 'verify'.length)}`);
    // Not used (undefined: no cache data passed to V8), and the changed script is what runs.
    expect(node('console.log(require(process.env.BIN).loadCli().cacheRejected)', join(copy, 'tee-attest.cjs')).trim()).toBe('undefined');
    const help = execFileSync(process.execPath, [join(copy, 'tee-attest.cjs'), '--help'], { encoding: 'utf8' });
    expect(help).toContain('Verify an Intel DCAP quote');
    expect(execFileSync(process.execPath, [join(copy, 'tee-attest.cjs'), ...VERIFY], { encoding: 'utf8' })).toContain('"ok":true');
  });

  it('dist/cli/main.js runs the same program', () => {
    const viaMain = execFileSync(process.execPath, [resolve('dist/cli/main.js'), ...VERIFY], { encoding: 'utf8' });
    const viaBin = execFileSync(process.execPath, [BIN, ...VERIFY], { encoding: 'utf8' });
    expect(viaMain).toBe(viaBin);
  });
});
