/**
 * Issue #15: the worker does not send `result.quote` back for quote bytes;
 * the pool parses its own private copy of the bytes it sent. The result must
 * equal createVerifier's, and a caller changing its bytes after the call
 * changes neither what is verified nor the returned quote.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/verify/verifier.js';
import { makeScenario } from '../../src/testing/index.js';
import type { VerifierPool } from '../../src/pool/index.js';

const DIST = 'dist/pool/pool.js';
const s = makeScenario();
let p: VerifierPool | undefined;

afterAll(async () => {
  await p?.close();
});

describe.skipIf(!existsSync(DIST))('pool result.quote (built package)', () => {
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
});
