/**
 * The `dcap verify` contract used by acceptance checks (issue #2): one JSON
 * object {ok, status, advisoryIds, error, claims, collateral}; exit 0 when verified
 * (whatever the status), 2 on a verification error, 1 on a usage error; the
 * quote file may be binary or hex text. Runs the built CLI (dist/, made by
 * `npm ci` through `prepare`) as a real process.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { skipWithoutBuild } from '../support/built.js';

const CLI = 'dist/cli/main.js';
/** Skipped only without a build outside CI (test/support/built.ts). */
const SKIP = skipWithoutBuild(CLI, 'test/cli/dcap');

function dcap(args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}

const V = 'vectors/dcap/dcap-qvl/';

describe.skipIf(SKIP)('dcap verify (built CLI)', () => {
  it('a verified quote: exit 0 and the JSON contract', () => {
    const r = dcap(['verify', '--quote', `${V}sgx_quote`, '--collateral', `${V}sgx_quote_collateral.json`, '--at', '1752919277', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['advisoryIds', 'claims', 'collateral', 'error', 'ok', 'status']);
    expect(out).toMatchObject({
      ok: true,
      status: 'ConfigurationAndSWHardeningNeeded',
      advisoryIds: ['INTEL-SA-00289', 'INTEL-SA-00615'],
      error: null,
    });
    expect(out.claims.report.mrEnclave).toMatch(/^33d8736d[0-9a-f]{56}$/);
  });

  it('hex quote files and ISO times are accepted', () => {
    const r = dcap(['verify', '--quote', `${V}near/quote_hex.txt`, '--collateral', `${V}near/quote_collateral.json`, '--at', '2025-09-10T00:00:00Z', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, status: 'UpToDate', advisoryIds: [] });
  });

  it('a verification error: exit 2 with the code', () => {
    const r = dcap(['verify', '--quote', `${V}tdx_quote_outdated`, '--collateral', `${V}tdx_quote_outdated_collateral.json`, '--at', '1774003274', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, status: null, advisoryIds: [], claims: null, error: { code: 'TcbNotSupported' } });
  });

  it('--root with a test root, and the readable summary without --json', () => {
    const r = dcap([
      'verify',
      '--quote', 'vectors/dcap/intel-qvl/Src/AttestationApp/sampleData/tdx/quote.dat',
      '--collateral', 'vectors/dcap/bundles/intel-qvl-tdx.json',
      '--root', 'vectors/dcap/intel-qvl/Src/AttestationApp/sampleData/tdx/trustedRootCaCert.pem',
      '--at', '2025-01-01T00:00:00Z',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('TdxModuleMismatch');
  });

  it('usage errors: exit 1', () => {
    expect(dcap(['verify', '--quote', `${V}sgx_quote`, '--at', '1']).code).toBe(1);
    expect(dcap(['verify', '--quote', `${V}sgx_quote`, '--collateral', `${V}sgx_quote_collateral.json`, '--at', 'yesterday']).code).toBe(1);
    expect(dcap(['verify', '--bogus']).code).toBe(1);
    expect(dcap(['frobnicate']).code).toBe(1);
  });
});
