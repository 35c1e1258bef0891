#!/usr/bin/env node
/** `tee-attest-sim` executable: runs cli.ts until SIGINT / SIGTERM. */
import { runSimulatorCli } from './cli.js';

const stopped = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
const code = await runSimulatorCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stopped,
});
process.exit(code);
