/**
 * #19 §5: bundle files (DCAP and SEV-SNP) go through the strict JSON parser:
 * a duplicate key (JSON.parse would keep the last one) is CollateralParse,
 * wherever it sits, and a `__proto__` member never becomes a prototype.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBundle, serializeBundle, toBundleCollateral } from '../../../src/sources/dcap/bundle.js';
import { StaticSource } from '../../../src/sources/dcap/static-source.js';
import type { CollateralBundle } from '../../../src/sources/dcap/types.js';
import { parseSnpBundle, serializeSnpBundle } from '../../../src/snp/kds/bundle.js';
import { caRequest } from '../../../src/snp/kds/request.js';
import type { SnpCollateralBundle } from '../../../src/snp/kds/types.js';
import { TDX, rejectsWith } from './helpers.js';

const bundle: CollateralBundle = { request: TDX.request, collateral: toBundleCollateral(TDX.collateral), metadata: { source: 'test', fetchedAt: 1 } };
const text = serializeBundle(bundle);

/** Inserts `"key": value,` right after the first `"anchor": {` of the text. */
function duplicateAfter(t: string, anchor: string, member: string): string {
  const i = t.indexOf(`"${anchor}": {`);
  expect(i).toBeGreaterThanOrEqual(0);
  const at = i + `"${anchor}": {`.length;
  return `${t.slice(0, at)}${member},${t.slice(at)}`;
}

describe('DCAP bundles: strict JSON', () => {
  it('the serialised bundle still round-trips', () => {
    expect(parseBundle(text)).toEqual(bundle);
  });

  it('a duplicate key at the top, in request, metadata or collateral is CollateralParse', async () => {
    const other = JSON.stringify(toBundleCollateral(TDX.collateral).tcbInfo.replace('"UpToDate"', '"OutOfDate"'));
    const cases = [
      text.replace('"format":', '"format": "x", "format":'),
      duplicateAfter(text, 'request', '"fmspc": "00a067110000"'),
      duplicateAfter(text, 'metadata', '"source": "evil"'),
      duplicateAfter(text, 'collateral', `"tcbInfo": ${other}`),
    ];
    for (const c of cases) {
      expect(() => JSON.parse(c)).not.toThrow(); // JSON.parse would have taken one of them silently
      expect(() => parseBundle(c)).toThrow(expect.objectContaining({ code: 'CollateralParse' }));
    }
    const source = new StaticSource({ read: async () => cases[3] });
    await rejectsWith(source.getCollateral(TDX.request), 'CollateralParse');
  });

  it('a __proto__ member is plain data', () => {
    const t = duplicateAfter(text, 'metadata', '"__proto__": { "fetchedAt": 5 }');
    const b = parseBundle(t);
    expect(b.metadata.fetchedAt).toBe(1);
    expect(Object.getPrototypeOf(b.metadata)).toBe(Object.prototype);
  });
});

describe('SEV-SNP bundles: strict JSON', () => {
  const chain = readFileSync('vectors/snp/virtee-sev/cert_chain_milan', 'utf8');
  const snp: SnpCollateralBundle = { request: caRequest('Milan', 'VCEK'), collateral: { certChain: chain }, metadata: { source: 'test' } };
  const snpText = serializeSnpBundle(snp);

  it('round-trips; a duplicate key anywhere is CollateralParse', () => {
    expect(parseSnpBundle(snpText)).toEqual(snp);
    for (const c of [
      duplicateAfter(snpText, 'request', '"product": "Genoa"'),
      duplicateAfter(snpText, 'collateral', '"certChain": "x"'),
      snpText.replace('"format":', '"format": "x", "format":'),
    ]) {
      expect(() => parseSnpBundle(c)).toThrow(expect.objectContaining({ code: 'CollateralParse' }));
      expect(() => parseSnpBundle(new TextEncoder().encode(c))).toThrow(expect.objectContaining({ code: 'CollateralParse' }));
    }
  });
});
