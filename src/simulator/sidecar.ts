/**
 * A mutual RA-TLS sidecar for PostgreSQL (Node only; development and tests):
 * terminates TLS on a loopback port with an RA-TLS server certificate (from
 * a guest agent's GetTlsKey), requires a client certificate, verifies it with
 * the same machinery clients use on servers (verifyServerCertificate with an
 * injected verifier and policy), and only then connects to PostgreSQL and
 * relays bytes in both directions.
 *
 * A refused client gets a Postgres ErrorResponse (FATAL, SQLSTATE 28000,
 * message naming the error code) and the connection is closed; nothing it
 * sent reaches PostgreSQL. Every connection is bounded by a handshake +
 * verification timeout, and the number of live connections by maxConnections.
 */
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { isAttestationError, attestationError } from '../errors.js';
import type { DstackTlsKey } from '../postgres/guest-agent.js';
import { verifyServerCertificate, type ServerCertificateOptions } from '../ra-tls/verify-server-certificate.js';
import { requireVerifier } from '../ra-tls/verify-attested-quote.js';
import { toUnixSeconds } from '../lib/time.js';
import { listening } from '../node/listen.js';

export interface SidecarEvent {
  readonly type: 'accepted' | 'refused' | 'upstream-error' | 'closed';
  readonly remote: string;
  /** Error code for `refused` / `upstream-error`. */
  readonly code?: string;
  readonly message?: string;
  /** Client verification: MRTD and app id of the accepted client. */
  readonly mrtd?: string;
  readonly appId?: string;
}

export interface SidecarOptions extends Omit<ServerCertificateOptions, 'at'> {
  /** The sidecar's own RA-TLS key and certificate chain (GetTlsKey with usage_ra_tls, usage_server_auth). */
  readonly tlsKey: DstackTlsKey;
  /** Where PostgreSQL listens (TCP host / port, or a unix socket path). */
  readonly upstream: { readonly host: string; readonly port: number } | { readonly path: string };
  /** Listening address. Default 127.0.0.1, port 0 (any free port). */
  readonly host?: string;
  readonly port?: number;
  /** Time source for client verification. Default: the system clock. */
  readonly clock?: () => number | Date;
  /** Bound on TLS handshake + client verification + upstream connect. Default 15 000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** Live connections accepted at once (more are closed at once). Default 64. */
  readonly maxConnections?: number;
  readonly onEvent?: (event: SidecarEvent) => void;
}

export interface RaTlsSidecar {
  readonly host: string;
  readonly port: number;
  /** Live client connections. */
  readonly connections: number;
  close(): Promise<void>;
}

/** A Postgres ErrorResponse message ('E') with severity FATAL. */
export function pgErrorResponse(sqlstate: string, message: string): Buffer {
  const field = (t: string, v: string): Buffer => Buffer.concat([Buffer.from(t, 'ascii'), Buffer.from(v, 'utf8'), Buffer.from([0])]);
  const body = Buffer.concat([field('S', 'FATAL'), field('V', 'FATAL'), field('C', sqlstate), field('M', message), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('E', 0, 'ascii');
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const SIDECAR_KEYS = ['tlsKey', 'upstream', 'host', 'port', 'clock', 'handshakeTimeoutMs', 'maxConnections', 'onEvent'] as const;

/** Starts a sidecar; resolves once it listens. */
export async function startSidecar(options: SidecarOptions): Promise<RaTlsSidecar> {
  requireVerifier(options.verifier);
  checkTlsKey(options.tlsKey);
  const policy: Record<string, unknown> = { ...options };
  for (const k of SIDECAR_KEYS) delete policy[k];
  const verifyOptions = policy as unknown as ServerCertificateOptions;
  const timeoutMs = options.handshakeTimeoutMs ?? 15_000;
  const maxConnections = options.maxConnections ?? 64;
  const live = new Set<Socket>();
  const emit = (e: SidecarEvent): void => {
    try {
      options.onEvent?.(e);
    } catch {
      /* a listener's failure is not the connection's */
    }
  };

  const server = createTlsServer({
    key: options.tlsKey.key,
    cert: options.tlsKey.certificateChain.join('\n'),
    requestCert: true,
    // Trust in the client comes from its attestation, checked below.
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
    handshakeTimeout: timeoutMs,
  });

  server.on('connection', (raw: Socket) => {
    if (live.size >= maxConnections) {
      raw.destroy();
      return;
    }
    live.add(raw);
    raw.on('close', () => live.delete(raw));
  });
  server.on('tlsClientError', () => undefined);

  server.on('secureConnection', (tls: TLSSocket) => {
    const remote = `${tls.remoteAddress ?? '?'}:${tls.remotePort ?? '?'}`;
    tls.pause();
    tls.on('error', () => tls.destroy());
    const timer = setTimeout(() => {
      emit({ type: 'refused', remote, code: 'RaTlsConnect', message: 'client verification timed out' });
      tls.destroy();
    }, timeoutMs);
    const refuse = (code: string, message: string): void => {
      clearTimeout(timer);
      emit({ type: 'refused', remote, code, message });
      if (tls.destroyed) return;
      tls.end(pgErrorResponse('28000', `RA-TLS client attestation refused (${code}): ${message}`));
      setTimeout(() => tls.destroy(), 1000).unref();
    };
    void (async () => {
      const cert = tls.getPeerCertificate(false) as { raw?: Buffer } | null;
      if (cert === null || cert.raw === undefined || cert.raw.length === 0) {
        refuse('RaTlsNoPeerCertificate', 'the client presented no certificate (mutual RA-TLS)');
        return;
      }
      let mrtd: string;
      let appId: string | undefined;
      try {
        const at = toUnixSeconds(options.clock?.() ?? new Date());
        const v = await verifyServerCertificate(new Uint8Array(cert.raw), { ...verifyOptions, at });
        mrtd = v.result.mrtd;
        appId = v.claims?.appId;
      } catch (e) {
        refuse(isAttestationError(e) ? e.code : 'RaTlsConnect', e instanceof Error ? e.message : String(e));
        return;
      }
      if (tls.destroyed) {
        clearTimeout(timer);
        return;
      }
      const upstream =
        'path' in options.upstream ? netConnect({ path: options.upstream.path }) : netConnect({ host: options.upstream.host, port: options.upstream.port });
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        clearTimeout(timer);
        emit({ type: 'accepted', remote, mrtd, ...(appId === undefined ? {} : { appId }) });
        upstream.setNoDelay(true);
        tls.pipe(upstream);
        upstream.pipe(tls);
        tls.resume();
      });
      upstream.on('error', (e: NodeJS.ErrnoException) => {
        if (connected) {
          tls.destroy();
          return;
        }
        clearTimeout(timer);
        emit({ type: 'upstream-error', remote, code: e.code ?? 'ECONNREFUSED', message: e.message });
        if (tls.destroyed) return;
        tls.end(pgErrorResponse('08006', `sidecar cannot reach PostgreSQL (${e.code ?? e.message})`));
        setTimeout(() => tls.destroy(), 1000).unref();
      });
      upstream.on('close', () => {
        if (connected) tls.destroy();
      });
      tls.on('close', () => {
        upstream.destroy();
        emit({ type: 'closed', remote });
      });
    })();
  });

  await listening(server, { port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const addr = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    host: addr.address,
    port: addr.port,
    get connections() {
      return live.size;
    },
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of live) s.destroy();
      });
      return closed;
    },
  };
}

/** Throws InvalidArgument unless `tlsKey` looks like a GetTlsKey answer. */
export function checkTlsKey(k: unknown): DstackTlsKey {
  const t = k as DstackTlsKey;
  if (typeof t?.key !== 'string' || !Array.isArray(t.certificateChain) || t.certificateChain.length === 0) {
    throw attestationError('InvalidArgument', 'tlsKey must be { key, certificateChain } (PEM)', { check: 'options.tlsKey' });
  }
  return t;
}
