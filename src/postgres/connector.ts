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
import type pg from 'pg';
import type { ClientConfig, PoolClient, PoolConfig } from 'pg';
import { attestationError } from '../errors.js';
import { loadOptional } from '../lib/optional-dependency.js';
import type { ServerCertificateOptions } from '../ra-tls/verify-server-certificate.js';
import { requireVerifier } from '../ra-tls/verify-attested-quote.js';
import { requireIdentityPins } from '../ra-tls/identity-pins.js';
import { invalidOption, optionalPositive, requireOptionsObject, validateServerCertificateOptions } from '../ra-tls/option-checks.js';
import { parseRaTlsDsn, type RaTlsDsn, type RaTlsDsnInput } from './dsn.js';
import type { DstackTlsKey, GuestAgentOptions } from './guest-agent.js';
import { RaTlsPeerHost, validatePeerHostOptions, type PinningOptions } from './peer-host.js';
import { RaTlsStream } from './ra-tls-stream.js';
import { readClock, systemClock } from '../lib/time.js';
import type { PeerVerification, RaTlsStreamHost, RaTlsVerifiedEvent, VerificationReason } from './types.js';

export { DEFAULT_CLIENT_CERTIFICATE_RENEW_BEFORE_SECONDS, DEFAULT_PINNING_TTL_SECONDS, type PinningOptions } from './peer-host.js';

/** pg is an optional peer dependency: a coded DependencyMissing error names it when absent. */
const { default: Pg } = await loadOptional('pg', 'tee-attest/postgres', () => import('pg'));

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
  validatePeerHostOptions(o, WHO);
  optionalPositive(o.connectTimeoutMs, WHO, 'connectTimeoutMs', true);
}

function positive(v: unknown, field: string, integer = true): number {
  if (v === undefined) throw invalidOption(WHO, field, 'is required');
  optionalPositive(v, WHO, field, integer);
  return v as number;
}

/** The pg connection carried by a (pool) client, when it is an RA-TLS one. */
export function raTlsStreamOf(client: unknown): RaTlsStream | undefined {
  const stream = (client as { connection?: { stream?: unknown } } | null)?.connection?.stream;
  return stream instanceof RaTlsStream ? stream : undefined;
}

export class RaTlsConnector implements RaTlsStreamHost {
  readonly connectTimeoutMs: number;
  readonly allowTls12: boolean;
  /** Client certificate, server verification and result cache (peer-host.ts, shared with the forwarder). */
  readonly #host: RaTlsPeerHost;
  readonly #clock: (() => number | Date) | undefined;
  readonly #reverify: false | true | { maxAgeSeconds: number };

  constructor(options: RaTlsConnectorOptions) {
    requireOptionsObject(options, WHO);
    requireVerifier(options.verifier);
    validateConnectorOptions(options);
    // Secure default (issue 11 §3): no credentials to an unpinned server.
    requireIdentityPins(options, WHO, options.warn);
    const policy: Record<string, unknown> = { ...options };
    for (const k of CONNECTOR_KEYS) delete policy[k];
    this.allowTls12 = options.allowTls12 === true;
    this.connectTimeoutMs = options.connectTimeoutMs === undefined ? 30_000 : positive(options.connectTimeoutMs, 'connectTimeoutMs');
    this.#clock = options.clock;
    const r = options.reverifyOnCheckout ?? false;
    if (typeof r === 'boolean') this.#reverify = r;
    else if (typeof r === 'object' && r !== null) this.#reverify = { maxAgeSeconds: positive(r.maxAgeSeconds, 'reverifyOnCheckout.maxAgeSeconds', false) };
    else throw attestationError('InvalidArgument', 'reverifyOnCheckout must be a boolean or { maxAgeSeconds }', { check: 'options.reverifyOnCheckout' });
    // Fails now (MissingDstackSocket) without a guest agent or a clientCertificate, before any connection is attempted.
    this.#host = new RaTlsPeerHost({
      ...options,
      who: WHO,
      policy: policy as unknown as ServerCertificateOptions,
      defaultSubject: 'tee-attest-pg-client',
      connectTimeoutMs: this.connectTimeoutMs,
    });
  }

  /** The guest agent endpoint in use (undefined with a clientCertificate override). */
  get guestAgentEndpoint(): string | undefined {
    return this.#host.guestAgentEndpoint;
  }

  /**
   * The client certificate: fetched on first use, renewed within the margin
   * of its notAfter (one fetch at a time; the current certificate is used
   * meanwhile while it is still valid); a failed fetch is not remembered.
   */
  clientKey(): Promise<DstackTlsKey> {
    return this.#host.clientKey();
  }

  /** Fetch the client certificate now (surfaces guest agent problems before the first query). */
  async prepare(): Promise<void> {
    await this.#host.clientKey();
  }

  /** Forget the client certificate: the next connection fetches a new one. */
  refreshClientCertificate(): void {
    this.#host.refreshClientCertificate();
  }

  /** Unix seconds after which the held client certificate is renewed (undefined: none held). */
  get clientCertificateRenewAt(): number | undefined {
    return this.#host.clientCertificateRenewAt;
  }

  /** Forget every cached verification. */
  clearPins(): void {
    this.#host.clearPins();
  }

  /** Number of cached verifications (expired ones are dropped lazily). */
  get pinCount(): number {
    return this.#host.pinCount;
  }

  servername(host: string): string | undefined {
    return this.#host.servername(host);
  }

  /**
   * Verifies a server certificate: a cache hit (reason 'connect', cache on,
   * the same certificate bytes, inside the entry's window) or a concurrent
   * full verification of the same bytes, else the full
   * verifyServerCertificate at the clock's time. Throws the verification's
   * coded error (and evicts the certificate's entry).
   */
  verifyPeer(der: Uint8Array, context: { host: string; port: number; reason: VerificationReason }): Promise<PeerVerification> {
    return this.#host.verifyPeer(der, context);
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
        throw attestationError('InvalidArgument', `${k} is set by the RA-TLS connector (from the DSN); remove it from the extra config`, { check: `config.${k}` });
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
      throw attestationError('InvalidArgument', 'pool client is not an RA-TLS connection of this connector', { check: 'pool.client' });
    }
    stream.checkouts++;
    const policy = this.#reverify;
    if (policy === false) return;
    // Verified moments ago, when it connected (in full: a cache hit at connect does not count).
    if (policy === true && stream.checkouts === 1 && !stream.peer.pinned) return;
    if (policy !== true && readClock(this.#clock ?? systemClock, WHO) - stream.peer.verifiedAt < policy.maxAgeSeconds) return;
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
