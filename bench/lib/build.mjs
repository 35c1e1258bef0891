/**
 * `npm run build` before benchmarking or measuring the bundle.
 *
 * tsc emits dist/ even when it reports type errors (noEmitOnError is off), so
 * a type error elsewhere in the tree (work in progress in another module)
 * does not stop a benchmark of the verification core: the run goes on, with a
 * warning, when tsc has rewritten the entry points during this build. Any
 * other build failure (nothing emitted) stops the run.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from './common.mjs';

const ENTRIES = ['dist/index.js', 'dist/node/index.js', 'dist/verify/verify-quote.js'];

export function ensureBuilt({ skip = false } = {}) {
  if (skip) {
    for (const e of ENTRIES) statSync(resolve(ROOT, e)); // throws when missing
    return { built: false, typeErrors: false };
  }
  const started = Date.now() - 1000;
  process.stdout.write('> npm run build\n');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status === 0) return { built: true, typeErrors: false };
  const emitted = ENTRIES.every((e) => {
    try {
      return statSync(resolve(ROOT, e)).mtimeMs >= started;
    } catch {
      return false;
    }
  });
  if (!emitted) {
    process.stderr.write(`npm run build failed (exit ${r.status}) and did not emit ${ENTRIES.join(', ')}\n`);
    process.exit(1);
  }
  process.stderr.write(
    '\nWARNING: tsc reported type errors (above) but emitted dist/; measuring the emitted code.\n\n',
  );
  return { built: true, typeErrors: true };
}
