/**
 * Node-only: a hardened FetchLike on undici (the HTTP client Node's own fetch
 * is built on), for PcsSource on servers and in the CLI.
 *
 *   - one keep-alive Agent per created fetch (created on first use: no I/O,
 *     no sockets, no timers at import or construction);
 *   - connect, response-headers and body-idle timeouts;
 *   - the body limit enforced while streaming (undici maxResponseSize, plus a
 *     counting stream), and up front from Content-Length;
 *   - redirects never followed here (redirect 'manual': the caller decides; 'error': refused);
 *   - failures mapped to AttestationError CollateralFetch
 *     (evidence.check http.timeout / http.bodyTooLarge / http.network).
 *
 * Call `close()` when done to release pooled sockets.
 *
 * undici is imported on the first request, not at load: importing it costs
 * more than the rest of a CLI start-up, and offline paths never fetch.
 */
import type { Agent } from 'undici';
import { fetchError } from '../sources/http.js';
import { loadOptional } from '../lib/optional-dependency.js';
import type { FetchLike, FetchRequestInit, FetchResponseLike } from '../sources/http.js';

export interface UndiciFetchOptions {
  /** TCP + TLS connect timeout. Default 5 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Time to the complete response headers. Default 10 000 ms. */
  readonly headersTimeoutMs?: number;
  /** Longest silence while receiving the body. Default 10 000 ms. */
  readonly bodyTimeoutMs?: number;
  /** Idle keep-alive socket lifetime. Default 30 000 ms. */
  readonly keepAliveTimeoutMs?: number;
  /** Largest response body. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Sockets per origin. Default 8. */
  readonly connections?: number;
}

export interface UndiciFetch extends FetchLike {
  /** Close the agent's pooled connections. The fetch must not be used afterwards. */
  close(): Promise<void>;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const SIZE_CODES = new Set(['UND_ERR_RES_EXCEEDED_MAX_SIZE']);

function undiciCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur !== null && typeof cur === 'object' && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('UND_ERR_')) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function mapError(e: unknown, url: string, max: number): unknown {
  if (e instanceof Error && e.name === 'AbortError') return e; // the caller's signal: PcsSource classifies it
  const what = `GET ${new URL(url).pathname}`;
  const code = undiciCode(e);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return fetchError('timeout', what, `timed out (${code})`, { found: code }, e);
  if (code !== undefined && SIZE_CODES.has(code)) {
    return fetchError('bodyTooLarge', what, 'response body exceeds the limit', { expected: `<= ${max} bytes` }, e);
  }
  return fetchError('network', what, `request failed: ${e instanceof Error ? e.message : String(e)}`, code ? { found: code } : {}, e);
}

/** Wrap the body: count bytes against the limit, map stream errors to coded errors. */
function guardedBody(src: ReadableStream<Uint8Array>, url: string, max: number): ReadableStream<Uint8Array> {
  const reader = src.getReader();
  let total = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        controller.error(mapError(e, url, max));
        return;
      }
      if (r.done) {
        controller.close();
        return;
      }
      total += r.value.length;
      if (total > max) {
        reader.cancel().catch(() => undefined);
        controller.error(fetchError('bodyTooLarge', `GET ${new URL(url).pathname}`, 'response body exceeds the limit', { expected: `<= ${max} bytes` }));
        return;
      }
      controller.enqueue(r.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

async function readAll(body: ReadableStream<Uint8Array> | null): Promise<ArrayBuffer> {
  if (body === null) return new ArrayBuffer(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out.buffer;
}

export function createUndiciFetch(options: UndiciFetchOptions = {}): UndiciFetch {
  const max = options.maxBodyBytes ?? 4 * 1024 * 1024;
  let agent: Agent | undefined;
  let closed = false;
  let undici: Promise<typeof import('undici')> | undefined;
  const agentOf = (u: typeof import('undici')): Agent =>
    (agent ??= new u.Agent({
      connect: { timeout: options.connectTimeoutMs ?? 5_000 },
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      bodyTimeout: options.bodyTimeoutMs ?? 10_000,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      connections: options.connections ?? 8,
      maxResponseSize: max,
    }));

  const f = async (url: string, init: FetchRequestInit): Promise<FetchResponseLike> => {
    if (closed) throw fetchError('network', `GET ${new URL(url).pathname}`, 'fetch used after close()');
    let res: Awaited<ReturnType<(typeof import('undici'))['fetch']>>;
    // undici is an optional peer dependency: DependencyMissing names it when absent.
    const u = await (undici ??= loadOptional('undici', 'the Node HTTP client (createUndiciFetch)', () => import('undici')));
    try {
      res = await u.fetch(url, {
        method: init.method,
        headers: init.headers,
        ...(init.body === undefined ? {} : { body: init.body }),
        redirect: init.redirect,
        signal: init.signal,
        dispatcher: agentOf(u),
      });
    } catch (e) {
      throw mapError(e, url, max);
    }
    const declared = res.headers.get('content-length');
    if (declared !== null && /^\d{1,15}$/.test(declared.trim()) && Number(declared.trim()) > max) {
      await res.body?.cancel().catch(() => undefined);
      throw fetchError('bodyTooLarge', `GET ${new URL(url).pathname}`, `response body of ${declared.trim()} bytes exceeds the limit`, {
        expected: `<= ${max} bytes`,
        found: `${declared.trim()} bytes`,
      });
    }
    const body = res.body === null ? null : guardedBody(res.body as unknown as ReadableStream<Uint8Array>, url, max);
    return {
      status: res.status,
      type: res.type,
      headers: res.headers,
      body,
      arrayBuffer: () => readAll(body),
    };
  };
  return Object.assign(f, {
    close: async (): Promise<void> => {
      closed = true;
      const a = agent;
      agent = undefined;
      if (a !== undefined) await a.close();
    },
  });
}
