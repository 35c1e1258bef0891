/**
 * The entry of the bundled executable (scripts/bundle-cli.mjs → dist/bin/cli.cjs,
 * run by dist/bin/tee-attest.cjs): `runMain` runs the command line of this
 * process; `runCli` runs any command line with the given I/O (the build uses it
 * to warm the code cache on sample commands).
 */
import { basename } from 'node:path';
import { runCli } from './run.js';

export { runCli };

/** Runs `process.argv` as a `tee-attest` (or `dcap`) command line and sets the exit code. */
export function runMain(): void {
  const invoked = basename(process.argv[1] ?? 'tee-attest').replace(/\.(c|m)?js$/, '');
  const program = invoked === 'dcap' ? 'dcap' : 'tee-attest';
  void runCli(process.argv.slice(2), {
    program,
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    // Read when a command asks (only the progress lines do): creating the
    // stderr stream costs process start otherwise.
    get stderrIsTTY() {
      return process.stderr.isTTY === true;
    },
    now: () => Math.floor(Date.now() / 1000),
  }).then((code) => {
    process.exitCode = code;
  });
}
