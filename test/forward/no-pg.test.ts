/** `tee-attest/forward` serves drivers other than node-postgres: nothing it imports loads `pg` (an optional peer). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { expect, it } from 'vitest';

it('src/forward/index.ts does not import pg, directly or transitively', () => {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      const spec = m[1]!;
      if (/^import\s+type\s/.test(m[0].trim()) || /^export\s+type\s/.test(m[0].trim())) continue;
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else bare.add(spec.split('/')[0]!.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  walk(resolve(__dirname, '../../src/forward/index.ts'));
  expect(seen.size).toBeGreaterThan(5);
  expect([...bare].filter((b) => b === 'pg' || b.startsWith('@prisma'))).toEqual([]);
});
