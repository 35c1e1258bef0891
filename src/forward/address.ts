/**
 * Addresses of the forwarder: the sidecar it connects to (`target`) and the
 * local listener (`listen`: TCP on loopback by default, or a Unix socket).
 * Validated at the boundary into InvalidArgument; no I/O.
 */
import { isIP } from 'node:net';
import { AttestationError, attestationError } from '../errors.js';

export interface TcpAddress {
  readonly host: string;
  readonly port: number;
}

export interface UnixAddress {
  /** Socket file path (created; removed on close). */
  readonly path: string;
  /** File mode applied to the socket. Default 0o600 (owner only). */
  readonly mode?: number;
}

/** `'host:port'`, `'[v6]:port'`, or `{ host, port }`. */
export type TargetInput = string | TcpAddress;
/** `'host:port'` / `'[v6]:port'` / `{ host, port? }` (TCP), or `'unix:/path'` / `{ path, mode? }` (Unix socket). */
export type ListenInput = string | { readonly host: string; readonly port?: number } | UnixAddress;

export type ListenAddress = ({ readonly kind: 'tcp' } & TcpAddress) | ({ readonly kind: 'unix'; readonly mode: number } & Pick<UnixAddress, 'path'>);

const bad = (field: string, message: string, found: unknown): AttestationError =>
  attestationError('InvalidArgument', `${field}: ${message}`, { check: `options.${field}`, found: typeof found === 'string' ? found.slice(0, 200) : String(found) });

function port(v: unknown, field: string, allowZero: boolean): number {
  const n = typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) {
    throw bad(field, `port must be an integer ${allowZero ? '0' : '1'}..65535`, v);
  }
  return n;
}

function hostName(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '' || v.length > 253 || /[\s/@?#]/.test(v)) throw bad(field, 'host must be a host name or IP address', v);
  return v;
}

/** Splits `host:port` / `[v6]:port`. */
function splitHostPort(s: string, field: string): { host: string; port: string } {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(s) ?? /^([^:[\]]+):(\d+)$/.exec(s);
  if (m === null) throw bad(field, "expected 'host:port' (IPv6 as '[::1]:port')", s);
  if (s.startsWith('[') && isIP(m[1]!) !== 6) throw bad(field, 'bracketed host must be an IPv6 address', s);
  return { host: m[1]!, port: m[2]! };
}

export function parseTarget(v: unknown): TcpAddress {
  if (typeof v === 'string') {
    const { host, port: p } = splitHostPort(v, 'target');
    return { host: hostName(host, 'target'), port: port(p, 'target', false) };
  }
  if (v !== null && typeof v === 'object') {
    const o = v as { host?: unknown; port?: unknown };
    return { host: hostName(o.host, 'target'), port: port(o.port, 'target', false) };
  }
  throw bad('target', "required: the sidecar as 'host:port'", v);
}

function unixAddress(path: unknown, mode: unknown): ListenAddress {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) throw bad('listen', 'Unix socket path must be a non-empty string', path);
  const m = mode ?? 0o600;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > 0o777) throw bad('listen.mode', 'must be a file mode 0..0o777', mode);
  if ((m & 0o007) !== 0) throw bad('listen.mode', 'must not grant access to other users (o+rwx); use the group bits', `0o${m.toString(8)}`);
  return { kind: 'unix', path, mode: m };
}

/** The listener address; default 127.0.0.1:0 (any free loopback port). */
export function parseListen(v: unknown): ListenAddress {
  if (v === undefined) return { kind: 'tcp', host: '127.0.0.1', port: 0 };
  if (typeof v === 'string') {
    if (v.startsWith('unix:')) return unixAddress(v.slice('unix:'.length), undefined);
    if (v.startsWith('/')) return unixAddress(v, undefined);
    const { host, port: p } = splitHostPort(v, 'listen');
    return { kind: 'tcp', host: hostName(host, 'listen'), port: port(p, 'listen', true) };
  }
  if (v !== null && typeof v === 'object') {
    const o = v as { host?: unknown; port?: unknown; path?: unknown; mode?: unknown };
    if (o.path !== undefined) return unixAddress(o.path, o.mode);
    return { kind: 'tcp', host: hostName(o.host, 'listen'), port: port(o.port ?? 0, 'listen', true) };
  }
  throw bad('listen', "expected 'host:port', 'unix:/path', { host, port } or { path, mode }", v);
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and `localhost` (which resolves only to those). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** `host:port` (IPv6 in brackets) or the socket path. */
export function formatAddress(a: ListenAddress | TcpAddress): string {
  if ('path' in a) return a.path;
  return isIP(a.host) === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
