#!/usr/bin/env node
/**
 * The `tee-attest` executable (also installed as `dcap`, an alias of the same
 * file). Commands, options, JSON shapes and exit codes: docs/cli.md.
 * Only the dispatcher loads here; each command's module (and its
 * dependencies, e.g. the HTTP client) loads when that command runs.
 */
import { basename } from 'node:path';
import { runCli } from './run.js';

const invoked = basename(process.argv[1] ?? 'tee-attest').replace(/\.(c|m)?js$/, '');
const program = invoked === 'dcap' ? 'dcap' : 'tee-attest';

runCli(process.argv.slice(2), {
  program,
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  stderrIsTTY: process.stderr.isTTY === true,
  now: () => Math.floor(Date.now() / 1000),
}).then((code) => {
  process.exitCode = code;
});
