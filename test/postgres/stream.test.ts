/**
 * RaTlsStream on its own (no PostgreSQL): writes made before the server is
 * verified are held back, not sent; they go out once verification succeeds,
 * and never when it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestationError } from '../../src/errors.js';
import { createRaTlsConnector } from '../../src/postgres/connector.js';
import { toHex } from '../../src/lib/bytes.js';
import { DstackSimulator } from '../../src/simulator/simulator.js';
import type { RaTlsVerifier, VerificationResult } from '../../src/verifier/types.js';
import { recordingTlsServer, sleep, tlsKeyOf, type Recording } from './support.js';

const sim = new DstackSimulator();

/** A verifier that waits for `release()` before answering like `inner`. */
class GatedVerifier implements RaTlsVerifier {
  readonly name = 'gated';
  #open!: (ok: boolean) => void;
  readonly #gate = new Promise<boolean>((r) => (this.#open = r));
  called = false;
  constructor(readonly inner: RaTlsVerifier) {}
  release(ok: boolean): void {
    this.#open(ok);
  }
  async verify(quote: Uint8Array): Promise<VerificationResult> {
    this.called = true;
    if (!(await this.#gate)) throw attestationError('QuoteSignature', 'gate refused');
    return this.inner.verify(quote, { at: sim.at });
  }
}

/** The identity pins every connector needs (issue 11 §3). */
const pinsOf = (s: typeof sim) => ({ allowedMrtds: [s.mrtd], allowedComposeHashes: [toHex(s.composeHash)] });

describe('RaTlsStream', () => {
  let server: Recording;
  beforeAll(async () => {
    server = await recordingTlsServer(tlsKeyOf(sim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true })));
  });
  afterAll(async () => server.close());

  const connector = (verifier: RaTlsVerifier) =>
    createRaTlsConnector({ verifier, ...pinsOf(sim), clientCertificate: tlsKeyOf(sim.getTlsKey({ usage_ra_tls: true, usage_client_auth: true })) });

  async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
    const until = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > until) throw new Error('timed out');
      await sleep(10);
    }
  }

  it('holds writes until the server certificate verified, then sends them', async () => {
    const gate = new GatedVerifier(sim.verifier());
    const stream = connector(gate).createStream();
    let connected = false;
    stream.once('connect', () => (connected = true));
    stream.connect(server.port, '127.0.0.1');
    stream.write(Buffer.from('secret-before-verification'));
    await waitFor(() => gate.called);
    await sleep(50);
    expect(connected).toBe(false);
    expect(Buffer.concat(server.bytes).length).toBe(0);
    gate.release(true);
    await waitFor(() => connected);
    await waitFor(() => server.bytes.length > 0);
    expect(Buffer.concat(server.bytes).toString()).toBe('secret-before-verification');
    expect(stream.peer?.verification.result.authenticated).toBe(true);
    stream.destroy();
    server.bytes.length = 0;
  });

  it('a failed verification destroys the stream with the code; held writes are never sent', async () => {
    const gate = new GatedVerifier(sim.verifier());
    const stream = connector(gate).createStream();
    const error = new Promise<Error>((r) => stream.once('error', r));
    stream.connect(server.port, '127.0.0.1');
    stream.write(Buffer.from('must never leave'));
    await waitFor(() => gate.called);
    gate.release(false);
    expect(await error).toMatchObject({ code: 'QuoteSignature' });
    await sleep(50);
    expect(Buffer.concat(server.bytes).length).toBe(0);
    expect(stream.destroyed).toBe(true);
  });

  it('a unix-socket target is refused (DsnInvalid)', async () => {
    const stream = connector(sim.verifier()).createStream();
    const error = new Promise<Error>((r) => stream.once('error', r));
    stream.connect('/tmp/.s.PGSQL.5432');
    expect(await error).toMatchObject({ code: 'DsnInvalid' });
  });

  it('the handshake + verification is bounded by connectTimeoutMs (RaTlsConnect)', async () => {
    const gate = new GatedVerifier(sim.verifier());
    const stream = createRaTlsConnector({
      verifier: gate,
      ...pinsOf(sim),
      connectTimeoutMs: 200,
      clientCertificate: tlsKeyOf(sim.getTlsKey({ usage_ra_tls: true, usage_client_auth: true })),
    }).createStream();
    const error = new Promise<Error>((r) => stream.once('error', r));
    stream.connect(server.port, '127.0.0.1');
    expect(await error).toMatchObject({ code: 'RaTlsConnect' });
    gate.release(true);
    expect(Buffer.concat(server.bytes).length).toBe(0);
  });
});
