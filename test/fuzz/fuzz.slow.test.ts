/**
 * The fuzz / property suites with long runs (`npm run test:fuzz`):
 * FUZZ_RUNS runs per property when set, else 10 × the fast count.
 * FUZZ_SEED replays a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  prepareBases,
  propCertificateRoundTrip,
  propCrlRoundTrip,
  propJsonDifferential,
  propJsonDuplicateKeys,
  propJsonNeverLenient,
  propParseCollateral,
  propPemRoundTrip,
  propQeIdentityMutations,
  propSgxExtensionRoundTrip,
  propTcbInfoMutations,
  propVerifyMixAndMatch,
  propVerifyQuoteBytes,
  seenCodes,
} from './properties.js';
import { slowRuns } from './runs.js';

describe('JSON (slow)', () => {
  it('differential against JSON.parse, spans', () => propJsonDifferential(slowRuns(300)));
  it('never more lenient than JSON.parse', () => propJsonNeverLenient(slowRuns(1500)));
  it('duplicate keys', () => propJsonDuplicateKeys(slowRuns(300)));
});

describe('collateral parsers (slow)', () => {
  it('mutated TCB Infos', () => {
    const n = propTcbInfoMutations(slowRuns(600));
    expect(n.parsed + n.rejected).toBe(slowRuns(600));
  });
  it('mutated QE Identities', () => void propQeIdentityMutations(slowRuns(400)));
  it('parseCollateral, both shapes', () => propParseCollateral(slowRuns(400)));
});

describe('writer ↔ parser round trips (slow)', () => {
  it('certificates', () => propCertificateRoundTrip(slowRuns(150)));
  it('CRLs', () => propCrlRoundTrip(slowRuns(150)));
  it('SGX extensions', () => propSgxExtensionRoundTrip(slowRuns(300)));
  it('PEM layouts', () => propPemRoundTrip(slowRuns(300)));
});

describe('verifyQuote (slow)', () => {
  let prepared: Awaited<ReturnType<typeof prepareBases>>;
  beforeAll(async () => {
    prepared = await prepareBases();
  });
  afterAll(() => console.log(`verifyQuote fuzz (slow): codes seen ${JSON.stringify(Object.fromEntries([...seenCodes].sort()))}`));
  it('edited and random quotes', async () => propVerifyQuoteBytes(prepared, slowRuns(400)));
  it('mix-and-match collateral, times and roots', async () => propVerifyMixAndMatch(prepared, slowRuns(300)));
  it('DerParse never escapes verifyQuote', () => expect(seenCodes.has('DerParse')).toBe(false));
});
