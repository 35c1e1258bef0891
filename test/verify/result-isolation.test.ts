/**
 * A result handed to the caller shares no mutable object with the verifier's
 * caches: mutating it in place (the PCK claims' TCB components and
 * configuration, the advisory IDs) must not change what a later verification
 * with the same verifier reads or returns (issue #11 §2: nothing cached by
 * reference).
 */
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/verify/verifier.js';
import { makeScenario } from '../../src/testing/index.js';

const s = makeScenario();

describe('verification results are private copies', () => {
  it('mutating a result does not reach the cached PCK extension or TCB levels', async () => {
    const v = createVerifier({ rootPublicKey: s.rootPublicKey });
    const first = await v.verifyQuote(s.quote, s.collateral, { at: s.at });
    const components = [...first.pck.tcbComponents];
    const advisories = [...first.advisoryIds];
    (first.pck.tcbComponents as number[]).fill(0);
    (first.advisoryIds as string[]).push('INTEL-SA-99999');
    const second = await v.verifyQuote(s.quote, s.collateral, { at: s.at });
    expect(second.pck.tcbComponents).toEqual(components);
    expect(second.advisoryIds).toEqual(advisories);
    expect(second.status).toBe(first.status);
    expect(second.pck.tcbComponents).not.toBe(first.pck.tcbComponents);
    expect(second.advisoryIds).not.toBe(first.advisoryIds);
  });
});
