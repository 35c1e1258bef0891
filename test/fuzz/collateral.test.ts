/**
 * TCB Info, QE Identity and parseCollateral under fuzzing (fast counts):
 * structurally mutated signed JSON (fields replaced, removed, duplicated,
 * retyped) only ever gives CollateralParse, and whatever parses reads the
 * same values JSON.parse sees; parseCollateral on collateral assembled from
 * real, factory, mutated and wrongly typed fields only gives parse errors.
 */
import { describe, expect, it } from 'vitest';
import { propParseCollateral, propQeIdentityMutations, propTcbInfoMutations } from './properties.js';

describe('collateral parsers', () => {
  it('mutated TCB Infos: CollateralParse only; parsed fields agree with JSON.parse', () => {
    const n = propTcbInfoMutations(600);
    console.log(`mutated TCB Infos: ${n.parsed} parsed, ${n.rejected} rejected`);
    expect(n.parsed).toBeGreaterThan(30); // the success-path invariants are exercised (typically ~20%)
  });
  it('mutated QE Identities: CollateralParse only; parsed fields agree with JSON.parse', () => {
    const n = propQeIdentityMutations(400);
    console.log(`mutated QE Identities: ${n.parsed} parsed, ${n.rejected} rejected`);
    expect(n.parsed).toBeGreaterThan(15); // typically ~15%
  });
  it('parseCollateral on mixed, mutated and wrongly typed fields (both shapes): parse errors only', () => propParseCollateral(400));
});
