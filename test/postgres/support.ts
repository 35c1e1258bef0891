/**
 * Shared pieces of the Postgres-over-RA-TLS tests: the PostgreSQL gate (skip
 * locally without binaries, fail under CI), recording servers that see what
 * a client sends, and small adapters.
 */
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { DstackTlsKey } from '../../src/postgres/guest-agent.js';
import { CI } from '../support/ci.js';
import { findPostgresBinDir } from '../../src/simulator/postgres-cluster.js';
import type { SimTlsKeyResponse } from '../../src/simulator/simulator.js';
import type { RaTlsVerifier, RaTlsVerifyOptions, VerificationResult } from '../../src/verifier/types.js';

export const PG_BIN = findPostgresBinDir();
/** Skip the PostgreSQL suites locally when no binaries exist; under CI they must run. */
export const SKIP_POSTGRES = PG_BIN === undefined && !CI;
if (SKIP_POSTGRES) {
  console.warn(
    '[test/postgres] SKIPPED: PostgreSQL binaries (initdb, postgres) not found (looked in $PG_BIN, /usr/lib/postgresql/*/bin, PATH). ' +
      'Install PostgreSQL (apt-get install postgresql) to run the end-to-end tests; with CI set they fail instead.',
  );
}
export function requirePostgres(): string {
  if (PG_BIN === undefined) throw new Error('CI is set but PostgreSQL binaries (initdb, postgres) are not installed');
  return PG_BIN;
}

export const tlsKeyOf = (k: SimTlsKeyResponse): DstackTlsKey => ({ key: k.key, certificateChain: k.certificate_chain });

/**
 * A verifier wrapper counting calls; `fail` makes it reject with that error;
 * `hold()` makes calls wait (counted on entry) until the returned release.
 */
export class CountingVerifier implements RaTlsVerifier {
  readonly name: string;
  calls = 0;
  fail: Error | undefined;
  #gate: Promise<void> | undefined;
  constructor(readonly inner: RaTlsVerifier) {
    this.name = `counting:${inner.name}`;
  }
  hold(): () => void {
    let release!: () => void;
    this.#gate = new Promise<void>((r) => (release = r));
    return () => {
      this.#gate = undefined;
      release();
    };
  }
  async verify(quote: Uint8Array, options?: RaTlsVerifyOptions): Promise<VerificationResult> {
    this.calls++;
    if (this.#gate !== undefined) await this.#gate;
    if (this.fail !== undefined) throw this.fail;
    return this.inner.verify(quote, options);
  }
}

/** Rewrites the inner verifier's expiresAt (undefined: none). */
export class ExpiringVerifier implements RaTlsVerifier {
  readonly name = 'expiring';
  constructor(
    readonly inner: RaTlsVerifier,
    readonly expiresAt: number | undefined,
  ) {}
  async verify(quote: Uint8Array, options?: RaTlsVerifyOptions): Promise<VerificationResult> {
    const { expiresAt: _drop, ...r } = await this.inner.verify(quote, options);
    return this.expiresAt === undefined ? r : { ...r, expiresAt: this.expiresAt };
  }
}

export interface Recording {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Raw TCP connections accepted. */
  connections: number;
  /** TLS handshakes completed (recording TLS server). */
  handshakes: number;
  /** Every application byte read after TLS (recording TLS server), or every raw byte (raw server). */
  readonly bytes: Buffer[];
  /** Resolves when every accepted connection has closed. */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

function track(server: Server, rec: { connections: number }, sockets: Set<Socket>, waiters: (() => void)[]): void {
  server.on('connection', (s: Socket) => {
    rec.connections++;
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      if (sockets.size === 0) for (const w of waiters.splice(0)) w();
    });
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function recordingOf(server: Server, port: number, sockets: Set<Socket>, waiters: (() => void)[], rec: { connections: number; handshakes: number; bytes: Buffer[] }): Recording {
  return Object.assign(rec, {
    host: '127.0.0.1' as const,
    port,
    allClosed: () => (sockets.size === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

/**
 * A MITM: terminates TLS with `key` (any certificate) and records every
 * application byte it reads. It never answers (with `hangUpAfterBytes`, it
 * hangs up after the first bytes).
 */
export async function recordingTlsServer(key: DstackTlsKey, options: { requestCert?: boolean; hangUpAfterBytes?: boolean } = {}): Promise<Recording> {
  const rec = { connections: 0, handshakes: 0, bytes: [] as Buffer[] };
  const sockets = new Set<Socket>();
  const waiters: (() => void)[] = [];
  const server = createTlsServer({ key: key.key, cert: key.certificateChain.join('\n'), requestCert: options.requestCert ?? true, rejectUnauthorized: false });
  track(server, rec, sockets, waiters);
  server.on('tlsClientError', () => undefined);
  server.on('secureConnection', (t: TLSSocket) => {
    rec.handshakes++;
    t.on('data', (b: Buffer) => {
      rec.bytes.push(b);
      if (options.hangUpAfterBytes === true) t.destroy();
    });
    t.on('error', () => undefined);
  });
  const port = await listen(server);
  return recordingOf(server, port, sockets, waiters, rec);
}

/** A plain TCP server recording the raw bytes a client sends first, then hanging up. */
export async function recordingRawServer(): Promise<Recording> {
  const rec = { connections: 0, handshakes: 0, bytes: [] as Buffer[] };
  const sockets = new Set<Socket>();
  const waiters: (() => void)[] = [];
  const server = createNetServer((s) => {
    s.once('data', (b: Buffer) => {
      rec.bytes.push(b);
      s.destroy();
    });
    s.on('error', () => undefined);
  });
  track(server, rec, sockets, waiters);
  const port = await listen(server);
  return recordingOf(server, port, sockets, waiters, rec);
}

/** The SNI host name of a TLS ClientHello record, or undefined. */
export function sniOf(hello: Buffer): string | undefined {
  // record(5) handshake type(1) len(3) version(2) random(32)
  let i = 5 + 4 + 2 + 32;
  const sid = hello[i]!;
  i += 1 + sid;
  const suites = hello.readUInt16BE(i);
  i += 2 + suites;
  const comp = hello[i]!;
  i += 1 + comp;
  const extEnd = i + 2 + hello.readUInt16BE(i);
  i += 2;
  while (i + 4 <= extEnd) {
    const type = hello.readUInt16BE(i);
    const len = hello.readUInt16BE(i + 2);
    if (type === 0) {
      // server_name_list len(2) type(1)=0 name len(2) name
      const nameLen = hello.readUInt16BE(i + 4 + 3);
      return hello.subarray(i + 4 + 5, i + 4 + 5 + nameLen).toString('ascii');
    }
    i += 4 + len;
  }
  return undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
