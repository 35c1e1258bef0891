/**
 * The RA-TLS forwarder against RA-TLS test sidecars (simulator certificates,
 * DCAP-verified quotes under the fake Intel PKI): option rules, relay with
 * backpressure and half-close, refusals with zero bytes upstream and
 * downstream, pinning on exact bytes, limits, timeouts, drain, Unix socket,
 * handle counting, and the command's output.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRaTlsForwarder, type ForwarderEvent, type RaTlsForwarderOptions } from '../../src/forward/forwarder.js';
import { runForwardCommand } from '../../src/forward/command.js';
import { requireIdentityPins } from '../../src/ra-tls/identity-pins.js';
import { serveGuestAgent, type AgentServer } from '../../src/simulator/agent.js';
import { DstackSimulator } from '../../src/simulator/simulator.js';
import { keyPairFromLabel } from '../../src/encode/keys.js';
import { toHex } from '../../src/lib/bytes.js';
import { rejectsWith, throwsWith } from '../ra-tls/helpers.js';
import { CountingVerifier, ExpiringVerifier, tlsKeyOf } from '../postgres/support.js';
import { parseCertificateFields } from '../../src/ra-tls/certificate-fields.js';
import { socketHandles, sleep, startTestSidecar, type TestSidecar } from './support.js';

const AT = Math.floor(Date.now() / 1000);
const serverSim = new DstackSimulator({ at: AT, appId: 'aa'.repeat(20), composeHash: 'a1'.repeat(32), appName: 'db' });
const clientSim = new DstackSimulator({ at: AT, appId: 'cc'.repeat(20), composeHash: 'c1'.repeat(32), appName: 'app' });
const serverKey = tlsKeyOf(serverSim.getTlsKey({ subject: 'db', usage_ra_tls: true, usage_server_auth: true }));
const clientKey = tlsKeyOf(clientSim.getTlsKey({ subject: 'app', usage_ra_tls: true, usage_client_auth: true }));

const sidecars: TestSidecar[] = [];
let dir: string;
async function sidecar(mode: Parameters<typeof startTestSidecar>[1], key = serverKey): Promise<TestSidecar> {
  const s = await startTestSidecar(key, mode);
  sidecars.push(s);
  return s;
}

function options(port: number, extra: Partial<RaTlsForwarderOptions> = {}): RaTlsForwarderOptions {
  return {
    target: `127.0.0.1:${port}`,
    verifier: serverSim.verifier(),
    allowedMrtds: [serverSim.mrtd],
    allowedComposeHashes: [toHex(serverSim.composeHash)],
    clientCertificate: clientKey,
    handshakeTimeoutMs: 15_000,
    ...extra,
  };
}

/** Connects to the forwarder, sends `payload` (then ends when asked), collects everything until close. */
function exchange(target: { port?: number; path?: string }, payload: Buffer, end = true): Promise<{ data: Buffer; socket: Socket }> {
  return new Promise((resolve) => {
    const s = target.path !== undefined ? connect(target.path) : connect(target.port!, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('error', () => undefined);
    s.on('connect', () => {
      s.write(payload);
      if (end) s.end();
    });
    s.on('data', (b: Buffer) => chunks.push(b));
    s.on('close', () => resolve({ data: Buffer.concat(chunks), socket: s }));
  });
}

const portOf = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tee-attest-fwd-'));
});
afterAll(async () => {
  for (const s of sidecars) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('createRaTlsForwarder: options and secure defaults', () => {
  it('refuses to start without identity pins (platform AND application) unless allowAnyTd, which warns', async () => {
    const base = { target: '127.0.0.1:1', verifier: serverSim.verifier(), clientCertificate: clientKey };
    await rejectsWith(createRaTlsForwarder(base), 'InvalidArgument');
    await rejectsWith(createRaTlsForwarder({ ...base, allowedMrtds: [serverSim.mrtd] }), 'InvalidArgument');
    await rejectsWith(createRaTlsForwarder({ ...base, allowedComposeHashes: ['a1'.repeat(32)] }), 'InvalidArgument');
    const warnings: string[] = [];
    const f = await createRaTlsForwarder({ ...base, allowAnyTd: true, warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/allowAnyTd/);
    await f.close();
    throwsWith(() => requireIdentityPins({ allowedOsImageHashes: [], allowedAppIds: [] }, 'x'), 'InvalidArgument'); // an empty list is never a pin
    throwsWith(() => requireIdentityPins({ allowedAppIds: [] }, 'x'), 'InvalidArgument');
  });

  it('validates addresses, limits and the client certificate at the boundary (InvalidArgument)', async () => {
    const bad: Partial<RaTlsForwarderOptions>[] = [
      { target: 'no-port' as never },
      { target: '127.0.0.1:0' },
      { target: '[notv6]:5433' },
      { listen: '127.0.0.1:70000' },
      { listen: { path: join(dir, 's'), mode: 0o666 } },
      { maxConnections: 0 },
      { idleTimeoutMs: -1 },
      { handshakeTimeoutMs: 1.5 },
      { clientCertificate: { key: 'x' } as never },
      { pinning: { ttlSeconds: 0 } },
      { pinning: 60 as never },
      { clock: 5 as never },
      { servername: 5 as never },
      { clientCertificateRenewBeforeSeconds: 0 },
      { guestAgent: { env: {}, socketPaths: [] } }, // an empty list would probe nothing: refused as the connector refuses it
      { clientCertificateRequest: { subject: 5 as never } },
    ];
    for (const extra of bad) await rejectsWith(createRaTlsForwarder(options(1, extra)), 'InvalidArgument');
    await rejectsWith(createRaTlsForwarder(options(1, { clientCertificate: undefined, guestAgent: { env: {}, socketPaths: [join(dir, 'no-dstack.sock')] } })), 'MissingDstackSocket');
  });

  it('listens on loopback only unless allowNonLoopback, which warns why that is dangerous', async () => {
    await rejectsWith(createRaTlsForwarder(options(1, { listen: '0.0.0.0:0' })), 'InvalidArgument');
    const warnings: string[] = [];
    const events: ForwarderEvent[] = [];
    const f = await createRaTlsForwarder(options(1, { listen: '0.0.0.0:0', allowNonLoopback: true, warn: (m) => warnings.push(m), onEvent: (e) => events.push(e) }));
    expect(warnings.join('\n')).toMatch(/ANY host that can reach this port/);
    expect(events[0]?.type).toBe('warning');
    await f.close();
  });
});

describe('createRaTlsForwarder: relay', () => {
  it('verifies the sidecar, then relays both ways; a client half-close still gets the reply', async () => {
    const sc = await sidecar('reply-after-end');
    const events: ForwarderEvent[] = [];
    const f = await createRaTlsForwarder(options(sc.port, { onEvent: (e) => events.push(e) }));
    const payload = Buffer.from('hello sidecar');
    const { data } = await exchange({ port: portOf(f.address) }, payload);
    expect(data.toString()).toBe(`got ${createHash('sha256').update(payload).digest('hex')}`);
    await f.close();
    const verified = events.find((e) => e.type === 'verified');
    expect(verified).toMatchObject({ type: 'verified', id: 1, pinned: false, mrtd: serverSim.mrtd, composeHash: toHex(serverSim.composeHash), appId: toHex(serverSim.appId) });
    expect(events.at(-1)).toMatchObject({ type: 'closed', reason: 'end', bytesUp: payload.length });
    expect(f.stats).toMatchObject({ accepted: 1, verified: 1, refused: 0, active: 0 });
  });

  it('48 MiB both ways through a sidecar that stalls first: intact, half-closed, and backpressure bounds what the forwarder queues', async () => {
    const sc = await sidecar('paused-echo');
    const f = await createRaTlsForwarder(options(sc.port));
    const payload = randomBytes(48 * 1024 * 1024);
    const p = exchange({ port: portOf(f.address) }, payload);
    while (sc.handshakes === 0) await sleep(10);
    await sleep(300); // the client writes into a stalled pipe meanwhile
    sc.resumeAll();
    const { data } = await p;
    expect(createHash('sha256').update(data).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
    expect(f.stats.peakQueuedBytes).toBeLessThan(1024 * 1024);
    expect(f.stats).toMatchObject({ bytesUp: payload.length, bytesDown: payload.length });
    await f.close();
  });

  it('50 concurrent clients through one forwarder, all connected at once, each verified and relayed', async () => {
    const sc = await sidecar('echo');
    const f = await createRaTlsForwarder(options(sc.port, { pinning: { ttlSeconds: 60 } }));
    const port = portOf(f.address);
    const sockets = await Promise.all(
      Array.from({ length: 50 }, (_, i) => new Promise<Socket>((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        s.once('data', () => resolve(s));
        s.write(`hello ${i}`);
      })),
    );
    expect(f.stats.active).toBe(50);
    expect(sc.live.size).toBe(50);
    const replies = await Promise.all(sockets.map((s, i) => new Promise<string>((resolve) => {
      const got: Buffer[] = [];
      s.on('data', (b: Buffer) => got.push(b));
      s.on('close', () => resolve(Buffer.concat(got).toString()));
      s.end(` bye ${i}`);
    })));
    replies.forEach((r, i) => expect(r.endsWith(`bye ${i}`)).toBe(true));
    await f.close();
    expect(f.stats).toMatchObject({ accepted: 50, verified: 50, refused: 0, active: 0 });
  });

  it('reuses a verification only for the same certificate bytes (pinning), each connection still verified', async () => {
    const sc = await sidecar('echo');
    const verifier = new CountingVerifier(serverSim.verifier());
    const events: ForwarderEvent[] = [];
    const f = await createRaTlsForwarder(options(sc.port, { verifier, pinning: { ttlSeconds: 60 }, onEvent: (e) => events.push(e) }));
    for (let i = 0; i < 3; i++) await exchange({ port: portOf(f.address) }, Buffer.from(`#${i}`));
    await f.close();
    expect(verifier.calls).toBe(1);
    expect(events.filter((e) => e.type === 'verified').map((e) => (e as { pinned: boolean }).pinned)).toEqual([false, true, true]);
    // Another certificate (a new key from the same TD) is verified in full.
    const sc2 = await sidecar('echo', tlsKeyOf(serverSim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true })));
    const f2 = await createRaTlsForwarder(options(sc2.port, { verifier, pinning: { ttlSeconds: 60 } }));
    await exchange({ port: portOf(f2.address) }, Buffer.from('x'));
    await f2.close();
    expect(verifier.calls).toBe(2);
  });
});

describe('createRaTlsForwarder: the connector\'s verification and result cache (RaTlsPeerHost)', () => {
  const verifiedPins = (events: ForwarderEvent[]): boolean[] => events.filter((e) => e.type === 'verified').map((e) => (e as { pinned: boolean }).pinned);

  it('caches results by default for 1 hour, as the connector; pinning: false verifies every connection', async () => {
    const sc = await sidecar('echo');
    const clock = { t: AT };
    const verifier = new CountingVerifier(serverSim.verifier());
    const events: ForwarderEvent[] = [];
    const f = await createRaTlsForwarder(options(sc.port, { verifier, clock: () => clock.t, onEvent: (e) => events.push(e) }));
    await exchange({ port: portOf(f.address) }, Buffer.from('a'));
    clock.t = AT + 3599;
    await exchange({ port: portOf(f.address) }, Buffer.from('b'));
    clock.t = AT + 3600;
    await exchange({ port: portOf(f.address) }, Buffer.from('c'));
    await f.close();
    expect(verifiedPins(events)).toEqual([false, true, false]);
    expect(verifier.calls).toBe(2);
    const off = new CountingVerifier(serverSim.verifier());
    const f2 = await createRaTlsForwarder(options(sc.port, { verifier: off, pinning: false }));
    for (let i = 0; i < 2; i++) await exchange({ port: portOf(f2.address) }, Buffer.from(`#${i}`));
    await f2.close();
    expect(off.calls).toBe(2);
  });

  it("never past the certificate's notAfter, whatever the TTL", async () => {
    const sc = await sidecar('echo');
    const notAfter = parseCertificateFields(serverKey.certificateChain[0]!).notAfter;
    const clock = { t: AT };
    const verifier = new CountingVerifier(new ExpiringVerifier(serverSim.verifier(), undefined));
    const events: ForwarderEvent[] = [];
    const f = await createRaTlsForwarder(options(sc.port, { verifier, clock: () => clock.t, pinning: { ttlSeconds: 10 * 365 * 86_400 }, onEvent: (e) => events.push(e) }));
    await exchange({ port: portOf(f.address) }, Buffer.from('a'));
    clock.t = notAfter - 1;
    await exchange({ port: portOf(f.address) }, Buffer.from('b'));
    clock.t = notAfter;
    await exchange({ port: portOf(f.address) }, Buffer.from('c')); // verified in full again (whatever its outcome)
    await f.close();
    expect(verifier.calls).toBe(2);
    expect(verifiedPins(events).slice(0, 2)).toEqual([false, true]);
    expect(verifiedPins(events).filter((p) => p)).toHaveLength(1); // the connection at notAfter was no cache hit
  });

  it('allowSimulator: unverified results are never cached, and the warning on every connection goes to `warn`', async () => {
    const plain = tlsKeyOf(serverSim.getTlsKey({ subject: 'dev sidecar', usage_server_auth: true }));
    const sc = await sidecar('echo', plain);
    const warnings: string[] = [];
    const events: ForwarderEvent[] = [];
    const f = await createRaTlsForwarder(
      options(sc.port, {
        allowedMrtds: undefined,
        allowedComposeHashes: undefined,
        allowSimulator: true,
        allowAnyTd: true,
        warn: (m) => warnings.push(m),
        onEvent: (e) => events.push(e),
      }),
    );
    for (let i = 0; i < 2; i++) await exchange({ port: portOf(f.address) }, Buffer.from(`#${i}`));
    await f.close();
    expect(verifiedPins(events)).toEqual([false, false]);
    expect(warnings.filter((w) => /NO TDX quote/.test(w))).toHaveLength(2);
  });
});

describe('createRaTlsForwarder: refusals send nothing', () => {
  const rogues: [string, () => { key: ReturnType<typeof tlsKeyOf>; verifier: ReturnType<DstackSimulator['verifier']> }, string][] = [
    ['wrong compose hash', () => {
      const sim = new DstackSimulator({ at: AT, composeHash: 'b2'.repeat(32) });
      return { key: tlsKeyOf(sim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true })), verifier: sim.verifier() };
    }, 'PolicyMeasurement'],
    ['unbound certificate', () => ({
      key: tlsKeyOf(serverSim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true }, { bindTo: keyPairFromLabel('the real sidecar key') })),
      verifier: serverSim.verifier(),
    }), 'RaTlsBinding'],
    ['debug TD', () => {
      const sim = new DstackSimulator({ at: AT, debug: true, composeHash: 'a1'.repeat(32) });
      return { key: tlsKeyOf(sim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true })), verifier: sim.verifier() };
    }, 'PolicyDebug'],
  ];
  for (const [name, make, code] of rogues) {
    it(`${name}: refused with ${code}; the sidecar reads zero bytes and the client gets zero bytes`, async () => {
      const { key, verifier } = make();
      const sc = await sidecar('silent', key);
      const events: ForwarderEvent[] = [];
      const f = await createRaTlsForwarder(options(sc.port, { verifier, onEvent: (e) => events.push(e) }));
      const { data } = await exchange({ port: portOf(f.address) }, Buffer.from('startup message with a password'), false);
      await sc.allClosed();
      await f.close();
      expect(data.length).toBe(0);
      expect(sc.bytes).toBe(0);
      expect(events.find((e) => e.type === 'refused')).toMatchObject({ type: 'refused', code });
      expect(f.stats).toMatchObject({ refused: 1, verified: 0, bytesUp: 0, bytesDown: 0 });
    });
  }
});

describe('createRaTlsForwarder: refusal log', () => {
  it('without onEvent, a refusal is logged through warn with its code', async () => {
    const debugSim = new DstackSimulator({ at: AT, debug: true, composeHash: 'a1'.repeat(32) });
    const sc = await sidecar('silent', tlsKeyOf(debugSim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true })));
    const warnings: string[] = [];
    const f = await createRaTlsForwarder(options(sc.port, { verifier: debugSim.verifier(), warn: (m) => warnings.push(m) }));
    await exchange({ port: portOf(f.address) }, Buffer.from('x'), false);
    await f.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^tee-attest forward: #1 127\.0\.0\.1:\d+ refused PolicyDebug: /);
    expect(sc.bytes).toBe(0);
  });
});

describe('createRaTlsForwarder: limits, timeouts, close, handles', () => {
  it('a connection limit rejects extra clients before any upstream I/O', async () => {
    const sc = await sidecar('echo');
    const events: ForwarderEvent[] = [];
    const f = await createRaTlsForwarder(options(sc.port, { maxConnections: 1, onEvent: (e) => events.push(e) }));
    const first = connect(portOf(f.address), '127.0.0.1');
    first.on('error', () => undefined);
    const echoed = new Promise<void>((r) => first.once('data', () => r()));
    first.write('x');
    await echoed;
    const { data } = await exchange({ port: portOf(f.address) }, Buffer.from('y'));
    expect(data.length).toBe(0);
    expect(events.find((e) => e.type === 'rejected')).toMatchObject({ reason: 'connection-limit' });
    expect(sc.connections).toBe(1);
    first.end();
    await f.close();
  });

  it('idle connections are closed; a sidecar that never completes TLS hits the handshake timeout (RaTlsConnect)', async () => {
    const sc = await sidecar('echo');
    const events: ForwarderEvent[] = [];
    const f = await createRaTlsForwarder(options(sc.port, { idleTimeoutMs: 200, onEvent: (e) => events.push(e) }));
    await exchange({ port: portOf(f.address) }, Buffer.from('x'), false);
    await f.close();
    expect(events.find((e) => e.type === 'closed')).toMatchObject({ reason: 'idle-timeout' });

    const { createServer } = await import('node:net');
    const held: Socket[] = [];
    const mute = createServer((s) => held.push(s.on('error', () => undefined)));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const ev2: ForwarderEvent[] = [];
    const f2 = await createRaTlsForwarder(options((mute.address() as { port: number }).port, { handshakeTimeoutMs: 200, onEvent: (e) => ev2.push(e) }));
    const { data } = await exchange({ port: portOf(f2.address) }, Buffer.from('x'), false);
    expect(data.length).toBe(0);
    expect(ev2.find((e) => e.type === 'refused')).toMatchObject({ code: 'RaTlsConnect' });
    await f2.close();
    for (const s of held) s.destroy();
    await new Promise<void>((r) => mute.close(() => r()));
  });

  it('close() stops accepting, lets relayed connections finish, then resolves; nothing leaks', async () => {
    const sc = await sidecar('echo');
    await sleep(100);
    const before = socketHandles();
    const f = await createRaTlsForwarder(options(sc.port));
    const port = portOf(f.address);
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    const got: Buffer[] = [];
    s.on('data', (b: Buffer) => got.push(b));
    s.write('one');
    while (Buffer.concat(got).toString() !== 'one') await sleep(10);
    let closed = false;
    const closing = f.close().then(() => {
      closed = true;
    });
    await sleep(50);
    expect(closed).toBe(false);
    const refused = await new Promise<string>((r) => connect(port, '127.0.0.1').on('error', (e: NodeJS.ErrnoException) => r(e.code ?? '')).on('connect', () => r('connected')));
    expect(refused).toBe('ECONNREFUSED');
    s.write('two');
    while (Buffer.concat(got).toString() !== 'onetwo') await sleep(10);
    s.end();
    await closing;
    await sc.allClosed();
    await sleep(20);
    expect(socketHandles()).toBe(before);
    expect(f.stats.active).toBe(0);
  });

  it('no handle leaks after verified, refused, aborted and rejected connections', async () => {
    const sc = await sidecar('echo');
    await sleep(100);
    const before = socketHandles();
    const f = await createRaTlsForwarder(options(sc.port, { maxConnections: 3 }));
    const port = portOf(f.address);
    const runs = [];
    for (let i = 0; i < 6; i++) runs.push(exchange({ port }, Buffer.from(`c${i}`)));
    const aborted = connect(port, '127.0.0.1').on('error', () => undefined);
    aborted.on('connect', () => aborted.destroy());
    await Promise.all(runs);
    await f.close();
    await sc.allClosed();
    await sleep(20);
    expect(socketHandles()).toBe(before);
  });

  it('a Unix socket listener with owner-only permissions, removed on close; client certificate from files', async () => {
    const sc = await sidecar('echo');
    const path = join(dir, '.s.PGSQL.5432');
    writeFileSync(join(dir, 'client.key'), clientKey.key);
    writeFileSync(join(dir, 'client.pem'), clientKey.certificateChain.join('\n'));
    const f = await createRaTlsForwarder(
      options(sc.port, { listen: `unix:${path}`, clientCertificate: { keyFile: join(dir, 'client.key'), certificateFile: join(dir, 'client.pem') } }),
    );
    expect(f.address).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const { data } = await exchange({ path }, Buffer.from('over unix'));
    expect(data.toString()).toBe('over unix');
    await f.close();
    expect(existsSync(path)).toBe(false);
  });

  it('the client certificate from the guest agent (simulator socket)', async () => {
    const sc = await sidecar('echo');
    const agent: AgentServer = await serveGuestAgent(clientSim, { socketPath: join(dir, 'dstack.sock') });
    try {
      const f = await createRaTlsForwarder(options(sc.port, { clientCertificate: undefined, guestAgent: { env: { DSTACK_SIMULATOR_ENDPOINT: agent.endpoint } } }));
      const { data } = await exchange({ port: portOf(f.address) }, Buffer.from('agent'));
      expect(data.toString()).toBe('agent');
      await f.close();
    } finally {
      await agent.close();
    }
  });
});

describe('runForwardCommand', () => {
  it('prints a ready line, one line per connection (claims or refusal code), JSON lines when asked; stops on abort', async () => {
    const sc = await sidecar('echo');
    for (const json of [false, true]) {
      const lines: string[] = [];
      const ac = new AbortController();
      let address = '';
      const done = runForwardCommand({ ...options(sc.port), json }, { out: (l) => lines.push(l), signal: ac.signal, onReady: (f) => (address = f.address) });
      while (address === '') await sleep(10);
      await exchange({ port: portOf(address) }, Buffer.from('x'));
      ac.abort();
      expect(await done).toBe(0);
      if (json) {
        const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(objs[0]).toMatchObject({ event: 'listening', address });
        expect(objs[1]).toMatchObject({ event: 'verified', mrtd: serverSim.mrtd, composeHash: toHex(serverSim.composeHash) });
        expect(objs.at(-1)).toMatchObject({ event: 'stopped', verified: 1 });
      } else {
        expect(lines[0]).toMatch(new RegExp(`^ready: listening on ${address.replace(/\./g, '\\.')}.*postgres://USER:PASSWORD@${address.replace(/\./g, '\\.')}/DB\\?sslmode=disable`));
        expect(lines[1]).toMatch(/^#1 127\.0\.0\.1:\d+ verified mrtd=/);
        expect(lines.at(-1)).toBe('stopped: 1 verified, 0 refused, 0 rejected');
      }
    }
  });
});
