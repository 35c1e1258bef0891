/**
 * The TLS connection every RA-TLS client path opens (the Postgres connector
 * and pool through RaTlsStream; the forwarder and the pre-flight probe call
 * the same function). Node only.
 *
 * The server certificate is verified once, after the first handshake, so the
 * connection must never present another one:
 *
 *   - TLS 1.3 only by default (RFC 8446 has no renegotiation at all);
 *     `allowTls12: true` is the named relaxation for TLS 1.2-only servers;
 *   - TLS 1.2 renegotiation is refused by OpenSSL (SSL_OP_NO_RENEGOTIATION:
 *     a server HelloRequest is answered with a no_renegotiation alert);
 *   - any further handshake seen on the socket (Node's 'secure' event after
 *     the first) destroys it at once with RaTlsRenegotiation, before another
 *     byte is read or written.
 *
 * No session resumption is attempted (a resumed session presents no
 * certificate), and trust comes from the attestation, not from a CA.
 */
import { constants } from 'node:crypto';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { AttestationError, attestationError } from '../errors.js';
import type { DstackTlsKey } from './guest-agent.js';

export interface RaTlsSocketOptions {
  readonly host: string;
  readonly port: number;
  readonly servername?: string;
  /** The client certificate (mutual RA-TLS). Absent: none is presented (the pre-flight probe outside a CVM). */
  readonly clientKey: DstackTlsKey | undefined;
  /** Accept TLS 1.2 servers (renegotiation is still refused). Default false: TLS 1.3 only. */
  readonly allowTls12?: boolean;
}

/** Opens the TLS connection (the handshake runs; wait for 'secureConnect'). */
export function connectRaTlsSocket(o: RaTlsSocketOptions): TLSSocket {
  return tlsConnect({
    host: o.host,
    port: o.port,
    ...(o.servername === undefined ? {} : { servername: o.servername }),
    ...(o.clientKey === undefined ? {} : { key: o.clientKey.key, cert: o.clientKey.certificateChain.join('\n') }),
    // Checked by verifyServerCertificate after the handshake proved the
    // server holds the certificate's key.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    minVersion: o.allowTls12 === true ? 'TLSv1.2' : 'TLSv1.3',
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  });
}

/**
 * After the first handshake: calls `refuse` with a RaTlsRenegotiation error
 * (and destroys the socket) if the peer starts another handshake.
 */
export function refuseRenegotiation(socket: TLSSocket, refuse: (e: AttestationError) => void): void {
  socket.on('secure', () => {
    const e = attestationError('RaTlsRenegotiation', 'the server started a new TLS handshake after the RA-TLS verification; connection closed', {
      check: 'ratls.renegotiation',
      expected: 'one handshake per connection',
      found: 'renegotiation',
    });
    socket.destroy(e);
    refuse(e);
  });
}
