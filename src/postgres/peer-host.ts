/**
 * RaTlsPeerHost: the client side of one RA-TLS Postgres endpoint, without
 * node-postgres. The connector (connector.ts, for `pg`) and the forwarder
 * (src/forward/, for every other driver) both hand it to RaTlsStream; it must
 * never load `pg` (test/forward/no-pg.test.ts walks the forwarder's imports).
 *
 * It holds two things:
 *
 *   client certificate  the guest agent's (GetTlsKey, usage_ra_tls +
 *                       usage_client_auth), a fixed { key, certificateChain }
 *                       or a function (the forwarder's PEM files are one).
 *                       Fetched on first use, renewed when fewer than
 *                       `clientCertificateRenewBeforeSeconds` remain before
 *                       the leaf's notAfter (at most half its remaining
 *                       lifetime): ONE fetch at a time, the still-valid
 *                       certificate presented meanwhile, a failed fetch not
 *                       remembered, an expired certificate never presented.
 *   verifyPeer          verifyServerCertificate with the caller's policy at
 *                       the clock's time, behind the connection result cache
 *                       (`pinning`, on by default for one hour; issue 13 §3):
 *                       keyed by SHA-256 of the DER, each entry keeps and
 *                       compares the full DER, lives until the earliest of the
 *                       TTL, the result's expiresAt and the certificate's
 *                       notAfter; failures evict and are never cached, nor are
 *                       unverified (allowSimulator) results. With the cache
 *                       on, connections presenting the same bytes while their
 *                       full verification runs wait for it (single-flight):
 *                       they share its failure, and its success is answered
 *                       as a cache hit with the same date checks.
 */
import { createHash } from 'node:crypto';
import { attestationError } from '../errors.js';
import { parseCertificateFields } from '../ra-tls/certificate-fields.js';
import { invalidOption, optionalBoolean, optionalFunction, optionalPositive, optionalStringList } from '../ra-tls/option-checks.js';
import { verifyServerCertificate, type ServerCertificateOptions } from '../ra-tls/verify-server-certificate.js';
import { bytesEqual } from '../lib/bytes.js';
import { LruMap } from '../lib/lru.js';
import { readClock, systemClock, type Clock } from '../lib/time.js';
import { getTlsKey, resolveGuestAgentEndpoint, type DstackTlsKey, type GuestAgentOptions } from './guest-agent.js';
import { defaultServername } from './ra-tls-stream.js';
import type { PeerVerification, RaTlsStreamHost, RaTlsVerifiedEvent, VerificationReason } from './types.js';

export interface PinningOptions {
  /**
   * How long a full verification of a certificate lets new connections
   * presenting the same certificate bytes skip verification. Default 3600.
   * Never past the verification's `expiresAt` nor the certificate's notAfter.
   */
  readonly ttlSeconds?: number;
  /** Entries kept (least recently used evicted). Default 64. */
  readonly maxEntries?: number;
}

/** Default lifetime of a cached connection verification (seconds): one hour, as the documents say. */
export const DEFAULT_PINNING_TTL_SECONDS = 3600;
/** Default number of cached connection verifications. */
export const DEFAULT_PINNING_MAX_ENTRIES = 64;
/** Default: renew the client certificate when less than this many seconds remain before its notAfter. */
export const DEFAULT_CLIENT_CERTIFICATE_RENEW_BEFORE_SECONDS = 300;

/** A fixed client certificate, or where to get one (called again to renew and after a failure). */
export type ClientCertificateSource = DstackTlsKey | (() => Promise<DstackTlsKey>);

export interface RaTlsPeerHostOptions {
  /** The public entry the options were given to, named in option errors. */
  readonly who: string;
  /** verifyServerCertificate's options (verifier, pins, relaxations); `at` is the clock's time, `warn` is below. */
  readonly policy: Omit<ServerCertificateOptions, 'at' | 'warn'>;
  /** Where verifyServerCertificate's allowSimulator warning goes (every unverified connection). Default console.warn. */
  readonly warn?: (message: string) => void;
  /** Default: the guest agent's GetTlsKey. */
  readonly clientCertificate?: ClientCertificateSource;
  /** Renewal margin of a fetched client certificate, seconds. Default 300. */
  readonly clientCertificateRenewBeforeSeconds?: number;
  /** Where the guest agent is (when no clientCertificate is given). */
  readonly guestAgent?: GuestAgentOptions;
  /** Subject / alt names asked of GetTlsKey. */
  readonly clientCertificateRequest?: { readonly subject?: string; readonly altNames?: readonly string[] };
  /** The GetTlsKey subject when clientCertificateRequest names none. */
  readonly defaultSubject: string;
  /** TLS SNI: a name, `false` for none; default the target host when it is a name. */
  readonly servername?: string | false;
  /** Verification time source. Default: the system clock. */
  readonly clock?: Clock;
  /** Bound on client certificate + TCP + TLS + verification per connection (validated by the caller). */
  readonly connectTimeoutMs: number;
  readonly allowTls12?: boolean;
  /** The result cache: on by default, `false` turns it (and the single-flight) off. */
  readonly pinning?: PinningOptions | boolean;
  /** Called after each successful verification or cache hit. */
  readonly onVerified?: (event: RaTlsVerifiedEvent) => void;
}

/** The shared options' types and shapes (coded InvalidArgument naming the field; values never echoed). */
export function validatePeerHostOptions(o: Partial<RaTlsPeerHostOptions>, who: string): void {
  optionalFunction(o.warn, who, 'warn');
  optionalFunction(o.clock, who, 'clock');
  optionalFunction(o.onVerified, who, 'onVerified');
  optionalBoolean(o.allowTls12, who, 'allowTls12');
  optionalPositive(o.clientCertificateRenewBeforeSeconds, who, 'clientCertificateRenewBeforeSeconds');
  if (o.servername !== undefined && o.servername !== false && typeof o.servername !== 'string') {
    throw invalidOption(who, 'servername', 'must be a host name or false', o.servername);
  }
  for (const k of ['guestAgent', 'clientCertificateRequest', 'pinning'] as const) {
    const v = o[k] as unknown;
    if (k === 'pinning' && typeof v === 'boolean') continue;
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v))) throw invalidOption(who, k, 'must be an object', v);
  }
  const ga = o.guestAgent;
  if (ga !== undefined) {
    if (ga.endpoint !== undefined && (typeof ga.endpoint !== 'string' || ga.endpoint === '')) throw invalidOption(who, 'guestAgent.endpoint', 'must be a non-empty string', ga.endpoint);
    if (ga.env !== undefined && (ga.env === null || typeof ga.env !== 'object')) throw invalidOption(who, 'guestAgent.env', 'must be an object', ga.env);
    optionalStringList(ga.socketPaths, who, 'guestAgent.socketPaths');
    optionalPositive(ga.timeoutMs, who, 'guestAgent.timeoutMs', true);
    optionalPositive(ga.maxResponseBytes, who, 'guestAgent.maxResponseBytes', true);
  }
  const req = o.clientCertificateRequest;
  if (req?.subject !== undefined && typeof req.subject !== 'string') throw invalidOption(who, 'clientCertificateRequest.subject', 'must be a string', req.subject);
  if (req?.altNames !== undefined) optionalStringList(req.altNames, who, 'clientCertificateRequest.altNames');
  if (typeof o.pinning === 'object') {
    optionalPositive(o.pinning.ttlSeconds, who, 'pinning.ttlSeconds');
    optionalPositive(o.pinning.maxEntries, who, 'pinning.maxEntries', true);
  }
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

/** The leaf's notAfter (unix seconds); +Infinity when the leaf cannot be read (then never renewed by date). */
function leafNotAfter(key: DstackTlsKey): number {
  try {
    return parseCertificateFields(key.certificateChain[0]!).notAfter;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** A fetched client certificate and when to renew it (unix seconds). */
interface HeldKey {
  readonly key: DstackTlsKey;
  readonly notAfter: number;
  readonly renewAt: number;
}

/** A cached full verification. */
interface Entry {
  /** The certificate DER (the entry's own copy, never handed out), compared in full on every hit. */
  readonly der: Uint8Array;
  readonly peer: PeerVerification;
  readonly until: number;
}

/** A full verification under way that connections presenting the same bytes may wait for. */
interface Flight {
  /** The exact bytes being verified (compared in full before joining). */
  readonly der: Uint8Array;
  /** Its verification time: a connection whose clock reads earlier does not join. */
  readonly at: number;
  readonly done: Promise<PeerVerification>;
}

export class RaTlsPeerHost implements RaTlsStreamHost {
  readonly connectTimeoutMs: number;
  readonly allowTls12: boolean;
  readonly #o: RaTlsPeerHostOptions;
  readonly #agent: GuestAgentOptions | undefined;
  readonly #warn: (message: string) => void;
  readonly #renewBefore: number;
  readonly #ttl: number;
  readonly #cache: LruMap<string, Entry> | undefined;
  readonly #flights = new Map<string, Flight>();
  #held: HeldKey | undefined;
  #fetching: Promise<DstackTlsKey> | undefined;

  constructor(o: RaTlsPeerHostOptions) {
    validatePeerHostOptions(o, o.who);
    const cc = o.clientCertificate;
    if (cc !== undefined && typeof cc !== 'function' && !isTlsKey(cc)) {
      throw attestationError('InvalidArgument', 'clientCertificate must be { key, certificateChain } (PEM) or a function returning one', {
        check: 'options.clientCertificate',
      });
    }
    this.#o = o;
    this.connectTimeoutMs = o.connectTimeoutMs;
    this.allowTls12 = o.allowTls12 === true;
    this.#warn =
      o.warn ??
      ((message: string): void => {
        console.warn(message);
      });
    this.#renewBefore = o.clientCertificateRenewBeforeSeconds ?? DEFAULT_CLIENT_CERTIFICATE_RENEW_BEFORE_SECONDS;
    const p = typeof o.pinning === 'object' ? o.pinning : {};
    this.#ttl = p.ttlSeconds ?? DEFAULT_PINNING_TTL_SECONDS;
    this.#cache = o.pinning === false ? undefined : new LruMap(p.maxEntries ?? DEFAULT_PINNING_MAX_ENTRIES);
    // No client certificate given: the guest agent must exist now (MissingDstackSocket), before any connection.
    this.#agent = cc === undefined ? { ...o.guestAgent, endpoint: resolveGuestAgentEndpoint(o.guestAgent) } : undefined;
  }

  /** The guest agent endpoint in use (undefined with a clientCertificate override). */
  get guestAgentEndpoint(): string | undefined {
    return this.#agent?.endpoint;
  }

  #now(): number {
    return readClock(this.#o.clock ?? systemClock, this.#o.who);
  }

  /**
   * The client certificate: fetched on first use, renewed within the margin
   * of its notAfter (one fetch at a time; the current certificate is used
   * meanwhile while it is still valid); a failed fetch is not remembered.
   */
  clientKey(): Promise<DstackTlsKey> {
    const now = this.#now();
    const held = this.#held;
    if (held !== undefined && now < held.renewAt) return Promise.resolve(held.key);
    const fetching = this.#fetching ?? this.#startFetch();
    if (held !== undefined && now < held.notAfter) {
      // Renewal in the background: keep presenting the still-valid certificate.
      return Promise.resolve(held.key);
    }
    return fetching;
  }

  #startFetch(): Promise<DstackTlsKey> {
    const p = this.#fetchKey().then((key) => {
      const notAfter = leafNotAfter(key);
      const fetchedAt = this.#now();
      // Renew `renewBefore` ahead of notAfter, but never earlier than half the remaining lifetime.
      const margin = Math.min(this.#renewBefore, Math.max(0, (notAfter - fetchedAt) / 2));
      if (this.#fetching === p) this.#held = { key, notAfter, renewAt: notAfter - margin };
      return key;
    });
    this.#fetching = p;
    const settle = (): void => {
      if (this.#fetching === p) this.#fetching = undefined;
    };
    p.then(settle, settle);
    return p;
  }

  async #fetchKey(): Promise<DstackTlsKey> {
    const cc = this.#o.clientCertificate;
    if (typeof cc === 'function') {
      const k = await cc();
      if (!isTlsKey(k)) throw attestationError('InvalidArgument', 'clientCertificate() returned no { key, certificateChain }', { check: 'options.clientCertificate' });
      return k;
    }
    if (cc !== undefined) return cc;
    const req = this.#o.clientCertificateRequest;
    return getTlsKey(
      {
        subject: req?.subject ?? this.#o.defaultSubject,
        ...(req?.altNames === undefined ? {} : { altNames: req.altNames }),
        usageRaTls: true,
        usageClientAuth: true,
        usageServerAuth: false,
      },
      this.#agent,
    );
  }

  /** Forget the client certificate: the next connection fetches a new one. */
  refreshClientCertificate(): void {
    this.#held = undefined;
    this.#fetching = undefined;
  }

  /** Unix seconds after which the held client certificate is renewed (undefined: none held). */
  get clientCertificateRenewAt(): number | undefined {
    return this.#held?.renewAt;
  }

  /** Forget every cached verification. */
  clearPins(): void {
    this.#cache?.clear();
  }

  /** Number of cached verifications (expired ones are dropped lazily). */
  get pinCount(): number {
    return this.#cache?.size ?? 0;
  }

  servername(host: string): string | undefined {
    return defaultServername(host, this.#o.servername);
  }

  /**
   * Verifies a server certificate: for reason 'connect' with the cache on, a
   * cache hit (the same bytes, inside the entry's window) or the outcome of a
   * full verification of the same bytes already under way; otherwise the full
   * verifyServerCertificate at the clock's time. Throws the verification's
   * coded error (and evicts the certificate's entry).
   */
  async verifyPeer(der: Uint8Array, context: { host: string; port: number; reason: VerificationReason }): Promise<PeerVerification> {
    const now = this.#now();
    const certificate = new Uint8Array(der); // a private copy: the entry compares these bytes
    const fingerprint = createHash('sha256').update(certificate).digest('hex');
    const peer =
      this.#cache !== undefined && context.reason === 'connect'
        ? (this.#hit(fingerprint, certificate, now) ?? (await this.#shared(fingerprint, certificate, now)))
        : await this.#verify(fingerprint, certificate, now);
    this.#o.onVerified?.({ ...peer, ...context });
    return peer;
  }

  /** The cached verification of exactly these bytes, when `now` is inside its window; any other entry is evicted. */
  #hit(fingerprint: string, certificate: Uint8Array, now: number): PeerVerification | undefined {
    const entry = this.#cache?.get(fingerprint);
    if (entry === undefined) return undefined;
    if (bytesEqual(entry.der, certificate) && now >= entry.peer.verifiedAt && now < entry.until) return { ...entry.peer, pinned: true };
    this.#cache?.delete(fingerprint);
    return undefined;
  }

  /** Single-flight: waits for a full verification of the same bytes under way, or starts one others can wait for. */
  async #shared(fingerprint: string, certificate: Uint8Array, now: number): Promise<PeerVerification> {
    const flight = this.#flights.get(fingerprint);
    if (flight !== undefined) {
      if (bytesEqual(flight.der, certificate) && now >= flight.at) {
        await flight.done; // its failure is this connection's too (and is not cached)
        // Its success is used as a cache hit, with the same checks; an unverified
        // result (never cached, warned per connection) is verified again.
        return this.#hit(fingerprint, certificate, now) ?? this.#verify(fingerprint, certificate, now);
      }
      return this.#verify(fingerprint, certificate, now); // other bytes under the same hash, or a clock behind it
    }
    const own: Flight = { der: certificate, at: now, done: this.#verify(fingerprint, certificate, now) };
    this.#flights.set(fingerprint, own);
    try {
      return await own.done;
    } finally {
      if (this.#flights.get(fingerprint) === own) this.#flights.delete(fingerprint);
    }
  }

  /** The full verification at `now`; a success is cached within its window, a failure evicts. */
  async #verify(fingerprint: string, certificate: Uint8Array, now: number): Promise<PeerVerification> {
    const cache = this.#cache;
    let verification;
    try {
      verification = await verifyServerCertificate(certificate, { ...this.#o.policy, at: now, warn: this.#warn });
    } catch (e) {
      cache?.delete(fingerprint);
      throw e;
    }
    const peer: PeerVerification = { fingerprint, certificate, verification, pinned: false, verifiedAt: now };
    if (cache !== undefined) {
      // Never past the TTL, the collateral / token expiry, or the certificate's notAfter.
      const until = Math.min(now + this.#ttl, verification.result.expiresAt ?? Number.POSITIVE_INFINITY, verification.certificate.certificate.notAfter);
      // Unverified (allowSimulator) results are never cached: each connection re-checks and warns.
      if (until > now && !verification.unverified) cache.set(fingerprint, { der: certificate.slice(), peer, until });
      else cache.delete(fingerprint);
    }
    return peer;
  }
}
