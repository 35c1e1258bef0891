/**
 * RaTlsStream: the Duplex node-postgres gets as its `stream` (Node only).
 *
 * pg calls `stream.connect(port, host)` and waits for `'connect'` before it
 * writes the startup message (user, database; the password follows in the
 * authentication exchange). This stream
 *
 *   1. fetches the client certificate (dstack guest agent) through the connector;
 *   2. opens a raw TLS connection (ra-tls-socket.ts: TLS 1.3 only unless
 *      allowTls12, renegotiation refused): the first bytes on the wire are a
 *      TLS ClientHello with SNI, no Postgres SSLRequest;
 *   3. verifies the server certificate (verifyServerCertificate with the
 *      connector's verifier and policy, or a fingerprint pin);
 *   4. only then emits `'connect'` and lets bytes through in both directions.
 *
 * Until step 3 succeeds, every write is held back (never forwarded) and no
 * byte the server sent is handed to pg; a failure destroys the stream with a
 * coded AttestationError, which pg reports from `client.connect()`.
 */
import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { isAttestationError, attestationError } from '../errors.js';
import { connectRaTlsSocket, refuseRenegotiation } from './ra-tls-socket.js';
import type { PeerVerification, RaTlsStreamHost } from './types.js';

type WriteCallback = (error?: Error | null) => void;

/** Promise.race that never leaves the loser's rejection unhandled. */
function race<T>(p: Promise<T>, deadline: Promise<never>): Promise<T> {
  p.catch(() => undefined);
  return Promise.race([p, deadline]);
}

export class RaTlsStream extends Duplex {
  readonly #host: RaTlsStreamHost;
  #tls: TLSSocket | undefined;
  #verified = false;
  #connecting = false;
  #pending: { chunk: Buffer; cb: WriteCallback } | undefined;
  #noDelay = true;
  #keepAlive: [boolean, number] | undefined;
  #unref = false;
  #timer: NodeJS.Timeout | undefined;
  #peer: PeerVerification | undefined;
  #target: { host: string; port: number } | undefined;
  /** Number of pool checkouts that found this connection (see RaTlsPool). */
  checkouts = 0;

  constructor(host: RaTlsStreamHost) {
    super({ allowHalfOpen: true });
    this.#host = host;
  }

  /** The server's verification (undefined until `'connect'`). */
  get peer(): PeerVerification | undefined {
    return this.#peer;
  }

  /** Replaces the recorded verification after a re-verification on checkout. */
  setPeer(peer: PeerVerification): void {
    this.#peer = peer;
  }

  get target(): { host: string; port: number } | undefined {
    return this.#target;
  }

  /** True once the server certificate verified and bytes may flow. */
  get verified(): boolean {
    return this.#verified;
  }

  setNoDelay(noDelay = true): this {
    this.#noDelay = noDelay;
    this.#tls?.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    this.#keepAlive = [enable, initialDelay];
    this.#tls?.setKeepAlive(enable, initialDelay);
    return this;
  }

  ref(): this {
    this.#unref = false;
    this.#tls?.ref();
    if (this.#timer !== undefined) this.#timer.ref();
    return this;
  }

  unref(): this {
    this.#unref = true;
    this.#tls?.unref();
    if (this.#timer !== undefined) this.#timer.unref();
    return this;
  }

  /** pg: `stream.connect(port, host)`. A unix-socket path (string port) is refused. */
  connect(port: number | string, host?: string): this {
    if (this.#connecting || this.destroyed) {
      process.nextTick(() => this.destroy(attestationError('InvalidArgument', 'RaTlsStream.connect called twice', { check: 'stream.connect' })));
      return this;
    }
    this.#connecting = true;
    const p = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
    if (typeof p !== 'number' || host === undefined || host === '' || host.startsWith('/')) {
      process.nextTick(() =>
        this.destroy(
          attestationError('DsnInvalid', 'RA-TLS needs a TCP host and port (a unix-socket path was given)', {
            check: 'dsn.host',
            field: 'host',
            found: typeof port === 'string' ? port : String(host),
          }),
        ),
      );
      return this;
    }
    this.#target = { host, port: p };
    this.#run(host, p).catch((e: unknown) => this.#fail(e));
    return this;
  }

  #fail(e: unknown): void {
    this.#clearTimer();
    this.#tls?.destroy();
    this.#pending = undefined;
    if (this.destroyed) return;
    const err = isAttestationError(e)
      ? e
      : attestationError('RaTlsConnect', `RA-TLS connection failed: ${e instanceof Error ? e.message : String(e)}`, { check: 'ratls.connect' }, { cause: e });
    this.destroy(err);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #run(host: string, port: number): Promise<void> {
    const timeoutMs = this.#host.connectTimeoutMs;
    const deadline = new Promise<never>((_, reject) => {
      this.#timer = setTimeout(
        () => reject(attestationError('RaTlsConnect', `RA-TLS handshake and verification with ${host}:${port} did not finish within ${timeoutMs} ms`, { check: 'ratls.connect.timeout' })),
        timeoutMs,
      );
      if (this.#unref) this.#timer.unref();
    });
    deadline.catch(() => undefined);

    const key = await race(this.#host.clientKey(), deadline);
    if (this.destroyed) return;

    const servername = this.#host.servername(host);
    // TLS 1.3 only unless allowTls12; renegotiation refused (ra-tls-socket.ts).
    const socket = connectRaTlsSocket({
      host,
      port,
      ...(servername === undefined ? {} : { servername }),
      clientKey: key,
      ...(this.#host.allowTls12 === true ? { allowTls12: true } : {}),
    });
    this.#tls = socket;
    socket.setNoDelay(this.#noDelay);
    if (this.#keepAlive !== undefined) socket.setKeepAlive(...this.#keepAlive);
    if (this.#unref) socket.unref();

    // Errors after the handshake, while verifying (server hang-up), are
    // recorded here: the connection is then refused, the process unharmed.
    let lateError: Error | undefined;
    const onLateError = (e: Error): void => {
      lateError = e;
    };
    const handshake = new Promise<Buffer>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void =>
        reject(
          attestationError('RaTlsConnect', `TLS connection to ${host}:${port} failed: ${e.code ?? ''} ${e.message}`.trim(), { check: 'ratls.connect.tls', found: e.code }, { cause: e }),
        );
      const onClose = (): void =>
        reject(attestationError('RaTlsConnect', `TLS connection to ${host}:${port} closed during the handshake`, { check: 'ratls.connect.tls' }));
      socket.once('error', onError);
      socket.once('close', onClose);
      socket.once('secureConnect', () => {
        socket.off('close', onClose);
        socket.off('error', onError);
        socket.on('error', onLateError);
        // The certificate verified below must stay the connection's only one.
        refuseRenegotiation(socket, (e) => {
          lateError = e;
          this.#fail(e);
        });
        const cert = socket.getPeerCertificate(false) as { raw?: Buffer } | null;
        if (cert === null || cert.raw === undefined || cert.raw.length === 0) {
          reject(attestationError('RaTlsNoPeerCertificate', `${host}:${port} presented no TLS certificate`, { check: 'ratls.peer.certificate' }));
          return;
        }
        resolve(cert.raw);
      });
    });
    const der = await race(handshake, deadline);
    if (this.destroyed) return;

    const peer = await race(this.#host.verifyPeer(new Uint8Array(der), { host, port, reason: 'connect' }), deadline);
    socket.off('error', onLateError);
    this.#clearTimer();
    if (this.destroyed) return;
    if (isAttestationError(lateError)) throw lateError;
    if (lateError !== undefined || socket.destroyed) {
      throw attestationError('RaTlsConnect', `${host}:${port} closed the connection during verification${lateError === undefined ? '' : `: ${lateError.message}`}`, {
        check: 'ratls.connect.closed',
      });
    }
    this.#peer = peer;
    this.#open(socket);
  }

  #open(socket: TLSSocket): void {
    this.#verified = true;
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (e) => this.destroy(e));
    socket.on('close', () => {
      if (!this.destroyed) {
        this.push(null);
        setImmediate(() => this.destroy());
      }
    });
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) socket.write(pending.chunk, pending.cb);
    this.emit('connect');
    this.emit('ready');
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: WriteCallback): void {
    if (this.#verified && this.#tls !== undefined) {
      this.#tls.write(chunk, cb);
      return;
    }
    // Held back until the server is verified; dropped if it never is.
    this.#pending = { chunk, cb };
  }

  override _read(): void {
    if (this.#verified) this.#tls?.resume();
  }

  override _final(cb: (error?: Error | null) => void): void {
    if (this.#verified && this.#tls !== undefined && !this.#tls.destroyed) {
      this.#tls.end(() => cb());
      return;
    }
    this.#tls?.destroy();
    cb();
  }

  override _destroy(error: Error | null, cb: (error?: Error | null) => void): void {
    this.#clearTimer();
    this.#pending = undefined;
    this.#tls?.destroy();
    cb(error);
  }
}

/** SNI for `host`: the option, else the host name (never an IP address, RFC 6066 §3). */
export function defaultServername(host: string, option: string | false | undefined): string | undefined {
  if (option === false) return undefined;
  if (typeof option === 'string' && option !== '') return option;
  return isIP(host) === 0 ? host : undefined;
}
