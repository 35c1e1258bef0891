/**
 * The remembered QE Identity / TCB evaluation outcomes (issue #15) are derived
 * only from the bytes they are keyed by: a caller-parsed Quote whose parsed
 * QE report fields disagree with its bytes cannot plant an outcome that a
 * later verification of the genuine bytes would reuse.
 */
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/verify/verifier.js';
import { parseQuote } from '../../src/quote/parse.js';
import { makeScenario } from '../../src/testing/index.js';

const s = makeScenario();

describe('evaluation memo', () => {
  it('a caller-parsed Quote with forged QE report fields plants nothing', async () => {
    const v = createVerifier({ rootPublicKey: s.rootPublicKey });
    const honest = await createVerifier({ rootPublicKey: s.rootPublicKey }).verifyQuote(s.quote, s.collateral, { at: s.at });
    const parsed = parseQuote(s.quote);
    const forged = {
      ...parsed,
      signatureData: { ...parsed.signatureData, qeReport: { ...parsed.signatureData.qeReport, isvSvn: 0 } },
    };
    const first = await v.verifyQuote(forged, s.collateral, { at: s.at }).then(
      (r) => r.qeStatus,
      (e: { code?: string }) => e.code,
    );
    expect(first).not.toBe(honest.qeStatus); // the forged field is read (so the test means something)
    const again = await v.verifyQuote(s.quote, s.collateral, { at: s.at });
    expect(again.qeStatus).toBe(honest.qeStatus);
    expect(again.status).toBe(honest.status);
    expect(again.advisoryIds).toEqual(honest.advisoryIds);
  });

  it('an outcome remembered for the genuine bytes is not reused for a caller-parsed Quote with other fields', async () => {
    const v = createVerifier({ rootPublicKey: s.rootPublicKey });
    expect((await v.verifyQuote(s.quote, s.collateral, { at: s.at })).status).toBe('UpToDate');
    const parsed = parseQuote(s.quote);
    const forged = {
      ...parsed,
      signatureData: { ...parsed.signatureData, qeReport: { ...parsed.signatureData.qeReport, isvSvn: 0 } },
    };
    // Exactly what a verifier without any cache says about this object.
    const uncached = await createVerifier({ rootPublicKey: s.rootPublicKey }).verifyQuote(forged, s.collateral, { at: s.at }).then(
      (r) => r.qeStatus,
      (e: { code?: string }) => e.code,
    );
    const cached = await v.verifyQuote(forged, s.collateral, { at: s.at }).then(
      (r) => r.qeStatus,
      (e: { code?: string }) => e.code,
    );
    expect(cached).toBe(uncached);
  });
});
