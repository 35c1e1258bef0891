/**
 * Test support for the appraisal service: a fake-Intel scenario (quote +
 * signed collateral, src/testing), a collateral source serving its bundles
 * through the verifying CachedSource, and a service on 127.0.0.1:0.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CachedSource } from '../../src/sources/dcap/cached-source.js';
import { toBundleCollateral } from '../../src/sources/dcap/bundle.js';
import { requestKey } from '../../src/sources/dcap/request.js';
import type { CollateralBundle, CollateralRequest, CollateralSource } from '../../src/sources/dcap/types.js';
import { attestationError } from '../../src/errors.js';
import { createAppraisalService, hashApiKey, type AppraisalService, type AppraisalServiceOptions, type ServiceLogEntry } from '../../src/service/index.js';
import { makeScenario, DEFAULT_FMSPC, type Scenario } from '../../src/testing/index.js';
import { createVerifier } from '../../src/verify/verifier.js';

export const API_KEY = 'service-test-key-1';
export const OTHER_API_KEY = 'service-test-key-2';

let cachedScenario: Scenario | undefined;
/** The shared TDX scenario (UpToDate at 2026-01-01). */
export function scenario(): Scenario {
  cachedScenario ??= makeScenario();
  return cachedScenario;
}

export function bundleOf(s: Scenario, request: CollateralRequest): CollateralBundle {
  return { request, collateral: toBundleCollateral(s.pcsCollateral), metadata: { source: 'test', fetchedAt: s.at - 60 } };
}

export const TDX_REQUEST: CollateralRequest = { teeType: 'TDX', fmspc: DEFAULT_FMSPC.toLowerCase(), ca: 'platform' };
export const SGX_REQUEST: CollateralRequest = { teeType: 'SGX', fmspc: DEFAULT_FMSPC.toLowerCase(), ca: 'platform' };

/** An upstream answering from a fixed table (by request key); `gate` lets a test hold answers back. */
export class TableSource implements CollateralSource {
  calls = 0;
  gate: Promise<void> | undefined;
  fail = false;
  constructor(readonly table: Map<string, CollateralBundle>) {}
  async getCollateral(request: CollateralRequest): Promise<CollateralBundle> {
    this.calls += 1;
    if (this.gate !== undefined) await this.gate;
    if (this.fail) throw attestationError('CollateralFetch', 'upstream down (test)', { check: 'test' });
    const b = this.table.get(requestKey(request));
    if (b === undefined) throw attestationError('CollateralMissing', 'no bundle (test)', { check: 'test' });
    return b;
  }
}

export interface Harness {
  readonly url: string;
  readonly service: AppraisalService;
  readonly upstream: TableSource;
  readonly logs: ServiceLogEntry[];
  /** Mutable injected clock (unix seconds). */
  now: number;
  close(): Promise<void>;
}

export async function startService(extra: Partial<AppraisalServiceOptions> & { upstreamTable?: Map<string, CollateralBundle> } = {}): Promise<Harness> {
  const s = scenario();
  const table = extra.upstreamTable ?? new Map([[requestKey(TDX_REQUEST), bundleOf(s, TDX_REQUEST)]]);
  const upstream = new TableSource(table);
  const logs: ServiceLogEntry[] = [];
  const h = { now: s.at } as { now: number };
  const source = new CachedSource({ upstream, clock: () => s.at * 1000, rootPublicKey: s.rootPublicKey, refreshAheadSeconds: 0 });
  const { upstreamTable: _t, ...rest } = extra;
  const service = await createAppraisalService({
    source,
    verifier: createVerifier({ rootPublicKey: s.rootPublicKey }),
    at: s.at,
    clock: () => h.now,
    log: (e) => logs.push(e),
    config: {
      apiKeys: [
        { id: 'tenant-a', sha256: hashApiKey(API_KEY) },
        { id: 'tenant-b', sha256: hashApiKey(OTHER_API_KEY), rateLimit: { perSecond: 1, burst: 2 } },
      ],
    },
    ...rest,
  });
  const server: Server = createServer(service.handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(h, {
    url,
    service,
    upstream,
    logs,
    async close() {
      await service.close(1);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
}

/** POST an attest request body; returns status, headers and parsed body (JSON when it is JSON). */
export async function attest(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'x-api-key': API_KEY },
): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const res = await fetch(`${url}/appraisal/v2/attest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');

export function decodeJwtPart(token: string, i: 0 | 1): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString('utf8'));
}
