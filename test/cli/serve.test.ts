/**
 * `tee-attest serve` as a real process: one ready line with its URL, the
 * service answering on it, a usage error for a bad flag, and a clean exit on
 * SIGINT. The service itself is tested in test/service/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

describe('tee-attest serve (real process)', () => {
  it('prints a ready line, serves /healthz, /certs and a token through the worker pool, exits 0 on SIGINT', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', '--collateral', join(ROOT, 'collateral'), '--at', '2025-07-01T00:00:00Z', '--workers', '2'], {
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
    // A real quote through the worker pool: dcap-qvl's TDX sample is UpToDate (vectors/dcap/README.md).
    const quote = readFileSync(join(ROOT, 'vectors', 'dcap', 'dcap-qvl', 'tdx_quote')).toString('base64');
    const res = await fetch(`${url}/appraisal/v2/attest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tdx: { quote } }) });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { tdx: { attester_tcb_status: string } };
    expect(claims.tdx.attester_tcb_status).toBe('UpToDate');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 30_000);

  it('--help names the command; an unknown flag is a usage error (exit 1)', () => {
    const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--signing-key FILE');
    const bad = spawnSync(process.execPath, [CLI, 'serve', '--bogus'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    const workers = spawnSync(process.execPath, [CLI, 'serve', '--collateral', join(ROOT, 'collateral'), '--workers', '0'], { encoding: 'utf8' });
    expect(workers.status).toBe(1);
    expect(workers.stderr).toContain('--workers takes a whole number');
    const noSource = spawnSync(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0'], { encoding: 'utf8' });
    expect(noSource.status).toBe(1);
    expect(noSource.stderr).toContain('give --pccs URL and / or --collateral DIR');
  });
});
