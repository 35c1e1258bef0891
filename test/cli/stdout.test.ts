/**
 * The executable writes its standard output straight to fd 1 (no stream to
 * set up at process start, issue #15) and keeps the stream's behaviour where
 * it matters: output complete and in order through a pipe, and a reader that
 * goes away (`tee-attest samples | head -1`) ends the output quietly with the
 * command's own exit code, never an "Unhandled 'error'" stack trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve('dist/bin/tee-attest.cjs');

describe('tee-attest standard output', () => {
  it('is complete and identical through a pipe, run after run', () => {
    const a = spawnSync(process.execPath, [BIN, 'samples', '--json'], { encoding: 'utf8' });
    const b = spawnSync(process.execPath, [BIN, 'samples', '--json'], { encoding: 'utf8' });
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const parsed = JSON.parse(a.stdout) as unknown;
    expect(parsed).toBeTruthy();
  }, 60_000);

  it('a reader that is gone (closed pipe): no stack trace, the command\'s exit code', async () => {
    const child = spawn(process.execPath, [BIN, 'samples'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Close the read end before the child can write a byte (what `| head -1`
    // leaves behind): every write of the child meets EPIPE, whatever the timing.
    child.stdout.destroy();
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(stderr).not.toMatch(/Unhandled 'error'|EPIPE/);
    expect(code).toBe(0);
  }, 60_000);
});
