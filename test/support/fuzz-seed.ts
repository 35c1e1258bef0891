/**
 * Vitest setup file: every fast-check property in every test file runs with
 * the seed of test/fuzz/runs.ts (fixed by default, so `npm test` is
 * deterministic). fast-check's failure report names the seed
 * (`{ seed: N, path: "…" }`); replay it with FUZZ_SEED=N.
 */
import fc from 'fast-check';
import { fuzzSeed } from '../fuzz/runs.js';

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: fuzzSeed() });
