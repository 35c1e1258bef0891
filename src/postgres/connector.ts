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
 * Explicit relaxations / extra checks:
 *   pinning             a new connection whose server certificate has the
 *                       SHA-256 fingerprint of one fully verified less than
 *                       `ttlSeconds` ago skips the full verification (the TLS
 *                       handshake still proves the server holds that key);
 *   reverifyOnCheckout  RaTlsPool re-runs the full verification of an idle
 *                       connection's certificate when the pool hands it out.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ClientConfig, PoolClient, PoolConfig } from 'pg';
import { attestationError } from '../errors.js';
import { verifyServerCertificate, type ServerCertificateOptions } from '../ra-tls/verify-server-certificate.js';
import { requireVerifier } from '../ra-tls/verify-attested-quote.js';
import { requireIdentityPins } from '../ra-tls/identity-pins.js';
import {
  invalidOption,
  optionalBoolean,
  optionalFunction,
  optionalPositive,
  optionalStringList,
  requireOptionsObject,
  validateServerCertificateOptions,
} from '../ra-tls/option-checks.js';
import { toUnixSeconds } from '../lib/time.js';
import { parseRaTlsDsn, type RaTlsDsn, type RaTlsDsnInput } from './dsn.js';
import { getTlsKey, resolveGuestAgentEndpoint, type DstackTlsKey, type GuestAgentOptions } from './guest-agent.js';
import { defaultServername, RaTlsStream } from './ra-tls-stream.js';
import type { PeerVerification, RaTlsStreamHost, RaTlsVerifiedEvent, VerificationReason } from './types.js';

export interface PinningOptions {
  /** How long a fully verified certificate fingerprint lets new connections skip verification. */
  readonly ttlSeconds: number;
  /** Pins kept (least recently used evicted). Default 64. */
  readonly maxEntries?: number;
}

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
  /** Where the allowAnyTd warning goes. Default console.warn. */
  readonly warn?: (message: string) => void;
  /**
   * The client certificate to present. Default: fetched once (lazily, on the
   * first connection) from the dstack guest agent with GetTlsKey
   * (usage_ra_tls, usage_client_auth). A function is called instead of the
   * guest agent (and again after a failure).
   */
  readonly clientCertificate?: DstackTlsKey | (() => Promise<DstackTlsKey>);
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
  /** Fingerprint pinning (off by default): see PinningOptions. */
  readonly pinning?: PinningOptions;
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
  readonly peer: PeerVerification;
  readonly until: number;
}

const CONNECTOR_KEYS = [
  'allowAnyTd',
  'allowTls12',
  'warn',
  'clientCertificate',
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
  if (o.servername !== undefined && o.servername !== false && typeof o.servername !== 'string') {
    throw invalidOption(WHO, 'servername', 'must be a host name or false', o.servername);
  }
  for (const k of ['guestAgent', 'clientCertificateRequest', 'pinning'] as const) {
    const v = o[k] as unknown;
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
  readonly #pinMax: number;
  readonly #pins = new Map<string, Pin>();
  readonly #reverify: false | true | { maxAgeSeconds: number };
  #key: Promise<DstackTlsKey> | undefined;

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
    if (options.pinning !== undefined) {
      this.#pinTtl = positive(options.pinning?.ttlSeconds, 'pinning.ttlSeconds', false);
      this.#pinMax = options.pinning.maxEntries === undefined ? 64 : positive(options.pinning.maxEntries, 'pinning.maxEntries');
    } else {
      this.#pinMax = 0;
    }
    const r = options.reverifyOnCheckout ?? false;
    if (typeof r === 'boolean') this.#reverify = r;
    else if (typeof r === 'object' && r !== null) this.#reverify = { maxAgeSeconds: positive(r.maxAgeSeconds, 'reverifyOnCheckout.maxAgeSeconds', false) };
    else throw attestationError('InvalidArgument', 'reverifyOnCheckout must be a boolean or { maxAgeSeconds }', { check: 'options.reverifyOnCheckout' });
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw attestationError('InvalidArgument', 'clock must be a function', { check: 'options.clock' });
    }
    const cc = options.clientCertificate;
    if (cc !== undefined) {
      if (typeof cc !== 'function' && !isTlsKey(cc)) {
        throw attestationError('InvalidArgument', 'clientCertificate must be { key, certificateChain } (PEM) or a function returning one', {
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

  /** The client certificate (fetched once; a failed fetch is retried on the next call). */
  clientKey(): Promise<DstackTlsKey> {
    if (this.#key === undefined) {
      const p = this.#fetchKey();
      this.#key = p;
      p.catch(() => {
        if (this.#key === p) this.#key = undefined;
      });
    }
    return this.#key;
  }

  async #fetchKey(): Promise<DstackTlsKey> {
    const cc = this.#options.clientCertificate;
    if (typeof cc === 'function') {
      const k = await cc();
      if (!isTlsKey(k)) throw attestationError('InvalidArgument', 'clientCertificate() returned no { key, certificateChain }', { check: 'options.clientCertificate' });
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
    this.#key = undefined;
  }

  /** Forget every pinned fingerprint. */
  clearPins(): void {
    this.#pins.clear();
  }

  /** Number of live pins. */
  get pinCount(): number {
    return this.#pins.size;
  }

  servername(host: string): string | undefined {
    return defaultServername(host, this.#options.servername);
  }

  /**
   * Verifies a server certificate: a pin hit (reason 'connect', pinning on),
   * else the full verifyServerCertificate at the clock's time. Throws the
   * verification's coded error.
   */
  async verifyPeer(der: Uint8Array, context: { host: string; port: number; reason: VerificationReason }): Promise<PeerVerification> {
    const now = this.#now();
    const fingerprint = createHash('sha256').update(der).digest('hex');
    if (this.#pinTtl !== undefined && context.reason === 'connect') {
      const pin = this.#pins.get(fingerprint);
      if (pin !== undefined) {
        this.#pins.delete(fingerprint);
        if (now >= pin.peer.verifiedAt && now < pin.until) {
          this.#pins.set(fingerprint, pin);
          const peer: PeerVerification = { ...pin.peer, pinned: true };
          this.#options.onVerified?.({ ...peer, ...context });
          return peer;
        }
      }
    }
    let verification;
    try {
      verification = await verifyServerCertificate(der, { ...this.#policy, at: now });
    } catch (e) {
      this.#pins.delete(fingerprint);
      throw e;
    }
    const peer: PeerVerification = { fingerprint, certificate: der, verification, pinned: false, verifiedAt: now };
    if (this.#pinTtl !== undefined) {
      const until = Math.min(now + this.#pinTtl, verification.result.expiresAt ?? Number.POSITIVE_INFINITY);
      if (until > now) {
        this.#pins.delete(fingerprint);
        this.#pins.set(fingerprint, { peer, until });
        while (this.#pins.size > this.#pinMax) this.#pins.delete(this.#pins.keys().next().value as string);
      }
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
    return new pg.Client(this.clientConfig(dsn, extra));
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
    if (policy === true && stream.checkouts === 1) return; // verified moments ago, when it connected
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
export class RaTlsPool extends pg.Pool {
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
