/**
 * Adversarial class (issue 19 §2): TLS renegotiation. A server presents the
 * attested certificate, the client verifies it and sends its startup
 * message; the server then renegotiates (TLS 1.2) to a non-attested
 * certificate and asks for the password. The client must send no application
 * byte after the renegotiation started: it refuses renegotiation and closes
 * (RaTlsRenegotiation). By default the RA-TLS client speaks TLS 1.3 only,
 * which has no renegotiation at all: a TLS 1.2-only server is refused at the
 * handshake with zero application bytes.
 */
import { createServer, createSecureContext, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createRaTlsConnector, type RaTlsConnectorOptions } from '../../src/postgres/connector.js';
import { rejectsWith } from '../support/codes.js';
import { sleep, tlsKeyOf } from '../postgres/support.js';
import { AT, victim, VICTIM_PINS } from './support.js';

const SECRET = '5e'.repeat(32);
const DSN = (port: number): string => `postgres://teesql_readwrite:${SECRET}@127.0.0.1:${port}/postgres`;
/** AuthenticationCleartextPassword: 'R', length 8, code 3. */
const ASK_PASSWORD = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]);

interface RenegotiatingServer {
  port: number;
  /** Application bytes read before / after the renegotiation started. */
  before: Buffer[];
  after: Buffer[];
  renegotiations: number;
  done: Promise<void>;
  close(): Promise<void>;
}

async function renegotiatingServer(): Promise<RenegotiatingServer> {
  const attested = tlsKeyOf(victim.getTlsKey({ subject: 'db', usage_ra_tls: true, usage_server_auth: true }));
  const plain = tlsKeyOf(victim.getTlsKey({ subject: 'impostor', usage_server_auth: true }));
  const impostor = createSecureContext({ key: plain.key, cert: plain.certificateChain.join('\n') });
  let finish!: () => void;
  const state = { before: [] as Buffer[], after: [] as Buffer[], renegotiations: 0, done: new Promise<void>((r) => (finish = r)) };
  const server = createServer(
    { key: attested.key, cert: attested.certificateChain.join('\n'), maxVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: false },
    (s: TLSSocket) => {
      let renegotiating = false;
      s.on('data', (b: Buffer) => {
        if (renegotiating) {
          state.after.push(b);
          s.destroy();
          return;
        }
        state.before.push(b);
        renegotiating = true;
        state.renegotiations++;
        // Switch to a certificate no quote binds, renegotiate, then ask for the password.
        (s as unknown as { setKeyCert(c: unknown): void }).setKeyCert(impostor);
        s.renegotiate({ requestCert: true, rejectUnauthorized: false }, (err) => {
          if (err === null || err === undefined) s.write(ASK_PASSWORD);
        });
      });
      s.on('error', () => undefined);
      s.on('close', () => finish());
    },
  );
  server.on('tlsClientError', () => finish());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(state, {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}

const options = (extra: Partial<RaTlsConnectorOptions> = {}): RaTlsConnectorOptions => ({
  verifier: victim.verifier(),
  clock: () => AT,
  ...VICTIM_PINS,
  clientCertificate: tlsKeyOf(victim.getTlsKey({ usage_ra_tls: true, usage_client_auth: true })),
  connectTimeoutMs: 10_000,
  ...extra,
});

describe('TLS renegotiation after the RA-TLS verification', () => {
  const servers: RenegotiatingServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('with allowTls12, a renegotiation is refused and no byte follows it', async () => {
    const server = await renegotiatingServer();
    servers.push(server);
    const client = createRaTlsConnector(options({ allowTls12: true })).createClient(DSN(server.port));
    await rejectsWith(client.connect(), 'RaTlsRenegotiation');
    await server.done;
    await sleep(20);
    expect(server.renegotiations).toBe(1);
    expect(Buffer.concat(server.before).length, 'the startup message, sent after verification').toBeGreaterThan(0);
    expect(Buffer.concat(server.after).length, 'application bytes after the renegotiation').toBe(0);
    expect(Buffer.concat([...server.before, ...server.after]).includes(Buffer.from(SECRET))).toBe(false);
  });

  it('by default (TLS 1.3 only) a TLS 1.2 server is refused at the handshake, zero application bytes', async () => {
    const server = await renegotiatingServer();
    servers.push(server);
    const client = createRaTlsConnector(options()).createClient(DSN(server.port));
    await rejectsWith(client.connect(), 'RaTlsConnect');
    await server.done;
    expect(Buffer.concat([...server.before, ...server.after]).length).toBe(0);
  });

  it('allowTls12 must be a boolean', () => {
    expect(() => createRaTlsConnector(options({ allowTls12: 'yes' as unknown as boolean }))).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
