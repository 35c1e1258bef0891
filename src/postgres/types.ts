/** Types shared by the RA-TLS Postgres connector's parts. */
import type { ServerCertificateVerification } from '../ra-tls/verify-server-certificate.js';
import type { DstackTlsKey } from './guest-agent.js';

/** Why a server certificate is being verified. */
export type VerificationReason = 'connect' | 'checkout';

/** The outcome of verifying one server certificate. */
export interface PeerVerification {
  /** SHA-256 of the server certificate DER, lower-case hex. */
  readonly fingerprint: string;
  /** The server certificate (DER). */
  readonly certificate: Uint8Array;
  /** The full verification this connection relies on (for a pinned connection: the one that created the pin). */
  readonly verification: ServerCertificateVerification;
  /** True when the full verification was skipped because the fingerprint was pinned. */
  readonly pinned: boolean;
  /** Unix seconds of the full verification relied on. */
  readonly verifiedAt: number;
}

/** Passed to `onVerified` after each successful verification (or pin hit). */
export interface RaTlsVerifiedEvent extends PeerVerification {
  readonly host: string;
  readonly port: number;
  readonly reason: VerificationReason;
}

/** What a RaTlsStream needs from its connector. */
export interface RaTlsStreamHost {
  readonly connectTimeoutMs: number;
  /** Accept TLS 1.2 servers (default: TLS 1.3 only). */
  readonly allowTls12?: boolean;
  clientKey(): Promise<DstackTlsKey>;
  servername(host: string): string | undefined;
  verifyPeer(der: Uint8Array, context: { host: string; port: number; reason: VerificationReason }): Promise<PeerVerification>;
}
