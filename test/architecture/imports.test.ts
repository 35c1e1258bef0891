/**
 * The import rules of docs/architecture.md, checked on every relative import
 * of src/ (static `import` / `export ... from`, dynamic `import()`):
 *   1. a file imports only its own layer or lower layers;
 *   2. the runtime-neutral entries (the core entry `tee-attest`, and the other
 *      entries documented as runtime-neutral) never reach a Node built-in through
 *      static imports (dynamic `import()` of an optional Node adapter is allowed);
 *   3. src/testing/ is imported only by the simulator's fake Intel PKI
 *      (src/simulator/simulator.ts); DER / X.509 / PEM writers live in src/encode/.
 * The layer table below is the one of docs/architecture.md; a new folder must be
 * placed in it (the test fails on a file of no layer).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

/** Lower first. A path belongs to the layer of its longest matching prefix (relative to src/). */
const LAYERS: readonly (readonly [name: string, prefixes: readonly string[]])[] = [
  ['base', ['errors.ts', 'lib/']],
  ['primitives', ['der/', 'crypto/', 'encode/']],
  ['x509', ['x509/']],
  ['parsers', ['quote/', 'collateral/', 'tcb/status.ts']],
  ['tcb', ['tcb/']],
  ['verify', ['verify/']],
  ['policy', ['policy/']],
  ['core-entry', ['index.ts']],
  ['sources', ['sources/', 'collateral/index.ts', 'node/', 'pool/']],
  ['evidence', ['verifier/', 'ra-tls/', 'snp/', 'provenance/']],
  ['channels', ['noise/']],
  ['testing', ['testing/']],
  ['apps', ['postgres/', 'forward/', 'service/', 'simulator/', 'cli/']],
];

/** Entries that must run without Node built-ins (docs/architecture.md). */
const RUNTIME_NEUTRAL = ['index.ts', 'snp/index.ts', 'noise/index.ts', 'testing/index.ts'];
/** The one place src/ may import src/testing/ from. */
const TESTING_IMPORTERS = ['simulator/simulator.ts'];

const posix = (p: string): string => p.split(sep).join('/');

function layerOf(rel: string): number {
  let best = -1;
  let len = -1;
  LAYERS.forEach(([, prefixes], i) => {
    for (const p of prefixes) {
      if ((rel === p || (p.endsWith('/') && rel.startsWith(p))) && p.length > len) {
        best = i;
        len = p.length;
      }
    }
  });
  return best;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

interface Import {
  readonly from: string; // src-relative
  readonly spec: string;
  readonly to: string | undefined; // src-relative target for relative specifiers
  readonly dynamic: boolean;
  readonly typeOnly: boolean;
}

function stripComments(s: string): string {
  return s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function importsOf(file: string): Import[] {
  const from = posix(relative(SRC, file));
  const text = stripComments(readFileSync(file, 'utf8'));
  const out: Import[] = [];
  const add = (spec: string, dynamic: boolean, typeOnly: boolean): void => {
    const to = spec.startsWith('.') ? posix(normalize(join(dirname(from), spec))).replace(/\.js$/, '.ts') : undefined;
    out.push({ from, spec, to, dynamic, typeOnly });
  };
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm)) add(m[3]!, false, m[2] !== undefined);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) add(m[1]!, false, false);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) add(m[1]!, true, false);
  return out;
}

const FILES = walk(SRC);
const IMPORTS = FILES.flatMap(importsOf);
const BUILTINS = new Set(builtinModules);
const isBuiltin = (spec: string): boolean => spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0]!);

describe('architecture: import rules (docs/architecture.md)', () => {
  it('parses the imports of every file of src/', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(IMPORTS.filter((i) => i.to !== undefined).length).toBeGreaterThan(500);
  });

  it('every file of src/ belongs to a layer', () => {
    const orphans = FILES.map((f) => posix(relative(SRC, f))).filter((r) => layerOf(r) < 0);
    expect(orphans).toEqual([]);
  });

  it('a layer never imports a higher layer', () => {
    const bad = IMPORTS.filter((i) => i.to !== undefined && layerOf(i.to) > layerOf(i.from)).map(
      (i) => `${i.from} (${LAYERS[layerOf(i.from)]?.[0]}) -> ${i.to} (${LAYERS[layerOf(i.to!)]?.[0]})`,
    );
    expect(bad).toEqual([]);
  });

  it('the runtime-neutral entries reach no Node built-in through static imports', () => {
    const byFile = new Map<string, Import[]>();
    for (const i of IMPORTS) byFile.set(i.from, [...(byFile.get(i.from) ?? []), i]);
    for (const entry of RUNTIME_NEUTRAL) {
      const seen = new Set<string>();
      const stack = [entry];
      const bad: string[] = [];
      while (stack.length > 0) {
        const f = stack.pop()!;
        if (seen.has(f)) continue;
        seen.add(f);
        for (const i of byFile.get(f) ?? []) {
          if (i.dynamic || i.typeOnly) continue;
          if (i.to !== undefined) stack.push(i.to);
          else if (isBuiltin(i.spec)) bad.push(`${f} -> ${i.spec}`);
        }
      }
      expect(seen.size, entry).toBeGreaterThan(1);
      expect(bad, entry).toEqual([]);
    }
  });

  it('src/testing/ is imported only by the simulator fake Intel PKI; writers live in src/encode/', () => {
    const bad = IMPORTS.filter((i) => i.to?.startsWith('testing/') && !i.from.startsWith('testing/') && !TESTING_IMPORTERS.includes(i.from)).map(
      (i) => `${i.from} -> ${i.to}`,
    );
    expect(bad).toEqual([]);
  });

  it('the check itself: a violation is reported', () => {
    expect(layerOf('cli/main.ts')).toBeGreaterThan(layerOf('quote/parse.ts'));
    expect(layerOf('sources/dcap/bundle.ts')).toBeGreaterThan(layerOf('collateral/json.ts'));
    expect(layerOf('no-such-folder/x.ts')).toBe(-1);
  });
});
