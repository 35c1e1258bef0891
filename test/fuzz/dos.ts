/**
 * Denial-of-service checks in the style of noble-curves' slow-dos tests:
 * worst-case inputs of size n and 8n (deep nesting up to the limit, long
 * escaped strings, many small items, many PEM blocks, deeply nested DER,
 * large CRLs and TCB Infos) must take time linear in the size:
 * time(8n) / time(n) < 20 (8 is linear).
 *
 * Against machine noise: each timing is the per-call time of a batch of calls
 * long enough (≥ 3 ms) for the timer, the minimum over 7 batches after a
 * warm-up, and a failing ratio is re-measured twice before it counts.
 *
 * Against the engine: parsers that build a large tree (JSON nodes, DER nodes)
 * hit V8's young-generation GC once the live tree reaches a few MB: every
 * scavenge copies the tree until it is promoted, which makes time grow
 * faster than the input (×30–×130 for ×8) while the parser's own work stays
 * linear (with NODE_OPTIONS=--max-semi-space-size=64 the same inputs measure
 * ×8–×11). So `n` keeps 8n below that threshold, and the slow suite scales
 * only the cases that do not build large trees; it checks the tree builders
 * at the 4 MiB input cap with an absolute bound instead.
 */
import { expect } from 'vitest';
import { AttestationError } from '../../src/errors.js';
import { parseJson } from '../../src/collateral/json.js';
import { parseTcbInfo } from '../../src/collateral/tcb-info.js';
import { parseQeIdentity } from '../../src/collateral/qe-identity.js';
import { derChildren, readDer, type DerNode } from '../../src/der/reader.js';
import { decodePem, decodePemChain } from '../../src/x509/pem.js';
import { parseCrl, parseCrlAny } from '../../src/x509/crl.js';
import { decodeMsgpack } from '../../src/ra-tls/msgpack.js';
import { parseVersionedAttestation } from '../../src/ra-tls/attestation.js';
import { msgpack, type Mp } from '../ra-tls/helpers.js';
import {
  DEFAULT_AT,
  DAY,
  defaultQeIdentity,
  defaultTdxTcbInfo,
  der,
  makeScenario,
  mintCrl,
  type TcbLevelSpec,
} from '../../src/testing/index.js';

const enc = new TextEncoder();

function batchMs(fn: () => void, batch: number): number {
  const t0 = performance.now();
  for (let i = 0; i < batch; i++) fn();
  return (performance.now() - t0) / batch;
}

/** Per-call time (ms): batches of ≥ 3 ms, minimum of `reps` batches after a warm-up. */
export function perCallMs(fn: () => void, reps = 7): number {
  fn();
  fn();
  let batch = 1;
  while (batchMs(fn, batch) * batch < 3 && batch < 1 << 16) batch *= 2;
  let best = Infinity;
  for (let i = 0; i < reps; i++) best = Math.min(best, batchMs(fn, batch));
  return best;
}

/** Runs a parser; only an AttestationError may escape (rejecting a hostile input is fine). */
function tolerant<T>(run: (x: T) => unknown): (x: T) => void {
  return (x) => {
    try {
      run(x);
    } catch (e) {
      if (!(e instanceof AttestationError)) throw e;
    }
  };
}

export interface DosCase<T = unknown> {
  readonly name: string;
  readonly build: (n: number) => T;
  readonly run: (x: T) => unknown;
  /** The fast n. */
  readonly n: number;
  /** The slow suite's n (default 4 × n; the tree builders keep n, see above). */
  readonly slowN?: number;
}

export interface DosResult {
  readonly name: string;
  readonly bytesSmall: number;
  readonly bytesBig: number;
  readonly msSmall: number;
  readonly msBig: number;
  readonly ratio: number;
}

function sizeOf(x: unknown): number {
  if (x instanceof Uint8Array) return x.length;
  if (typeof x === 'string') return x.length;
  return 0;
}

/** time(8n) / time(n) must stay below maxRatio, and time(8n) below maxMs. */
export function expectLinear<T>(c: DosCase<T>, slow = false, maxRatio = 20, maxMs = slow ? 5000 : 1000): DosResult {
  const n = slow ? (c.slowN ?? 4 * c.n) : c.n;
  const small = c.build(n);
  const big = c.build(8 * n);
  const run = tolerant(c.run);
  let result: DosResult | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const msSmall = perCallMs(() => run(small));
    const msBig = perCallMs(() => run(big));
    const ratio = msBig / Math.max(msSmall, 0.001);
    result = { name: c.name, bytesSmall: sizeOf(small), bytesBig: sizeOf(big), msSmall, msBig, ratio };
    if (ratio < maxRatio && msBig < maxMs) break;
  }
  expect(result!.ratio, `${c.name}: time(8n)/time(n)`).toBeLessThan(maxRatio);
  expect(result!.msBig, `${c.name}: time(8n) in ms`).toBeLessThan(maxMs);
  return result!;
}

export function formatResults(rs: readonly DosResult[]): string {
  return rs
    .map((r) => `${r.name.padEnd(66)} ${String(r.bytesSmall).padStart(8)} B ${r.msSmall.toFixed(3).padStart(7)} ms → ${String(r.bytesBig).padStart(8)} B ${r.msBig.toFixed(3).padStart(8)} ms  ×${r.ratio.toFixed(1)}`)
    .join('\n');
}

// ---------------------------------------------------------------------------
// Worst-case inputs

const bytes = (s: string): Uint8Array => enc.encode(s);

/** A TDX TCB Info with n distinct platform levels and n module levels. */
function bigTcbInfo(n: number): Uint8Array {
  const levels: TcbLevelSpec[] = Array.from({ length: n }, (_, i) => ({
    sgx: [i >> 8, i & 0xff, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0],
    pcesvn: 11,
    tdx: [4, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    status: i % 2 ? 'OutOfDate' : 'UpToDate',
    advisoryIDs: ['INTEL-SA-00615', 'INTEL-SA-00657'],
  }));
  const t = defaultTdxTcbInfo({
    issueDate: DEFAULT_AT - DAY,
    nextUpdate: DEFAULT_AT + 30 * DAY,
    levels,
    moduleIdentities: [{ version: 1, levels: Array.from({ length: Math.min(n, 256) }, (_, i) => ({ isvsvn: i, status: 'UpToDate' })) }],
  });
  return bytes(JSON.stringify(t));
}

function bigQeIdentity(n: number): Uint8Array {
  const q = defaultQeIdentity({
    id: 'TD_QE',
    issueDate: DEFAULT_AT - DAY,
    nextUpdate: DEFAULT_AT + 30 * DAY,
    levels: Array.from({ length: n }, (_, i) => ({ isvsvn: i, status: 'UpToDate', advisoryIDs: ['INTEL-SA-00219'] })),
  });
  return bytes(JSON.stringify(q));
}

/** SEQUENCE of many items, without spreading them into one call (no call-stack limit). */
function bigSequence(items: readonly Uint8Array[]): Uint8Array {
  return der.tlv(0x30, Uint8Array.from(Buffer.concat(items)));
}

/** A 32-deep chain of nested SEQUENCEs around an INTEGER. */
function nested32(): Uint8Array {
  let v = der.integer(1);
  for (let i = 0; i < 31; i++) v = der.sequence(v);
  return v;
}
const NESTED_32 = nested32();

/** Walks every node (descending to the DER depth limit). */
function walk(n: DerNode): number {
  let count = 1;
  if (n.constructed) for (const k of derChildren(n)) count += walk(k);
  return count;
}

const scenario = makeScenario();
const CERT_PEM = scenario.pck.chainPem;
const CRL_ISSUER = scenario.pki.platformCa;

export const DOS_CASES: DosCase<any>[] = [
  {
    name: 'parseJson: arrays nested to the depth limit, repeated',
    // The most allocation-heavy shape (one node per byte pair): kept small, see above.
    n: 24,
    slowN: 24,
    build: (n) => bytes('[' + Array(n).fill('['.repeat(31) + ']'.repeat(31)).join(',') + ']'),
    run: (b: Uint8Array) => parseJson(b),
  },
  {
    name: 'parseJson: one long string of escapes',
    n: 1000,
    build: (n) => bytes('"' + '\\u00e9\\n\\"\\\\\\ud83d\\ude00'.repeat(n) + '"'),
    run: (b: Uint8Array) => parseJson(b),
  },
  {
    name: 'parseJson: one long non-ASCII string (UTF-8 checked)',
    n: 2000,
    build: (n) => bytes('"' + 'é😀ü'.repeat(n) + '"'),
    run: (b: Uint8Array) => parseJson(b),
  },
  {
    name: 'parseJson: many small array items',
    n: 3000,
    slowN: 3000,
    build: (n) => bytes('[' + '0,'.repeat(n) + '0]'),
    run: (b: Uint8Array) => parseJson(b),
  },
  {
    name: 'parseJson: many object keys',
    n: 600,
    slowN: 600,
    build: (n) => bytes('{' + Array.from({ length: n }, (_, i) => `"key${i}":[1,"x"]`).join(',') + '}'),
    run: (b: Uint8Array) => parseJson(b),
  },
  {
    name: 'parseJson: duplicate key at the end of a large object (rejected)',
    n: 600,
    slowN: 600,
    build: (n) => bytes('{' + Array.from({ length: n }, (_, i) => `"key${i}":0`).join(',') + ',"key0":1}'),
    run: (b: Uint8Array) => parseJson(b),
  },
  {
    name: 'parseJson: unbounded nesting (rejected at the limit)',
    n: 15000,
    build: (n) => bytes('['.repeat(n)),
    run: (b: Uint8Array) => parseJson(b),
  },
  {
    name: 'parseTcbInfo: many TCB levels (sorted, duplicates checked)',
    n: 15,
    build: bigTcbInfo,
    run: (b: Uint8Array) => parseTcbInfo(b),
  },
  {
    name: 'parseQeIdentity: many TCB levels',
    n: 100,
    build: bigQeIdentity,
    run: (b: Uint8Array) => parseQeIdentity(b),
  },
  // decodePem / percentDecode build large strings (percentDecode joins its runs once).
  // The sizes were chosen when percentDecode appended one character at a time, which on
  // V8 had a step between ~300 KB and ~650 KB of text (cons strings promoted by the GC);
  // the fast sizes stay below that step, the slow above.
  {
    name: 'decodePem: many certificate blocks',
    n: 2,
    slowN: 250,
    build: (n) => CERT_PEM.repeat(n),
    run: (s: string) => decodePem(s),
  },
  {
    name: 'decodePem: one huge block',
    n: 1000,
    slowN: 160000,
    build: (n) => {
      const b64 = Buffer.from(new Uint8Array(n * 3).fill(0x5a)).toString('base64');
      return `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    },
    run: (s: string) => decodePem(s),
  },
  {
    name: 'decodePemChain: percent-encoded chain (PCS header form)',
    n: 2,
    slowN: 160,
    build: (n) => encodeURIComponent(CERT_PEM.repeat(n)),
    run: (s: string) => decodePemChain(s),
  },
  {
    name: 'decodePem: many BEGIN lines without END (rejected)',
    n: 1250,
    build: (n) => '-----BEGIN CERTIFICATE-----\n'.repeat(n),
    run: (s: string) => decodePem(s),
  },
  {
    name: 'readDer + walk: DER nested to the depth limit, repeated',
    n: 60,
    build: (n) => bigSequence(Array<Uint8Array>(n).fill(NESTED_32)),
    run: (b: Uint8Array) => walk(readDer(b)),
  },
  {
    name: 'readDer + walk: a SEQUENCE of many INTEGERs',
    n: 1500,
    slowN: 1500,
    build: (n) => bigSequence(Array.from({ length: n }, (_, i) => der.integer(i))),
    run: (b: Uint8Array) => walk(readDer(b)),
  },
  {
    name: 'readDer + walk: nesting far past the limit (rejected)',
    n: 500,
    build: (n) => {
      // Short-form-only nesting cannot go deep; build with long-form lengths from the inside out.
      let v: Uint8Array = der.integer(0);
      for (let i = 0; i < n; i++) v = der.sequence(v);
      return v;
    },
    run: (b: Uint8Array) => walk(readDer(b)),
  },
  {
    name: 'parseCrl: many revoked entries',
    n: 100,
    build: (n) =>
      mintCrl(CRL_ISSUER, {
        thisUpdate: DEFAULT_AT - DAY,
        nextUpdate: DEFAULT_AT + DAY,
        revokedSerials: Array.from({ length: n }, (_, i) => (i + 1).toString(16).padStart(40, 'a')),
        reasonCode: 1,
      }).der,
    run: (b: Uint8Array) => parseCrl(b),
  },
  {
    name: 'parseCrlAny: the same CRL as hex (collateral JSON form)',
    n: 100,
    build: (n) =>
      mintCrl(CRL_ISSUER, {
        thisUpdate: DEFAULT_AT - DAY,
        nextUpdate: DEFAULT_AT + DAY,
        revokedSerials: Array.from({ length: n }, (_, i) => (i + 1).toString(16).padStart(40, 'b')),
      }).hex,
    run: (s: string) => parseCrlAny(s),
  },
  {
    name: 'decodeMsgpack: many small maps in one array',
    n: 300,
    slowN: 300,
    build: (n) => msgpack(Array.from({ length: n }, (_, i) => ({ event: `e${i}`, payload: Uint8Array.of(i & 0xff), imr: 3 }))),
    run: (b: Uint8Array) => decodeMsgpack(b),
  },
  {
    name: 'decodeMsgpack: one long byte array in the Vec<u8> form',
    n: 4000,
    build: (n) => msgpack({ array: new Uint8Array(n).fill(0xab) }),
    run: (b: Uint8Array) => decodeMsgpack(b),
  },
  {
    name: 'V1 attestation: many unknown members refused on the header (budget)',
    n: 2000,
    build: (n) => {
      const m: Record<string, Mp> = { version: 1 };
      for (let i = 0; i < n; i++) m[`k${i}`] = i & 0x7f;
      return msgpack(m);
    },
    run: (b: Uint8Array) => parseVersionedAttestation(b),
  },
  {
    name: 'V1 attestation: a long event log (parsed, then refused for its missing stack)',
    n: 60,
    slowN: 60,
    build: (n) =>
      msgpack({
        version: 1,
        platform: {
          kind: 'tdx',
          data: {
            quote: new Uint8Array(64),
            event_log: Array.from({ length: n }, (_, i) => ({ imr: 3, event_type: 0x08000001, digest: new Uint8Array(48), event: `e${i}`, event_payload: Uint8Array.of(i & 0xff) })),
          },
        },
      }),
    run: (b: Uint8Array) => parseVersionedAttestation(b),
  },
];
