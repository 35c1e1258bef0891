/**
 * createVerifierPool (issue #15): the same verifyQuote contract as
 * createVerifier across worker threads. Runs the built package (dist/, made
 * by `npm ci` through `prepare`): worker threads load dist/pool/worker.js.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/verify/verifier.js';
import { makeScenario } from '../../src/testing/index.js';
import type { VerifierPool, VerifierPoolOptions } from '../../src/pool/index.js';
import { skipWithoutBuild } from '../support/built.js';

const DIST = 'dist/pool/pool.js';
/** Skipped only without a build outside CI (test/support/built.ts). */
const SKIP = skipWithoutBuild(DIST, 'test/pool');
const s = makeScenario();
const pools: VerifierPool[] = [];

async function pool(o: VerifierPoolOptions): Promise<VerifierPool> {
  const { createVerifierPool } = (await import('../../dist/pool/pool.js')) as unknown as typeof import('../../src/pool/pool.js');
  const p = createVerifierPool({ rootPublicKey: s.rootPublicKey, ...o });
  pools.push(p);
  return p;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe.skipIf(SKIP)('createVerifierPool (built package)', () => {
  it('returns what createVerifier returns', async () => {
    const p = await pool({ workers: 2 });
    const local = await createVerifier({ rootPublicKey: s.rootPublicKey }).verifyQuote(s.quote, s.collateral, { at: s.at });
    const results = await Promise.all(Array.from({ length: 8 }, () => p.verifyQuote(s.quote, s.collateral, { at: s.at })));
    for (const r of results) {
      expect(r.status).toBe(local.status);
      expect(r.report).toEqual(local.report);
      expect(r.pck).toEqual(local.pck);
      expect(r.collateralExpiresAt).toBe(local.collateralExpiresAt);
    }
  });

  it('coded errors cross the thread boundary as AttestationError with code and evidence', async () => {
    const { AttestationError, VerifyError } = await import('../../dist/errors.js');
    const p = await pool({ workers: 1 });
    const late = s.at + 40 * 86_400;
    const e = await p.verifyQuote(s.quote, s.collateral, { at: late }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AttestationError);
    expect(e).toBeInstanceOf(VerifyError);
    expect(e).toMatchObject({ code: 'CrlExpired', kind: 'verify', evidence: { check: 'pck.crl.validity', field: 'nextUpdate' } });
    const bad = s.quote.slice();
    bad[100]! ^= 1;
    await expect(p.verifyQuote(bad, s.collateral, { at: s.at })).rejects.toMatchObject({ code: 'QuoteSignature' });
    // a parse error, from the worker's parser
    await expect(p.verifyQuote(new Uint8Array(10), s.collateral, { at: s.at })).rejects.toMatchObject({ name: 'ParseError', kind: 'parse' });
  });

  it('validates options and arguments into InvalidArgument', async () => {
    const { createVerifierPool } = (await import('../../dist/pool/pool.js')) as unknown as typeof import('../../src/pool/pool.js');
    expect(() => createVerifierPool({ workers: 0 })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => createVerifierPool({ crypto: 'openssl' as never })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => createVerifierPool({ rootPublicKey: new Uint8Array(3) })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    const p = await pool({ workers: 1 });
    await expect(p.verifyQuote(s.quote, s.collateral, { at: s.at * 1000 })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(p.verifyQuote(s.quote, s.collateral, undefined as never)).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('a bounded queue: PoolQueueFull beyond maxQueue, ready() resolves when there is room', async () => {
    const p = await pool({ workers: 1, perWorker: 1, maxQueue: 2 });
    const accepted = [0, 1, 2].map(() => p.verifyQuote(s.quote, s.collateral, { at: s.at }));
    expect(p.pending).toBe(3);
    await expect(p.verifyQuote(s.quote, s.collateral, { at: s.at })).rejects.toMatchObject({ code: 'PoolQueueFull', kind: 'usage' });
    await p.ready();
    const more = p.verifyQuote(s.quote, s.collateral, { at: s.at });
    for (const r of await Promise.all([...accepted, more])) expect(r.status).toBe('UpToDate');
  });

  it('a collateral object changed in place between calls is sent again (content compared, never identity)', async () => {
    const revoking = makeScenario({ pki: s.pki, revokePck: true });
    const p = await pool({ workers: 1 });
    const c = { ...s.collateral };
    expect((await p.verifyQuote(s.quote, c, { at: s.at })).status).toBe('UpToDate');
    expect((await p.verifyQuote(s.quote, c, { at: s.at })).status).toBe('UpToDate');
    c.pck_crl = revoking.collateral.pck_crl;
    await expect(p.verifyQuote(s.quote, c, { at: s.at })).rejects.toMatchObject({ code: 'CrlRevoked' });
    // PCS shape with a byte field mutated in place
    const pcs = { ...s.pcsCollateral, pckCrl: (s.pcsCollateral.pckCrl as Uint8Array).slice() };
    expect((await p.verifyQuote(s.quote, pcs, { at: s.at })).status).toBe('UpToDate');
    pcs.pckCrl[pcs.pckCrl.length - 3]! ^= 1;
    await expect(p.verifyQuote(s.quote, pcs, { at: s.at })).rejects.toMatchObject({ code: expect.stringMatching(/CrlSignature|CrlParse/) });
  });

  it('a collateral used often stays with its worker while many others pass (the worker keeps what the pool assumes it holds)', async () => {
    const p = await pool({ workers: 1 });
    const often = { ...s.collateral };
    expect((await p.verifyQuote(s.quote, often, { at: s.at })).status).toBe('UpToDate');
    // Ten other collaterals (same PKI, other issue times: other content), each followed by the first one.
    for (let k = 1; k <= 10; k++) {
      const other = makeScenario({ pki: s.pki, at: s.at - k }).collateral;
      expect((await p.verifyQuote(s.quote, other, { at: s.at })).status).toBe('UpToDate');
      expect((await p.verifyQuote(s.quote, often, { at: s.at })).status).toBe('UpToDate');
    }
  });

  it('tasks accepted together travel in batches: every result reaches its own caller, in any mix of outcomes', async () => {
    const p = await pool({ workers: 2, perWorker: 3 });
    const late = s.at + 40 * 86_400;
    const bad = s.quote.slice();
    bad[100]! ^= 1;
    const local = await createVerifier({ rootPublicKey: s.rootPublicKey }).verifyQuote(s.quote, s.collateral, { at: s.at });
    const calls = Array.from({ length: 40 }, (_, i) =>
      i % 5 === 1 ? p.verifyQuote(bad, s.collateral, { at: s.at }) : i % 5 === 3 ? p.verifyQuote(s.quote, s.collateral, { at: late }) : p.verifyQuote(s.quote, s.collateral, { at: s.at }),
    );
    const settled = await Promise.allSettled(calls);
    settled.forEach((r, i) => {
      if (i % 5 === 1) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'QuoteSignature' } });
      else if (i % 5 === 3) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'CrlExpired' } });
      else {
        expect(r.status).toBe('fulfilled');
        expect((r as PromiseFulfilledResult<unknown>).value).toStrictEqual(local);
      }
    });
    expect(p.pending).toBe(0);
  });

  it('transfer: true moves the quote buffer to the worker', async () => {
    const p = await pool({ workers: 1 });
    const q = s.quote.slice();
    const r = p.verifyQuote(q, s.collateral, { at: s.at, transfer: true });
    expect(q.byteLength).toBe(0); // detached: moved, not copied
    expect((await r).status).toBe('UpToDate');
    // a view into a larger buffer is copied to its own bytes, the caller's buffer untouched
    const big = new Uint8Array(s.quote.length + 100);
    big.set(s.quote, 50);
    const view = big.subarray(50, 50 + s.quote.length);
    expect((await p.verifyQuote(view, s.collateral, { at: s.at })).status).toBe('UpToDate');
    expect(view.byteLength).toBe(s.quote.length);
  });

  it('WebCrypto workers (several tasks in flight): same results, each task with its own collateral by reference', async () => {
    const p = await pool({ workers: 1, crypto: 'webcrypto', perWorker: 12 });
    const local = await createVerifier({ rootPublicKey: s.rootPublicKey }).verifyQuote(s.quote, s.collateral, { at: s.at });
    const others = [1, 2, 3].map((k) => makeScenario({ pki: s.pki, at: s.at - k }).collateral);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => p.verifyQuote(s.quote, i % 4 === 0 ? s.collateral : others[i % 3]!, { at: s.at })));
    for (const r of results) expect(r.status).toBe('UpToDate');
    expect(results[0]).toStrictEqual(local);
  });

  it('a worker lost mid-batch: each of its running tasks rejects with VerifierUnavailable, a new worker takes the rest', async () => {
    const { Worker } = await import('node:worker_threads');
    const p = await pool({ workers: 1, perWorker: 8 });
    expect((await p.verifyQuote(s.quote, s.collateral, { at: s.at })).status).toBe('UpToDate');
    // Stop the pool's worker as the next batch is posted to it (it never runs that batch).
    const post = Worker.prototype.postMessage;
    let victim: InstanceType<typeof Worker> | undefined;
    Worker.prototype.postMessage = function (this: InstanceType<typeof Worker>, ...args: Parameters<typeof post>) {
      if (victim === undefined) {
        victim = this;
        void this.terminate();
      }
      return post.apply(this, args);
    };
    let calls: Promise<unknown>[];
    try {
      calls = Array.from({ length: 20 }, () => p.verifyQuote(s.quote, s.collateral, { at: s.at }));
      await new Promise((ok) => setImmediate(ok));
    } finally {
      Worker.prototype.postMessage = post;
    }
    expect(victim).toBeDefined();
    const settled = await Promise.allSettled(calls);
    const lost = settled.filter((r) => r.status === 'rejected');
    expect(lost).toHaveLength(8); // the batch it was running (perWorker), nothing else
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'VerifierUnavailable', evidence: { check: 'pool.worker' } });
    for (const r of settled) if (r.status === 'fulfilled') expect((r.value as { status: string }).status).toBe('UpToDate');
    expect(p.pending).toBe(0);
    expect((await p.verifyQuote(s.quote, s.collateral, { at: s.at })).status).toBe('UpToDate');
  });

  it('close() finishes accepted work, then refuses with PoolClosed', async () => {
    const p = await pool({ workers: 2 });
    const accepted = Array.from({ length: 6 }, () => p.verifyQuote(s.quote, s.collateral, { at: s.at }));
    const closing = p.close();
    await expect(p.verifyQuote(s.quote, s.collateral, { at: s.at })).rejects.toMatchObject({ code: 'PoolClosed' });
    for (const r of await Promise.all(accepted)) expect(r.status).toBe('UpToDate');
    await closing;
    expect(p.pending).toBe(0);
    await p.close(); // idempotent
  });

  it('the docs/dcap.md snippet: Intel root by default, a real TDX quote', async () => {
    const { createVerifierPool } = (await import('../../dist/node/index.js')) as unknown as typeof import('../../src/pool/pool.js');
    const quote = new Uint8Array(readFileSync('vectors/dcap/dcap-qvl/tdx_quote'));
    const collateral = JSON.parse(readFileSync('vectors/dcap/dcap-qvl/tdx_quote_collateral.json', 'utf8'));
    const at = 1752919234;
    const pool = createVerifierPool({ workers: 2 }); // same options as createVerifier, crypto by name
    const v = await pool.verifyQuote(quote, collateral, { at });
    await pool.close();
    expect(v.status).toBe('UpToDate');
  });
});
