/**
 * Test support: the dcap-qvl vectors, and a real PCS / PCCS v4 server on
 * 127.0.0.1 (node:http, random port) that serves CollateralJson split back
 * into PCS responses, counts requests per endpoint and lets a test inject
 * faults. Every timer and socket it opens is closed by close().
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CollateralJson } from '../../../src/collateral/input.js';
import { pckCaOfName } from '../../../src/sources/dcap/request.js';
import type { CollateralRequest, PckCa } from '../../../src/sources/dcap/types.js';
import { fromHex } from '../../../src/lib/bytes.js';
import { parseCrlAny } from '../../../src/x509/crl.js';
export { rejectsWith } from '../../support/codes.js';

const V = 'vectors/dcap/dcap-qvl/';

export interface Vector {
  readonly name: 'tdx' | 'sgx';
  readonly quote: Uint8Array;
  readonly collateral: CollateralJson;
  /** Verification time from the vector MANIFEST ("test now"). */
  readonly at: number;
  readonly request: CollateralRequest;
  /** Earliest nextUpdate in the collateral (MANIFEST window end). */
  readonly validUntil: number;
}

export const TDX: Vector = {
  name: 'tdx',
  quote: new Uint8Array(readFileSync(`${V}tdx_quote`)),
  collateral: JSON.parse(readFileSync(`${V}tdx_quote_collateral.json`, 'utf8')) as CollateralJson,
  at: 1752919234,
  request: { teeType: 'TDX', fmspc: 'b0c06f000000', ca: 'platform' },
  validUntil: 1752919235,
};

export const SGX: Vector = {
  name: 'sgx',
  quote: new Uint8Array(readFileSync(`${V}sgx_quote`)),
  collateral: JSON.parse(readFileSync(`${V}sgx_quote_collateral.json`, 'utf8')) as CollateralJson,
  at: 1752919277,
  request: { teeType: 'SGX', fmspc: '00a067110000', ca: 'processor' },
  validUntil: 1752919278,
};


export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tee-attest-collateral-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Flip one hex digit of a hex string at `index` (default: the last one). */
export function flipHex(hex: string, index = hex.length - 1): string {
  const c = hex[index]!;
  return hex.slice(0, index) + (c === '0' ? '1' : '0') + hex.slice(index + 1);
}

// --- The server's data: CollateralJson split into PCS responses -------------------

interface Signed {
  body: string;
  chain: string;
}

export interface PcsData {
  /** `${tee}-${fmspc}` → TCB Info response. */
  tcb: Map<string, Signed>;
  /** tee → QE Identity response. */
  qe: Map<string, Signed>;
  /** ca → PCK CRL (DER) and its issuer chain. */
  pckCrl: Map<PckCa, { der: Uint8Array; chain: string }>;
  rootCrl: Uint8Array;
}

export function tcbBody(c: CollateralJson): string {
  return `{"tcbInfo":${c.tcb_info},"signature":"${c.tcb_info_signature}"}`;
}

export function qeBody(c: CollateralJson): string {
  return `{"enclaveIdentity":${c.qe_identity},"signature":"${c.qe_identity_signature}"}`;
}

export function pcsData(...collaterals: CollateralJson[]): PcsData {
  const data: PcsData = { tcb: new Map(), qe: new Map(), pckCrl: new Map(), rootCrl: fromHex(collaterals[0]!.root_ca_crl) };
  for (const c of collaterals) {
    const t = JSON.parse(c.tcb_info) as { id?: string; fmspc: string };
    const tee = t.id ?? 'SGX';
    data.tcb.set(`${tee}-${t.fmspc.toLowerCase()}`, { body: tcbBody(c), chain: c.tcb_info_issuer_chain });
    const q = JSON.parse(c.qe_identity) as { id: string };
    data.qe.set(q.id === 'TD_QE' ? 'TDX' : 'SGX', { body: qeBody(c), chain: c.qe_identity_issuer_chain });
    const der = fromHex(c.pck_crl);
    data.pckCrl.set(pckCaOfName(parseCrlAny(der).issuerText)!, { der, chain: c.pck_crl_issuer_chain });
  }
  return data;
}

// --- The server -----------------------------------------------------------------------

export type Route = 'tcb' | 'qe' | 'pckcrl' | 'rootcacrl' | 'intelrootcrl' | 'other';

export interface RequestContext {
  readonly route: Route;
  readonly tee: string | undefined;
  readonly url: URL;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/** A fault handler answers (or deliberately never answers) and returns true, or returns false to let the server answer normally. */
export type Fault = (ctx: RequestContext, server: PcsTestServer) => boolean;

export interface PcsTestServerOptions {
  /** PCCS /rootcacrl body: 'hex' (older PCCS) or 'der'. Default 'hex'. */
  readonly rootCrlEncoding?: 'hex' | 'der';
  /** Send the v3-era SGX-TCB-Info-Issuer-Chain header instead of TCB-Info-Issuer-Chain. */
  readonly legacyTcbHeader?: boolean;
}

export class PcsTestServer {
  readonly counts: Record<Route, number> = { tcb: 0, qe: 0, pckcrl: 0, rootcacrl: 0, intelrootcrl: 0, other: 0 };
  readonly requests: { route: Route; path: string; headers: IncomingMessage['headers'] }[] = [];
  fault: Fault | undefined;
  data: PcsData;
  /** TCP connections accepted so far (keep-alive reuse keeps this low). */
  connections = 0;
  url = '';
  readonly #server: Server;
  readonly #options: PcsTestServerOptions;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #sockets = new Set<Socket>();

  private constructor(data: PcsData, options: PcsTestServerOptions) {
    this.data = data;
    this.#options = options;
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      this.connections++;
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  static async start(data: PcsData, options: PcsTestServerOptions = {}): Promise<PcsTestServer> {
    const s = new PcsTestServer(data, options);
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.#server.address() as AddressInfo).port}`;
    return s;
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  resetCounts(): void {
    for (const k of Object.keys(this.counts) as Route[]) this.counts[k] = 0;
    this.requests.length = 0;
    this.connections = 0;
  }

  /** A timer cleared by close(). */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #route(url: URL): { route: Route; tee: string | undefined } {
    const m = /^\/(sgx|tdx)\/certification\/v4\/(tcb|qe\/identity|pckcrl|rootcacrl)$/.exec(url.pathname);
    if (m !== null) {
      const kind = m[2]!;
      const route: Route = kind === 'tcb' ? 'tcb' : kind === 'qe/identity' ? 'qe' : kind === 'pckcrl' ? 'pckcrl' : 'rootcacrl';
      return { route, tee: m[1]!.toUpperCase() };
    }
    if (url.pathname === '/IntelSGXRootCA.der') return { route: 'intelrootcrl', tee: undefined };
    return { route: 'other', tee: undefined };
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const { route, tee } = this.#route(url);
    this.counts[route]++;
    this.requests.push({ route, path: url.pathname + url.search, headers: req.headers });
    const ctx: RequestContext = { route, tee, url, req, res };
    if (this.fault?.(ctx, this) === true) return;
    this.answer(ctx);
  }

  /** The normal answer (a fault may call it later, e.g. to delay a response). */
  answer({ route, tee, url, res }: RequestContext): void {
    if (res.destroyed) return;
    const id = { 'Request-ID': `req-${route}-${this.counts[route]}` };
    const send = (status: number, body: string | Uint8Array, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { ...id, 'Content-Length': String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    };
    switch (route) {
      case 'tcb': {
        const t = this.data.tcb.get(`${tee}-${(url.searchParams.get('fmspc') ?? '').toLowerCase()}`);
        if (t === undefined) return send(404, '');
        const header = this.#options.legacyTcbHeader ? 'SGX-TCB-Info-Issuer-Chain' : 'TCB-Info-Issuer-Chain';
        return send(200, t.body, { 'Content-Type': 'application/json', [header]: encodeURIComponent(t.chain) });
      }
      case 'qe': {
        const q = this.data.qe.get(tee!);
        if (q === undefined) return send(404, '');
        return send(200, q.body, { 'Content-Type': 'application/json', 'SGX-Enclave-Identity-Issuer-Chain': encodeURIComponent(q.chain) });
      }
      case 'pckcrl': {
        const ca = url.searchParams.get('ca');
        const c = ca === 'platform' || ca === 'processor' ? this.data.pckCrl.get(ca) : undefined;
        if (c === undefined || tee !== 'SGX' || url.searchParams.get('encoding') !== 'der') return send(c === undefined ? 404 : 400, '');
        return send(200, c.der, { 'Content-Type': 'application/pkix-crl', 'SGX-PCK-CRL-Issuer-Chain': encodeURIComponent(c.chain) });
      }
      case 'rootcacrl':
        return this.#options.rootCrlEncoding === 'der'
          ? send(200, this.data.rootCrl, { 'Content-Type': 'application/pkix-crl' })
          : send(200, Buffer.from(this.data.rootCrl).toString('hex'), { 'Content-Type': 'text/plain' });
      case 'intelrootcrl':
        return send(200, this.data.rootCrl, { 'Content-Type': 'application/pkix-crl' });
      default:
        return send(404, '');
    }
  }
}
