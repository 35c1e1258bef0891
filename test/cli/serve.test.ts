/**
 * `tee-attest serve` as a real process: one ready line with its URL, the
 * service answering on it, a usage error for a bad flag, and a clean exit on
 * SIGINT. The service itself is tested in test/service/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

describe('tee-attest serve (real process)', () => {
  it('prints a ready line, serves /healthz and /certs, exits 0 on SIGINT', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', '--collateral', join(ROOT, 'collateral'), '--at', '2025-07-19T10:00:00Z'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    let out = '';
    const ready = await new Promise<string>((ok, fail) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) ok(out.slice(0, out.indexOf('\n')));
      });
      void exited.then((code) => fail(new Error(`serve exited ${code} before its ready line`)));
    });
    expect(ready).toMatch(/^tee-attest serve: ready at http:\/\/127\.0\.0\.1:\d+ \(no API key configured: loopback clients only\)$/);
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(ready)![1]!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const jwks = (await (await fetch(`${url}/certs`)).json()) as { keys: { kty: string; kid: string }[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    expect(jwks.keys[0]!.kid).toMatch(/^[A-Za-z0-9_-]{43}$/); // RFC 7638 thumbprint, base64url SHA-256
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 30_000);

  it('--help names the command; an unknown flag is a usage error (exit 1)', () => {
    const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--signing-key FILE');
    const bad = spawnSync(process.execPath, [CLI, 'serve', '--bogus'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    const noSource = spawnSync(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0'], { encoding: 'utf8' });
    expect(noSource.status).toBe(1);
    expect(noSource.stderr).toContain('give --pccs URL and / or --collateral DIR');
  });
});
