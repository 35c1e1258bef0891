import { defineConfig } from 'vitest/config';

/** `npm run test:fuzz`: the long property / fuzz / mutation runs (FUZZ_RUNS scales them). */
export default defineConfig({
  test: {
    include: ['test/**/*.slow.test.ts'],
    testTimeout: 600_000,
    setupFiles: ['./test/support/fuzz-seed.ts'],
    // Explore: a fresh seed per file unless FUZZ_SEED replays one.
    env: { FUZZ_EXPLORE: '1' },
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
