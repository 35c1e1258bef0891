#!/usr/bin/env node
/**
 * The `tee-attest` executable (also installed as `dcap`, an alias of the same
 * file). Commands, options, JSON shapes and exit codes: docs/cli.md.
 * Only the dispatcher loads here; each command's module (and its
 * dependencies, e.g. the HTTP client) loads when that command runs.
 * `npm run build` replaces dist/cli/main.js with a stub that runs the bundled
 * executable (dist/bin/tee-attest.cjs, scripts/bundle-cli.mjs); this module
 * is the same program unbundled.
 */
import { runMain } from './bin.js';

runMain();
