/**
 * `dcap collateral fetch` and the collateral resolution behind
 * `dcap verify --pccs / --cache / --collateral DIR`, against the loopback PCS.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collateralCommand } from '../../../src/cli/collateral-command.js';
import { readCollateralFile, resolveCollateralForVerify } from '../../../src/cli/collateral-resolve.js';
import { runCli } from '../../../src/cli/run.js';
import { staticSourceFromDirectory } from '../../../src/node/directory-source.js';
import { verifyQuote } from '../../../src/verify/verify-quote.js';
import { PcsTestServer, SGX, TDX, pcsData, rejectsWith, tempDir } from './helpers.js';

let server: PcsTestServer;
let sgxServer: PcsTestServer;
let tmp: { dir: string; remove: () => void };
const clock = (): number => 1752900000; // unix seconds (util/time.ts Clock)
const quoteFile = 'vectors/dcap/dcap-qvl/tdx_quote';

function run(args: string[], extra: { clock?: () => number } = {}): Promise<{ code: number; out: string }> {
  let out = '';
  return collateralCommand(['collateral', 'fetch', ...args], { clock: extra.clock ?? clock, stdout: (s) => void (out += s) }).then((code) => ({ code, out }));
}

beforeAll(async () => {
  server = await PcsTestServer.start(pcsData(TDX.collateral));
  sgxServer = await PcsTestServer.start(pcsData(SGX.collateral));
});
afterEach(() => {
  server.fault = undefined;
  server.resetCounts();
  tmp?.remove();
});
afterAll(async () => {
  await server.close();
  await sgxServer.close();
});

describe('dcap collateral fetch', () => {
  it('--quote: writes a verified bundle usable offline (--json output)', async () => {
    tmp = tempDir();
    const { code, out } = await run(['--quote', quoteFile, '--out', tmp.dir, '--pccs', server.url, '--insecure-http', '--api-key', 'k', '--json']);
    expect(code).toBe(0);
    const res = JSON.parse(out) as { ok: boolean; path: string; validUntil: number; request: unknown };
    expect(res).toMatchObject({ ok: true, path: join(tmp.dir, 'tdx-b0c06f000000-platform.json'), validUntil: TDX.validUntil, request: TDX.request });
    expect(server.requests.every((r) => r.headers['ocp-apim-subscription-key'] === 'k')).toBe(true);
    const b = await staticSourceFromDirectory(tmp.dir).getCollateral(TDX.request);
    expect((await verifyQuote(TDX.quote, b.collateral, { at: TDX.at })).status).toBe('UpToDate');
  });

  it('--fmspc --tee --ca (SGX, processor CA), text output', async () => {
    tmp = tempDir();
    const { code, out } = await run(
      ['--fmspc', '00A067110000', '--tee', 'sgx', '--ca', 'processor', '--out', tmp.dir, '--pccs', sgxServer.url, '--insecure-http', '--root-ca-crl', 'pccs'],
      { clock: () => SGX.at - 10 },
    );
    expect(code).toBe(0);
    expect(out).toContain('sgx-00a067110000-processor.json');
    expect(readdirSync(tmp.dir)).toEqual(['sgx-00a067110000-processor.json']);
  });

  it('upstream failure or unverifiable collateral → exit 2 with the code, nothing written', async () => {
    tmp = tempDir();
    server.fault = ({ route, res }) => (route === 'rootcacrl' ? (res.writeHead(500).end(), true) : false);
    const failed = await run(['--quote', quoteFile, '--out', tmp.dir, '--pccs', server.url, '--insecure-http', '--json']);
    expect(failed.code).toBe(2);
    expect((JSON.parse(failed.out) as { error: { code: string } }).error.code).toBe('CollateralFetch');
    server.fault = undefined;
    const expired = await run(['--quote', quoteFile, '--out', tmp.dir, '--pccs', server.url, '--insecure-http'], { clock: () => TDX.validUntil + 1 });
    expect(expired.code).toBe(2);
    expect(expired.out).toContain('CrlExpired');
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('usage errors → InvalidArgument', async () => {
    tmp = tempDir();
    const usage = async (args: string[]): Promise<void> => {
      await rejectsWith(run(args), 'InvalidArgument');
    };
    await usage(['--quote', quoteFile]);
    await usage(['--quote', quoteFile, '--fmspc', '00A067110000', '--out', tmp.dir]);
    await usage(['--fmspc', '00A067110000', '--tee', 'sev', '--ca', 'processor', '--out', tmp.dir]);
    await usage(['--quote', quoteFile, '--out', tmp.dir, '--pccs', server.url]); // http without --insecure-http
    await usage(['--quote', quoteFile, '--out', tmp.dir, '--timeout', 'soon']);
    await rejectsWith(collateralCommand(['collateral', 'push']), 'InvalidArgument');
    expect(server.total).toBe(0);
  });
});

describe('verify: --collateral DIR, --pccs, --cache', () => {
  it('resolveCollateralForVerify: offline directory, then PCCS through a filesystem cache', async () => {
    tmp = tempDir();
    const bundles = join(tmp.dir, 'bundles');
    const cache = join(tmp.dir, 'cache');
    await run(['--quote', quoteFile, '--out', bundles, '--pccs', server.url, '--insecure-http']);
    server.resetCounts();
    const offline = await resolveCollateralForVerify({ quote: TDX.quote, collateralDir: bundles });
    expect(offline.metadata.source).toContain('static:');
    expect(server.total).toBe(0);

    const viaCache = await resolveCollateralForVerify({ quote: TDX.quote, pccs: server.url, cacheDir: cache, allowInsecureHttp: true, clock });
    expect(viaCache.metadata.cache?.status).toBe('miss');
    expect(existsSync(join(cache, 'tdx-b0c06f000000-platform.json'))).toBe(true);
    server.fault = ({ res }) => (res.writeHead(500).end(), true);
    const again = await resolveCollateralForVerify({ quote: TDX.quote, pccs: server.url, cacheDir: cache, allowInsecureHttp: true, clock });
    expect(again.metadata.cache?.status).toBe('hit');
    expect((await verifyQuote(TDX.quote, again.collateral, { at: TDX.at })).status).toBe('UpToDate');
    await rejectsWith(resolveCollateralForVerify({ quote: TDX.quote, pccs: server.url, allowInsecureHttp: true, clock }), 'CollateralFetch');
  });

  it('--collateral FILE keeps its meaning; DIR first, then --pccs when the DIR lacks the bundle', async () => {
    tmp = tempDir();
    const file = join(tmp.dir, 'c.json');
    writeFileSync(file, JSON.stringify(TDX.collateral));
    expect(readCollateralFile(file)).toEqual({ collateral: TDX.collateral, origin: { kind: 'file', source: file, cache: 'none', validUntil: null } });
    const empty = join(tmp.dir, 'empty');
    await rejectsWith(resolveCollateralForVerify({ quote: TDX.quote, collateralDir: tmp.dir }), 'CollateralMissing');
    const fromPccs = await resolveCollateralForVerify({ quote: TDX.quote, collateralDir: tmp.dir, pccs: server.url, cacheDir: empty, timeoutMs: 2000, allowInsecureHttp: true, clock });
    expect(fromPccs.origin).toMatchObject({ kind: 'pccs', source: server.url, cache: 'miss', cacheDir: empty, validUntil: TDX.validUntil });
    expect((await verifyQuote(TDX.quote, fromPccs.collateral, { at: TDX.at })).status).toBe('UpToDate');
    expect(server.counts.tcb).toBe(1);
  });

  it('usage: --cache without --pccs, nothing given, --pccs with a --collateral file', async () => {
    await rejectsWith(resolveCollateralForVerify({ quote: TDX.quote, cacheDir: '/tmp/x', collateralDir: '/tmp/y' }), 'InvalidArgument');
    await rejectsWith(resolveCollateralForVerify({ quote: TDX.quote }), 'InvalidArgument');
    const cli = async (args: string[]): Promise<{ code: number; out: string }> => {
      let out = '';
      const code = await runCli(args, { program: 'tee-attest', stdout: (x) => void (out += x), stderr: () => undefined, stderrIsTTY: false, now: () => TDX.at });
      return { code, out };
    };
    for (const extra of [['--pccs', server.url, '--insecure-http'], ['--cache', '/tmp/x']]) {
      const r = await cli(['verify', '--quote', quoteFile, '--collateral', quoteFile, ...extra, '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out)).toMatchObject({ ok: false, error: { code: 'InvalidArgument', kind: 'usage' } });
    }
    expect(server.total).toBe(0);
  });

  it('verify --pccs --cache: origin and cache status (miss, then hit) in JSON and text; progress only on a terminal', async () => {
    tmp = tempDir();
    const cache = join(tmp.dir, 'cache');
    const cli = async (args: string[], tty = false): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const code = await runCli(args, { program: 'tee-attest', stdout: (x) => void (out += x), stderr: (x) => void (err += x), stderrIsTTY: tty, now: () => TDX.at });
      return { code, out, err };
    };
    const args = ['verify', '--quote', quoteFile, '--pccs', server.url, '--insecure-http', '--cache', cache, '--at', String(TDX.at)];
    const first = await cli([...args, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out).collateral).toMatchObject({ kind: 'pccs', source: server.url, cache: 'miss', cacheDir: cache, validUntil: TDX.validUntil });
    expect(first.err).toBe('');
    const second = await cli(args, true);
    expect(second.code).toBe(0);
    expect(second.out).toContain(`collateral: ${server.url} (via cache ${cache}: hit); valid until`);
    const third = await cli(['verify', '--quote', quoteFile, '--pccs', server.url, '--insecure-http', '--at', String(TDX.at)], true);
    expect(third.err).toMatch(/fetching 127\.0\.0\.1:\d+\/tdx\/certification\/v4\/tcb/);
  });
});
