/**
 * Client for the dstack guest agent's JSON-over-HTTP API (Node only): the
 * agent listens on a unix socket inside the CVM (/var/run/dstack.sock and
 * variants), the dstack simulator on a socket or an http:// URL named by
 * DSTACK_SIMULATOR_ENDPOINT. Each method is `POST /<Method>` with a JSON body:
 *
 *   GetTlsKey {subject, alt_names?, usage_ra_tls, usage_server_auth, usage_client_auth}
 *             → {key: PEM PKCS#8, certificate_chain: [leaf PEM, ...CA PEMs]}
 *   GetQuote  {report_data: hex ≤ 64 bytes} → {quote: hex, event_log: JSON text, report_data: hex, vm_config?}
 *   Info      {} → {app_id, instance_id, app_cert, tcb_info: JSON text, app_name, ...}
 *
 * A handler that refuses answers `{"error": "..."}`. Every failure here is an
 * AttestationError: MissingDstackSocket when no agent is configured at all,
 * DstackAgent for everything else (connection, timeout, HTTP status,
 * malformed response).
 */
import { existsSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AttestationError, attestationError } from '../errors.js';

/** Environment variable naming a dstack simulator endpoint (an http(s):// URL or a unix socket path). */
export const DSTACK_SIMULATOR_ENV = 'DSTACK_SIMULATOR_ENDPOINT';

/** Unix socket paths of the guest agent, probed in this order (legacy first, then the namespaced variants). */
export const DSTACK_SOCKET_PATHS: readonly string[] = [
  '/var/run/dstack.sock',
  '/run/dstack.sock',
  '/var/run/dstack/dstack.sock',
  '/run/dstack/dstack.sock',
];

export interface GuestAgentOptions {
  /** Explicit endpoint: an http(s):// URL or a unix socket path. Default: DSTACK_SIMULATOR_ENDPOINT, else the first existing socket of `socketPaths`. */
  readonly endpoint?: string;
  /** Environment to read DSTACK_SIMULATOR_ENDPOINT from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Socket paths to probe. Default DSTACK_SOCKET_PATHS. */
  readonly socketPaths?: readonly string[];
  /** Per-request timeout. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Largest response body accepted. Default 4 MiB. */
  readonly maxResponseBytes?: number;
}

/** GetTlsKey request fields (camel-cased). */
export interface TlsKeyRequest {
  readonly subject?: string;
  readonly altNames?: readonly string[];
  /** Embed the attestation (RA-TLS certificate). */
  readonly usageRaTls?: boolean;
  readonly usageServerAuth?: boolean;
  readonly usageClientAuth?: boolean;
}

/** A key and certificate chain issued by the guest agent. */
export interface DstackTlsKey {
  /** PEM private key (PKCS#8). */
  readonly key: string;
  /** PEM certificates, leaf first. */
  readonly certificateChain: readonly string[];
}

export interface GetQuoteResult {
  readonly quote: string;
  readonly event_log: string;
  readonly report_data?: string;
  readonly vm_config?: string;
}

const agentError = (message: string, check: string, extra: { found?: string; cause?: unknown } = {}): AttestationError =>
  attestationError(
    'DstackAgent',
    message,
    { check, ...(extra.found === undefined ? {} : { found: extra.found }) },
    extra.cause === undefined ? undefined : { cause: extra.cause },
  );

/**
 * The guest agent endpoint to use, without any I/O beyond existence checks
 * of the socket paths. Throws MissingDstackSocket when there is none.
 */
export function resolveGuestAgentEndpoint(options: GuestAgentOptions = {}): string {
  if (options.endpoint !== undefined) {
    if (typeof options.endpoint !== 'string' || options.endpoint === '') {
      throw attestationError('InvalidArgument', 'guestAgent.endpoint must be a non-empty string', { check: 'options.guestAgent.endpoint' });
    }
    return options.endpoint;
  }
  const env = options.env ?? process.env;
  const sim = env[DSTACK_SIMULATOR_ENV];
  if (sim !== undefined && sim !== '') return sim;
  const paths = options.socketPaths ?? DSTACK_SOCKET_PATHS;
  const found = paths.find((p) => existsSync(p));
  if (found !== undefined) return found;
  throw attestationError(
    'MissingDstackSocket',
    `no dstack guest agent: ${DSTACK_SIMULATOR_ENV} is unset and none of ${paths.join(', ')} exists. ` +
      'Mutual RA-TLS needs an attested client certificate: run inside a dstack CVM, or start a simulator ' +
      `(npx tee-attest-sim up) and set ${DSTACK_SIMULATOR_ENV}.`,
    { check: 'dstack.endpoint', expected: `${DSTACK_SIMULATOR_ENV} or one of ${paths.join(', ')}`, found: 'none' },
  );
}

function isHttpEndpoint(endpoint: string): boolean {
  return /^https?:\/\//i.test(endpoint);
}

/** One JSON-over-HTTP call to the guest agent: `POST /<method>` with `body`. */
export function guestAgentCall<T>(endpoint: string, method: string, body: unknown, options: GuestAgentOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxResponseBytes ?? 4 * 1024 * 1024;
  const payload = Buffer.from(JSON.stringify(body ?? {}), 'utf8');
  const headers = { 'Content-Type': 'application/json', 'Content-Length': String(payload.length), Host: 'localhost' };
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const done = (err: AttestationError | undefined, value?: T): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err !== undefined) {
        req.destroy();
        reject(err);
      } else resolve(value as T);
    };
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          done(agentError(`dstack guest agent ${method}: response larger than ${maxBytes} bytes`, 'dstack.response.size'));
          return;
        }
        chunks.push(c);
      });
      res.on('error', (e) => done(agentError(`dstack guest agent ${method}: ${e.message}`, 'dstack.response', { cause: e })));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const status = res.statusCode ?? 0;
        const rpcError =
          parsed !== null && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string'
            ? (parsed as { error: string }).error
            : undefined;
        if (status < 200 || status > 299 || rpcError !== undefined) {
          done(
            agentError(`dstack guest agent ${method} failed: HTTP ${status}${rpcError === undefined ? '' : `: ${rpcError.slice(0, 300)}`}`, 'dstack.response.status', {
              found: String(status),
            }),
          );
          return;
        }
        if (parsed === null || typeof parsed !== 'object') {
          done(agentError(`dstack guest agent ${method}: response is not a JSON object`, 'dstack.response.json'));
          return;
        }
        done(undefined, parsed as T);
      });
    };
    const path = `/${method}`;
    let req: ReturnType<typeof httpRequest>;
    try {
      if (isHttpEndpoint(endpoint)) {
        const url = new URL(path, endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
        const fn = url.protocol === 'https:' ? httpsRequest : httpRequest;
        req = fn(url, { method: 'POST', headers: { ...headers, Host: url.host }, agent: false }, onResponse);
      } else {
        req = httpRequest({ socketPath: endpoint, path, method: 'POST', headers, agent: false }, onResponse);
      }
    } catch (e) {
      reject(agentError(`dstack guest agent ${method}: bad endpoint ${endpoint}`, 'dstack.endpoint', { cause: e }));
      return;
    }
    const timer = setTimeout(() => done(agentError(`dstack guest agent ${method}: no answer within ${timeoutMs} ms`, 'dstack.timeout')), timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) =>
      done(agentError(`dstack guest agent ${method}: cannot reach ${endpoint} (${e.code ?? e.message})`, 'dstack.connect', { found: e.code, cause: e })),
    );
    req.end(payload);
  });
}

function pemList(v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  return v.every((x) => typeof x === 'string' && x.includes('-----BEGIN CERTIFICATE-----')) ? (v as string[]) : undefined;
}

/** `GetTlsKey`: a fresh key and certificate chain from the guest agent. */
export async function getTlsKey(request: TlsKeyRequest, options: GuestAgentOptions = {}): Promise<DstackTlsKey> {
  const endpoint = resolveGuestAgentEndpoint(options);
  const body: Record<string, unknown> = {
    subject: request.subject ?? '',
    usage_ra_tls: request.usageRaTls ?? false,
    usage_server_auth: request.usageServerAuth ?? true,
    usage_client_auth: request.usageClientAuth ?? false,
  };
  if (request.altNames !== undefined && request.altNames.length > 0) body['alt_names'] = [...request.altNames];
  const r = await guestAgentCall<{ key?: unknown; certificate_chain?: unknown; cert?: unknown }>(endpoint, 'GetTlsKey', body, options);
  const chain = pemList(r.certificate_chain) ?? (typeof r.cert === 'string' ? pemList([r.cert]) : undefined);
  if (typeof r.key !== 'string' || !r.key.includes('PRIVATE KEY-----') || chain === undefined) {
    throw agentError('dstack guest agent GetTlsKey: response lacks a PEM key and certificate_chain', 'dstack.GetTlsKey.shape');
  }
  return { key: r.key, certificateChain: chain };
}

/** `GetQuote`: a TDX quote with `reportData` (≤ 64 bytes) in REPORTDATA. */
export async function getQuote(reportData: Uint8Array, options: GuestAgentOptions = {}): Promise<GetQuoteResult> {
  if (!(reportData instanceof Uint8Array) || reportData.length > 64) {
    throw attestationError('InvalidArgument', 'report data must be at most 64 bytes', { check: 'reportData' });
  }
  const endpoint = resolveGuestAgentEndpoint(options);
  const r = await guestAgentCall<GetQuoteResult>(endpoint, 'GetQuote', { report_data: Buffer.from(reportData).toString('hex') }, options);
  if (typeof r.quote !== 'string' || typeof r.event_log !== 'string') {
    throw agentError('dstack guest agent GetQuote: response lacks quote / event_log', 'dstack.GetQuote.shape');
  }
  return r;
}

/** `Info`: app / instance identity; `tcb_info` is parsed from its JSON text. */
export async function getInfo(options: GuestAgentOptions = {}): Promise<Record<string, unknown>> {
  const endpoint = resolveGuestAgentEndpoint(options);
  const r = await guestAgentCall<Record<string, unknown>>(endpoint, 'Info', {}, options);
  if (typeof r['tcb_info'] === 'string') {
    try {
      return { ...r, tcb_info: JSON.parse(r['tcb_info']) as unknown };
    } catch {
      throw agentError('dstack guest agent Info: tcb_info is not JSON', 'dstack.Info.shape');
    }
  }
  return r;
}
