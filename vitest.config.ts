import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.slow.test.ts', 'node_modules/**'],
    testTimeout: 60_000,
    setupFiles: ['./test/support/fuzz-seed.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
