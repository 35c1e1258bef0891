import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listening } from '../../src/node/listen.js';

const open: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('listening', () => {
  it('resolves once the server listens on a TCP port', async () => {
    const s = createServer();
    open.push(s);
    await listening(s, { port: 0, host: '127.0.0.1' });
    expect(s.listening).toBe(true);
    expect((s.address() as AddressInfo).port).toBeGreaterThan(0);
    expect(s.listenerCount('error')).toBe(0);
  });

  it("rejects with the server's error when the port is taken, and leaves no listener behind", async () => {
    const a = createServer();
    open.push(a);
    await listening(a, { port: 0, host: '127.0.0.1' });
    const b = createServer();
    await expect(listening(b, { port: (a.address() as AddressInfo).port, host: '127.0.0.1' })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(b.listening).toBe(false);
    expect(b.listenerCount('error')).toBe(0);
  });

  it('listens on a Unix socket path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tee-attest-listen-'));
    try {
      const s = createServer();
      open.push(s);
      await listening(s, { path: join(dir, 's.sock') });
      expect(s.address()).toBe(join(dir, 's.sock'));
    } finally {
      await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
