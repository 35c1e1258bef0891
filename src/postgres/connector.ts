/**
 * RA-TLS connector for node-postgres (`pg`) and everything built on it
 * (pg.Pool, @prisma/adapter-pg's PrismaPg). Node only.
 *
 *   const connector = createRaTlsConnector({ verifier, allowedMrtds: [MRTD], allowedComposeHashes: [COMPOSE_HASH] });
 *   const pool = connector.createPool(process.env.DATABASE_URL);   // a pg.Pool
 *   const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
 *
 * Each connection is a RaTlsStream (ra-tls-stream.ts): raw TLS to the sidecar
 * presenting the guest agent's attested client certificate, the server
 * certificate verified with verifyServerCertificate, and only then the
 * Postgres protocol. pg gets `ssl: false` (TLS is the connector's job).
 *
 * Defaults and explicit options:
 *   pinning             the result cache, ON by default (issue 13 §3: "cached
 *                       for 1 hour"): a new connection presenting exactly the
 *                       certificate bytes of one fully verified less than
 *                       `ttlSeconds` (default 3600) ago, and before that
 *                       verification's `expiresAt` (collateral / token expiry)
 *                       and the certificate's notAfter, skips the full
 *                       verification (the TLS handshake still proves the
 *                       server holds the certificate's key). Keyed by SHA-256
 *                       of the DER, the entry keeps the full DER and compares
 *                       it on every hit; failures are never cached and evict
 *                       the entry; unverified (allowSimulator) results are
 *                       never cached. `pinning: false` turns it off;
 *   reverifyOnCheckout  RaTlsPool re-runs the full verification of an idle
 *                       connection's certificate when the pool hands it out
 *                       (never answered from the cache; a success refreshes
 *                       the cache entry, a failure evicts it);
 *   client certificate  fetched lazily from the guest agent and renewed
 *                       before it expires (clientCertificateRenewBeforeSeconds).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ClientConfig, PoolClient, PoolConfig } from 'pg';
import { AttestationError } from '../errors.js';
import { loadOptional } from '../util/optional-dependency.js';
import { verifyServerCertificate, type ServerCertificateOptions } from '../ratls/verify-server-certificate.js';
import { requireVerifier } from '../ratls/verify-attested-quote.js';
import { requireIdentityPins } from '../ratls/identity-pins.js';
import {
  invalidOption,
  optionalBoolean,
  optionalFunction,
  optionalPositive,
  optionalStringList,
  requireOptionsObject,
  validateServerCertificateOptions,
} from '../ratls/option-checks.js';
import { bytesEqual } from '../util/bytes.js';
import { LruMap } from '../util/lru.js';
import { toUnixSeconds } from '../util/time.js';
import { parseCertificateFields } from '../ratls/certificate-fields.js';
import { parseRaTlsDsn, type RaTlsDsn, type RaTlsDsnInput } from './dsn.js';
import { getTlsKey, resolveGuestAgentEndpoint, type DstackTlsKey, type GuestAgentOptions } from './guest-agent.js';
import { defaultServername, RaTlsStream } from './ra-tls-stream.js';
import type { PeerVerification, RaTlsStreamHost, RaTlsVerifiedEvent, VerificationReason } from './types.js';

/** pg is an optional peer dependency: a coded DependencyMissing error names it when absent. */
const { default: Pg } = await loadOptional('pg', 'tee-attest/postgres', () => import('pg'));

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
/** Default: renew the client certificate when less than this many seconds remain before its notAfter. */
export const DEFAULT_CLIENT_CERTIFICATE_RENEW_BEFORE_SECONDS = 300;

export interface RaTlsConnectorOptions extends Omit<ServerCertificateOptions, 'at'> {
  /**
   * INSECURE relaxation: start without identity pins and send credentials to
   * any genuine TD (one an attacker rents included). Logs a warning once.
   * Without it the connector requires (allowedMrtds or allowedOsImageHashes)
   * and (allowedComposeHashes or allowedAppIds): see requireIdentityPins.
   */
  readonly allowAnyTd?: boolean;
  /**
   * Accept servers that only speak TLS 1.2. Default false: the RA-TLS client
   * speaks TLS 1.3 only. TLS 1.2 renegotiation is refused either way
   * (RaTlsRenegotiation): the verified certificate stays the connection's.
   */
  readonly allowTls12?: boolean;
  /** Where the allowAnyTd warning (once) and the allowSimulator warning (every connection) go. Default console.warn. */
  readonly warn?: (message: string) => void;
  /**
   * The client certificate to present. Default: fetched once (lazily, on the
   * first connection) from the dstack guest agent with GetTlsKey
   * (usage_ra_tls, usage_client_auth). A function is called instead of the
   * guest agent (and again after a failure, and to renew).
   *
   * Renewal (fetched certificates, not a fixed object): when fewer than
   * `clientCertificateRenewBeforeSeconds` remain before the leaf's notAfter
   * (at most half its lifetime), the next connection starts ONE refetch
   * (single-flight) and keeps using the current certificate until it
   * succeeds; a failed refetch is not remembered (the next connection
   * retries). An expired certificate is never presented: connections wait for
   * the refetch and fail with its error.
   */
  readonly clientCertificate?: DstackTlsKey | (() => Promise<DstackTlsKey>);
  /** Renewal margin of the fetched client certificate, seconds. Default 300. */
  readonly clientCertificateRenewBeforeSeconds?: number;
  /** Where the guest agent is (default: DSTACK_SIMULATOR_ENDPOINT, else the dstack socket paths). */
  readonly guestAgent?: GuestAgentOptions;
  /** Subject / alt names asked of GetTlsKey. Default subject `tee-attest-pg-client`. */
  readonly clientCertificateRequest?: { readonly subject?: string; readonly altNames?: readonly string[] };
  /** TLS SNI. Default: the DSN host when it is a name (never an IP address); `false`: no SNI. */
  readonly servername?: string | false;
  /** Time source for verification. Default: the system clock. */
  readonly clock?: () => number | Date;
  /** Bound on client certificate + TCP + TLS + verification per connection. Default 30 000 ms. */
  readonly connectTimeoutMs?: number;
  /** The connection result cache: on by default (1 hour), `false` to turn it off; see PinningOptions. */
  readonly pinning?: PinningOptions | boolean;
  /**
   * RaTlsPool only: re-verify an idle connection's server certificate on
   * checkout. `true`: on every reuse; `{ maxAgeSeconds }`: when its last full
   * verification is at least that old. Default false.
   */
  readonly reverifyOnCheckout?: boolean | { readonly maxAgeSeconds: number };
  /** Called after each successful verification or pin hit (logging, metrics). */
  readonly onVerified?: (event: RaTlsVerifiedEvent) => void;
}

/** pg config fields the connector owns (set from the DSN or by the connector). */
type Owned = 'connectionString' | 'ssl' | 'stream' | 'user' | 'password' | 'host' | 'port' | 'database';
export type ExtraClientConfig = Omit<ClientConfig, Owned>;
export type ExtraPoolConfig = Omit<PoolConfig, Owned>;

interface Pin {
  /** The certificate DER (the entry's own copy, never handed out), compared in full on every hit. */
  readonly der: Uint8Array;
  readonly peer: PeerVerification;
  readonly until: number;
}

/** A fetched client certificate and when to renew it (unix seconds). */
interface HeldKey {
  readonly key: DstackTlsKey;
  readonly notAfter: number;
  readonly renewAt: number;
}

const CONNECTOR_KEYS = [
  'allowAnyTd',
  'allowTls12',
  'warn',
  'clientCertificate',
  'clientCertificateRenewBeforeSeconds',
  'guestAgent',
  'clientCertificateRequest',
  'servername',
  'clock',
  'connectTimeoutMs',
  'pinning',
  'reverifyOnCheckout',
  'onVerified',
] as const;

const WHO = 'createRaTlsConnector';

/** The connector's own options (the policy ones are checked by requireIdentityPins). */
function validateConnectorOptions(o: RaTlsConnectorOptions): void {
  validateServerCertificateOptions(o as unknown as Record<string, unknown>, WHO);
  if ((o as { at?: unknown }).at !== undefined) throw invalidOption(WHO, 'at', 'is not a connector option (use clock)');
  optionalFunction(o.warn, WHO, 'warn');
  optionalBoolean(o.allowTls12, WHO, 'allowTls12');
  optionalFunction(o.clock, WHO, 'clock');
  optionalFunction(o.onVerified, WHO, 'onVerified');
  optionalPositive(o.connectTimeoutMs, WHO, 'connectTimeoutMs', true);
  optionalPositive(o.clientCertificateRenewBeforeSeconds, WHO, 'clientCertificateRenewBeforeSeconds');
  if (o.servername !== undefined && o.servername !== false && typeof o.servername !== 'string') {
    throw invalidOption(WHO, 'servername', 'must be a host name or false', o.servername);
  }
  for (const k of ['guestAgent', 'clientCertificateRequest', 'pinning'] as const) {
    const v = o[k] as unknown;
    if (k === 'pinning' && typeof v === 'boolean') continue;
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v))) throw invalidOption(WHO, k, 'must be an object', v);
  }
  const ga = o.guestAgent;
  if (ga !== undefined) {
    if (ga.endpoint !== undefined && (typeof ga.endpoint !== 'string' || ga.endpoint === '')) throw invalidOption(WHO, 'guestAgent.endpoint', 'must be a non-empty string', ga.endpoint);
    if (ga.env !== undefined && (ga.env === null || typeof ga.env !== 'object')) throw invalidOption(WHO, 'guestAgent.env', 'must be an object', ga.env);
    optionalStringList(ga.socketPaths, WHO, 'guestAgent.socketPaths');
    optionalPositive(ga.timeoutMs, WHO, 'guestAgent.timeoutMs', true);
    optionalPositive(ga.maxResponseBytes, WHO, 'guestAgent.maxResponseBytes', true);
  }
  const req = o.clientCertificateRequest;
  if (req?.subject !== undefined && typeof req.subject !== 'string') throw invalidOption(WHO, 'clientCertificateRequest.subject', 'must be a string', req.subject);
  if (req?.altNames !== undefined) optionalStringList(req.altNames, WHO, 'clientCertificateRequest.altNames');
  if (typeof o.pinning === 'object') {
    optionalPositive(o.pinning.ttlSeconds, WHO, 'pinning.ttlSeconds');
    optionalPositive(o.pinning.maxEntries, WHO, 'pinning.maxEntries', true);
  }
}

/** The leaf's notAfter (unix seconds); +Infinity when the leaf cannot be read (then never renewed by date). */
function leafNotAfter(key: DstackTlsKey): number {
  try {
    return parseCertificateFields(key.certificateChain[0]!).notAfter;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function positive(v: unknown, field: string, integer = true): number {
  if (v === undefined) throw invalidOption(WHO, field, 'is required');
  optionalPositive(v, WHO, field, integer);
  return v as number;
}

function isTlsKey(k: unknown): k is DstackTlsKey {
  return (
    typeof k === 'object' &&
    k !== null &&
    typeof (k as DstackTlsKey).key === 'string' &&
    Array.isArray((k as DstackTlsKey).certificateChain) &&
    (k as DstackTlsKey).certificateChain.length > 0 &&
    (k as DstackTlsKey).certificateChain.every((c) => typeof c === 'string')
  );
}

/** The pg connection carried by a (pool) client, when it is an RA-TLS one. */
export function raTlsStreamOf(client: unknown): RaTlsStream | undefined {
  const stream = (client as { connection?: { stream?: unknown } } | null)?.connection?.stream;
  return stream instanceof RaTlsStream ? stream : undefined;
}

export class RaTlsConnector implements RaTlsStreamHost {
  readonly connectTimeoutMs: number;
  readonly allowTls12: boolean;
  readonly #policy: ServerCertificateOptions;
  readonly #options: RaTlsConnectorOptions;
  readonly #agent: GuestAgentOptions | undefined;
  readonly #pinTtl: number | undefined;
  readonly #pins: LruMap<string, Pin> | undefined;
  readonly #reverify: false | true | { maxAgeSeconds: number };
  readonly #renewBefore: number;
  readonly #warn: (message: string) => void;
  #held: HeldKey | undefined;
  #fetching: Promise<DstackTlsKey> | undefined;

  constructor(options: RaTlsConnectorOptions) {
    requireOptionsObject(options, WHO);
    requireVerifier(options.verifier);
    validateConnectorOptions(options);
    // Secure default (issue 11 §3): no credentials to an unpinned server.
    requireIdentityPins(options, WHO, options.warn);
    this.#options = options;
    const policy: Record<string, unknown> = { ...options };
    for (const k of CONNECTOR_KEYS) delete policy[k];
    this.#policy = policy as unknown as ServerCertificateOptions;
    this.allowTls12 = options.allowTls12 === true;
    this.connectTimeoutMs = options.connectTimeoutMs === undefined ? 30_000 : positive(options.connectTimeoutMs, 'connectTimeoutMs');
    if (options.pinning === false) {
      this.#pinTtl = undefined;
      this.#pins = undefined;
    } else {
      const p = typeof options.pinning === 'object' ? options.pinning : {};
      this.#pinTtl = p.ttlSeconds === undefined ? DEFAULT_PINNING_TTL_SECONDS : positive(p.ttlSeconds, 'pinning.ttlSeconds', false);
      this.#pins = new LruMap(p.maxEntries === undefined ? 64 : positive(p.maxEntries, 'pinning.maxEntries'));
    }
    this.#renewBefore = options.clientCertificateRenewBeforeSeconds ?? DEFAULT_CLIENT_CERTIFICATE_RENEW_BEFORE_SECONDS;
    this.#warn =
      options.warn ??
      ((message: string): void => {
        console.warn(message);
      });
    const r = options.reverifyOnCheckout ?? false;
    if (typeof r === 'boolean') this.#reverify = r;
    else if (typeof r === 'object' && r !== null) this.#reverify = { maxAgeSeconds: positive(r.maxAgeSeconds, 'reverifyOnCheckout.maxAgeSeconds', false) };
    else throw new AttestationError('InvalidArgument', 'reverifyOnCheckout must be a boolean or { maxAgeSeconds }', { check: 'options.reverifyOnCheckout' });
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw new AttestationError('InvalidArgument', 'clock must be a function', { check: 'options.clock' });
    }
    const cc = options.clientCertificate;
    if (cc !== undefined) {
      if (typeof cc !== 'function' && !isTlsKey(cc)) {
        throw new AttestationError('InvalidArgument', 'clientCertificate must be { key, certificateChain } (PEM) or a function returning one', {
          check: 'options.clientCertificate',
        });
      }
      this.#agent = undefined;
    } else {
      // Fails now (MissingDstackSocket), before any connection is attempted.
      this.#agent = { ...options.guestAgent, endpoint: resolveGuestAgentEndpoint(options.guestAgent) };
    }
  }

  /** The guest agent endpoint in use (undefined with a clientCertificate override). */
  get guestAgentEndpoint(): string | undefined {
    return this.#agent?.endpoint;
  }

  #now(): number {
    return toUnixSeconds(this.#options.clock?.() ?? new Date());
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
    const cc = this.#options.clientCertificate;
    if (typeof cc === 'function') {
      const k = await cc();
      if (!isTlsKey(k)) throw new AttestationError('InvalidArgument', 'clientCertificate() returned no { key, certificateChain }', { check: 'options.clientCertificate' });
      return k;
    }
    if (cc !== undefined) return cc;
    const req = this.#options.clientCertificateRequest;
    return getTlsKey(
      {
        subject: req?.subject ?? 'tee-attest-pg-client',
        ...(req?.altNames === undefined ? {} : { altNames: req.altNames }),
        usageRaTls: true,
        usageClientAuth: true,
        usageServerAuth: false,
      },
      this.#agent,
    );
  }

  /** Fetch the client certificate now (surfaces guest agent problems before the first query). */
  async prepare(): Promise<void> {
    await this.clientKey();
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
    this.#pins?.clear();
  }

  /** Number of cached verifications (expired ones are dropped lazily). */
  get pinCount(): number {
    return this.#pins?.size ?? 0;
  }

  servername(host: string): string | undefined {
    return defaultServername(host, this.#options.servername);
  }

  /**
   * Verifies a server certificate: a cache hit (reason 'connect', cache on,
   * the same certificate bytes, inside the entry's window), else the full
   * verifyServerCertificate at the clock's time. Throws the verification's
   * coded error (and evicts the certificate's entry).
   */
  async verifyPeer(der: Uint8Array, context: { host: string; port: number; reason: VerificationReason }): Promise<PeerVerification> {
    const now = this.#now();
    const certificate = new Uint8Array(der); // a private copy: the entry compares these bytes
    const fingerprint = createHash('sha256').update(certificate).digest('hex');
    const pins = this.#pins;
    if (pins !== undefined && context.reason === 'connect') {
      const pin = pins.get(fingerprint);
      if (pin !== undefined) {
        if (bytesEqual(pin.der, certificate) && now >= pin.peer.verifiedAt && now < pin.until) {
          const peer: PeerVerification = { ...pin.peer, pinned: true };
          this.#options.onVerified?.({ ...peer, ...context });
          return peer;
        }
        pins.delete(fingerprint);
      }
    }
    let verification;
    try {
      verification = await verifyServerCertificate(certificate, { ...this.#policy, at: now, warn: this.#warn });
    } catch (e) {
      pins?.delete(fingerprint);
      throw e;
    }
    const peer: PeerVerification = { fingerprint, certificate, verification, pinned: false, verifiedAt: now };
    if (pins !== undefined && this.#pinTtl !== undefined) {
      // Never past the TTL, the collateral / token expiry, or the certificate's notAfter.
      const until = Math.min(now + this.#pinTtl, verification.result.expiresAt ?? Number.POSITIVE_INFINITY, verification.certificate.certificate.notAfter);
      // Unverified (allowSimulator) results are never cached: each connection re-checks and warns.
      if (until > now && !verification.unverified) pins.set(fingerprint, { der: certificate.slice(), peer, until });
      else pins.delete(fingerprint);
    }
    this.#options.onVerified?.({ ...peer, ...context });
    return peer;
  }

  /** A new RA-TLS stream: pg's `stream` option (`stream: () => connector.createStream()`). */
  createStream(): RaTlsStream {
    return new RaTlsStream(this);
  }

  /** The pg ClientConfig for a sidecar DSN (validated: DsnInvalid / DsnCredentials, no I/O). */
  clientConfig(dsn: RaTlsDsnInput, extra: ExtraClientConfig = {}): ClientConfig {
    return this.#config(parseRaTlsDsn(dsn), extra);
  }

  /** The pg PoolConfig for a sidecar DSN (for `new pg.Pool(...)` or `new PrismaPg(...)`). */
  poolConfig(dsn: RaTlsDsnInput, extra: ExtraPoolConfig = {}): PoolConfig {
    return this.#config(parseRaTlsDsn(dsn), extra);
  }

  #config<T extends ExtraClientConfig>(d: RaTlsDsn, extra: T): T & ClientConfig {
    for (const k of ['connectionString', 'ssl', 'stream', 'user', 'password', 'host', 'port', 'database'] as const) {
      if (k in (extra as object)) {
        throw new AttestationError('InvalidArgument', `${k} is set by the RA-TLS connector (from the DSN); remove it from the extra config`, { check: `config.${k}` });
      }
    }
    return {
      ...extra,
      user: d.user,
      password: d.password,
      host: d.host,
      port: d.port,
      ...(d.database === undefined ? {} : { database: d.database }),
      ...(d.applicationName === undefined ? {} : { application_name: d.applicationName }),
      ...(d.options === undefined ? {} : { options: d.options }),
      ssl: false,
      stream: () => this.createStream(),
    };
  }

  /** A pg.Client over RA-TLS (call `await client.connect()`). */
  createClient(dsn: RaTlsDsnInput, extra: ExtraClientConfig = {}): pg.Client {
    return new Pg.Client(this.clientConfig(dsn, extra));
  }

  /** A pg.Pool over RA-TLS, with re-verification on checkout when configured. */
  createPool(dsn: RaTlsDsnInput, extra: ExtraPoolConfig = {}): RaTlsPool {
    return new RaTlsPool(this, this.poolConfig(dsn, extra));
  }

  /**
   * Pool checkout hook: counts the checkout and, per `reverifyOnCheckout`,
   * re-runs the full verification of the connection's certificate.
   */
  async onCheckout(client: unknown): Promise<void> {
    const stream = raTlsStreamOf(client);
    if (stream === undefined || stream.peer === undefined || stream.target === undefined) {
      throw new AttestationError('InvalidArgument', 'pool client is not an RA-TLS connection of this connector', { check: 'pool.client' });
    }
    stream.checkouts++;
    const policy = this.#reverify;
    if (policy === false) return;
    // Verified moments ago, when it connected (in full: a cache hit at connect does not count).
    if (policy === true && stream.checkouts === 1 && !stream.peer.pinned) return;
    if (policy !== true && this.#now() - stream.peer.verifiedAt < policy.maxAgeSeconds) return;
    stream.setPeer(await this.verifyPeer(stream.peer.certificate, { ...stream.target, reason: 'checkout' }));
  }
}

type ConnectCallback = (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * A pg.Pool whose checkouts (`connect()`, and so `query()`) run the
 * connector's checkout hook: a connection that fails re-verification is
 * destroyed and the checkout rejects with the verification's coded error.
 */
export class RaTlsPool extends Pg.Pool {
  readonly connector: RaTlsConnector;

  constructor(connector: RaTlsConnector, config: PoolConfig) {
    super(config);
    this.connector = connector;
  }

  override connect(): Promise<PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<PoolClient> | void {
    const p = this.#checkout();
    if (callback === undefined) return p;
    p.then(
      (client) => callback(undefined, client, (release?: unknown) => client.release(release as Error | boolean | undefined)),
      (e: unknown) => callback(e instanceof Error ? e : new Error(String(e)), undefined, () => undefined),
    );
  }

  async #checkout(): Promise<PoolClient> {
    const client = await super.connect();
    try {
      await this.connector.onCheckout(client);
    } catch (e) {
      client.release(e instanceof Error ? e : true);
      throw e;
    }
    return client;
  }
}

/** A connector for `options` (throws MissingDstackSocket when no guest agent and no clientCertificate). */
export function createRaTlsConnector(options: RaTlsConnectorOptions): RaTlsConnector {
  return new RaTlsConnector(options);
}

/** One call: validate the DSN (first, no I/O), then a connector and its pool. */
export function createRaTlsPool(dsn: RaTlsDsnInput, options: RaTlsConnectorOptions, extra: ExtraPoolConfig = {}): RaTlsPool {
  parseRaTlsDsn(dsn);
  return createRaTlsConnector(options).createPool(dsn, extra);
}

/** One call: validate the DSN (first, no I/O), then a connector and a pg.Client. */
export function createRaTlsClient(dsn: RaTlsDsnInput, options: RaTlsConnectorOptions, extra: ExtraClientConfig = {}): pg.Client {
  parseRaTlsDsn(dsn);
  return createRaTlsConnector(options).createClient(dsn, extra);
}
