/**
 * Offline bundles (StaticSource, directory layout, bundle format), the
 * fallback combinator, and deriving a request from a quote.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StaticSource } from '../../../src/sources/dcap/static-source.js';
import { FallbackSource } from '../../../src/sources/dcap/fallback-source.js';
import { staticSourceFromDirectory, writeBundleFile } from '../../../src/node/directory-source.js';
import {
  bundleFileName,
  collateralJsonToBundle,
  parseBundle,
  serializeBundle,
  toBundleCollateral,
} from '../../../src/sources/dcap/bundle.js';
import { collateralRequestForQuote, normalizeRequest, requestKey } from '../../../src/sources/dcap/request.js';
import { verifyCollateralBundle } from '../../../src/sources/dcap/verify-bundle.js';
import type { CollateralBundle, CollateralSource } from '../../../src/sources/dcap/types.js';
import { parseQuote } from '../../../src/quote/parse.js';
import { makeScenario } from '../../../src/testing/index.js';
import { verifyQuote } from '../../../src/verify/verify-quote.js';
import { SGX, TDX, rejectsWith, tempDir } from './helpers.js';

let tmp: { dir: string; remove: () => void } | undefined;
afterEach(() => {
  tmp?.remove();
  tmp = undefined;
});

const bundleOf = (v: typeof TDX): CollateralBundle => ({
  request: v.request,
  collateral: collateralJsonToBundle(v.collateral),
  metadata: { source: 'https://api.trustedservices.intel.com', fetchedAt: v.at - 100 },
});

describe('requests', () => {
  it('collateralRequestForQuote: TEE type, FMSPC and CA from the quote and its PCK leaf', () => {
    expect(collateralRequestForQuote(TDX.quote)).toEqual(TDX.request);
    expect(collateralRequestForQuote(SGX.quote)).toEqual(SGX.request);
    expect(collateralRequestForQuote(parseQuote(SGX.quote))).toEqual(SGX.request);
    const processorTdx = makeScenario({ pckCa: 'processor', fmspc: '30606A000000' });
    expect(collateralRequestForQuote(processorTdx.quote)).toEqual({ teeType: 'TDX', fmspc: '30606a000000', ca: 'processor' });
  });

  it('quote without a PEM PCK chain → CollateralMissing; malformed quote → QuoteParse', () => {
    const s = makeScenario({ teeType: 'SGX', quote: { certDataType: 3, certData: new Uint8Array(16) } });
    expect(() => collateralRequestForQuote(s.quote)).toThrow(expect.objectContaining({ code: 'CollateralMissing' }));
    expect(() => collateralRequestForQuote(TDX.quote.subarray(0, 100))).toThrow(expect.objectContaining({ code: 'QuoteParse' }));
  });

  it('keys and validation', () => {
    expect(requestKey({ teeType: 'TDX', fmspc: 'B0C06F000000', ca: 'platform' })).toBe('tdx-b0c06f000000-platform');
    expect(requestKey({ teeType: 'SGX', fmspc: '00a067110000', ca: 'processor', update: 'early' })).toBe('sgx-00a067110000-processor-early');
    expect(bundleFileName(SGX.request)).toBe('sgx-00a067110000-processor.json');
    for (const bad of [{ ...TDX.request, teeType: 'SEV' }, { ...TDX.request, fmspc: 'b0c06f00000' }, { ...TDX.request, ca: 'root' }, { ...TDX.request, update: 'late' }]) {
      expect(() => normalizeRequest(bad as never)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    }
  });
});

describe('bundle format', () => {
  it('round-trips; CollateralJson → PCS responses verify as the original', async () => {
    const b = bundleOf(TDX);
    const back = parseBundle(serializeBundle(b));
    expect(back).toEqual(b);
    expect((await verifyCollateralBundle(back, { at: TDX.at })).validUntil).toBe(TDX.validUntil);
    expect(toBundleCollateral(b.collateral)).toEqual(b.collateral);
    expect(serializeBundle({ ...b, metadata: { ...b.metadata, cache: { status: 'hit', stale: false, validUntil: 1, verifiedAt: 1 } } })).not.toContain('"cache"');
  });

  it('malformed bundles → CollateralParse / CrlParse', () => {
    const good = JSON.parse(serializeBundle(bundleOf(TDX))) as Record<string, unknown>;
    expect(() => parseBundle('not json')).toThrow(expect.objectContaining({ code: 'CollateralParse' }));
    expect(() => parseBundle(JSON.stringify({ ...good, format: 'other/v9' }))).toThrow(expect.objectContaining({ code: 'CollateralParse' }));
    expect(() => parseBundle(JSON.stringify({ ...good, request: { teeType: 'TDX' } }))).toThrow(expect.objectContaining({ code: 'CollateralParse' }));
    expect(() => parseBundle(JSON.stringify(TDX.collateral))).toThrow(expect.objectContaining({ code: 'CollateralParse' }));
    const col = good.collateral as Record<string, string>;
    expect(() => parseBundle(JSON.stringify({ ...good, collateral: { ...col, pckCrl: 'zz' } }))).toThrow(expect.objectContaining({ code: 'CrlParse' }));
    expect(() => parseBundle(new Uint8Array([0xff, 0xfe, 0x00]))).toThrow(expect.objectContaining({ code: 'CollateralParse' }));
  });
});

describe('StaticSource', () => {
  it('air-gapped: a bundle directory written by writeBundleFile verifies both vectors end to end', async () => {
    tmp = tempDir();
    const p1 = await writeBundleFile(tmp.dir, bundleOf(TDX));
    const p2 = await writeBundleFile(tmp.dir, bundleOf(SGX));
    expect([p1, p2]).toEqual([join(tmp.dir, 'tdx-b0c06f000000-platform.json'), join(tmp.dir, 'sgx-00a067110000-processor.json')]);
    const src = staticSourceFromDirectory(tmp.dir);
    const t = await src.getCollateral(collateralRequestForQuote(TDX.quote));
    expect(t.metadata.source).toBe(`static:${tmp.dir}/tdx-b0c06f000000-platform.json`);
    expect((await verifyQuote(TDX.quote, t.collateral, { at: TDX.at })).status).toBe('UpToDate');
    const s = await src.getCollateral(collateralRequestForQuote(SGX.quote));
    const v = await verifyQuote(SGX.quote, s.collateral, { at: SGX.at });
    expect([v.status, v.advisoryIds]).toEqual(['ConfigurationAndSWHardeningNeeded', ['INTEL-SA-00289', 'INTEL-SA-00615']]);
  });

  it('a bare dcap-qvl CollateralJson file named <tee>-<fmspc>-<ca>.json is accepted', async () => {
    tmp = tempDir();
    writeFileSync(join(tmp.dir, 'tdx-b0c06f000000-platform.json'), JSON.stringify(TDX.collateral));
    const b = await staticSourceFromDirectory(tmp.dir).getCollateral(TDX.request);
    expect((await verifyQuote(TDX.quote, b.collateral, { at: TDX.at })).status).toBe('UpToDate');
  });

  it('absent bundle → CollateralMissing; misnamed bundle → CollateralMismatch / FmspcMismatch; broken file → CollateralParse', async () => {
    tmp = tempDir();
    const src = staticSourceFromDirectory(tmp.dir);
    await rejectsWith(src.getCollateral(TDX.request), 'CollateralMissing');
    await rejectsWith(staticSourceFromDirectory(join(tmp.dir, 'nope')).getCollateral(TDX.request), 'CollateralMissing');
    writeFileSync(join(tmp.dir, 'tdx-b0c06f000000-platform.json'), serializeBundle(bundleOf(SGX)));
    await rejectsWith(src.getCollateral(TDX.request), 'CollateralMismatch');
    writeFileSync(join(tmp.dir, 'tdx-b0c06f000001-platform.json'), JSON.stringify(TDX.collateral));
    await rejectsWith(src.getCollateral({ ...TDX.request, fmspc: 'b0c06f000001' }), 'FmspcMismatch');
    writeFileSync(join(tmp.dir, 'sgx-00a067110000-processor.json'), '{"format":');
    await rejectsWith(src.getCollateral(SGX.request), 'CollateralParse');
    mkdirSync(join(tmp.dir, 'sgx-00a067110000-platform.json'));
    await rejectsWith(src.getCollateral({ ...SGX.request, ca: 'platform' }), 'CollateralParse');
  });

  it('fromBundles serves bundles held in memory (no filesystem)', async () => {
    const src = StaticSource.fromBundles([bundleOf(TDX), bundleOf(SGX)]);
    expect((await src.getCollateral(SGX.request)).collateral).toEqual(bundleOf(SGX).collateral);
    await rejectsWith(src.getCollateral({ ...SGX.request, update: 'early' }), 'CollateralMissing');
  });
});

describe('FallbackSource', () => {
  it('moves on only when a source has no collateral', async () => {
    const calls: string[] = [];
    const second: CollateralSource = { getCollateral: async () => (calls.push('second'), bundleOf(TDX)) };
    const empty = StaticSource.fromBundles([]);
    expect((await new FallbackSource([empty, second]).getCollateral(TDX.request)).request).toEqual(TDX.request);
    expect(calls).toEqual(['second']);
    const broken = new StaticSource({ read: async () => 'garbage' });
    await rejectsWith(new FallbackSource([broken, second]).getCollateral(TDX.request), 'CollateralParse');
    expect(calls).toEqual(['second']);
    await rejectsWith(new FallbackSource([empty, empty]).getCollateral(TDX.request), 'CollateralMissing');
    expect(() => new FallbackSource([])).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
