/**
 * The gate of the suites that run the built package (dist/, the bundled
 * executable). `npm test` builds before vitest runs, so there they always
 * run. Run alone without a build, they are skipped with a message, unless CI
 * is set: then a failing test names what is missing.
 */
import { existsSync } from 'node:fs';
import { it } from 'vitest';
import { CI } from './ci.js';

/** True when the suite that needs `path` is to be skipped: `path` is missing and CI is not set. */
export function skipWithoutBuild(path: string, area: string): boolean {
  if (existsSync(path)) return false;
  if (CI) {
    // A failed test (not only a skipped suite), so the run's counts show it.
    it(`${path} is built (required when CI is set)`, () => {
      throw new Error(`CI is set and ${path} is missing: run npm run build (npm test does) before vitest`);
    });
  } else {
    console.warn(`[${area}] SKIPPED: ${path} not found; run npm run build first (with CI set this is a failure).`);
  }
  return true;
}
