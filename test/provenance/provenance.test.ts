/**
 * verifyProvenance end to end against the synthetic Sigstore deployment
 * (sigstore-fixture.ts), and every rejection path we can produce.
 */
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors.js';
import { assertProvenanceMeasurement, verifyMeasurementProvenance, verifyProvenance, refPattern, type VerifyProvenanceOptions } from '../../src/provenance/index.js';
import { ISSUER, PREDICATE_TYPE, REF, REPO, T, WORKFLOW, clone, makeFixture } from './sigstore-fixture.js';
import { AttestationError } from '../../src/errors.js';
import { throwsWith as expectCode } from '../support/codes.js';


const fx = makeFixture();
const opts = (o: Partial<VerifyProvenanceOptions> = {}, f = fx): VerifyProvenanceOptions => ({
  trustedRoot: f.trustedRoot,
  identity: { issuer: ISSUER, repository: REPO, ref: 'refs/tags/v*', subjectAlternativeName: WORKFLOW },
  predicateType: PREDICATE_TYPE,
  ...o,
});

describe('verifyProvenance (synthetic Sigstore deployment)', () => {
  it('verifies a DSSE in-toto bundle: Fulcio chain, SCT, SET, inclusion proof, checkpoint, identity, measurement', () => {
    const p = verifyProvenance(fx.bundle, opts());
    expect(p.measurement).toBe(fx.measurement);
    expect(p.predicateType).toBe(PREDICATE_TYPE);
    expect(p.identity).toMatchObject({ issuer: ISSUER, repository: REPO, ref: REF, subjectAlternativeName: WORKFLOW, buildSignerUri: WORKFLOW });
    expect(p.tlogEntries).toEqual([{ logIndex: '1006', logId: expect.any(String), integratedTime: T, kind: 'dsse/0.0.1' }]);
    expect(p.signedAt).toBe(T);
    expect(p.statement.subject[0]!.name).toBe('deployment.json');
    // JSON text input works too; the SAN pattern can be required.
    expect(verifyProvenance(JSON.stringify(fx.bundle), opts({ identity: { issuer: ISSUER, repository: REPO.toUpperCase(), ref: /refs\/tags\/v1\..*/, subjectAlternativeName: WORKFLOW } })).measurement).toBe(fx.measurement);
  });

  it('accepts a measurement only when it equals the predicate (PolicyProvenance otherwise)', () => {
    const p = verifyProvenance(fx.bundle, opts());
    expect(assertProvenanceMeasurement(fx.measurement.toUpperCase(), p)).toBeUndefined();
    expect(assertProvenanceMeasurement(Buffer.from(fx.measurement, 'hex'), p)).toBeUndefined();
    expect(p.measurement).toBe(fx.measurement.toLowerCase());
    try {
      verifyMeasurementProvenance('cd'.repeat(48), fx.bundle, opts());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      expect((e as PolicyError).code).toBe('PolicyProvenance');
      expect((e as PolicyError).evidence).toMatchObject({ expected: fx.measurement, found: 'cd'.repeat(48) });
    }
  });

  it('v1 (raw) Fulcio extensions are read too', () => {
    const f = makeFixture({ v1Extensions: true });
    expect(verifyProvenance(f.bundle, opts({}, f)).identity).toMatchObject({ issuer: ISSUER, repository: REPO, ref: REF });
  });

  describe('Sigstore failures are ProvenanceSignature', () => {
    const sig = (bundle: unknown, o: Partial<VerifyProvenanceOptions> = {}, f = fx): string =>
      expectCode(() => verifyProvenance(bundle, opts(o, f)), 'ProvenanceSignature').evidence!.check;

    it('tampered DSSE payload (the statement changed after signing)', () => {
      const b = clone(fx.bundle) as any;
      b.dsseEnvelope.payload = Buffer.from(Buffer.from(b.dsseEnvelope.payload, 'base64').toString().replace(fx.measurement, 'cd'.repeat(48))).toString('base64');
      expect(sig(b)).toMatch(/^provenance\.sigstore\.(tlog_body_error|signature_error)$/);
    });

    it('tampered DSSE signature', () => {
      const b = clone(fx.bundle) as any;
      const s = Buffer.from(b.dsseEnvelope.signatures[0].sig, 'base64');
      s[s.length - 1] = s[s.length - 1]! ^ 1;
      b.dsseEnvelope.signatures[0].sig = s.toString('base64');
      expect(sig(b)).toBe('provenance.sigstore.tlog_body_error'); // the log entry records the original signature
    });

    it('integratedTime + 1 breaks the SET', () => {
      const b = clone(fx.bundle) as any;
      b.verificationMaterial.tlogEntries[0].integratedTime = String(T + 1);
      expect(sig(b)).toBe('provenance.sigstore.tlog_inclusion_promise_error');
    });

    it('a swapped inclusion-proof hash breaks the Merkle path', () => {
      const b = clone(fx.bundle) as any;
      const h = b.verificationMaterial.tlogEntries[0].inclusionProof.hashes;
      [h[0], h[1]] = [h[1], h[0]];
      expect(sig(b)).toBe('provenance.sigstore.tlog_inclusion_proof_error');
    });

    it('a checkpoint signed by a key the trust root does not list', () => {
      expect(sig(makeFixture({ rogueCheckpointKey: true }).bundle)).toBe('provenance.sigstore.tlog_inclusion_proof_error');
    });

    it('a body that is not this envelope (another entry)', () => {
      const other = makeFixture();
      const b = clone(fx.bundle) as any;
      b.verificationMaterial.tlogEntries = clone((other.bundle as any).verificationMaterial.tlogEntries);
      expect(sig(b)).toMatch(/^provenance\.sigstore\.tlog_body_error$/);
    });

    it('a leaf from a CA the trust root does not list', () => {
      expect(sig(makeFixture({ untrustedCa: true }).bundle)).toBe('provenance.sigstore.certificate_error');
    });

    it('a leaf not valid at integratedTime', () => {
      expect(sig(makeFixture({ leafFrom: 10, leafTo: 600 }).bundle)).toBe('provenance.sigstore.certificate_error');
    });

    it('no SCT (ctlogThreshold 1 by default; 0 is the named relaxation)', () => {
      const f = makeFixture({ sct: false });
      expect(sig(f.bundle, {}, f)).toBe('provenance.sigstore.certificate_error');
      expect(verifyProvenance(f.bundle, opts({ ctlogThreshold: 0 }, f)).measurement).toBe(f.measurement);
    });

    it('an SCT whose signature does not verify', () => {
      expect(sig(makeFixture({ badSct: true }).bundle)).toBe('provenance.sigstore.certificate_error');
    });

    it('no SET: no trusted timestamp', () => {
      expect(sig(makeFixture({ noSet: true }).bundle)).toBe('provenance.sigstore.timestamp_error');
    });

    it('a tlog threshold above the entries present', () => {
      expect(sig(fx.bundle, { tlogThreshold: 2 })).toBe('provenance.sigstore.tlog_error');
    });
  });

  describe('identity failures are ProvenanceIdentity', () => {
    const id = (bundle: unknown, o: Partial<VerifyProvenanceOptions> = {}, f = fx): string | undefined =>
      expectCode(() => verifyProvenance(bundle, opts(o, f)), 'ProvenanceIdentity').evidence?.field;

    it('issuer, repository, ref, SAN', () => {
      const f1 = makeFixture({ issuer: 'https://accounts.example.com' });
      expect(id(f1.bundle, {}, f1)).toBe('issuer');
      const f2 = makeFixture({ repositoryUri: 'https://github.com/attacker/enclave-image' });
      expect(id(f2.bundle, {}, f2)).toBe('repository');
      const f3 = makeFixture({ ref: 'refs/heads/feature/x' });
      expect(id(f3.bundle, {}, f3)).toBe('ref');
      expect(id(fx.bundle, { identity: { issuer: ISSUER, repository: REPO, ref: 'refs/tags/v2*', subjectAlternativeName: WORKFLOW } })).toBe('ref');
      expect(id(fx.bundle, { identity: { issuer: ISSUER, repository: REPO, ref: /.*/, subjectAlternativeName: /release\.yml/ } })).toBe('subjectAlternativeName');
    });

    it('ref patterns: * stays within one path segment, anchored', () => {
      expect(refPattern('refs/tags/v*').test('refs/tags/v1.2.3')).toBe(true);
      expect(refPattern('refs/tags/v*').test('refs/tags/v1/evil')).toBe(false);
      expect(refPattern('refs/heads/main').test('refs/heads/main2')).toBe(false);
    });
  });

  describe('malformed input is ProvenanceParse', () => {
    const parse = (bundle: unknown, o: Partial<VerifyProvenanceOptions> = {}, f = fx): AttestationError => expectCode(() => verifyProvenance(bundle, opts(o, f)), 'ProvenanceParse');

    it('bundle JSON, media type, missing fields', () => {
      parse('{');
      parse([]);
      const b = clone(fx.bundle) as any;
      b.mediaType = 'application/json';
      parse(b);
      const c = clone(fx.bundle) as any;
      delete c.verificationMaterial.tlogEntries[0].inclusionProof;
      parse(c);
    });

    it('trusted root: media type, JSON, no CA', () => {
      parse(fx.bundle, { trustedRoot: '{' });
      parse(fx.bundle, { trustedRoot: { ...fx.trustedRoot, mediaType: 'x' } });
      parse(fx.bundle, { trustedRoot: { ...fx.trustedRoot, certificateAuthorities: [] } });
    });

    it('payload type, statement _type, predicateType, measurement', () => {
      const f1 = makeFixture({ payloadType: 'application/json' });
      expect(parse(f1.bundle, {}, f1).evidence?.field).toBe('payloadType');
      const f2 = makeFixture({ statement: { _type: 'https://example.test/other', subject: [{ name: 'x', digest: { sha256: 'aa' } }], predicateType: PREDICATE_TYPE, predicate: {} } });
      expect(parse(f2.bundle, {}, f2).evidence?.field).toBe('_type');
      expect(parse(fx.bundle, { predicateType: 'https://slsa.dev/provenance/v1' }).evidence?.field).toBe('predicateType');
      expect(parse(fx.bundle, { measurementPath: 'tdx_measurement.rtmr9' }).evidence?.field).toBe('predicate.tdx_measurement.rtmr9');
      const f3 = makeFixture({ statement: { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'x', digest: { sha256: 'aa' } }], predicateType: PREDICATE_TYPE, predicate: { snp_measurement: 'not hex' } } });
      expect(parse(f3.bundle, {}, f3).evidence?.field).toBe('predicate.snp_measurement');
      // A nested path works.
      expect(verifyProvenance(fx.bundle, opts({ measurementPath: 'tdx_measurement.rtmr1' })).measurement).toBe('00'.repeat(48));
    });
  });

  it('options are validated', () => {
    expectCode(() => verifyProvenance(fx.bundle, {} as never), 'InvalidArgument');
    expectCode(() => verifyProvenance(fx.bundle, opts({ identity: { issuer: ISSUER, repository: REPO } as never })), 'InvalidArgument');
    expectCode(() => verifyProvenance(fx.bundle, opts({ tlogThreshold: 0 })), 'InvalidArgument');
  });
});

describe('the bundled Sigstore public-good trusted root', () => {
  it('loads, with the Fulcio CAs, both Rekor shards, CT logs and the TSA', async () => {
    const { SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT, loadTrustMaterial } = await import('../../src/provenance/index.js');
    expect(SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT.mediaType).toBe('application/vnd.dev.sigstore.trustedroot+json;version=0.1');
    expect(SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT.tlogs.map((t) => t.baseUrl)).toEqual([
      'https://rekor.sigstore.dev',
      'https://log2025-1.rekor.sigstore.dev',
    ]);
    const trust = loadTrustMaterial(SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT);
    expect(trust.certificateAuthorities.length).toBe(2);
    expect(trust.tlogs.length).toBe(2);
  });
  it('is the default: a bundle from another (test) deployment does not verify under it', () => {
    const { trustedRoot: _own, ...noRoot } = opts();
    expectCode(() => verifyProvenance(fx.bundle, noRoot), 'ProvenanceSignature');
  });
});
