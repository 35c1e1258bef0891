/**
 * The secure-perimeter client of issue 21 in one flow: attested NK to an
 * SEV-SNP responder, then (appraisal.confirm) the transparency check that the
 * verified measurement belongs to a signed build (offline bundle + online
 * Rekor stub), before the session exists.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { acceptAttested, connectAttested, messagePipe, x25519KeyPair } from '../../src/noise/index.js';
import { verifyMeasurementTransparency } from '../../src/provenance/index.js';
import { rejectsWith } from '../support/codes.js';
import { ISSUER, PREDICATE_TYPE, REPO, WORKFLOW, makeFixture } from '../provenance/sigstore-fixture.js';
import { apiEntry, payloadDigest, serving, startRekorStub, type RekorStub } from '../provenance/rekor-server.js';
import { snpSim } from './helpers.js';

const snp = snpSim();
const signedBuild = makeFixture({ measurement: snp.measurement });
let rekor: RekorStub;
beforeAll(async () => {
  rekor = await startRekorStub(serving(payloadDigest(signedBuild), apiEntry(signedBuild)));
});
afterAll(async () => rekor.close());

const confirmSignedBuild = (bundle: unknown) => async (d: { measurement: string }) => {
  await verifyMeasurementTransparency(d.measurement, bundle, {
    trustedRoot: signedBuild.trustedRoot,
    identity: { issuer: ISSUER, repository: REPO, ref: 'refs/tags/v*', subjectAlternativeName: WORKFLOW },
    predicateType: PREDICATE_TYPE,
    online: { rekorUrl: rekor.url, allowInsecureTransport: true, timeoutMs: 2_000 },
  });
};

async function connect(bundle: unknown) {
  const key = x25519KeyPair();
  const [a, b] = messagePipe();
  acceptAttested(b, { staticKey: key.privateKey, evidence: snp.evidence }).catch(() => undefined);
  return connectAttested(a, {
    responderStaticKey: key.publicKey,
    appraisal: { tee: 'SEV-SNP', verifier: snp.verifier, policy: { allowedMeasurements: [snp.measurement] }, confirm: confirmSignedBuild(bundle) },
    at: snp.at,
  });
}

it('completes only when the measurement is that of a signed build found in the log', async () => {
  const s = await connect(signedBuild.bundle);
  expect(s.peer.measurement).toBe(snp.measurement);
  expect(rekor.requests.some((r) => r.startsWith('POST /api/v1/index/retrieve'))).toBe(true);
});

it('a signed build of another measurement refuses the channel (PolicyProvenance)', async () => {
  await rejectsWith(connect(makeFixture({ measurement: 'ab'.repeat(48) }).bundle), 'PolicyProvenance');
});

it('a signed build the log does not hold refuses the channel (RekorNotFound)', async () => {
  rekor.behaviour = serving('00'.repeat(32), apiEntry(signedBuild));
  await rejectsWith(connect(signedBuild.bundle), 'RekorNotFound');
  rekor.behaviour = serving(payloadDigest(signedBuild), apiEntry(signedBuild));
});
