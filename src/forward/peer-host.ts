/**
 * The forwarder's RaTlsStreamHost: what the connector's RaTlsStream needs
 * (client certificate, SNI, server verification), without node-postgres
 * (the forwarder serves drivers that are not `pg`, so `pg` is not loaded).
 *
 * Verification is verifyServerCertificate with the caller's policy at the
 * clock's time, as the connector does. Optional pinning reuses a result for
 * `ttlSeconds` (never past the verification's expiresAt) for the SAME
 * certificate: keyed by its SHA-256 and used only when the presented
 * certificate's bytes equal the verified ones.
 */
import { createHash } from 'node:crypto';
import { attestationError } from '../errors.js';
import { getTlsKey, resolveGuestAgentEndpoint, type DstackTlsKey, type GuestAgentOptions } from '../postgres/guest-agent.js';
import { defaultServername } from '../postgres/ra-tls-stream.js';
import type { PeerVerification, RaTlsStreamHost, VerificationReason } from '../postgres/types.js';
import { verifyServerCertificate, type ServerCertificateOptions } from '../ra-tls/verify-server-certificate.js';
import { bytesEqual } from '../lib/bytes.js';
import { toUnixSeconds } from '../lib/time.js';

export interface PeerHostOptions {
  readonly policy: ServerCertificateOptions;
  readonly clientCertificate: DstackTlsKey | (() => Promise<DstackTlsKey>) | undefined;
  readonly guestAgent: GuestAgentOptions | undefined;
  readonly subject: string;
  readonly altNames: readonly string[] | undefined;
  readonly servername: string | false | undefined;
  readonly clock: (() => number | Date) | undefined;
  readonly connectTimeoutMs: number;
  readonly pinning: { readonly ttlSeconds: number; readonly maxEntries: number } | undefined;
}

export function isTlsKey(k: unknown): k is DstackTlsKey {
  return (
    typeof k === 'object' &&
    k !== null &&
    typeof (k as DstackTlsKey).key === 'string' &&
    Array.isArray((k as DstackTlsKey).certificateChain) &&
    (k as DstackTlsKey).certificateChain.length > 0 &&
    (k as DstackTlsKey).certificateChain.every((c) => typeof c === 'string')
  );
}

export class ForwarderPeerHost implements RaTlsStreamHost {
  readonly connectTimeoutMs: number;
  readonly #o: PeerHostOptions;
  readonly #agent: GuestAgentOptions | undefined;
  readonly #pins = new Map<string, { peer: PeerVerification; until: number }>();
  #key: Promise<DstackTlsKey> | undefined;

  constructor(o: PeerHostOptions) {
    this.#o = o;
    this.connectTimeoutMs = o.connectTimeoutMs;
    // No client certificate given: the guest agent must exist now (MissingDstackSocket), before anything listens.
    this.#agent = o.clientCertificate === undefined ? { ...o.guestAgent, endpoint: resolveGuestAgentEndpoint(o.guestAgent) } : undefined;
  }

  /** The client certificate (fetched once; a failed fetch is retried on the next connection). */
  clientKey(): Promise<DstackTlsKey> {
    if (this.#key === undefined) {
      const p = this.#fetch();
      this.#key = p;
      p.catch(() => {
        if (this.#key === p) this.#key = undefined;
      });
    }
    return this.#key;
  }

  async #fetch(): Promise<DstackTlsKey> {
    const cc = this.#o.clientCertificate;
    if (typeof cc === 'function') {
      const k = await cc();
      if (!isTlsKey(k)) throw attestationError('InvalidArgument', 'clientCertificate() returned no { key, certificateChain }', { check: 'options.clientCertificate' });
      return k;
    }
    if (cc !== undefined) return cc;
    return getTlsKey(
      {
        subject: this.#o.subject,
        ...(this.#o.altNames === undefined ? {} : { altNames: this.#o.altNames }),
        usageRaTls: true,
        usageClientAuth: true,
        usageServerAuth: false,
      },
      this.#agent,
    );
  }

  servername(host: string): string | undefined {
    return defaultServername(host, this.#o.servername);
  }

  get pinCount(): number {
    return this.#pins.size;
  }

  async verifyPeer(der: Uint8Array, context: { host: string; port: number; reason: VerificationReason }): Promise<PeerVerification> {
    void context;
    const now = toUnixSeconds(this.#o.clock?.() ?? new Date());
    const fingerprint = createHash('sha256').update(der).digest('hex');
    const pinning = this.#o.pinning;
    if (pinning !== undefined) {
      const pin = this.#pins.get(fingerprint);
      if (pin !== undefined) {
        this.#pins.delete(fingerprint);
        // Same hash is not enough: the exact bytes must be the ones verified.
        if (bytesEqual(pin.peer.certificate, der) && now >= pin.peer.verifiedAt && now < pin.until) {
          this.#pins.set(fingerprint, pin);
          return { ...pin.peer, pinned: true };
        }
      }
    }
    const verification = await verifyServerCertificate(der, { ...this.#o.policy, at: now });
    const peer: PeerVerification = { fingerprint, certificate: Uint8Array.from(der), verification, pinned: false, verifiedAt: now };
    if (pinning !== undefined) {
      const until = Math.min(now + pinning.ttlSeconds, verification.result.expiresAt ?? Number.POSITIVE_INFINITY);
      if (until > now) {
        this.#pins.set(fingerprint, { peer, until });
        while (this.#pins.size > pinning.maxEntries) this.#pins.delete(this.#pins.keys().next().value as string);
      }
    }
    return peer;
  }
}
