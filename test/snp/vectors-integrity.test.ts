/** vectors/snp/SHA256SUMS: the vendored SEV-SNP vectors are the bytes the README describes. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { VECTORS } from './helpers.js';

it('every vendored SEV-SNP vector matches SHA256SUMS', () => {
  const lines = readFileSync(VECTORS + 'SHA256SUMS', 'utf8').trim().split('\n');
  expect(lines.length).toBe(25);
  for (const line of lines) {
    const [sum, file] = line.split(/\s+/) as [string, string];
    expect(createHash('sha256').update(readFileSync(VECTORS + file)).digest('hex'), file).toBe(sum);
  }
});
