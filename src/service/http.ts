/**
 * HTTP plumbing of the appraisal service: coded refusals, JSON answers, a
 * body reader with a hard size limit (413 as soon as the declared or streamed
 * size passes it), and the mapping of engine errors to statuses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AttestationError } from '../errors.js';

/** A refusal: HTTP status, a stable `reason` for clients, and the engine's error code when there is one. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly code?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function send(res: ServerResponse, status: number, body: string, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, doc: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(doc), 'application/json', headers);
}

/**
 * Discard the rest of a refused body so the client reads the answer (closing
 * with unread data makes the peer's TCP send a reset that can eat the
 * response); past `cap` bytes the connection is dropped instead.
 */
export function drain(req: IncomingMessage, cap = 16 * 1024 * 1024): void {
  let seen = 0;
  req.on('data', (c: Buffer) => {
    seen += c.length;
    if (seen > cap) req.destroy();
  });
  req.resume();
}

export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) {
    return Promise.reject(new HttpError(413, 'too_large', `request body larger than ${max} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        done = true;
        reject(new HttpError(413, 'too_large', `request body larger than ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!done) reject(e);
      done = true;
    });
  });
}

/** Map an engine error to an HTTP refusal: bad evidence is 400, collateral trouble 503. */
export function fromAttestationError(e: AttestationError, stage: 'collateral' | 'verify'): HttpError {
  if (stage === 'collateral' && (e.code === 'CollateralFetch' || e.code === 'CollateralMissing')) {
    return new HttpError(503, 'collateral_unavailable', 'collateral for this platform is not available', e.code);
  }
  if (e.kind === 'usage') return new HttpError(500, 'internal', 'internal error', e.code);
  return new HttpError(400, 'verification_failed', e.message, e.code);
}

