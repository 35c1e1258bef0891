/**
 * DSN rules of the teesql sidecar (the sqlx-ra-tls / prisma-ra-tls /
 * psycopg-ra-tls contract), checked before any I/O:
 *
 *   postgres://<user>:<password>@<host>[:<port>][/<database>][?application_name=…&options=…]
 *
 *   - scheme `postgres:` or `postgresql:`; a TCP host (no unix-socket path);
 *     port 1..65535, default 5433 (the sidecar's RA-TLS listener; PostgreSQL's
 *     own 5432 sits behind the sidecar and is not reachable over RA-TLS);
 *   - user `teesql_read` (read-only) or `teesql_readwrite` (read / write);
 *   - password: the 32-byte cluster secret as 64 lowercase hex characters.
 *
 * TLS is never negotiated by the driver (the connector speaks RA-TLS itself),
 * so `sslmode`, `sslnegotiation`, `sslcert`… are ignored; other parameters
 * than `application_name` and `options` are ignored as well, except `host`
 * and `port`, which may only repeat the URL's own host and port (a parameter
 * never overrides the authority, and never fills a missing port).
 *
 * Errors never echo any part of the DSN (a user field, a host or a path can
 * hold the secret by mistake): they name the field and give a length only.
 */
import { AttestationError, attestationError } from '../errors.js';

/** The only users the sidecar accepts. */
export const TEESQL_USERS = ['teesql_read', 'teesql_readwrite'] as const;
export type TeesqlUser = (typeof TEESQL_USERS)[number];

/** Port of the teesql sidecar's RA-TLS listener: a DSN without a port uses it. */
export const SIDECAR_DEFAULT_PORT = 5433;

/** Length of the cluster secret in hex characters (32 bytes). */
export const CLUSTER_SECRET_HEX_LENGTH = 64;

/** A validated sidecar DSN. */
export interface RaTlsDsn {
  readonly user: TeesqlUser;
  readonly password: string;
  readonly host: string;
  readonly port: number;
  readonly database: string | undefined;
  readonly applicationName?: string;
  readonly options?: string;
}

/** The DSN as a URL string, or as discrete fields (pg ClientConfig-like). */
export type RaTlsDsnInput =
  | string
  | {
      readonly user?: string;
      readonly password?: string;
      readonly host?: string;
      readonly port?: number | string;
      readonly database?: string;
      readonly application_name?: string;
      readonly options?: string;
    };

const invalid = (message: string, field: string, found?: string): AttestationError =>
  attestationError('DsnInvalid', message, { check: `dsn.${field}`, field, ...(found === undefined ? {} : { found }) });

/** What an error may say about a DSN value: its length, never its content. */
const shape = (v: unknown): string => (typeof v === 'string' ? `${v.length} characters` : typeof v === 'number' ? 'a number' : 'none');

/** Checks user and password against the sidecar rules (DsnCredentials). The password is never echoed. */
export function checkTeesqlCredentials(user: unknown, password: unknown): { user: TeesqlUser; password: string } {
  if (typeof user !== 'string' || !(TEESQL_USERS as readonly string[]).includes(user)) {
    // The user is not echoed: a misplaced secret (`postgres://<secret>@host`) would leak.
    throw attestationError(
      'DsnCredentials',
      `DSN user must be teesql_read (read-only) or teesql_readwrite (read / write), got ${typeof user === 'string' && user !== '' ? `another user (${user.length} characters)` : 'none'}`,
      { check: 'dsn.user', field: 'user', expected: TEESQL_USERS.join(' | '), found: typeof user === 'string' && user !== '' ? `another user (${shape(user)})` : 'none' },
    );
  }
  if (typeof password !== 'string' || password === '') {
    throw attestationError('DsnCredentials', 'DSN must carry the cluster secret as password (64 lowercase hex characters)', {
      check: 'dsn.password',
      field: 'password',
      expected: '64 lowercase hex characters',
      found: 'none',
    });
  }
  if (password.length !== CLUSTER_SECRET_HEX_LENGTH || !/^[0-9a-fA-F]+$/.test(password)) {
    throw attestationError(
      'DsnCredentials',
      `DSN password must be the 32-byte cluster secret as ${CLUSTER_SECRET_HEX_LENGTH} lowercase hex characters (got ${password.length} characters${/^[0-9a-fA-F]*$/.test(password) ? '' : ', not all hex'})`,
      { check: 'dsn.password', field: 'password', expected: '64 lowercase hex characters', found: `${password.length} characters` },
    );
  }
  if (password !== password.toLowerCase()) {
    throw attestationError('DsnCredentials', 'DSN password (cluster secret) must be lowercase hex', {
      check: 'dsn.password.case',
      field: 'password',
      expected: '64 lowercase hex characters',
      found: 'upper-case hex digits',
    });
  }
  return { user: user as TeesqlUser, password };
}

function parsePort(p: number | string | undefined): number {
  if (p === undefined || p === '') return SIDECAR_DEFAULT_PORT;
  const n = typeof p === 'number' ? p : /^\d{1,5}$/.test(p) ? Number(p) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw invalid('DSN port must be 1..65535', 'port', shape(p));
  return n;
}

function checkHost(host: unknown): string {
  if (typeof host !== 'string' || host === '') throw invalid('DSN has no host: the RA-TLS sidecar is reached over TCP', 'host', 'none');
  if (host.startsWith('/') || host.startsWith('@')) {
    throw invalid('DSN host is a unix-socket path: RA-TLS needs a TCP host (the sidecar address)', 'host', shape(host));
  }
  if (host.includes(',')) throw invalid('DSN lists several hosts: give exactly one sidecar address', 'host', shape(host));
  return host;
}

function decode(s: string, field: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalid(`DSN ${field} has a bad percent-encoding`, field);
  }
}

/**
 * Parses and validates a sidecar DSN. Throws DsnInvalid (shape) or
 * DsnCredentials (user / password rules); never performs I/O.
 */
export function parseRaTlsDsn(input: RaTlsDsnInput): RaTlsDsn {
  if (typeof input === 'object' && input !== null) {
    const { user, password } = checkTeesqlCredentials(input.user, input.password);
    const host = checkHost(input.host);
    return {
      user,
      password,
      host,
      port: parsePort(input.port),
      database: input.database === undefined || input.database === '' ? undefined : input.database,
      ...(input.application_name === undefined ? {} : { applicationName: input.application_name }),
      ...(input.options === undefined ? {} : { options: input.options }),
    };
  }
  if (typeof input !== 'string') throw invalid('DSN must be a postgres:// URL string or a config object', 'input', typeof input);
  const m = /^(postgres(?:ql)?):\/\/(.*)$/i.exec(input.trim());
  if (m === null) throw invalid('DSN must be a URL of the form postgres://teesql_readwrite:<64-hex secret>@<host>:<port>/<database>', 'scheme');
  let url: URL;
  try {
    // postgres: is not a WHATWG special scheme: no default port, opaque host.
    url = new URL(`postgres://${m[2]}`);
  } catch {
    throw invalid('DSN is not a valid URL', 'url');
  }
  if (url.hash !== '') throw invalid('DSN must not have a #fragment', 'url');
  const user = decode(url.username, 'user');
  const password = decode(url.password, 'password');
  const creds = checkTeesqlCredentials(user, password);
  let hostname = url.hostname;
  if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
  const host = checkHost(hostname === '' ? undefined : decode(hostname, 'host'));
  // A parameter never overrides the authority (libpq would let ?host= win).
  const hostParams = url.searchParams.getAll('host');
  if (hostParams.some((h) => h !== host)) {
    throw invalid('DSN ?host= differs from the URL host: give the sidecar address once, in the URL', 'host', `${hostParams.length} host parameter(s)`);
  }
  const portParams = url.searchParams.getAll('port');
  if (portParams.some((p) => p !== url.port)) {
    throw invalid(
      url.port === '' ? 'DSN ?port= would fill the missing URL port: put the port in the URL' : 'DSN ?port= differs from the URL port',
      'port',
      `${portParams.length} port parameter(s)`,
    );
  }
  const path = url.pathname.replace(/^\//, '');
  if (path.includes('/')) throw invalid('DSN path must be a single database name', 'database', shape(path));
  const database = path === '' ? undefined : decode(path, 'database');
  const appName = url.searchParams.get('application_name');
  const opts = url.searchParams.get('options');
  return {
    ...creds,
    host,
    port: parsePort(url.port === '' ? undefined : url.port),
    database,
    ...(appName === null ? {} : { applicationName: appName }),
    ...(opts === null ? {} : { options: opts }),
  };
}

/** The DSN with its password replaced by `***` (for logs and errors). */
export function redactDsn(dsn: RaTlsDsn): string {
  const host = dsn.host.includes(':') ? `[${dsn.host}]` : dsn.host;
  return `postgres://${dsn.user}:***@${host}:${dsn.port}/${dsn.database ?? ''}`;
}
