/**
 * Test servers standing in for an RA-TLS sidecar (TLS with a simulator's
 * RA-TLS certificate): they record every application byte they read and
 * answer per `mode`.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import type { DstackTlsKey } from '../../src/postgres/guest-agent.js';

export type Mode = 'echo' | 'silent' | 'sink' | 'reply-after-end' | 'paused-echo';

export interface TestSidecar {
  readonly port: number;
  connections: number;
  handshakes: number;
  /** Application bytes read, all connections. */
  bytes: number;
  /** SHA-256 of the bytes read per connection, once it ended. */
  readonly digests: string[];
  /** Live TCP sockets. */
  readonly live: Set<Socket>;
  /** Resume paused connections ('paused-echo'). */
  resumeAll(): void;
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestSidecar(key: DstackTlsKey, mode: Mode): Promise<TestSidecar> {
  const live = new Set<Socket>();
  const paused: TLSSocket[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer({ key: key.key, cert: key.certificateChain.join('\n'), requestCert: true, rejectUnauthorized: false, allowHalfOpen: mode !== 'silent' });
  const t: TestSidecar = {
    port: 0,
    connections: 0,
    handshakes: 0,
    bytes: 0,
    digests: [],
    live,
    resumeAll: () => {
      for (const s of paused.splice(0)) s.resume();
    },
    allClosed: () => (live.size === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of live) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (s: Socket) => {
    t.connections++;
    live.add(s);
    s.on('close', () => {
      live.delete(s);
      if (live.size === 0) for (const w of waiters.splice(0)) w();
    });
  });
  // A client that hangs up mid-handshake: close our side too (allowHalfOpen would keep it).
  server.on('tlsClientError', (_e, tls) => tls.destroy());
  server.on('secureConnection', (s: TLSSocket) => {
    t.handshakes++;
    s.on('error', () => undefined);
    const h = createHash('sha256');
    if (mode === 'paused-echo') {
      s.pause();
      paused.push(s);
    }
    s.on('data', (b: Buffer) => {
      t.bytes += b.length;
      h.update(b);
      if (mode === 'echo' || mode === 'paused-echo') {
        if (!s.write(b)) s.pause();
      }
    });
    s.on('drain', () => s.resume());
    s.on('end', () => {
      const d = h.digest('hex');
      t.digests.push(d);
      if (mode === 'reply-after-end') s.end(`got ${d}`);
      else s.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (t as { port: number }).port = (server.address() as AddressInfo).port;
  return t;
}

/** Counts of live socket-like handles (TCP, pipes, TLS) in this process. */
export function socketHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => /TCP|Pipe|TLS/i.test(r)).length;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
