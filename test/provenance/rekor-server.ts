/**
 * A Rekor (v1 API) stub on 127.0.0.1:0 that serves entries built from the
 * synthetic Sigstore deployment (sigstore-fixture.ts), honestly or in one of
 * several hostile ways.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import type { Fixture } from './sigstore-fixture.js';

const hexOf = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');
export const TREE_ID = '24296fb24b8ad77a';

export interface ApiEntry {
  uuid: string;
  entry: Record<string, any>;
}

/** The fixture's bundle tlog entry as Rekor's GET /api/v1/log/entries/{uuid} answer. */
export function apiEntry(f: Fixture): ApiEntry {
  const t = (f.bundle as any).verificationMaterial.tlogEntries[0];
  const body = Buffer.from(t.canonicalizedBody, 'base64');
  const leaf = createHash('sha256').update(Buffer.concat([Buffer.from([0]), body])).digest('hex');
  const p = t.inclusionProof;
  return {
    uuid: TREE_ID + leaf,
    entry: {
      body: t.canonicalizedBody,
      integratedTime: Number(t.integratedTime),
      logID: hexOf(t.logId.keyId),
      logIndex: Number(t.logIndex),
      verification: {
        signedEntryTimestamp: t.inclusionPromise.signedEntryTimestamp,
        inclusionProof: { logIndex: Number(p.logIndex), treeSize: Number(p.treeSize), rootHash: hexOf(p.rootHash), hashes: p.hashes.map(hexOf), checkpoint: p.checkpoint.envelope },
      },
    },
  };
}

export const payloadDigest = (f: Fixture): string => createHash('sha256').update(f.payload).digest('hex');

export type Behaviour =
  | { kind: 'serve'; index: Record<string, string[]>; entries: Record<string, Record<string, any>> }
  | { kind: 'status'; status: number }
  | { kind: 'redirect' }
  | { kind: 'notJson' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'silent' }
  | { kind: 'drip' };

export interface RekorStub {
  readonly url: string;
  behaviour: Behaviour;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startRekorStub(initial: Behaviour): Promise<RekorStub> {
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const stub = { behaviour: initial, requests } as { behaviour: Behaviour; requests: string[] };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const b = stub.behaviour;
      if (b.kind === 'status') return void res.writeHead(b.status).end('{}');
      if (b.kind === 'redirect') return void res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end();
      if (b.kind === 'notJson') return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>');
      if (b.kind === 'huge') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = (): void => {
          while (sent < b.bytes) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end('[]');
        };
        return pump();
      }
      if (b.kind === 'silent') return; // never answers
      if (b.kind === 'drip') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
        const t = setInterval(() => res.write(' '), 50);
        timers.add(t);
        res.on('close', () => clearInterval(t));
        return;
      }
      if (req.method === 'POST' && req.url === '/api/v1/index/retrieve') {
        const hash = (JSON.parse(raw) as { hash: string }).hash;
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(b.index[hash] ?? []));
      }
      const m = /^\/api\/v1\/log\/entries\/([0-9a-f]+)$/.exec(req.url ?? '');
      if (req.method === 'GET' && m !== null && b.entries[m[1]!] !== undefined) {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(b.entries[m[1]!]));
      }
      res.writeHead(404).end('{"code":404}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  }) as RekorStub;
}

/** Serve `entry` (possibly altered) as the one answer for `digest`. */
export function serving(digest: string, ...entries: ApiEntry[]): Behaviour {
  return {
    kind: 'serve',
    index: { [`sha256:${digest}`]: entries.map((e) => e.uuid) },
    entries: Object.fromEntries(entries.map((e) => [e.uuid, { [e.uuid]: e.entry }])),
  };
}
