/**
 * Issue #16: every program in examples/ runs here, with node, against the
 * built package (dist/, reached through the package's own name `tee-attest`:
 * Node resolves a package's self-reference from files inside it), so the
 * examples cannot rot. Expected values come from the vectors' manifests
 * (vectors/dcap/dcap-qvl/MANIFEST.md), not from our output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { startFakePcs, type FakePcs } from './fake-pcs.js';
import { CHROMIUM, CI, HAVE_CHROMIUM, chromiumSkipMessage, launchChromium } from '../support/chromium.js';
import { SKIP_POSTGRES, requirePostgres } from '../postgres/support.js';

const ROOT = resolve('.');
// dcap-qvl MANIFEST.md, tdx_quote: UpToDate, mr_td below; the collateral window ends 2025-07-19T10:00:35Z.
const TDX_MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7';
const TDX_AT = '2025-07-19T10:00:34Z';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runExample(file: string, env: Record<string, string | undefined> = {}, args: string[] = []): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [join('examples', file), ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
      done({ code, stdout, stderr });
    });
  });
}

beforeAll(() => {
  // CI builds dist/ with `npm ci` (prepare); locally, `npm run build` first.
  if (!existsSync('dist/index.js')) throw new Error('dist/ is missing: run `npm run build` before the examples test');
});

describe('examples/verify-offline.mjs', () => {
  it('prints the verdict and MRTD of the bundled sample, and the policy result', async () => {
    const r = await runExample('verify-offline.mjs');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`verdict: UpToDate\nmrtd: ${TDX_MRTD}\npolicy: accepted\n`);
  });

  it('takes a quote, collateral and time as arguments (SGX sample: status and advisories of the manifest)', async () => {
    const r = await runExample('verify-offline.mjs', {}, ['vectors/dcap/dcap-qvl/sgx_quote', 'vectors/dcap/dcap-qvl/sgx_quote_collateral.json', '1752919277']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('verdict: ConfigurationAndSWHardeningNeeded [INTEL-SA-00289, INTEL-SA-00615]');
    expect(r.stdout).toMatch(/^mrenclave: 33d8736d[0-9a-f]*452fbb$/m);
  });
});

describe('examples/verify-with-pcs-cache.mjs (a fake PCS on 127.0.0.1)', () => {
  let pcs: FakePcs;
  let cacheDir: string;
  beforeAll(async () => {
    pcs = await startFakePcs('collateral/tdx-b0c06f000000-platform.json');
    cacheDir = mkdtempSync(join(tmpdir(), 'tee-attest-example-cache-'));
  });
  afterAll(async () => {
    await pcs?.close();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });
  // Inside the collateral window (2025-06-19T10:32:27Z .. 2025-07-19T10:00:35Z, MANIFEST) and
  // more than the cache's refresh-ahead hour before its end, so no background refresh runs.
  const env = () => ({ PCS_URL: pcs.url, PCS_ALLOW_HTTP: '1', CACHE_DIR: cacheDir, VERIFY_AT: '2025-07-01T00:00:00Z' });

  it('refuses the http:// PCS unless the relaxation is named', async () => {
    const r = await runExample('verify-with-pcs-cache.mjs', { ...env(), PCS_ALLOW_HTTP: undefined });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/http/i);
    expect(pcs.requests).toEqual([]);
  });

  it('fetches once (miss), then answers from the verified cache (hit); a new process hits the disk cache, no request', async () => {
    const first = await runExample('verify-with-pcs-cache.mjs', env());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^first: collateral from ${pcs.url.replace(/[.]/g, '\\.')}, cache miss, valid until 2025-07-19T10:00:35`));
    expect(lines[1]).toBe(`first: verdict UpToDate, mrtd ${TDX_MRTD}`);
    expect(lines[2]).toMatch(/^second: .*cache hit/);
    expect(lines[3]).toBe(`second: verdict UpToDate, mrtd ${TDX_MRTD}`);
    // One request per PCS endpoint: TCB Info, QE Identity, PCK CRL, root CA CRL.
    expect(pcs.requests.map((p) => p.split('?')[0]).sort()).toEqual([
      '/sgx/certification/v4/pckcrl',
      '/sgx/certification/v4/rootcacrl',
      '/tdx/certification/v4/qe/identity',
      '/tdx/certification/v4/tcb',
    ]);
    const again = await runExample('verify-with-pcs-cache.mjs', env());
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^first: .*cache hit/);
    expect(pcs.requests.length).toBe(4);
  });
});

chromiumSkipMessage('test/examples browser-verification');
if (!HAVE_CHROMIUM && CI) {
  it('Chromium is installed (required when CI is set)', () => {
    throw new Error(`CI is set and ${CHROMIUM} is missing`);
  });
}

describe.skipIf(!HAVE_CHROMIUM)('examples/browser-verification (Chromium)', () => {
  let server: Server;
  let origin = '';
  beforeAll(async () => {
    // What the example's index.html says to do: bundle the package's core entry for the browser.
    const bundle = await build({ entryPoints: ['dist/index.js'], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
    const dir = 'examples/browser-verification';
    const routes: Record<string, [string, string | Uint8Array]> = {
      '/index.html': ['text/html; charset=utf-8', readFileSync(join(dir, 'index.html'), 'utf8')],
      '/verify.js': ['text/javascript', readFileSync(join(dir, 'verify.js'), 'utf8')],
      '/tee-attest.js': ['text/javascript', bundle.outputFiles[0]!.text],
      '/quote.bin': ['application/octet-stream', readFileSync('vectors/dcap/dcap-qvl/tdx_quote')],
      '/collateral.json': ['application/json', readFileSync('vectors/dcap/dcap-qvl/tdx_quote_collateral.json', 'utf8')],
    };
    server = createServer((req, res) => {
      const r = routes[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
      if (r === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': r[0] }).end(r[1]);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => (server ? server.close(() => ok()) : ok())));

  it('verifies the quote in the page: verdict and MRTD', async () => {
    const browser = await launchChromium();
    try {
      await browser.context.route('**/*', (route) => (route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort()));
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${origin}/index.html?at=${TDX_AT}`);
      await page.waitForSelector('#out[data-done]');
      expect(await page.locator('#out').innerText()).toBe(`verdict: UpToDate\nmrtd: ${TDX_MRTD}`);
      // Without ?at the time is now, after the collateral expired: a coded failure, shown.
      await page.goto(`${origin}/index.html`);
      await page.waitForSelector('#out[data-done]');
      expect(await page.locator('#out').innerText()).toMatch(/^failed: (CrlExpired|CollateralExpired|CertificateExpired): /);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe.skipIf(SKIP_POSTGRES)('examples/postgres-connector.mjs (simulator + real PostgreSQL)', () => {
  it('queries over RA-TLS with the MRTD pin; a wrong pin is refused before any query', async () => {
    requirePostgres();
    const dir = mkdtempSync(join(tmpdir(), 'tee-attest-example-pg-'));
    const sim = spawn(process.execPath, ['dist/simulator/bin.js', 'up', '--postgres', '--socket', join(dir, 'dstack.sock'), '--listen', '127.0.0.1:0', '--json', '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((ok) => sim.on('exit', (code) => ok(code)));
    try {
      let out = '';
      let err = '';
      sim.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const info = await new Promise<{ DSTACK_SIMULATOR_ENDPOINT: string; DATABASE_URL: string; mrtd: string; composeHash: string }>((ok, fail) => {
        sim.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const nl = out.indexOf('\n');
          if (nl >= 0) ok(JSON.parse(out.slice(0, nl)));
        });
        void exited.then((code) => fail(new Error(`simulator exited ${code}: ${err}`)));
      });
      const env = { DSTACK_SIMULATOR_ENDPOINT: info.DSTACK_SIMULATOR_ENDPOINT, DATABASE_URL: info.DATABASE_URL, EXPECTED_COMPOSE_HASH: info.composeHash };
      const ok = await runExample('postgres-connector.mjs', { ...env, EXPECTED_MRTD: info.mrtd });
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^verified 127\.0\.0\.1:\d+: mrtd and compose hash pinned, full verification$/m);
      expect(ok.stdout).toMatch(/^connected as teesql_readwrite; 6 \* 7 = 42$/m);

      const wrong = await runExample('postgres-connector.mjs', { ...env, EXPECTED_MRTD: '00'.repeat(48) });
      expect(wrong.code).not.toBe(0);
      expect(wrong.stdout).not.toMatch(/connected as/);
      expect(wrong.stderr).toMatch(/PolicyMeasurement/);

      const missing = await runExample('postgres-connector.mjs', { ...env, EXPECTED_MRTD: undefined });
      expect(missing.code).toBe(2);
    } finally {
      sim.kill('SIGINT');
      expect(await exited).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe.skipIf(SKIP_POSTGRES)('examples/forward.mjs (simulator + real PostgreSQL, a plain pg client)', () => {
  it('queries through the forwarder with the MRTD and compose hash pins; a wrong pin is refused and no query runs', async () => {
    requirePostgres();
    const dir = mkdtempSync(join(tmpdir(), 'tee-attest-example-fwd-'));
    const sim = spawn(process.execPath, ['dist/simulator/bin.js', 'up', '--postgres', '--socket', join(dir, 'dstack.sock'), '--listen', '127.0.0.1:0', '--json', '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((ok) => sim.on('exit', (code) => ok(code)));
    try {
      let out = '';
      let err = '';
      sim.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const info = await new Promise<{ DSTACK_SIMULATOR_ENDPOINT: string; DATABASE_URL: string; mrtd: string; composeHash: string; sidecar: string }>((ok, fail) => {
        sim.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const nl = out.indexOf('\n');
          if (nl >= 0) ok(JSON.parse(out.slice(0, nl)));
        });
        void exited.then((code) => fail(new Error(`simulator exited ${code}: ${err}`)));
      });
      const env = {
        DSTACK_SIMULATOR_ENDPOINT: info.DSTACK_SIMULATOR_ENDPOINT,
        DATABASE_URL: info.DATABASE_URL,
        SIDECAR_ADDRESS: info.sidecar,
        EXPECTED_COMPOSE_HASH: info.composeHash,
      };
      const ok = await runExample('forward.mjs', { ...env, EXPECTED_MRTD: info.mrtd });
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^forwarder listening on 127\.0\.0\.1:\d+$/m);
      expect(ok.stdout).toMatch(/^forwarder verified the sidecar: mrtd and compose hash pinned, tcb UpToDate$/m);
      expect(ok.stdout).toMatch(/^connected as teesql_readwrite; 6 \* 7 = 42$/m);

      const wrong = await runExample('forward.mjs', { ...env, EXPECTED_MRTD: '00'.repeat(48) });
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).not.toMatch(/connected as|verified/);
      expect(wrong.stderr).toMatch(/^forwarder refused the sidecar: PolicyMeasurement: /m);
      expect(wrong.stderr).toMatch(/^query failed: /m);

      const missing = await runExample('forward.mjs', { ...env, EXPECTED_COMPOSE_HASH: undefined });
      expect(missing.code).toBe(2);
    } finally {
      sim.kill('SIGINT');
      expect(await exited).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('examples/README.md', () => {
  it('lists every example in the folder, and each listed example exists', () => {
    const readme = readFileSync('examples/README.md', 'utf8');
    for (const name of ['verify-offline.mjs', 'verify-with-pcs-cache.mjs', 'browser-verification/', 'postgres-connector.mjs', 'forward.mjs']) {
      expect(readme).toContain(name);
      expect(existsSync(join('examples', name))).toBe(true);
    }
  });
});
