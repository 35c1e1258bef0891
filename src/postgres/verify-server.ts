/**
 * Verify before connect (issue 13 §4): `verifyServer(host, port, options)`
 * opens the RA-TLS connection the connector would open (connectRaTlsSocket:
 * TLS 1.3 only, renegotiation refused), takes the server certificate after
 * the handshake, closes the connection WITHOUT sending any application byte,
 * and verifies the certificate exactly as the connector does:
 * verifyServerCertificate with the same secure defaults (requireIdentityPins:
 * identity pins, or `allowAnyTd` by name). Node only.
 *
 * TOCTOU: a probe says nothing about the next connection, which may reach
 * another server. Pin the probe's `certificateSha256` on the connection:
 *
 *   const probe = await verifyServer(host, 5433, { verifier, ...pins });
 *   createRaTlsConnector({ verifier, ...pins, expectedCertificateSha256: probe.certificateSha256 });
 *
 * Any other certificate is then refused (RaTlsCertificateMismatch) before a
 * byte of the Postgres protocol is sent.
 *
 * A client certificate is optional: a probe outside a CVM has none (a mutual
 * sidecar may then refuse the connection after the handshake; the server
 * certificate has been seen by then). Pass one to look exactly like the
 * connector.
 */
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { attestationError } from '../errors.js';
import { requireIdentityPins } from '../ra-tls/identity-pins.js';
import { optionalBoolean, optionalPositive, requireOptionsObject } from '../ra-tls/option-checks.js';
import { verifyServerCertificate, type ServerCertificateOptions, type ServerCertificateVerification } from '../ra-tls/verify-server-certificate.js';
import { requireVerifier } from '../ra-tls/verify-attested-quote.js';
import { readClock, systemClock, toUnixSeconds, type Clock, type TimeInput } from '../lib/time.js';
import type { DstackTlsKey } from './guest-agent.js';
import { connectRaTlsSocket, refuseRenegotiation } from './ra-tls-socket.js';
import { defaultServername } from './ra-tls-stream.js';

export interface VerifyServerOptions extends Omit<ServerCertificateOptions, 'at'> {
  /** INSECURE relaxation, as the connector's: no identity pins required (warns once). */
  readonly allowAnyTd?: boolean;
  /** Where the allowAnyTd warning goes. Default console.warn. */
  readonly warn?: (message: string) => void;
  /** The client certificate to present (mutual RA-TLS). Default: none. */
  readonly clientCertificate?: DstackTlsKey;
  /** TLS SNI. Default: the host when it is a name (never an IP address); false: none. */
  readonly servername?: string | false;
  /** Accept TLS 1.2-only servers (renegotiation still refused). Default false. */
  readonly allowTls12?: boolean;
  /** Verification time. Default: `clock`, else the system clock. */
  readonly at?: TimeInput;
  readonly clock?: Clock;
  /** Bound on TCP + TLS handshake, milliseconds. Default 15 000. */
  readonly timeoutMs?: number;
}

export interface ServerProbe {
  readonly host: string;
  readonly port: number;
  /** SHA-256 of the server certificate DER, lower-case hex: pin it as expectedCertificateSha256. */
  readonly certificateSha256: string;
  /** The server certificate (DER). */
  readonly certificate: Uint8Array;
  /** The TLS version negotiated. */
  readonly tlsVersion: string;
  /** Unix seconds of the verification. */
  readonly verifiedAt: number;
  readonly verification: ServerCertificateVerification;
}

const PROBE_KEYS = ['allowAnyTd', 'warn', 'clientCertificate', 'servername', 'allowTls12', 'at', 'clock', 'timeoutMs'] as const;

/** Opens TLS, reads the certificate, closes; sends no application byte. */
function fetchCertificate(host: string, port: number, o: VerifyServerOptions, timeoutMs: number): Promise<{ der: Uint8Array; tlsVersion: string }> {
  return new Promise((resolve, reject) => {
    const servername = defaultServername(host, o.servername);
    let socket: TLSSocket;
    try {
      socket = connectRaTlsSocket({
        host,
        port,
        ...(servername === undefined ? {} : { servername }),
        clientKey: o.clientCertificate,
        ...(o.allowTls12 === true ? { allowTls12: true } : {}),
      });
    } catch (e) {
      reject(attestationError('RaTlsConnect', `TLS connection to ${host}:${port} could not start: ${(e as Error).message}`, { check: 'ratls.connect.tls' }, { cause: e }));
      return;
    }
    const done = (f: () => void): void => {
      clearTimeout(timer);
      socket.removeAllListeners('secureConnect');
      socket.on('error', () => undefined);
      socket.destroy();
      f();
    };
    const timer = setTimeout(
      () => done(() => reject(attestationError('RaTlsConnect', `TLS handshake with ${host}:${port} did not finish within ${timeoutMs} ms`, { check: 'ratls.connect.timeout' }))),
      timeoutMs,
    );
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(() => reject(attestationError('RaTlsConnect', `TLS connection to ${host}:${port} failed: ${e.code ?? ''} ${e.message}`.trim(), { check: 'ratls.connect.tls', found: e.code }, { cause: e }))),
    );
    socket.once('close', () => done(() => reject(attestationError('RaTlsConnect', `TLS connection to ${host}:${port} closed during the handshake`, { check: 'ratls.connect.tls' }))));
    socket.once('secureConnect', () => {
      refuseRenegotiation(socket, () => undefined);
      const cert = socket.getPeerCertificate(false) as { raw?: Buffer } | null;
      const tlsVersion = socket.getProtocol() ?? 'unknown';
      socket.removeAllListeners('close');
      if (cert === null || cert.raw === undefined || cert.raw.length === 0) {
        done(() => reject(attestationError('RaTlsNoPeerCertificate', `${host}:${port} presented no TLS certificate`, { check: 'ratls.peer.certificate' })));
        return;
      }
      const der = new Uint8Array(cert.raw);
      done(() => resolve({ der, tlsVersion }));
    });
  });
}

/** Verifies the RA-TLS server at host:port as the connector would, without sending any application byte. */
export async function verifyServer(host: string, port: number, options: VerifyServerOptions): Promise<ServerProbe> {
  const who = 'verifyServer';
  requireOptionsObject(options, who);
  requireVerifier(options.verifier);
  if (typeof host !== 'string' || host === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw attestationError('InvalidArgument', `${who}: host must be a name or address and port 1..65535`, { check: 'options.target', found: `${typeof host}:${String(port)}` });
  }
  // The connector's secure default: pins, or allowAnyTd by name.
  requireIdentityPins(options, who, options.warn);
  optionalBoolean(options.allowTls12, who, 'allowTls12');
  optionalPositive(options.timeoutMs, who, 'timeoutMs', true);
  const c = options.clientCertificate;
  if (c !== undefined && (typeof c?.key !== 'string' || !Array.isArray(c.certificateChain))) {
    throw attestationError('InvalidArgument', `${who}: clientCertificate must be { key, certificateChain } (PEM)`, { check: 'options.clientCertificate' });
  }
  const at = options.at !== undefined ? toUnixSeconds(options.at) : readClock(options.clock ?? systemClock, who);
  const policy: Record<string, unknown> = { ...options };
  for (const k of PROBE_KEYS) delete policy[k];

  const { der, tlsVersion } = await fetchCertificate(host, port, options, options.timeoutMs ?? 15_000);
  const verification = await verifyServerCertificate(der, { ...(policy as unknown as ServerCertificateOptions), at });
  return {
    host,
    port,
    certificateSha256: createHash('sha256').update(der).digest('hex'),
    certificate: der,
    tlsVersion,
    verifiedAt: at,
    verification,
  };
}
