/**
 * Module boundaries: the SEV-SNP code runs in browsers (no Node built-ins, no
 * Sigstore, no provenance import, no clock reads); the provenance entry is
 * never imported by the core or SEV-SNP entries.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const imports = (src: string): string[] => [...src.matchAll(/(?:import|export)[^'"]*from\s+'([^']+)'/g)].map((m) => m[1]!);

describe('module boundaries', () => {
  const snp = files(join(SRC, 'snp'));

  it('src/snp imports no Node built-in, no @sigstore package and nothing from src/provenance', () => {
    for (const f of snp) {
      for (const i of imports(readFileSync(f, 'utf8'))) {
        expect(i.startsWith('node:') || ['fs', 'crypto', 'path', 'os', 'http', 'https', 'buffer'].includes(i), `${f}: ${i}`).toBe(false);
        expect(i.startsWith('@sigstore/'), `${f}: ${i}`).toBe(false);
        expect(i.includes('provenance'), `${f}: ${i}`).toBe(false);
      }
    }
  });

  it('src/snp reads no clock', () => {
    for (const f of snp) {
      const src = readFileSync(f, 'utf8');
      expect(/Date\.now\(|new Date\(\)|performance\.now\(/.test(src), f).toBe(false);
    }
  });

  it('the core entry does not import the provenance entry', () => {
    expect(imports(readFileSync(join(SRC, 'index.ts'), 'utf8')).some((i) => i.includes('provenance'))).toBe(false);
  });
});
