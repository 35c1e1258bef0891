/**
 * Issue #16 (Package): what a consumer gets from `npm pack`. The tarball is
 * packed from the built tree (`npm pack --ignore-scripts`, so nothing is
 * rebuilt under the other suites' feet), its file list is checked (LICENSE,
 * CHANGELOG, docs, the sample quotes; no src/, no source maps, no tests), and
 * a consumer project in a temp dir installs it (`npm install <tgz>`, from the
 * local npm cache when it can) and runs `dcap samples`, `dcap verify` and the
 * entries, `tee-attest inspect` and examples/verify-offline.mjs without
 * touching the repository. The optional peer dependencies are
 * absent there: `tee-attest/postgres` and `tee-attest/provenance` must fail
 * with a coded DependencyMissing error that names the package.
 *
 * Needs `npm run build` output (npm test builds first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// @ts-expect-error plain ESM test helpers without declarations
import { ROOT, SAMPLES, distProblem } from '../runtimes/data.mjs';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, timeout = 180_000): Promise<Run> {
  return new Promise((done) => {
    // npm_config_* from an outer `npm test` must not leak into the consumer's npm.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
    execFile(cmd, args, { cwd, timeout, maxBuffer: 32 * 1024 * 1024, env: { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false' } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      done({ code, stdout, stderr });
    });
  });
}

let work: string;
let tarball: string;
let files: string[];
let consumer: string;
let installed: Run;

beforeAll(async () => {
  const problem = distProblem() as string | undefined;
  if (problem !== undefined) throw new Error(`test/package: ${problem}`);
  work = mkdtempSync(join(tmpdir(), 'tee-attest-pack-'));
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  const info = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info[0]!.filename);
  files = info[0]!.files.map((f) => f.path);

  consumer = join(work, 'consumer');
  await run('mkdir', ['-p', consumer], work);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  installed = await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], consumer);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack: the tarball', () => {
  it('ships LICENSE, CHANGELOG, README, docs, the CLI and the sample quotes the README and `dcap samples` use', () => {
    for (const f of ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json', 'docs/dcap.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'vectors/samples.json', 'collateral/README.md']) {
      expect(files, f).toContain(f);
    }
    for (const s of SAMPLES as { quote: string; collateral: string; root?: string }[]) {
      for (const f of [s.quote, s.collateral, s.root]) if (f) expect(files, f).toContain(`vectors/${f}`);
    }
    expect(files.filter((f) => f.startsWith('collateral/') && f.endsWith('.json')).length).toBeGreaterThan(0);
    expect(readFileSync(resolve(ROOT, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
  });

  it('is lean: no src/, no source maps, no tests, no benchmarks, no unreferenced vectors', () => {
    expect(files.filter((f) => f.startsWith('src/') || f.endsWith('.map') || f.startsWith('test/') || f.startsWith('bench/'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('vectors/ratls/') || f.startsWith('vectors/snp/'))).toEqual([]);
    // examples/: the runnable programs, their README and the two small files of the browser page, nothing else.
    expect(files.filter((f) => f.startsWith('examples/')).sort()).toEqual([
      'examples/README.md',
      'examples/browser-verification/index.html',
      'examples/browser-verification/verify.js',
      'examples/forward.mjs',
      'examples/postgres-connector.mjs',
      'examples/verify-offline.mjs',
      'examples/verify-with-pcs-cache.mjs',
    ]);
  });

  it('depends on @noble/* and jose only; Node-only packages are optional peers', () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@noble/ciphers', '@noble/curves', '@noble/hashes', 'jose']);
    for (const p of ['pg', 'undici', '@sigstore/bundle', '@sigstore/protobuf-specs', '@sigstore/verify']) {
      expect(pkg.peerDependencies[p], p).toBeDefined();
      expect(pkg.peerDependenciesMeta[p]?.optional, p).toBe(true);
    }
  });
});

describe('a consumer project that installed the tarball', () => {
  it('installs without the optional peers', () => {
    expect(installed.code, installed.stderr).toBe(0);
    for (const p of ['undici', '@sigstore/verify', 'pg']) expect(existsSync(join(consumer, 'node_modules', p)), p).toBe(false);
    for (const p of ['@noble/curves', '@noble/hashes', 'jose']) expect(existsSync(join(consumer, 'node_modules', p)), p).toBe(true);
  });

  it('`npx dcap samples`: every bundled sample matches its manifest', async () => {
    const r = await run('npx', ['--no-install', 'dcap', 'samples', '--json'], consumer);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { results: { name: string; match: boolean }[]; mismatches: number };
    expect(out.mismatches).toBe(0);
    expect(out.results.map((x) => x.name)).toEqual((SAMPLES as { name: string }[]).map((s) => s.name));
  });

  it('`npx dcap verify` on the shipped dcap-qvl TDX sample (collateral file and bundle directory): UpToDate', async () => {
    const pkg = 'node_modules/tee-attest';
    for (const collateral of [`${pkg}/vectors/dcap/dcap-qvl/tdx_quote_collateral.json`, `${pkg}/collateral/`]) {
      const r = await run('npx', ['--no-install', 'dcap', 'verify', '--quote', `${pkg}/vectors/dcap/dcap-qvl/tdx_quote`, '--collateral', collateral, '--at', '1752919234', '--json'], consumer);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'UpToDate', advisoryIds: [] });
    }
  });

  it('the installed executable is the bundle with its code cache; `npx dcap verify --pccs` without undici is a DependencyMissing usage error', async () => {
    for (const f of ['dist/bin/tee-attest.cjs', 'dist/bin/cli.cjs', 'dist/bin/cli.cjs.v8cache']) expect(files, f).toContain(f);
    // The bundle require()s undici only when fetching; no request is made (the package is absent).
    const r = await run('npx', ['--no-install', 'dcap', 'verify', '--quote', 'node_modules/tee-attest/vectors/dcap/dcap-qvl/tdx_quote', '--pccs', 'http://127.0.0.1:9', '--insecure-http', '--at', '1752919234', '--json'], consumer);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'DependencyMissing', kind: 'usage', evidence: { field: 'undici' } } });
  });

  it('`npx tee-attest inspect --json` on the shipped dcap-qvl TDX sample: the fields of its manifest', async () => {
    const r = await run('npx', ['--no-install', 'tee-attest', 'inspect', 'node_modules/tee-attest/vectors/dcap/dcap-qvl/tdx_quote', '--json'], consumer);
    expect(r.code, r.stderr).toBe(0);
    // vectors/dcap/dcap-qvl/MANIFEST.md, tdx_quote: 5006 bytes, TDX, quote v4, TD10 body, outer cert type 6,
    // inner type 5 (PCK chain); mr_td 91eb2b44…18b7.
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      kind: string;
      summary: string;
      decoded: { version: number; teeType: string; body: { kind: string; mrTd: string }; signatureData: { outerCertificationType: number; certificationData: { type: number } } };
    };
    expect(out).toMatchObject({ ok: true, kind: 'quote', decoded: { version: 4, teeType: 'TDX', body: { kind: 'td10' } } });
    expect(out.summary).toContain('5006 bytes');
    expect(out.decoded.body.mrTd).toBe('91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7');
    expect(out.decoded.signatureData.outerCertificationType).toBe(6);
    expect(out.decoded.signatureData.certificationData.type).toBe(5);
  });

  it('examples/verify-offline.mjs runs from the installed package: the manifest verdict and MRTD', async () => {
    const r = await run('node', ['node_modules/tee-attest/examples/verify-offline.mjs'], consumer);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('verdict: UpToDate\nmrtd: 91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7\npolicy: accepted\n');
  });

  it('the core entry verifies; tee-attest/postgres and tee-attest/provenance name their missing package (DependencyMissing)', async () => {
    writeFileSync(
      join(consumer, 'check.mjs'),
      `import { readFileSync } from 'node:fs';
import { verifyQuote, AttestationError } from 'tee-attest';
const dir = 'node_modules/tee-attest/vectors/dcap/dcap-qvl/';
const v = await verifyQuote(readFileSync(dir + 'tdx_quote'), JSON.parse(readFileSync(dir + 'tdx_quote_collateral.json', 'utf8')), { at: 1752919234 });
const out = { status: v.status };
for (const entry of ['tee-attest/postgres', 'tee-attest/provenance']) {
  try { await import(entry); out[entry] = 'loaded'; }
  catch (e) { out[entry] = { coded: e instanceof AttestationError, code: e.code, field: e.evidence?.field, message: e.message }; }
}
console.log(JSON.stringify(out));
`,
    );
    const r = await run('node', ['check.mjs'], consumer);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, { coded: boolean; code: string; field: string; message: string }> & { status: string };
    expect(out.status).toBe('UpToDate');
    expect(out['tee-attest/postgres']).toMatchObject({ coded: true, code: 'DependencyMissing', field: 'pg' });
    expect(out['tee-attest/postgres']!.message).toContain('npm install pg');
    expect(out['tee-attest/provenance']).toMatchObject({ coded: true, code: 'DependencyMissing' });
    expect(out['tee-attest/provenance']!.field).toMatch(/^@sigstore\//);
  });
});
