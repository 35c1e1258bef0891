/**
 * Every ```ts / ```js / ```sh block of README.md and docs/*.md runs here, so
 * a doc cannot show code that does not work (test/docs/extract.ts says what
 * a snippet and a directive are).
 *
 *   - ts / js: transformed by esbuild (no type check) into a module in a
 *     throw-away consumer project whose node_modules holds `tee-attest` (this
 *     repository, so its built dist/ through package.json "exports") and the
 *     repository's own dependencies; run by node with source maps, padded so
 *     a stack trace names the Markdown file and line.
 *   - sh: bash -euo pipefail in a throw-away directory with `vectors/` and
 *     `collateral/` linked in and the package's bins first on PATH; `npx X`
 *     runs X only when X is one of this package's bins (nothing is
 *     downloaded), `npm start` runs the package's start script, any other
 *     npm command fails.
 *   - ts blocks are also type-checked together (tsc, strict) against the
 *     package's published types (dist/*.d.ts), the fixtures' free variables
 *     declared as globals (SNIPPET_GLOBALS): a renamed option fails here.
 *   - `<!-- snippet: setup=NAME -->` runs the named fixture first
 *     (test/docs/setups.ts); `<!-- snippet: skip reason="..." -->` skips the
 *     block, and the runner prints every skip with its reason.
 *
 * Needs dist/ (`npm ci` builds it through `prepare`; else `npm run build`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgresBinDir } from '../../src/simulator/postgres-cluster.js';
import { snippetsOfFile, type Snippet } from './extract.js';
import { SETUPS, SNIPPET_GLOBALS, type Started } from './setups.js';
import { CI } from '../support/ci.js';

const REPO = resolve(import.meta.dirname, '../..');
const DOCS = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const SNIPPETS: Snippet[] = DOCS.flatMap((f) => snippetsOfFile(REPO, f));
const HAVE_POSTGRES = findPostgresBinDir() !== undefined;
/** The explicit skips must stay few: each needs a reason a reviewer accepts. */
const MAX_SKIPS = 10;
const SNIPPET_TIMEOUT_MS = 60_000;

let work = '';
const started = new Map<string, Started>();

function writeExecutable(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

/** A consumer project: tee-attest and the repository's dependencies installed (as links), the bins as shims. */
function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tee-attest-snippets-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'snippet-consumer', private: true, type: 'module' }));
  const nm = join(dir, 'node_modules');
  mkdirSync(nm);
  for (const entry of readdirSync(join(REPO, 'node_modules'))) {
    if (entry.startsWith('.')) continue;
    symlinkSync(join(REPO, 'node_modules', entry), join(nm, entry));
  }
  symlinkSync(REPO, join(nm, 'tee-attest'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const node = JSON.stringify(process.execPath);
  writeExecutable(join(bin, 'tee-attest'), `#!/bin/sh\nexec ${node} ${JSON.stringify(join(REPO, 'dist/cli/main.js'))} "$@"\n`);
  writeExecutable(join(bin, 'dcap'), `#!/bin/sh\nexec ${node} ${JSON.stringify(join(REPO, 'dist/cli/main.js'))} "$@"\n`);
  writeExecutable(join(bin, 'tee-attest-sim'), `#!/bin/sh\nexec ${node} ${JSON.stringify(join(REPO, 'dist/simulator/bin.js'))} "$@"\n`);
  writeExecutable(
    join(bin, 'npx'),
    `#!/bin/sh
case "$1" in
  tee-attest|dcap|tee-attest-sim) exec "$@" ;;
  *) echo "snippet runner: npx $1 is not a bin of tee-attest (the runner downloads nothing)" >&2; exit 127 ;;
esac
`,
  );
  writeExecutable(
    join(bin, 'npm'),
    `#!/bin/sh
if [ "$1" = start ]; then cd ${JSON.stringify(REPO)} && exec sh -c "$(${node} -p 'require("./package.json").scripts.start')"; fi
echo "snippet runner: npm $* is not run by the doc snippets (mark the block skip with a reason)" >&2
exit 127
`,
  );
  return dir;
}

function slug(s: Snippet): string {
  return `${s.file.replace(/[^a-zA-Z0-9]+/g, '-')}-${s.line}`;
}

interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function runProcess(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[snippet runner] killed after ${SNIPPET_TIMEOUT_MS} ms`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, SNIPPET_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

async function runSnippet(s: Snippet): Promise<RunResult> {
  const dir = join(work, 'run', slug(s));
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(REPO, 'vectors'), join(dir, 'vectors'));
  symlinkSync(join(REPO, 'collateral'), join(dir, 'collateral'));
  const setup = s.setup === undefined ? undefined : SETUPS[s.setup];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(s.setup === undefined ? {} : started.get(s.setup)?.env),
    PATH: `${join(work, 'bin')}:${process.env['PATH'] ?? ''}`,
    HOME: dir,
    XDG_CACHE_HOME: join(dir, '.cache'),
    SNIPPET_VECTORS: join(REPO, 'vectors'),
    NO_COLOR: '1',
  };
  delete env['NODE_OPTIONS'];
  // Leading lines so that line N of the generated file is line N of the Markdown file.
  const pad = '\n'.repeat(s.line);
  const source = join(REPO, s.file);
  if (s.lang === 'sh') {
    const script = join(dir, 'snippet.sh');
    writeFileSync(script, pad + s.code);
    return runProcess('bash', ['-euo', 'pipefail', script], dir, env);
  }
  if (setup !== undefined) writeFileSync(join(dir, '__setup.mjs'), setup.prelude);
  const head = setup === undefined ? '' : "import './__setup.mjs';";
  const out = await transform(head + pad + s.code, {
    loader: s.lang,
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: source,
  });
  const file = join(dir, 'snippet.mjs');
  writeFileSync(file, out.code);
  return runProcess(process.execPath, ['--enable-source-maps', file], dir, env);
}

const runnable = SNIPPETS.filter((s) => s.skip === undefined);
const skipped = SNIPPETS.filter((s) => s.skip !== undefined);
const postgresMissing = (s: Snippet): boolean => s.setup !== undefined && SETUPS[s.setup]?.needsPostgres === true && !HAVE_POSTGRES && !CI;

beforeAll(async () => {
  if (!existsSync(join(REPO, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm ci runs it through prepare)');
  work = makeWorkspace();
  const needed = new Set(runnable.filter((s) => !postgresMissing(s)).map((s) => s.setup).filter((n): n is string => n !== undefined));
  for (const name of needed) {
    const setup = SETUPS[name];
    if (setup?.start === undefined) continue;
    if (setup.needsPostgres === true && !HAVE_POSTGRES) throw new Error(`setup=${name} needs PostgreSQL binaries (CI is set): apt-get install postgresql`);
    const dir = join(work, 'setup', name);
    mkdirSync(dir, { recursive: true });
    started.set(name, await setup.start({ repo: REPO, dir }));
  }
}, 120_000);

afterAll(async () => {
  for (const s of started.values()) await s.stop();
  const lines = skipped.map((s) => `  ${s.file}:${s.line} (${s.lang}): ${s.skip}`);
  console.log(`[doc snippets] ${SNIPPETS.length} snippets in ${DOCS.length} files: ${runnable.length} run, ${skipped.length} skipped by directive${lines.length > 0 ? `:\n${lines.join('\n')}` : ''}`);
  if (work !== '') rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('doc snippets', () => {
  it('every setup named by a directive exists; the skip list stays short', () => {
    for (const s of SNIPPETS) {
      if (s.setup !== undefined) expect(SETUPS[s.setup], `${s.file}:${s.line}: unknown setup=${s.setup} (known: ${Object.keys(SETUPS).join(', ')})`).toBeDefined();
    }
    expect(skipped.length, skipped.map((s) => `${s.file}:${s.line}`).join(', ')).toBeLessThanOrEqual(MAX_SKIPS);
    for (const s of skipped) expect(s.skip!.trim().length, `${s.file}:${s.line}: a skip needs a reason`).toBeGreaterThan(10);
    expect(runnable.length).toBeGreaterThan(10);
  });

  it('the ts snippets type-check against the published types (strict)', async () => {
    const dir = join(work, 'types');
    mkdirSync(dir, { recursive: true });
    const files = new Map<string, Snippet>();
    for (const s of runnable.filter((x) => x.lang === 'ts')) {
      const file = `${slug(s)}.ts`;
      files.set(file, s);
      // Same padding as at run time: line N of the file is line N of the Markdown.
      writeFileSync(join(dir, file), '\n'.repeat(s.line) + s.code + 'export {};\n');
    }
    writeFileSync(join(dir, 'globals.d.ts'), SNIPPET_GLOBALS);
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['types/*.ts'],
      }),
    );
    const r = await runProcess(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(work, 'tsconfig.json')], work, process.env);
    const errors = `${r.stdout}${r.stderr}`
      .split('\n')
      .filter((l) => l.includes('error TS'))
      .map((l) => {
        const m = /types\/([^(]+)\((\d+),\d+\): (.*)$/.exec(l);
        const s = m === null ? undefined : files.get(m[1]!);
        return s === undefined ? l : `${s.file}:${m![2]}: ${m![3]}`;
      });
    expect(errors).toEqual([]);
    expect(r.code).toBe(0);
  }, 180_000);

  for (const s of SNIPPETS) {
    const name = `${s.file}:${s.line} (${s.lang}${s.setup === undefined ? '' : `, setup=${s.setup}`})`;
    // A block marked `<!-- snippet: skip reason="..." -->` is not a test: it is listed (with its
    // reason) by the run's summary line and bounded by the 'skip list stays short' test above.
    if (s.skip !== undefined) continue;
    it.skipIf(postgresMissing(s))(name, async () => {
      const r = await runSnippet(s);
      if (r.code !== 0) {
        throw new Error(
          `${s.file}:${s.line}: the ${s.lang} snippet failed (exit ${r.code ?? r.signal})\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`,
        );
      }
    }, SNIPPET_TIMEOUT_MS + 10_000);
  }
});
