/**
 * A local RA-TLS forwarder (Node only): any Postgres driver (psql, postgres.js,
 * Prisma's engine, Python, Go, ...) connects in plain text to a loopback port
 * or a Unix socket; for every inbound connection the forwarder
 *
 *   1. opens a mutual RA-TLS connection to the sidecar with the connector's
 *      own stream (RaTlsStream: raw TLS, the client certificate of
 *      RaTlsPeerHost, renewed before its notAfter),
 *   2. verifies the server certificate with the connector's verification
 *      (RaTlsPeerHost, src/postgres/peer-host.ts: verifyServerCertificate,
 *      the same policy, pins and secure defaults, and the same result cache
 *      on the presented certificate's exact bytes, on by default for 1 hour),
 *   3. and only then reads from the inbound socket and relays bytes both ways
 *      with backpressure and half-close.
 *
 * The inbound socket is paused from accept until step 2 succeeded: a refused
 * connection is closed having read nothing from the client and sent nothing
 * upstream beyond the TLS handshake; the refusal is logged with its code.
 */
import { chmodSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { isAttestationError, attestationError } from '../errors.js';
import type { GuestAgentOptions } from '../postgres/guest-agent.js';
import { RaTlsStream } from '../postgres/ra-tls-stream.js';
import type { PeerVerification } from '../postgres/types.js';
import { requireIdentityPins } from '../ra-tls/identity-pins.js';
import { requireVerifier } from '../ra-tls/verify-attested-quote.js';
import type { ServerCertificateOptions } from '../ra-tls/verify-server-certificate.js';
import { RaTlsPeerHost, isTlsKey, type ClientCertificateSource, type PinningOptions } from '../postgres/peer-host.js';
import { formatAddress, isLoopbackHost, parseListen, parseTarget, type ListenAddress, type ListenInput, type TargetInput, type TcpAddress } from './address.js';
import { clientCertificateFromFiles, type ClientCertificateFiles } from './client-certificate.js';

/**
 * Policy options are verifyServerCertificate's (as the connector's: `verifier`
 * required, `allowedMrtds`, `allowedComposeHashes`, ..., no `at`).
 */
export interface RaTlsForwarderOptions extends Omit<ServerCertificateOptions, 'at'> {
  /** The RA-TLS sidecar: `'host:port'` or `{ host, port }`. Required. */
  readonly target: TargetInput;
  /** Where clients connect. Default `'127.0.0.1:0'` (a free loopback port). `'unix:/path'` / `{ path, mode }`: a Unix socket (mode default 0o600). */
  readonly listen?: ListenInput;
  /** Allow a TCP listener on a non-loopback address (dangerous: see docs/postgres.md). Default false. */
  readonly allowNonLoopback?: boolean;
  /** Accept any TD without identity pins (insecure; warns). Default false: pins are required. */
  readonly allowAnyTd?: boolean;
  /** `{ key, certificateChain }` (PEM), a function returning one, or `{ keyFile, certificateFile }` (PEM files). Default: the dstack guest agent's GetTlsKey. */
  readonly clientCertificate?: ClientCertificateSource | ClientCertificateFiles;
  /** Where the guest agent is (as the connector's: default DSTACK_SIMULATOR_ENDPOINT, else the dstack sockets). */
  readonly guestAgent?: GuestAgentOptions;
  /** Subject / alt names asked of GetTlsKey. Default subject `tee-attest-forwarder`. */
  readonly clientCertificateRequest?: { readonly subject?: string; readonly altNames?: readonly string[] };
  /** TLS SNI. Default: the target host when it is a name (never an IP address); `false`: none. */
  readonly servername?: string | false;
  /** Time source for verification. Default: the system clock. */
  readonly clock?: () => number | Date;
  /** Renewal margin of the fetched client certificate, seconds (as the connector's). Default 300. */
  readonly clientCertificateRenewBeforeSeconds?: number;
  /**
   * The connection result cache, as the connector's: on by default (1 hour,
   * 64 entries), `{ ttlSeconds?, maxEntries? }` to tune it, `false` to verify
   * every connection in full.
   */
  readonly pinning?: PinningOptions | boolean;
  /** Bound on client certificate + TCP + TLS + verification per connection. Default 30 000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** Close a relayed connection with no byte in either direction for this long. Default: none. */
  readonly idleTimeoutMs?: number;
  /** Live inbound connections (more are closed on accept, before any upstream I/O). Default 100. */
  readonly maxConnections?: number;
  /** Per-connection events (verified claims, refusals with their code, closes). Default: refusals go to `warn`. */
  readonly onEvent?: (event: ForwarderEvent) => void;
  /** Warnings (allowAnyTd, non-loopback listener, allowSimulator on every unverified connection). Default console.warn. */
  readonly warn?: (message: string) => void;
}

/** A summary of what was verified (the claims a log line shows). */
export interface VerifiedSummary {
  readonly fingerprint: string;
  readonly pinned: boolean;
  readonly mrtd: string;
  readonly tcbStatus: string;
  readonly composeHash?: string;
  readonly appId?: string;
  readonly osImageHash?: string;
}

export type ForwarderEvent =
  | { readonly type: 'listening'; readonly address: string; readonly target: string }
  | { readonly type: 'warning'; readonly message: string }
  | ({ readonly type: 'verified'; readonly id: number; readonly remote: string } & VerifiedSummary)
  | { readonly type: 'refused'; readonly id: number; readonly remote: string; readonly code: string; readonly message: string }
  | { readonly type: 'rejected'; readonly id: number; readonly remote: string; readonly reason: 'connection-limit' | 'closing' | 'not-ready' }
  | {
      readonly type: 'closed';
      readonly id: number;
      readonly remote: string;
      readonly reason: 'end' | 'idle-timeout' | 'error' | 'shutdown';
      readonly bytesUp: number;
      readonly bytesDown: number;
    };

export interface ForwarderStats {
  /** Inbound connections accepted (including rejected ones). */
  readonly accepted: number;
  /** Live connections (handshaking or relaying). */
  readonly active: number;
  readonly verified: number;
  /** Connections whose upstream connection or verification failed. */
  readonly refused: number;
  /** Connections closed on accept (connection limit, closing). */
  readonly rejected: number;
  /** Bytes relayed client → sidecar / sidecar → client. */
  readonly bytesUp: number;
  readonly bytesDown: number;
  /** Largest number of bytes the forwarder held queued for one connection (bounded by backpressure). */
  readonly peakQueuedBytes: number;
}

export interface RaTlsForwarder {
  /** `'127.0.0.1:PORT'` (IPv6 in brackets) or the Unix socket path. */
  readonly address: string;
  readonly listen: ListenAddress;
  readonly target: TcpAddress;
  /** A snapshot of the counters. */
  readonly stats: ForwarderStats;
  /**
   * Stop accepting, abort connections still verifying, let relayed ones
   * finish (at most `drainTimeoutMs`, default 10 000; 0: close them now),
   * then resolve once every socket is closed.
   */
  close(options?: { readonly drainTimeoutMs?: number }): Promise<void>;
}

const FORWARDER_KEYS = [
  'guestAgent',
  'clientCertificateRequest',
  'servername',
  'clock',
  'pinning',
  'clientCertificateRenewBeforeSeconds',
  'target',
  'listen',
  'allowNonLoopback',
  'allowAnyTd',
  'clientCertificate',
  'handshakeTimeoutMs',
  'idleTimeoutMs',
  'maxConnections',
  'onEvent',
  'warn',
] as const;

function positiveInt(v: unknown, field: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < (allowZero ? 0 : 1)) {
    throw attestationError('InvalidArgument', `${field} must be a ${allowZero ? 'non-negative' : 'positive'} integer`, { check: `options.${field}`, found: String(v) });
  }
  return v;
}

function summary(peer: PeerVerification): VerifiedSummary {
  const c = peer.verification.claims;
  return {
    fingerprint: peer.fingerprint,
    pinned: peer.pinned,
    mrtd: peer.verification.result.mrtd,
    tcbStatus: peer.verification.result.tcbStatus,
    ...(c?.composeHash === undefined ? {} : { composeHash: c.composeHash }),
    ...(c?.appId === undefined ? {} : { appId: c.appId }),
    ...(c?.osImageHash === undefined ? {} : { osImageHash: c.osImageHash }),
  };
}

function remoteOf(s: Socket): string {
  if (s.remoteAddress === undefined) return 'unix';
  return s.remoteFamily === 'IPv6' ? `[${s.remoteAddress}]:${s.remotePort}` : `${s.remoteAddress}:${s.remotePort}`;
}

interface Conn {
  readonly id: number;
  readonly inbound: Socket;
  readonly upstream: RaTlsStream;
  relaying: boolean;
  closeReason: 'end' | 'idle-timeout' | 'error' | 'shutdown';
}

/**
 * Starts a forwarder; resolves once it listens. Validates everything first
 * (InvalidArgument, MissingDstackSocket): no listener without identity pins
 * unless `allowAnyTd`, no non-loopback TCP listener unless `allowNonLoopback`.
 */
export async function createRaTlsForwarder(options: RaTlsForwarderOptions): Promise<RaTlsForwarder> {
  if (options === null || typeof options !== 'object') {
    throw attestationError('InvalidArgument', 'createRaTlsForwarder needs options with a target and a verifier', { check: 'options' });
  }
  const warn = options.warn ?? ((m: string) => console.warn(m));
  if (typeof warn !== 'function') throw attestationError('InvalidArgument', 'warn must be a function', { check: 'options.warn' });
  const onEvent = options.onEvent;
  if (onEvent !== undefined && typeof onEvent !== 'function') throw attestationError('InvalidArgument', 'onEvent must be a function', { check: 'options.onEvent' });
  const target = parseTarget(options.target);
  const listen = parseListen(options.listen);
  const handshakeTimeoutMs = options.handshakeTimeoutMs === undefined ? 30_000 : positiveInt(options.handshakeTimeoutMs, 'handshakeTimeoutMs');
  const idleTimeoutMs = options.idleTimeoutMs === undefined ? 0 : positiveInt(options.idleTimeoutMs, 'idleTimeoutMs', true);
  const maxConnections = options.maxConnections === undefined ? 100 : positiveInt(options.maxConnections, 'maxConnections');
  if (options.allowNonLoopback !== undefined && typeof options.allowNonLoopback !== 'boolean') {
    throw attestationError('InvalidArgument', 'allowNonLoopback must be a boolean', { check: 'options.allowNonLoopback' });
  }
  // The secure default shared with the connector: no tunnel to an unpinned TD.
  requireIdentityPins(options, 'createRaTlsForwarder', warn);

  const emit = (e: ForwarderEvent): void => {
    try {
      if (onEvent !== undefined) onEvent(e);
      // Without onEvent, refusals still reach the log with their code.
      else if (e.type === 'refused') warn(`tee-attest forward: #${e.id} ${e.remote} refused ${e.code}: ${e.message}`);
    } catch {
      // a throwing logger must not break the relay
    }
  };
  if (listen.kind === 'tcp' && !isLoopbackHost(listen.host)) {
    if (options.allowNonLoopback !== true) {
      throw attestationError(
        'InvalidArgument',
        `listen ${formatAddress(listen)} is not a loopback address: every host that reaches it would use this machine's attested identity and the verified tunnel. ` +
          'Use 127.0.0.1, ::1 or a Unix socket, or set allowNonLoopback: true',
        { check: 'options.listen', expected: 'loopback or unix socket', found: listen.host },
      );
    }
  }

  requireVerifier(options.verifier);
  const cc = options.clientCertificate;
  let clientCertificate: ClientCertificateSource | undefined;
  if (cc === undefined || typeof cc === 'function' || isTlsKey(cc)) clientCertificate = cc;
  else if (cc !== null && typeof cc === 'object' && ('keyFile' in cc || 'certificateFile' in cc)) clientCertificate = clientCertificateFromFiles(cc);
  else {
    throw attestationError('InvalidArgument', 'clientCertificate must be { key, certificateChain }, a function returning one, or { keyFile, certificateFile }', {
      check: 'options.clientCertificate',
    });
  }
  const policy: Record<string, unknown> = { ...options };
  for (const k of FORWARDER_KEYS) delete policy[k];
  // Checks the shared options (clock, servername, pinning, ...); fails now
  // (MissingDstackSocket) when no client certificate source exists.
  const host = new RaTlsPeerHost({
    ...options,
    who: 'createRaTlsForwarder',
    policy: policy as unknown as ServerCertificateOptions,
    clientCertificate,
    warn,
    defaultSubject: 'tee-attest-forwarder',
    connectTimeoutMs: handshakeTimeoutMs,
  });

  if (listen.kind === 'tcp' && !isLoopbackHost(listen.host)) {
    const message =
      `tee-attest forward: listening on non-loopback ${formatAddress(listen)} (allowNonLoopback): ANY host that can reach this port gets a tunnel ` +
      'to the verified TD presenting this machine\'s attested client certificate, without attesting itself; the sidecar cannot tell them apart. ' +
      'Restrict it with a firewall, or prefer loopback / a Unix socket.';
    warn(message);
    emit({ type: 'warning', message });
  }

  const counters = { accepted: 0, verified: 0, refused: 0, rejected: 0, bytesUp: 0, bytesDown: 0, peakQueuedBytes: 0 };
  const live = new Map<number, Conn>();
  let seq = 0;
  let closing: Promise<void> | undefined;
  let acceptReady = listen.kind === 'tcp';

  const closeConn = (c: Conn, err?: boolean): void => {
    if (err === true && c.closeReason === 'end') c.closeReason = 'error';
    c.inbound.destroy();
    c.upstream.destroy();
  };

  const relay = (c: Conn, peer: PeerVerification, remote: string): void => {
    const { inbound, upstream } = c;
    c.relaying = true;
    counters.verified++;
    emit({ type: 'verified', id: c.id, remote, ...summary(peer) });
    let up = 0;
    let down = 0;
    const queued = (): void => {
      const q = upstream.writableLength + inbound.writableLength;
      if (q > counters.peakQueuedBytes) counters.peakQueuedBytes = q;
    };
    // client → sidecar
    inbound.on('data', (chunk: Buffer) => {
      up += chunk.length;
      counters.bytesUp += chunk.length;
      if (!upstream.write(chunk)) inbound.pause();
      queued();
    });
    upstream.on('drain', () => inbound.resume());
    inbound.on('end', () => upstream.end());
    // sidecar → client
    upstream.on('data', (chunk: Buffer) => {
      down += chunk.length;
      counters.bytesDown += chunk.length;
      if (!inbound.write(chunk)) upstream.pause();
      queued();
    });
    inbound.on('drain', () => upstream.resume());
    upstream.on('end', () => inbound.end());
    upstream.on('close', () => {
      // Upstream gone: a clean end was already passed on (inbound.end());
      // otherwise nothing more can be relayed.
      if (!upstream.readableEnded) closeConn(c, true);
      else if (inbound.readable && !inbound.readableEnded) {
        // The sidecar closed both ways: whatever the client still sends has nowhere to go.
        inbound.destroySoon();
      }
    });
    inbound.on('error', () => {
      if (c.closeReason === 'end') c.closeReason = 'error';
    });
    inbound.on('close', () => {
      emit({ type: 'closed', id: c.id, remote, reason: c.closeReason, bytesUp: up, bytesDown: down });
      upstream.destroy();
    });
    if (idleTimeoutMs > 0) {
      inbound.setTimeout(idleTimeoutMs, () => {
        c.closeReason = 'idle-timeout';
        closeConn(c);
      });
    }
    inbound.resume();
  };

  const onConnection = (inbound: Socket): void => {
    counters.accepted++;
    const id = ++seq;
    const remote = remoteOf(inbound);
    inbound.on('error', () => undefined);
    if (closing !== undefined || !acceptReady || live.size >= maxConnections) {
      counters.rejected++;
      emit({ type: 'rejected', id, remote, reason: closing !== undefined ? 'closing' : acceptReady ? 'connection-limit' : 'not-ready' });
      inbound.destroy();
      return;
    }
    const upstream = new RaTlsStream(host);
    const c: Conn = { id, inbound, upstream, relaying: false, closeReason: 'end' };
    live.set(id, c);
    inbound.setNoDelay(true);
    let settled = false;
    upstream.on('error', (e: unknown) => {
      if (settled) {
        closeConn(c, true);
        return;
      }
      settled = true;
      counters.refused++;
      const code = isAttestationError(e) ? e.code : 'RaTlsConnect';
      const message = e instanceof Error ? e.message : String(e);
      emit({ type: 'refused', id, remote, code, message });
      inbound.destroy();
    });
    upstream.once('connect', () => {
      settled = true;
      const peer = upstream.peer;
      if (peer === undefined || inbound.destroyed) {
        closeConn(c);
        return;
      }
      relay(c, peer, remote);
    });
    inbound.once('close', () => {
      live.delete(id);
      if (!settled) {
        // The client left before verification finished: abort it.
        settled = true;
        upstream.destroy();
      }
      if (closing !== undefined && live.size === 0) drained?.();
    });
    upstream.connect(target.port, target.host);
  };

  let drained: (() => void) | undefined;
  // Paused on accept: nothing is read from a client before its upstream is verified.
  const server: Server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (listen.kind === 'unix') {
      // Create the socket file owner-only from the start where the process
      // allows it (umask), then set the requested mode; connections accepted
      // before the mode is set are closed.
      let restore: number | undefined;
      try {
        restore = process.umask(0o177);
      } catch {
        restore = undefined; // worker threads cannot change the umask
      }
      try {
        server.listen(listen.path, () => {
          try {
            chmodSync(listen.path, listen.mode);
            acceptReady = true;
            server.off('error', reject);
            resolve();
          } catch (e) {
            server.close();
            reject(attestationError('InvalidArgument', `cannot set mode of ${listen.path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { check: 'options.listen.mode' }));
          }
        });
      } finally {
        if (restore !== undefined) process.umask(restore);
      }
    } else {
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    }
  }).catch((e: unknown) => {
    if (isAttestationError(e)) throw e;
    const err = e as NodeJS.ErrnoException;
    throw attestationError('InvalidArgument', `cannot listen on ${formatAddress(listen)}: ${err.code ?? err.message}`, { check: 'options.listen', found: err.code });
  });
  server.on('error', () => undefined);

  const bound: ListenAddress = listen.kind === 'tcp' ? { kind: 'tcp', host: listen.host, port: (server.address() as AddressInfo).port } : listen;
  const address = formatAddress(bound);
  emit({ type: 'listening', address, target: formatAddress(target) });

  const close = (closeOptions: { readonly drainTimeoutMs?: number } = {}): Promise<void> => {
    if (closing !== undefined) return closing;
    const drainMs = closeOptions.drainTimeoutMs === undefined ? 10_000 : positiveInt(closeOptions.drainTimeoutMs, 'drainTimeoutMs', true);
    closing = new Promise<void>((resolve) => {
      const serverClosed = new Promise<void>((r) => server.close(() => r()));
      const allGone = new Promise<void>((r) => {
        drained = r;
        if (live.size === 0) r();
      });
      for (const c of live.values()) {
        if (!c.relaying || drainMs === 0) {
          c.closeReason = 'shutdown';
          closeConn(c);
        }
      }
      const timer =
        drainMs > 0
          ? setTimeout(() => {
              for (const c of live.values()) {
                c.closeReason = 'shutdown';
                closeConn(c);
              }
            }, drainMs)
          : undefined;
      void Promise.all([serverClosed, allGone]).then(() => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      });
    });
    return closing;
  };

  return {
    address,
    listen: bound,
    target,
    get stats(): ForwarderStats {
      return { ...counters, active: live.size };
    },
    close,
  };
}
