/**
 * The online transparency check (src/provenance/rekor.ts) against a Rekor
 * stub on loopback: an honest log, then a hostile one (wrong proof, wrong
 * checkpoint signature, an entry for another digest, no proof, a bad SET,
 * slow and huge answers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRekorEntry, verifyMeasurementTransparency, rootFromInclusionProof, merkleLeafHash, merkleNodeHash, type RekorCheckOptions } from '../../src/provenance/index.js';
import { PolicyError } from '../../src/errors.js';
import { rejectsWith } from '../support/codes.js';
import { ISSUER, PREDICATE_TYPE, REPO, WORKFLOW, makeFixture } from './sigstore-fixture.js';
import { apiEntry, payloadDigest, serving, startRekorStub, type RekorStub } from './rekor-server.js';

const fx = makeFixture();
const digest = payloadDigest(fx);
let stub: RekorStub;
beforeAll(async () => {
  stub = await startRekorStub(serving(digest, apiEntry(fx)));
});
afterAll(async () => stub.close());

const opts = (o: Partial<RekorCheckOptions> = {}): RekorCheckOptions => ({ rekorUrl: stub.url, allowInsecureTransport: true, trustedRoot: fx.trustedRoot, timeoutMs: 2_000, ...o });
const mutated = (f: (e: Record<string, any>) => void, from = fx) => {
  const a = apiEntry(from);
  f(a.entry);
  return a;
};

describe('findRekorEntry against an honest log', () => {
  it('search by digest, fetch, SET, inclusion proof and checkpoint verify', async () => {
    stub.behaviour = serving(digest, apiEntry(fx));
    const e = await findRekorEntry(digest, opts());
    expect(e).toMatchObject({ logIndex: 1006, inclusionProof: true, treeSize: '9', kind: 'dsse/0.0.1', checkpointOrigin: 'rekor.test.example - 2605736670972794746' });
    expect(e.uuid).toBe(apiEntry(fx).uuid);
  });

  it('verifyMeasurementTransparency: offline bundle + online entry; a wrong measurement fails before any request', async () => {
    stub.behaviour = serving(digest, apiEntry(fx));
    const options = { trustedRoot: fx.trustedRoot, identity: { issuer: ISSUER, repository: REPO, ref: 'refs/tags/v*', subjectAlternativeName: WORKFLOW }, predicateType: PREDICATE_TYPE };
    const r = await verifyMeasurementTransparency(fx.measurement, fx.bundle, { ...options, online: opts({ trustedRoot: undefined }) });
    expect(r.provenance.payloadSha256).toBe(digest);
    expect(r.rekor?.inclusionProof).toBe(true);
    expect((await verifyMeasurementTransparency(fx.measurement, fx.bundle, options)).rekor).toBeUndefined();
    const before = stub.requests.length;
    await expect(verifyMeasurementTransparency('cd'.repeat(48), fx.bundle, { ...options, online: opts() })).rejects.toBeInstanceOf(PolicyError);
    expect(stub.requests.length).toBe(before);
  });
});

describe('a hostile Rekor is refused', () => {
  it('no entry for the digest: RekorNotFound', async () => {
    stub.behaviour = serving('00'.repeat(32), apiEntry(fx));
    await rejectsWith(findRekorEntry(digest, opts()), 'RekorNotFound');
  });

  it('an entry for another digest: RekorEntryMismatch', async () => {
    const other = makeFixture({ measurement: 'ee'.repeat(48) });
    stub.behaviour = serving(digest, apiEntry(other));
    await rejectsWith(findRekorEntry(digest, opts()), 'RekorEntryMismatch');
  });

  it('a body served under another entry\'s UUID: RekorEntryMismatch', async () => {
    const other = makeFixture({ measurement: 'ee'.repeat(48) });
    const a = apiEntry(fx);
    stub.behaviour = serving(digest, { uuid: a.uuid, entry: apiEntry(other).entry });
    await rejectsWith(findRekorEntry(digest, opts()), 'RekorEntryMismatch');
  });

  it('a wrong inclusion proof (swapped path, wrong index, wrong root): RekorInclusionProof', async () => {
    for (const f of [
      (e: Record<string, any>) => e.verification.inclusionProof.hashes.reverse(),
      (e: Record<string, any>) => (e.verification.inclusionProof.logIndex = 5),
      (e: Record<string, any>) => (e.verification.inclusionProof.rootHash = '00'.repeat(32)),
      (e: Record<string, any>) => e.verification.inclusionProof.hashes.pop(),
    ]) {
      stub.behaviour = serving(digest, mutated(f));
      await rejectsWith(findRekorEntry(digest, opts()), 'RekorInclusionProof');
    }
  });

  it('no inclusion proof: refused unless allowMissingInclusionProof', async () => {
    stub.behaviour = serving(digest, mutated((e) => delete e.verification.inclusionProof));
    await rejectsWith(findRekorEntry(digest, opts()), 'RekorInclusionProof');
    expect((await findRekorEntry(digest, opts({ allowMissingInclusionProof: true }))).inclusionProof).toBe(false);
  });

  it('a checkpoint signed by another key, edited, for another log, or for another tree: RekorCheckpoint', async () => {
    const rogue = makeFixture({ rogueCheckpointKey: true });
    stub.behaviour = serving(payloadDigest(rogue), apiEntry(rogue));
    await rejectsWith(findRekorEntry(payloadDigest(rogue), opts()), 'RekorCheckpoint');
    stub.behaviour = serving(digest, mutated((e) => (e.verification.inclusionProof.checkpoint = e.verification.inclusionProof.checkpoint.replace('\n9\n', '\n10\n'))));
    await rejectsWith(findRekorEntry(digest, opts()), 'RekorCheckpoint');
    const otherHost = JSON.parse(JSON.stringify(fx.trustedRoot).replace('https://rekor.test.example', 'https://other-log.example'));
    stub.behaviour = serving(digest, apiEntry(fx));
    await rejectsWith(findRekorEntry(digest, opts({ trustedRoot: otherHost })), 'RekorCheckpoint');
  });

  it('a bad signed entry timestamp, or a log the trusted root does not list: RekorSignedEntryTimestamp', async () => {
    stub.behaviour = serving(digest, mutated((e) => (e.integratedTime += 1)));
    await rejectsWith(findRekorEntry(digest, opts()), 'RekorSignedEntryTimestamp');
    stub.behaviour = serving(digest, apiEntry(fx));
    await rejectsWith(findRekorEntry(digest, opts({ trustedRoot: undefined })), 'RekorSignedEntryTimestamp'); // the public-good root
  });

  it('malformed answers: RekorParse', async () => {
    stub.behaviour = { kind: 'notJson' };
    await rejectsWith(findRekorEntry(digest, opts()), 'RekorParse');
    stub.behaviour = serving(digest, mutated((e) => (e.body = '***')));
    await rejectsWith(findRekorEntry(digest, opts()), 'RekorParse');
  });

  it('HTTP errors, redirects, huge and slow answers: RekorUnavailable within the bounds', async () => {
    for (const b of [{ kind: 'status', status: 500 }, { kind: 'redirect' }, { kind: 'huge', bytes: 8 * 1024 * 1024 }] as const) {
      stub.behaviour = b;
      await rejectsWith(findRekorEntry(digest, opts({ maxResponseBytes: 64 * 1024 })), 'RekorUnavailable');
    }
    for (const b of [{ kind: 'silent' }, { kind: 'drip' }] as const) {
      stub.behaviour = b;
      await rejectsWith(findRekorEntry(digest, opts({ timeoutMs: 300 })), 'RekorUnavailable');
    }
  });

  it('options are validated at the boundary', async () => {
    await rejectsWith(findRekorEntry('xyz', opts()), 'InvalidArgument');
    await rejectsWith(findRekorEntry(digest, opts({ allowInsecureTransport: false })), 'InvalidArgument');
    await rejectsWith(findRekorEntry(digest, opts({ timeoutMs: 0 })), 'InvalidArgument');
  });
});

describe('RFC 9162 inclusion proofs', () => {
  it('every leaf of trees of size 1..17 verifies against the tree head; a wrong index does not', () => {
    const mth = (l: Uint8Array[]): Uint8Array => {
      if (l.length === 1) return l[0]!;
      let k = 1;
      while (k * 2 < l.length) k *= 2;
      return merkleNodeHash(mth(l.slice(0, k)), mth(l.slice(k)));
    };
    const path = (m: number, l: Uint8Array[]): Uint8Array[] => {
      if (l.length === 1) return [];
      let k = 1;
      while (k * 2 < l.length) k *= 2;
      return m < k ? [...path(m, l.slice(0, k)), mth(l.slice(k))] : [...path(m - k, l.slice(k)), mth(l.slice(0, k))];
    };
    for (let n = 1; n <= 17; n++) {
      const leaves = Array.from({ length: n }, (_, i) => merkleLeafHash(Uint8Array.of(i)));
      const root = Buffer.from(mth(leaves)).toString('hex');
      for (let i = 0; i < n; i++) {
        const r = rootFromInclusionProof(BigInt(i), BigInt(n), leaves[i]!, path(i, leaves));
        expect(Buffer.from(r!).toString('hex')).toBe(root);
        if (n > 1) {
          const w = rootFromInclusionProof(BigInt((i + 1) % n), BigInt(n), leaves[i]!, path(i, leaves));
          expect(w === undefined || Buffer.from(w).toString('hex') !== root).toBe(true);
        }
      }
    }
  });
});
