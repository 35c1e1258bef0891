/**
 * raTlsConnectOptions + verifyTlsPeer (src/ratls/tls-helper.ts) against real
 * TLS servers on loopback: a simulator RA-TLS certificate, a rogue
 * self-signed certificate, a quote bound to another key, a TLS 1.2-only
 * server. The server records every application byte: a refused peer must
 * receive none.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { DstackSimulator, mintCa, mintRaTlsCertificate, p256Pkcs8Pem, randomKeyPair } from '../../src/simulator/index.js';
import { raTlsConnectOptions, verifyTlsPeer, type TlsPeerSocket } from '../../src/ra-tls/exports.js';
import { toHex } from '../../src/lib/bytes.js';
import { toPem } from '../../src/encode/pem.js';

const sim = new DstackSimulator({ label: 'tls-helper test' });
const verifier = sim.verifier();
const pins = { allowedMrtds: [sim.mrtd], allowedComposeHashes: [toHex(sim.composeHash)] };

interface Recorder {
  readonly port: number;
  readonly received: Buffer[];
  readonly server: Server;
}

const servers: Server[] = [];
const sockets: TLSSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function serve(key: string, certificateChain: readonly string[], extra: { maxVersion?: 'TLSv1.2' } = {}): Promise<Recorder> {
  const received: Buffer[] = [];
  const server = createServer({ key, cert: certificateChain.join('\n'), ...extra }, (s) => {
    s.on('data', (d: Buffer) => received.push(d));
    s.on('error', () => undefined);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, received, server };
}

async function open(port: number, options: Parameters<typeof raTlsConnectOptions>[0] = {}): Promise<TLSSocket> {
  const socket = connect({ host: '127.0.0.1', port, ...raTlsConnectOptions(options) });
  sockets.push(socket);
  await once(socket, 'secureConnect');
  return socket;
}

const codeOf = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e as { code?: string }).code ?? String(e),
  );

describe('raTlsConnectOptions', () => {
  it('hands certificate trust to verifyTlsPeer, TLS 1.3 only by default', () => {
    const o = raTlsConnectOptions();
    expect(o).toMatchObject({ rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    expect(o.checkServerIdentity()).toBeUndefined();
    expect(raTlsConnectOptions({ allowTls12: true }).minVersion).toBe('TLSv1.2');
  });
  it('refuses bad options with InvalidArgument', () => {
    expect(() => raTlsConnectOptions({ allowTls12: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => raTlsConnectOptions(null as unknown as object)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});

describe('verifyTlsPeer over a real loopback TLS connection', () => {
  it('accepts the simulator RA-TLS server and returns its claims; the socket stays usable', async () => {
    const k = sim.getTlsKey({ usage_ra_tls: true });
    const rec = await serve(k.key, k.certificate_chain);
    const socket = await open(rec.port);
    const v = await verifyTlsPeer(socket, { verifier, at: sim.at, ...pins });
    expect(v.claims?.composeHash).toBe(toHex(sim.composeHash));
    expect(v.result.mrtd).toBe(sim.mrtd);
    socket.write('hello');
    await new Promise<void>((r) => {
      const t = setInterval(() => {
        if (Buffer.concat(rec.received).toString() === 'hello') {
          clearInterval(t);
          r();
        }
      }, 5);
    });
    expect(socket.destroyed).toBe(false);
  });

  it('refuses a rogue self-signed certificate (no attestation): socket destroyed, the server got no byte', async () => {
    const ca = mintCa(randomKeyPair(), 'rogue', sim.at - 86400, sim.at + 86400);
    const key = randomKeyPair();
    const leaf = mintRaTlsCertificate({ key, ca, serial: Uint8Array.of(1, 2), subject: 'rogue', notBefore: sim.at - 86400, notAfter: sim.at + 86400, serverAuth: true, clientAuth: false });
    const rec = await serve(p256Pkcs8Pem(key), [toPem(leaf), ca.pem]);
    const socket = await open(rec.port);
    expect(await codeOf(verifyTlsPeer(socket, { verifier, at: sim.at, ...pins }))).toBe('RaTlsMissing');
    expect(socket.destroyed).toBe(true);
    expect(rec.received).toEqual([]);
  });

  it('refuses a genuine quote bound to another key (a certificate re-issued around a stolen quote)', async () => {
    const k = sim.getTlsKey({ usage_ra_tls: true }, { bindTo: randomKeyPair() });
    const rec = await serve(k.key, k.certificate_chain);
    const socket = await open(rec.port);
    expect(await codeOf(verifyTlsPeer(socket, { verifier, at: sim.at, ...pins }))).toBe('RaTlsBinding');
    expect(socket.destroyed).toBe(true);
  });

  it('applies the policy: another MRTD is a PolicyError', async () => {
    const k = sim.getTlsKey({ usage_ra_tls: true });
    const rec = await serve(k.key, k.certificate_chain);
    const socket = await open(rec.port);
    const e = await verifyTlsPeer(socket, { verifier, at: sim.at, ...pins, allowedMrtds: ['00'.repeat(48)] }).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'PolicyError', code: 'PolicyMeasurement' });
    expect(socket.destroyed).toBe(true);
  });

  it('refuses an unpinned peer (InvalidArgument) unless allowAnyTd, which warns', async () => {
    const k = sim.getTlsKey({ usage_ra_tls: true });
    const rec = await serve(k.key, k.certificate_chain);
    const socket = await open(rec.port);
    const e = await verifyTlsPeer(socket, { verifier, at: sim.at, allowedMrtds: [sim.mrtd] }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'InvalidArgument', evidence: { check: 'options.identityPins' } });
    expect(socket.destroyed).toBe(true);
    const warnings: string[] = [];
    const s2 = await open(rec.port);
    await verifyTlsPeer(s2, { verifier, at: sim.at, allowAnyTd: true, warn: (m) => warnings.push(m) });
    expect(warnings.join('')).toContain('allowAnyTd');
  });

  it('TLS 1.2-only server: the default connect options fail the handshake; a 1.2 session is refused unless allowTls12', async () => {
    const k = sim.getTlsKey({ usage_ra_tls: true });
    const rec = await serve(k.key, k.certificate_chain, { maxVersion: 'TLSv1.2' });
    const failing = connect({ host: '127.0.0.1', port: rec.port, ...raTlsConnectOptions() });
    sockets.push(failing);
    const [err] = (await once(failing, 'error')) as [Error & { code?: string }];
    expect(err.code).toMatch(/^ERR_SSL_/);

    const manual = connect({ host: '127.0.0.1', port: rec.port, ...raTlsConnectOptions({ allowTls12: true }) });
    sockets.push(manual);
    await once(manual, 'secureConnect');
    expect(manual.getProtocol()).toBe('TLSv1.2');
    const e = await verifyTlsPeer(manual, { verifier, at: sim.at, ...pins }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'RaTlsConnect', evidence: { check: 'ratls.tls.version', found: 'TLSv1.2' } });
    expect(manual.destroyed).toBe(true);

    const s3 = await open(rec.port, { allowTls12: true });
    await expect(verifyTlsPeer(s3, { verifier, at: sim.at, ...pins, allowTls12: true })).resolves.toMatchObject({ result: { mrtd: sim.mrtd } });
  });
});

describe('verifyTlsPeer on socket states a real connection rarely shows', () => {
  const fake = (over: Partial<TlsPeerSocket>): TlsPeerSocket & { destroyed: boolean } => {
    const s: TlsPeerSocket & { destroyed: boolean } = {
      destroyed: false,
      getPeerCertificate: () => ({ raw: new Uint8Array(0) }),
      getProtocol: () => 'TLSv1.3',
      isSessionReused: () => false,
      on: () => undefined,
      destroy: () => {
        s.destroyed = true;
      },
      ...over,
    };
    return s;
  };
  it('a resumed session is refused (no proof of key possession in this handshake)', async () => {
    const s = fake({ isSessionReused: () => true });
    expect(await codeOf(verifyTlsPeer(s, { verifier, ...pins }))).toBe('RaTlsConnect');
    expect(s.destroyed).toBe(true);
  });
  it('no peer certificate is RaTlsNoPeerCertificate; a handshake not yet done is RaTlsConnect', async () => {
    expect(await codeOf(verifyTlsPeer(fake({ getPeerCertificate: () => ({}) }), { verifier, ...pins }))).toBe('RaTlsNoPeerCertificate');
    expect(await codeOf(verifyTlsPeer(fake({ getProtocol: () => null }), { verifier, ...pins }))).toBe('RaTlsConnect');
  });
  it('a later handshake destroys the socket with RaTlsRenegotiation', async () => {
    const k = sim.getTlsKey({ usage_ra_tls: true });
    const rec = await serve(k.key, k.certificate_chain);
    const socket = await open(rec.port);
    await verifyTlsPeer(socket, { verifier, at: sim.at, ...pins });
    const errored = once(socket, 'error');
    socket.emit('secure');
    const [e] = (await errored) as [Error & { code?: string }];
    expect(e.code).toBe('RaTlsRenegotiation');
    expect(socket.destroyed).toBe(true);
  });
  it('a handshake while the verification runs fails it with RaTlsRenegotiation (promise rejects, no error event)', async () => {
    const k = sim.getTlsKey({ usage_ra_tls: true });
    const rec = await serve(k.key, k.certificate_chain);
    const socket = await open(rec.port);
    const errors: Error[] = [];
    socket.on('error', (e) => errors.push(e));
    const midway = {
      name: 'renegotiating',
      verify: async (quote: Uint8Array, o?: Parameters<typeof verifier.verify>[1]) => {
        socket.emit('secure'); // as Node does when the server renegotiates
        return verifier.verify(quote, o);
      },
    };
    expect(await codeOf(verifyTlsPeer(socket, { verifier: midway, at: sim.at, ...pins }))).toBe('RaTlsRenegotiation');
    expect(socket.destroyed).toBe(true);
    expect(errors).toEqual([]);
    expect(rec.received).toEqual([]);
  });

  it('bad arguments are InvalidArgument', async () => {
    expect(await codeOf(verifyTlsPeer(null as unknown as TlsPeerSocket, { verifier, ...pins }))).toBe('InvalidArgument');
    expect(await codeOf(verifyTlsPeer(fake({}), null as unknown as { verifier: typeof verifier }))).toBe('InvalidArgument');
  });
});
