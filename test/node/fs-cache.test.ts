/**
 * The filesystem tier: survives a new CachedSource (a restart), writes
 * atomically, re-verifies what it reads back, and is a valid bundle directory.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PcsSource } from '../../src/sources/dcap/pcs-source.js';
import { createUndiciFetch } from '../../src/node/undici-fetch.js';
import { CachedSource } from '../../src/sources/dcap/cached-source.js';
import { FsCacheStore } from '../../src/node/fs-cache-store.js';
import { createNodeCachedSource } from '../../src/node/cached-source-node.js';
import { staticSourceFromDirectory } from '../../src/node/directory-source.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { verifyQuote } from '../../src/verify/verify-quote.js';
import { PcsTestServer, TDX, flipHex, pcsData, rejectsWith, tempDir } from '../sources/dcap/helpers.js';

const undici = createUndiciFetch();
let server: PcsTestServer;
let tmp: { dir: string; remove: () => void };
const T0 = 1752900000;
const FILE = 'tdx-b0c06f000000-platform.json';

function source(dir: string, extra: { now?: number; staleIfErrorSeconds?: number; onError?: (e: unknown, c: { operation: string }) => void } = {}): CachedSource {
  return new CachedSource({
    upstream: new PcsSource({ fetch: undici, baseUrl: server.url, allowInsecureHttp: true, timeoutMs: 2_000 }),
    clock: () => extra.now ?? T0,
    store: new FsCacheStore(dir),
    refreshAheadSeconds: 0,
    ...(extra.staleIfErrorSeconds !== undefined ? { staleIfErrorSeconds: extra.staleIfErrorSeconds } : {}),
    ...(extra.onError ? { onError: extra.onError } : {}),
  });
}

beforeAll(async () => {
  server = await PcsTestServer.start(pcsData(TDX.collateral));
});
afterEach(() => {
  server.fault = undefined;
  server.resetCounts();
  tmp?.remove();
});
afterAll(async () => {
  await server.close();
  await undici.close();
});

describe('FsCacheStore', () => {
  it('survives a new CachedSource instance: no upstream request after the restart', async () => {
    tmp = tempDir();
    await source(tmp.dir).getCollateral(TDX.request);
    expect(server.counts.tcb).toBe(1);
    expect(readdirSync(tmp.dir)).toEqual([FILE]); // no temporary file left behind
    const restarted = await source(tmp.dir).getCollateral(TDX.request);
    expect(server.counts.tcb).toBe(1);
    expect(restarted.metadata.cache).toMatchObject({ status: 'hit', validUntil: TDX.validUntil });
    expect((await verifyQuote(TDX.quote, restarted.collateral, { at: TDX.at })).status).toBe('UpToDate');
  });

  it('a tampered cache file is re-verified, reported, deleted and refetched', async () => {
    tmp = tempDir();
    await source(tmp.dir).getCollateral(TDX.request);
    const path = join(tmp.dir, FILE);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace(/\\"signature\\":\\"([0-9a-f]+)\\"/, (_m, h: string) => `\\"signature\\":\\"${flipHex(h)}\\"`));
    expect(readFileSync(path, 'utf8')).not.toBe(text);
    const reported: string[] = [];
    const b = await source(tmp.dir, { onError: (e, c) => reported.push(`${c.operation}:${(e as { code?: string }).code}`) }).getCollateral(TDX.request);
    expect(reported).toEqual(['store-read:TcbInfoSignature']);
    expect(b.metadata.cache?.status).toBe('miss');
    expect(server.counts.tcb).toBe(2);
    const collateralOf = (t: string): unknown => (JSON.parse(t) as { collateral: unknown }).collateral;
    expect(collateralOf(readFileSync(path, 'utf8'))).toEqual(collateralOf(text)); // replaced by the verified refetch
  });

  it('a garbage or foreign cache file is a miss, never an answer', async () => {
    tmp = tempDir();
    writeFileSync(join(tmp.dir, FILE), '{"format":"tee-attest/collateral-bundle/v1", "trunc');
    const reported: string[] = [];
    await source(tmp.dir, { onError: (e) => reported.push((e as { code: string }).code) }).getCollateral(TDX.request);
    expect(reported).toEqual(['CollateralParse']);
    expect(server.counts.tcb).toBe(1);
  });

  it('after a restart an expired entry is served stale (opt-in) when the upstream fails', async () => {
    tmp = tempDir();
    await source(tmp.dir).getCollateral(TDX.request);
    server.fault = ({ route, res }) => (route === 'tcb' ? (res.writeHead(502).end(), true) : false);
    const later = source(tmp.dir, { now: TDX.validUntil + 100, staleIfErrorSeconds: 3600 });
    const b = await later.getCollateral(TDX.request);
    expect(b.metadata.cache).toMatchObject({ status: 'stale', stale: true, verifiedAt: TDX.validUntil, staleReason: { code: 'CollateralFetch' } });
    await rejectsWith(source(tmp.dir, { now: TDX.validUntil + 100 }).getCollateral(TDX.request), 'CollateralFetch');
  });

  it('the cache directory doubles as an offline bundle directory; createNodeCachedSource wires the store', async () => {
    tmp = tempDir();
    const c = createNodeCachedSource({
      upstream: new PcsSource({ fetch: undici, baseUrl: server.url, allowInsecureHttp: true }),
      cacheDir: join(tmp.dir, 'nested', 'cache'),
      clock: () => T0,
      refreshAheadSeconds: 0,
    });
    await c.getCollateral(TDX.request);
    const offline = await staticSourceFromDirectory(join(tmp.dir, 'nested', 'cache')).getCollateral(TDX.request);
    expect((await verifyQuote(TDX.quote, offline.collateral, { at: TDX.at })).status).toBe('UpToDate');
  });

  it('writeFileAtomic replaces whole files and cleans up after a failed write; unsafe keys are refused', async () => {
    tmp = tempDir();
    const p = join(tmp.dir, 'a.json');
    await writeFileAtomic(p, 'one');
    await writeFileAtomic(p, 'two');
    expect(readFileSync(p, 'utf8')).toBe('two');
    await expect(writeFileAtomic(join(tmp.dir, 'a.json', 'x'), 'bad')).rejects.toThrow();
    expect(readdirSync(tmp.dir)).toEqual(['a.json']);
    const store = new FsCacheStore(tmp.dir);
    await expect(store.get('../etc/passwd')).rejects.toMatchObject({ code: 'InvalidArgument' });
    expect(await store.get('tdx-000000000000-platform')).toBeUndefined();
    await store.delete('tdx-000000000000-platform');
    expect(existsSync(join(tmp.dir, 'tdx-000000000000-platform.json'))).toBe(false);
  });
});
