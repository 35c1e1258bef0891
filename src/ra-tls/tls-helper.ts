/**
 * The TLS side of an RA-TLS client for any protocol over TLS (HTTP, gRPC, a
 * raw socket): the part a caller would otherwise write by hand, and the part
 * that is easy to get wrong.
 *
 * An RA-TLS server's certificate is self-signed (or signed by an app CA no
 * public CA vouches for): trust comes from the quote inside it. So the TLS
 * library must be told to accept the certificate (`rejectUnauthorized:
 * false`, no host-name check), and the certificate must then be verified
 * before a single application byte is written:
 *
 *   1. raTlsConnectOptions(): the connect options (TLS 1.3 only by default);
 *   2. after 'secureConnect', verifyTlsPeer(socket, options):
 *        - the session is a full handshake at the required TLS version (a
 *          resumed session proves no possession of the certificate's key);
 *        - the leaf certificate the handshake authenticated
 *          (`getPeerCertificate().raw`) goes through verifyServerCertificate
 *          (quote, key binding, event log, verifier, policy);
 *        - the peer's identity must be pinned (requireIdentityPins: the
 *          caller is about to send data to it) unless `allowAnyTd: true`;
 *        - on any failure the socket is destroyed and the coded error thrown;
 *        - any later handshake (renegotiation), during or after the
 *          verification, destroys the socket with RaTlsRenegotiation before
 *          another byte is read or written.
 *
 * No node: import: the socket is taken structurally (node:tls TLSSocket fits),
 * so the module stays in the runtime-neutral `tee-attest/ra-tls` entry.
 */
import { AttestationError, attestationError } from '../errors.js';
import { requireIdentityPins } from './identity-pins.js';
import { optionalBoolean, requireOptionsObject } from './option-checks.js';
import { verifyServerCertificate, type ServerCertificateOptions, type ServerCertificateVerification } from './verify-server-certificate.js';

/** node:tls connect options that hand certificate trust to verifyTlsPeer. */
export interface RaTlsConnectOptions {
  /** The certificate is accepted by the TLS layer and verified by verifyTlsPeer instead. */
  readonly rejectUnauthorized: false;
  /** No host-name check: the attestation, not a DNS name, identifies the server. */
  readonly checkServerIdentity: () => undefined;
  readonly minVersion: 'TLSv1.3' | 'TLSv1.2';
}

/**
 * Options to spread into `tls.connect({ host, port, ...raTlsConnectOptions() })`.
 * They are safe ONLY followed by verifyTlsPeer before the socket is used.
 * `allowTls12: true` admits TLS 1.2 servers (renegotiation still refused).
 */
export function raTlsConnectOptions(options: { readonly allowTls12?: boolean } = {}): RaTlsConnectOptions {
  requireOptionsObject(options, 'raTlsConnectOptions');
  optionalBoolean(options.allowTls12, 'raTlsConnectOptions', 'allowTls12');
  return {
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    minVersion: options.allowTls12 === true ? 'TLSv1.2' : 'TLSv1.3',
  };
}

/** What verifyTlsPeer uses of a connected TLS socket (node:tls TLSSocket has it). */
export interface TlsPeerSocket {
  getPeerCertificate(detailed?: boolean): object | null;
  getProtocol(): string | null;
  isSessionReused(): boolean;
  on(event: 'secure', listener: () => void): unknown;
  destroy(error?: Error): unknown;
}

export interface TlsPeerOptions extends ServerCertificateOptions {
  /** Accept a TLS 1.2 session (as raTlsConnectOptions({ allowTls12: true })). Default false: TLS 1.3 only. */
  readonly allowTls12?: boolean;
  /** INSECURE: accept any genuine TD without pinning its MRTD / OS image and app (warns once). */
  readonly allowAnyTd?: boolean;
  /** Where the allowAnyTd warning goes. Default console.warn. */
  readonly warn?: (message: string) => void;
}

const refused = (message: string, check: string, expected: string, found: string): AttestationError =>
  attestationError('RaTlsConnect', message, { check, expected, found });

const renegotiation = (): AttestationError =>
  attestationError('RaTlsRenegotiation', 'the server started a new TLS handshake after the RA-TLS verification began; connection closed', {
    check: 'ratls.renegotiation',
    expected: 'one handshake per connection',
    found: 'renegotiation',
  });

function rawCertificate(socket: TlsPeerSocket): Uint8Array {
  const peer = socket.getPeerCertificate(false) as { raw?: unknown } | null;
  const raw = peer === null || typeof peer !== 'object' ? undefined : peer.raw;
  if (!(raw instanceof Uint8Array) || raw.length === 0) {
    throw attestationError('RaTlsNoPeerCertificate', 'the TLS server presented no certificate', {
      check: 'ratls.tls.peerCertificate',
      expected: 'the RA-TLS certificate',
      found: 'none',
    });
  }
  return raw;
}

/**
 * Verifies the RA-TLS server behind a connected TLS socket (call it on
 * 'secureConnect', before writing). Returns the verification; on failure the
 * socket is destroyed and the coded error thrown. A later renegotiation
 * destroys the socket with RaTlsRenegotiation (an 'error' event).
 */
export async function verifyTlsPeer(socket: TlsPeerSocket, options: TlsPeerOptions): Promise<ServerCertificateVerification> {
  requireOptionsObject(options, 'verifyTlsPeer');
  if (socket === null || typeof socket !== 'object' || typeof socket.getPeerCertificate !== 'function' || typeof socket.destroy !== 'function') {
    throw attestationError('InvalidArgument', 'verifyTlsPeer: socket must be a connected TLS socket (node:tls TLSSocket)', { check: 'verifyTlsPeer.socket' });
  }
  const { allowTls12, allowAnyTd, warn, ...certificateOptions } = options;
  try {
    optionalBoolean(allowTls12, 'verifyTlsPeer', 'allowTls12');
    requireIdentityPins({ ...certificateOptions, ...(allowAnyTd === undefined ? {} : { allowAnyTd }) }, 'verifyTlsPeer', ...(warn === undefined ? [] : [warn]));
    const protocol = socket.getProtocol();
    if (protocol !== 'TLSv1.3' && !(allowTls12 === true && protocol === 'TLSv1.2')) {
      throw refused(
        protocol === null ? 'verifyTlsPeer: the TLS handshake has not completed (call it on secureConnect)' : `verifyTlsPeer: the server negotiated ${protocol}; RA-TLS needs TLS 1.3 (allowTls12: true admits TLS 1.2)`,
        'ratls.tls.version',
        allowTls12 === true ? 'TLSv1.3 | TLSv1.2' : 'TLSv1.3',
        protocol ?? 'no completed handshake',
      );
    }
    // A resumed session skips the server's CertificateVerify: nothing in this
    // handshake proves the server holds the certificate's private key.
    if (socket.isSessionReused()) {
      throw refused('verifyTlsPeer: the TLS session was resumed; RA-TLS needs a full handshake (do not pass `session`)', 'ratls.tls.resumption', 'full handshake', 'resumed session');
    }
    const certificate = rawCertificate(socket);
    // Watch for another handshake from now on, including while the
    // verification below runs: the certificate verified must stay the
    // connection's only one.
    let renegotiated = false;
    let verifying = true;
    socket.on('secure', () => {
      renegotiated = true;
      // While verifying, the caller learns it from the rejected promise (no
      // 'error' event nobody may listen to); afterwards from an 'error' event.
      if (verifying) socket.destroy();
      else socket.destroy(renegotiation());
    });
    const verification = await verifyServerCertificate(certificate, certificateOptions).finally(() => {
      verifying = false;
    });
    if (renegotiated) throw renegotiation();
    return verification;
  } catch (e) {
    // Destroyed without an error argument: the caller gets the error from
    // this promise, not as an 'error' event nobody may be listening to.
    socket.destroy();
    throw e;
  }
}
