/**
 * Serves a DstackSimulator as the dstack guest agent's JSON-over-HTTP API
 * (Node only), on a unix socket (like /var/run/dstack.sock) or on a loopback
 * TCP port (for DSTACK_SIMULATOR_ENDPOINT=http://127.0.0.1:<port>).
 *
 *   POST /GetTlsKey  {subject?, alt_names?, usage_ra_tls?, usage_server_auth?, usage_client_auth?}
 *   POST /GetQuote   {report_data: hex ≤ 64 bytes}
 *   POST /Info       {}
 *   POST /Version    {}
 *   POST /TeeAttestSimulatorTrust {}   (not dstack: the fake root and collateral, for simulatorVerifier)
 *
 * `/v0/<Method>` and `/prpc/<Method>` are accepted as aliases. Errors answer
 * `{"error": "..."}` with HTTP 400 / 404 / 413 / 500.
 */
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tryFromHex } from '../lib/bytes.js';
import type { DstackSimulator, SimTlsKeyRequest } from './simulator.js';
import { listening } from '../node/listen.js';

export interface AgentServerOptions {
  /** Listen on this unix socket path (an existing socket file there is replaced). */
  readonly socketPath?: string;
  /** Else listen on TCP: host (default 127.0.0.1) and port (default 0 = any free port). */
  readonly host?: string;
  readonly port?: number;
  /** Largest request body. Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Called for each request (method name, status). */
  readonly onRequest?: (method: string, status: number) => void;
}

export interface AgentServer {
  /** The endpoint for DSTACK_SIMULATOR_ENDPOINT: the socket path, or http://host:port. */
  readonly endpoint: string;
  readonly server: Server;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function bool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new HttpError(400, `${field} must be a boolean`);
  return v;
}

function tlsKeyRequest(body: Record<string, unknown>): SimTlsKeyRequest {
  const subject = body['subject'];
  if (subject !== undefined && typeof subject !== 'string') throw new HttpError(400, 'subject must be a string');
  const alt = body['alt_names'];
  if (alt !== undefined && (!Array.isArray(alt) || !alt.every((a) => typeof a === 'string') || alt.length > 64)) {
    throw new HttpError(400, 'alt_names must be a list of at most 64 strings');
  }
  const ra = bool(body['usage_ra_tls'], 'usage_ra_tls');
  const server = bool(body['usage_server_auth'], 'usage_server_auth');
  const client = bool(body['usage_client_auth'], 'usage_client_auth');
  return {
    ...(subject === undefined ? {} : { subject }),
    ...(alt === undefined ? {} : { alt_names: alt as string[] }),
    ...(ra === undefined ? {} : { usage_ra_tls: ra }),
    ...(server === undefined ? {} : { usage_server_auth: server }),
    ...(client === undefined ? {} : { usage_client_auth: client }),
  };
}

function handle(sim: DstackSimulator, method: string, body: Record<string, unknown>): unknown {
  switch (method) {
    case 'GetTlsKey':
      return sim.getTlsKey(tlsKeyRequest(body));
    case 'GetQuote': {
      const hex = body['report_data'];
      const rd = typeof hex === 'string' ? tryFromHex(hex.replace(/^0x/i, '')) : undefined;
      if (rd === undefined || rd.length > 64) throw new HttpError(400, 'report_data must be hex of at most 64 bytes');
      return sim.getQuote(rd);
    }
    case 'Info':
      return sim.info();
    case 'Version':
      return { version: '0.5.x-tee-attest-simulator', rev: 'tee-attest' };
    case 'TeeAttestSimulatorTrust':
      return sim.trust();
    default:
      throw new HttpError(404, `unknown method ${method}`);
  }
}

/** Starts the guest agent API for `sim`. */
export async function serveGuestAgent(sim: DstackSimulator, options: AgentServerOptions = {}): Promise<AgentServer> {
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = (req.url ?? '/').split('?')[0]!.replace(/^\/(v0|prpc)\//, '/').replace(/^\//, '');
    const reply = (status: number, value: unknown): void => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      options.onRequest?.(method, status);
    };
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody && !aborted) {
        aborted = true;
        reply(413, { error: 'request body too large' });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (aborted) return;
      try {
        const text = Buffer.concat(chunks).toString('utf8').trim();
        let body: unknown = {};
        if (text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            throw new HttpError(400, 'body is not JSON');
          }
        }
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
        reply(200, handle(sim, method, body as Record<string, unknown>));
      } catch (e) {
        reply(e instanceof HttpError ? e.status : 500, { error: e instanceof Error ? e.message : String(e) });
      }
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  let endpoint: string;
  if (options.socketPath !== undefined) {
    const path = options.socketPath;
    if (existsSync(path)) {
      if (!lstatSync(path).isSocket()) throw new Error(`${path} exists and is not a socket`);
      unlinkSync(path);
    }
    await listening(server, { path });
    endpoint = path;
  } else {
    const host = options.host ?? '127.0.0.1';
    await listening(server, { port: options.port ?? 0, host });
    const a = server.address() as AddressInfo;
    endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${a.port}`;
  }

  let closed: Promise<void> | undefined;
  return {
    endpoint,
    server,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
