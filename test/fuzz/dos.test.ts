/** Linear-time checks (fast sizes; dos.slow.test.ts runs 4× larger inputs). */
import { afterAll, describe, it } from 'vitest';
import { DOS_CASES, expectLinear, formatResults, type DosResult } from './dos.js';

describe('parse time grows linearly with input size (time(8n) / time(n) < 20)', () => {
  const results: DosResult[] = [];
  afterAll(() => console.log(`DoS timings (median of runs, n → 8n):\n${formatResults(results)}`));
  for (const c of DOS_CASES) {
    it(c.name, () => {
      results.push(expectLinear(c));
    });
  }
});
