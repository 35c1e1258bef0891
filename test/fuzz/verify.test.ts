/**
 * verifyQuote end to end under fuzzing (fast counts): random and edited
 * quotes (set, truncate, insert, splice from another quote) and
 * mix-and-match collateral (fields of other vectors, mutated fields, odd
 * times and roots) only ever give an AttestationError, or a success whose
 * claims are those of the quote used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareBases, propVerifyMixAndMatch, propVerifyQuoteBytes, seenCodes } from './properties.js';

describe('verifyQuote on fuzzed inputs', () => {
  let prepared: Awaited<ReturnType<typeof prepareBases>>;
  beforeAll(async () => {
    prepared = await prepareBases();
  });
  afterAll(() => {
    console.log(`verifyQuote fuzz: codes seen ${JSON.stringify(Object.fromEntries([...seenCodes].sort()))}`);
  });

  it('edited and random quotes with valid collateral', async () => {
    await propVerifyQuoteBytes(prepared, 400);
  });
  it('mix-and-match collateral, times and roots', async () => {
    await propVerifyMixAndMatch(prepared, 300);
  });
  it('DerParse never escapes verifyQuote (DER errors carry the caller\'s code)', () => {
    expect(seenCodes.has('DerParse')).toBe(false);
  });
});
