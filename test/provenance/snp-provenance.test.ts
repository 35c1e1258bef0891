/** The intended use: accept an SEV-SNP measurement only when a verified provenance predicate vouches for it. */
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors.js';
import { verifyMeasurementProvenance } from '../../src/provenance/index.js';
import { verifySnpAttestation } from '../../src/snp/verify.js';
import { assertSnpPolicy } from '../../src/snp/policy.js';
import { T0, makeCa, makeLeaf, signedReport } from '../snp/pki.js';
import { ISSUER, PREDICATE_TYPE, REPO, WORKFLOW, makeFixture } from './sigstore-fixture.js';

describe('SEV-SNP measurement provenance', () => {
  const ca = makeCa('Genoa');
  const leaf = makeLeaf(ca);
  const measurement = Uint8Array.from({ length: 48 }, (_, i) => (i * 31 + 7) & 0xff);
  const hex = Buffer.from(measurement).toString('hex');

  it('verified report + verified provenance with the same measurement → accepted; another measurement → PolicyProvenance', async () => {
    const v = assertSnpPolicy(
      await verifySnpAttestation(signedReport(leaf, { version: 3, product: 'Genoa', measurement }), { vcek: leaf.der, certChain: [ca.ask, ca.ark] }, { at: T0 + 60, arkPins: ca.arkPins }),
    );
    const good = makeFixture({ measurement: hex });
    const options = { trustedRoot: good.trustedRoot, identity: { issuer: ISSUER, repository: REPO, ref: 'refs/tags/v*', subjectAlternativeName: WORKFLOW }, predicateType: PREDICATE_TYPE };
    const p = verifyMeasurementProvenance(v.measurement, good.bundle, options);
    expect(p.measurement).toBe(v.measurement);

    const other = makeFixture({ measurement: 'ee'.repeat(48) });
    try {
      verifyMeasurementProvenance(v.measurement, other.bundle, { ...options, trustedRoot: other.trustedRoot });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      expect((e as PolicyError).code).toBe('PolicyProvenance');
    }
  });
});
