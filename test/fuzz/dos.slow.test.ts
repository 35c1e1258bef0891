/**
 * Linear-time checks with larger inputs (`npm run test:fuzz`), and the tree
 * builders at the 4 MiB input cap of the JSON parser with an absolute bound
 * (see dos.ts for why those are not ratio-checked at large sizes).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AttestationError } from '../../src/errors.js';
import { parseJson } from '../../src/collateral/json.js';
import { parseCollateral } from '../../src/collateral/parse.js';
import { makeScenario } from '../../src/testing/index.js';
import { DOS_CASES, expectLinear, formatResults, type DosResult } from './dos.js';

describe('parse time grows linearly (larger inputs)', () => {
  const results: DosResult[] = [];
  afterAll(() => console.log(`DoS timings, slow sizes (n → 8n):\n${formatResults(results)}`));
  for (const c of DOS_CASES) {
    it(c.name, () => {
      results.push(expectLinear(c, true));
    });
  }
});

describe('worst cases at the 4 MiB JSON cap', () => {
  const enc = new TextEncoder();
  const CAP = 4 * 1024 * 1024;
  const item = '['.repeat(31) + ']'.repeat(31);
  const nested = (bytes: number): string => '[' + Array(Math.floor((bytes - 2) / (item.length + 1))).fill(item).join(',') + ']';

  function timed(name: string, fn: () => unknown, maxMs: number): void {
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    try {
      fn();
    } catch (e) {
      if (!(e instanceof AttestationError)) throw e;
    }
    const ms = performance.now() - t0;
    const mb = (process.memoryUsage().heapUsed - heap0) / 1e6;
    console.log(`${name}: ${ms.toFixed(0)} ms, heap ${mb >= 0 ? '+' : ''}${mb.toFixed(0)} MB`);
    expect(ms, name).toBeLessThan(maxMs);
  }

  it('parseJson: 4 MiB of arrays nested to the depth limit', () => {
    const b = enc.encode(nested(CAP - 16));
    expect(b.length).toBeLessThanOrEqual(CAP);
    timed('parseJson, 4 MiB nested arrays', () => parseJson(b), 10_000);
  });

  it('parseCollateral: a TCB Info padded to the cap with an unknown member (parsed before any signature check)', () => {
    const s = makeScenario();
    const text = s.collateral.tcb_info.replace(/}$/, `,"padding":${nested(CAP - s.collateral.tcb_info.length - 64)}}`);
    expect(enc.encode(text).length).toBeLessThanOrEqual(CAP);
    timed('parseCollateral, 4 MiB TCB Info', () => parseCollateral({ ...s.collateral, tcb_info: text }), 10_000);
  });

  it('just over the cap is refused at once', () => {
    const b = new Uint8Array(CAP + 1).fill(0x5b);
    timed('parseJson, 4 MiB + 1', () => parseJson(b), 50);
  });
});
