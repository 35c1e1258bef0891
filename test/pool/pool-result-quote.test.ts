/**
 * Issue #15: the worker does not send `result.quote` back for quote bytes;
 * the pool parses its own private copy of the bytes it sent. The result must
 * equal createVerifier's, and a caller changing its bytes after the call
 * changes neither what is verified nor the returned quote.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/verify/verifier.js';
import { makeScenario } from '../../src/testing/index.js';
import type { VerifierPool } from '../../src/pool/index.js';
import { skipWithoutBuild } from '../support/built.js';

const DIST = 'dist/pool/pool.js';
/** Skipped only without a build outside CI (test/support/built.ts). */
const SKIP = skipWithoutBuild(DIST, 'test/pool/result-quote');
const s = makeScenario();
let p: VerifierPool | undefined;

afterAll(async () => {
  await p?.close();
});

describe.skipIf(SKIP)('pool result.quote (built package)', () => {
  it('equals createVerifier result, quote included, for every trailingBytes mode', async () => {
    const { createVerifierPool } = (await import('../../dist/pool/pool.js')) as unknown as typeof import('../../src/pool/pool.js');
    p = createVerifierPool({ workers: 1, rootPublicKey: s.rootPublicKey, trailingBytes: 'any' });
    const padded = new Uint8Array(s.quote.length + 16);
    padded.set(s.quote);
    padded.fill(7, s.quote.length);
    const local = await createVerifier({ rootPublicKey: s.rootPublicKey, trailingBytes: 'any' }).verifyQuote(padded, s.collateral, { at: s.at });
    const mine = padded.slice();
    const pending = p.verifyQuote(mine, s.collateral, { at: s.at });
    mine.fill(0); // after the call: must not matter
    const r = await pending;
    expect(r.quote).toEqual(local.quote);
    expect(r.quote.trailingBytes).toEqual(local.quote.trailingBytes);
    const { quote: _a, verifiedAt: _b, ...restPool } = r;
    const { quote: _c, verifiedAt: _d, ...restLocal } = local;
    expect(restPool).toEqual(restLocal);
    // The call's own trailingBytes wins over the pool's.
    await expect(p.verifyQuote(padded, s.collateral, { at: s.at, trailingBytes: 'zeros' })).rejects.toMatchObject({ kind: 'parse' });
  });

  it('result.quote is parsed on first read from the pool\'s private copy, then kept; the result is a plain object like createVerifier\'s', async () => {
    const { createVerifierPool } = (await import('../../dist/pool/pool.js')) as unknown as typeof import('../../src/pool/pool.js');
    const q = createVerifierPool({ workers: 1, rootPublicKey: s.rootPublicKey });
    try {
      const local = await createVerifier({ rootPublicKey: s.rootPublicKey }).verifyQuote(s.quote, s.collateral, { at: s.at });
      const mine = s.quote.slice();
      const pending = q.verifyQuote(mine, s.collateral, { at: s.at });
      mine.fill(0xff); // the caller's array changes after the call, before and after the worker answers
      const r = await pending;
      mine.fill(0);
      // Same keys in the same order, same values, `quote` included (read through the accessor).
      expect(Object.keys(r)).toEqual(Object.keys(local));
      expect(r).toStrictEqual(local);
      const first = r.quote;
      expect(first).toStrictEqual(local.quote);
      expect(r.quote).toBe(first); // parsed once, kept
      expect(Object.getOwnPropertyDescriptor(r, 'quote')).toMatchObject({ value: first, writable: true, enumerable: true });
      // A spread, JSON and a structured clone see `quote` as a plain field.
      const r2 = await q.verifyQuote(s.quote, s.collateral, { at: s.at });
      expect({ ...r2 }.quote).toStrictEqual(local.quote);
      expect(JSON.stringify(await q.verifyQuote(s.quote, s.collateral, { at: s.at }))).toBe(JSON.stringify(local));
      expect(structuredClone(await q.verifyQuote(s.quote, s.collateral, { at: s.at }))).toStrictEqual(structuredClone(local));
      // Assigning replaces it, as on a plain object.
      const r3 = await q.verifyQuote(s.quote, s.collateral, { at: s.at });
      (r3 as { quote: unknown }).quote = 'mine';
      expect(r3.quote).toBe('mine');
      // Results never share objects (the caller may change one).
      const [a, b] = await Promise.all([q.verifyQuote(s.quote, s.collateral, { at: s.at }), q.verifyQuote(s.quote, s.collateral, { at: s.at })]);
      expect(a.pck).not.toBe(b.pck);
      expect(a.checks).not.toBe(b.checks);
      (a.checks as string[]).push('changed');
      expect(b.checks).toEqual(local.checks);
    } finally {
      await q.close();
    }
  });
});
