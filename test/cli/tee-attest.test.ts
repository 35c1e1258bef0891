/**
 * The `tee-attest` command line (alias `dcap`) as a real process: the built
 * CLI (dist/, made by `npm ci` through `prepare`). docs/cli.md documents every
 * behaviour tested here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeScenario, DEFAULT_AT } from '../../src/testing/index.js';
import { serializeBundle, toBundleCollateral } from '../../src/sources/dcap/bundle.js';
import { skipWithoutBuild } from '../support/built.js';

const CLI = resolve('dist/cli/main.js');
/** Skipped only without a build outside CI (test/support/built.ts). */
const SKIP = skipWithoutBuild(CLI, 'test/cli/tee-attest');
const V = 'vectors/dcap/dcap-qvl/';
const SGX = [`--quote`, `${V}sgx_quote`, '--collateral', `${V}sgx_quote_collateral.json`];
const SGX_AT = '1752919277';
const PKG = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], bin = CLI): Run {
  try {
    const stdout = execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A loopback port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((done) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => done(port));
    });
  });
}

const json = (r: Run): Record<string, any> => JSON.parse(r.stdout) as Record<string, any>;

const dir = mkdtempSync(join(tmpdir(), 'tee-attest-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe.skipIf(SKIP)('tee-attest: dispatch, help, version, exit codes', () => {
  it('--help lists every command (exit 0); no command prints it on stderr (exit 1)', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['verify', 'inspect', 'samples', 'collateral fetch', 'collateral verify']) expect(r.stdout).toContain(c);
    expect(r.stdout).toContain('Exit codes: 0 success; 1 usage error; 2 verification or operation failed; 3 internal error');
    const none = run([]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('usage: tee-attest <command>');
  });

  it('--version, also after a command', () => {
    expect(run(['--version'])).toMatchObject({ code: 0, stdout: `${PKG.version}\n` });
    expect(run(['verify', '--version'])).toMatchObject({ code: 0, stdout: `${PKG.version}\n` });
  });

  it('per-command --help: verify, inspect, samples, collateral fetch / verify, and the collateral group', () => {
    for (const c of [['verify'], ['inspect'], ['samples'], ['collateral', 'fetch'], ['collateral', 'verify']]) {
      const r = run([...c, '--help']);
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.stdout).toContain(`usage: tee-attest ${c.join(' ')}`);
      expect(r.stdout).toContain('--help');
    }
    expect(run(['verify', '--help']).stdout).toContain('--at TIME');
    expect(run(['collateral', '--help']).stdout).toContain('collateral fetch');
    expect(run(['help', 'verify']).stdout).toContain('usage: tee-attest verify');
  });

  it('dcap is an alias of the same file', () => {
    const alias = join(dir, 'dcap');
    symlinkSync(CLI, alias);
    const r = run(['--help'], alias);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: dcap <command>');
    expect(run(['verify', ...SGX, '--at', SGX_AT, '--json'], alias).code).toBe(0);
  });

  it('usage errors exit 1: unknown command, unknown option, repeated option, missing value, stray argument', () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['verify', '--bogus'], /unknown option --bogus/],
      [['verify', ...SGX, '--at', SGX_AT, '--at', '1'], /--at is given more than once/],
      [['verify', '--quote'], /--quote needs a value/],
      [['verify', '--quote', '--at'], /--quote needs a value/],
      [['verify', ...SGX, 'extra'], /unexpected argument "extra"/],
      [['verify', ...SGX, '--json=yes'], /--json takes no value/],
      [['collateral'], /missing subcommand/],
      [['collateral', 'push'], /unknown subcommand "push"/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('under --json a usage error is one JSON object on stdout naming the flag', () => {
    const r = run(['verify', ...SGX, '--quote', 'x', '--json']);
    expect(r.code).toBe(1);
    expect(json(r)).toEqual({
      ok: false,
      error: { code: 'InvalidArgument', kind: 'usage', message: 'verify: --quote is given more than once', evidence: { check: 'cli.usage', field: '--quote' } },
    });
    expect(json(run(['inspect', '--nope', '--json']))).toMatchObject({ ok: false, error: { kind: 'usage', evidence: { field: '--nope' } } });
  });
});

describe.skipIf(SKIP)('tee-attest verify', () => {
  it('the JSON contract: ok, status, advisoryIds, error, claims, and where the collateral came from', () => {
    const r = run(['verify', ...SGX, '--at', SGX_AT, '--json']);
    expect(r.code).toBe(0);
    const out = json(r);
    expect(Object.keys(out).sort()).toEqual(['advisoryIds', 'claims', 'collateral', 'error', 'ok', 'status']);
    expect(out.collateral).toEqual({ kind: 'file', source: `${V}sgx_quote_collateral.json`, cache: 'none', validUntil: out.claims.collateralExpiresAt });
  });

  it('human output names the collateral source, its cache status and expiry', () => {
    const r = run(['verify', ...SGX, '--at', SGX_AT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`collateral: file ${V}sgx_quote_collateral.json (no cache); valid until 2025-07-19T10:01:18Z`);
  });

  it('--at: unix seconds, a date, a date-time with a zone; default now', () => {
    expect(run(['verify', ...SGX, '--at', '2025-07-19', '--json']).code).toBe(0);
    expect(run(['verify', ...SGX, '--at', '2025-07-19T12:00:00+02:00', '--json']).code).toBe(0);
    expect(json(run(['verify', ...SGX, '--at', '2025-07-19T10:01:17Z', '--json'])).ok).toBe(true);
    // Default now: this collateral expired in 2025, so verification (not usage) fails.
    const now = run(['verify', ...SGX, '--json']);
    expect(now.code).toBe(2);
    expect(json(now).error.kind).toBe('verify');
  });

  it('--at: rejected values say which forms work; milliseconds are refused with that reason', () => {
    const ms = run(['verify', ...SGX, '--at', '1752919277000']);
    expect(ms.code).toBe(1);
    expect(ms.stderr).toContain('looks like milliseconds');
    const bad = run(['verify', ...SGX, '--at', 'yesterday']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Accepted: now, unix seconds (1752919277), a date (2025-07-19, midnight UTC) or a date-time with a zone');
    expect(run(['verify', ...SGX, '--at', '2025-07-19T10:00:00']).stderr).toContain('has no time zone');
    expect(run(['verify', ...SGX, '--at', '2025-02-30']).code).toBe(1);
  });

  it('--root unreadable or malformed: usage error (exit 1) naming the flag and the file', () => {
    const missing = run(['verify', ...SGX, '--at', SGX_AT, '--root', join(dir, 'nope.pem'), '--json']);
    expect(missing.code).toBe(1);
    expect(json(missing).error).toMatchObject({ code: 'InvalidArgument', evidence: { field: '--root', found: join(dir, 'nope.pem') } });
    expect(json(missing).error.message).toContain(`--root ${join(dir, 'nope.pem')}: cannot read the file (ENOENT)`);
    const garbage = file('garbage.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const malformed = run(['verify', ...SGX, '--at', SGX_AT, '--root', garbage]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain(`--root ${garbage}: not a CA certificate`);
  });

  it('a verification error exits 2 with the code', () => {
    const r = run(['verify', '--quote', `${V}tdx_quote_outdated`, '--collateral', `${V}tdx_quote_outdated_collateral.json`, '--at', '1774003274', '--json']);
    expect(r.code).toBe(2);
    expect(json(r)).toMatchObject({ ok: false, status: null, advisoryIds: [], claims: null, error: { code: 'TcbNotSupported' } });
  });

  it('collateral for the wrong TEE, FMSPC or CA says so in those words', () => {
    const tee = json(run(['verify', '--quote', `${V}sgx_quote`, '--collateral', `${V}tdx_quote_collateral.json`, '--at', SGX_AT, '--json']));
    expect(tee.error.code).toBe('CollateralMismatch');
    expect(tee.error.message).toContain('wrong TEE (the quote is SGX, the collateral is for TDX)');
    expect(tee.error.message).toContain('wrong FMSPC');

    const platform = makeScenario();
    const processor = makeScenario({ pckCa: 'processor' });
    const otherFmspc = makeScenario({ fmspc: '112233445566' });
    const root = file('root.pem', platform.pki.root.pem);
    const q = file('platform.quote', platform.quote);
    const at = String(DEFAULT_AT);
    const ca = json(run(['verify', '--quote', q, '--collateral', file('processor.json', JSON.stringify(processor.collateral)), '--root', root, '--at', at, '--json']));
    expect(ca.error.code).toBe('CollateralMismatch');
    expect(ca.error.message).toContain("wrong CA (the quote's PCK certificate is from the platform CA, the collateral's PCK CRL is the processor CA's)");
    const fmspc = json(run(['verify', '--quote', q, '--collateral', file('fmspc.json', JSON.stringify(otherFmspc.collateral)), '--root', root, '--at', at, '--json']));
    expect(fmspc.error.message).toMatch(/wrong FMSPC \(the quote's platform is [0-9a-f]{12}, the collateral is for 112233445566\)/);
    // The matching collateral verifies.
    expect(json(run(['verify', '--quote', q, '--collateral', file('platform.json', JSON.stringify(platform.collateral)), '--root', root, '--at', at, '--json'])).ok).toBe(true);
  });

  it('a bundle file (the collateral fetch format) is accepted by --collateral FILE, and collateral verify checks it', () => {
    const s = makeScenario();
    const bundle = file(
      'tdx-bundle.json',
      serializeBundle({ request: { teeType: 'TDX', fmspc: s.pck.fmspc.toLowerCase(), ca: 'platform' }, collateral: toBundleCollateral(s.collateral), metadata: { source: 'test', fetchedAt: DEFAULT_AT } }),
    );
    const root = file('root2.pem', s.pki.root.pem);
    const q = file('tdx.quote', s.quote);
    const r = run(['verify', '--quote', q, '--collateral', bundle, '--root', root, '--at', String(DEFAULT_AT), '--json']);
    expect(r.code).toBe(0);
    expect(json(r).collateral).toMatchObject({ kind: 'bundle-file', source: bundle, cache: 'none', fetchedAt: DEFAULT_AT, request: { teeType: 'TDX', ca: 'platform' } });
    expect(run(['verify', '--quote', q, '--collateral', bundle, '--root', root, '--at', String(DEFAULT_AT)]).stdout).toContain(`collateral: bundle file ${bundle} (no cache); valid until`);

    const ok = run(['collateral', 'verify', bundle, '--root', root, '--at', String(DEFAULT_AT), '--json']);
    expect(ok.code).toBe(0);
    expect(json(ok)).toMatchObject({ ok: true, at: DEFAULT_AT, bundles: [{ path: bundle, ok: true, source: 'test', error: null }] });
    const late = run(['collateral', 'verify', bundle, '--root', root, '--at', String(DEFAULT_AT + 400 * 86400)]);
    expect(late.code).toBe(2);
    expect(late.stdout).toContain('FAILED');
    expect(late.stdout).toContain('0 of 1 bundle(s) verified');
  });

  it('a bundle labelled for another FMSPC is refused by its label (CollateralMismatch), even when its content fits the quote', () => {
    const s = makeScenario();
    const bundle = file(
      'mislabelled-bundle.json',
      serializeBundle({ request: { teeType: 'TDX', fmspc: '112233445566', ca: 'platform' }, collateral: toBundleCollateral(s.collateral), metadata: { source: 'test', fetchedAt: DEFAULT_AT } }),
    );
    const r = run(['verify', '--quote', file('mislabelled.quote', s.quote), '--collateral', bundle, '--root', file('root3.pem', s.pki.root.pem), '--at', String(DEFAULT_AT), '--json']);
    expect(r.code).toBe(2);
    expect(json(r).error.code).toBe('CollateralMismatch');
    expect(json(r).error.message).toMatch(/wrong FMSPC \(the quote's platform is [0-9a-f]{12}, the collateral is for 112233445566\)/);
  });

  it('--pccs: http needs --insecure-http (named as a flag); a network failure names the host and the cause', async () => {
    const port = await closedPort();
    const http = run(['verify', '--quote', `${V}tdx_quote`, '--pccs', `http://127.0.0.1:${port}`]);
    expect(http.code).toBe(1);
    expect(http.stderr).toContain('--insecure-http');
    expect(http.stderr).not.toContain('allowInsecureHttp');
    const down = json(run(['verify', '--quote', `${V}tdx_quote`, '--pccs', `http://127.0.0.1:${port}`, '--insecure-http', '--timeout', '3000', '--at', '1752919277', '--json']));
    expect(down.ok).toBe(false);
    expect(down.error.code).toBe('CollateralFetch');
    expect(down.error.message).toContain(`127.0.0.1:${port}`);
    expect(down.error.message).toContain('ECONNREFUSED');
  });

  it('--cache / --api-key / --insecure-http without --pccs are usage errors naming the flag', () => {
    for (const f of [['--cache', dir], ['--api-key', 'k'], ['--insecure-http']]) {
      const r = json(run(['verify', ...SGX, ...f, '--json']));
      expect(r.error.evidence.field).toBe(f[0]);
    }
  });
});

describe.skipIf(SKIP)('tee-attest samples (npm start)', () => {
  it('verifies the bundled samples against their manifests', () => {
    const r = run(['samples', '--json']);
    expect(r.code).toBe(0);
    expect(json(r).mismatches).toBe(0);
  });
});
