/**
 * The entry of the bundled executable (scripts/bundle-cli.mjs → dist/bin/cli.cjs,
 * run by dist/bin/tee-attest.cjs): `runMain` runs the command line of this
 * process; `runCli` runs any command line with the given I/O (the build uses it
 * to warm the code cache on sample commands).
 */
import { writeSync } from 'node:fs';
import { basename } from 'node:path';
import { runCli } from './run.js';

export { runCli };

/**
 * Standard output without creating the `process.stdout` stream (about 1.5 ms
 * of a short process): whole writes to fd 1 while they succeed. A reader that
 * went away (EPIPE: `tee-attest samples | head -1`) ends the output quietly
 * instead of a stack trace. On a would-block or any other error, the
 * unwritten rest and every later write go through `process.stdout`, so the
 * order holds.
 */
function stdoutWriter(): (s: string) => void {
  let mode: 'fd' | 'stream' | 'closed' = 'fd';
  const closed = (e: unknown): boolean => (e as { code?: string } | null)?.code === 'EPIPE';
  return (s) => {
    if (mode === 'closed') return;
    if (mode === 'fd') {
      const bytes = Buffer.from(s, 'utf8');
      let done = 0;
      try {
        while (done < bytes.length) done += writeSync(1, bytes, done, bytes.length - done);
        return;
      } catch (e) {
        if (closed(e)) {
          mode = 'closed';
          return;
        }
        mode = 'stream';
        process.stdout.on('error', (err) => {
          if (!closed(err)) throw err;
          mode = 'closed';
        });
        if (done < bytes.length) process.stdout.write(bytes.subarray(done));
        return;
      }
    }
    process.stdout.write(s);
  };
}

/** Runs `process.argv` as a `tee-attest` (or `dcap`) command line and sets the exit code. */
export function runMain(): void {
  const invoked = basename(process.argv[1] ?? 'tee-attest').replace(/\.(c|m)?js$/, '');
  const program = invoked === 'dcap' ? 'dcap' : 'tee-attest';
  void runCli(process.argv.slice(2), {
    program,
    stdout: stdoutWriter(),
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
