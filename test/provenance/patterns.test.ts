/**
 * Issue 19 §4: provenance policy patterns. Each case here failed before the fix:
 * an unanchored RegExp ref, `*` matching control characters, an unpinned SAN
 * accepting any workflow of the repository, and no way to compare the in-toto subject.
 */
import { describe, expect, it } from 'vitest';
import { refPattern, sanPattern, verifyProvenance, assertProvenanceSubject, type VerifyProvenanceOptions } from '../../src/provenance/index.js';
import { ISSUER, PREDICATE_TYPE, REPO, WORKFLOW, makeFixture } from './sigstore-fixture.js';
import { throwsWith as expectCode } from '../support/codes.js';

const fx = makeFixture();
const opts = (identity: Partial<VerifyProvenanceOptions['identity']>, o: Partial<VerifyProvenanceOptions> = {}, f = fx): VerifyProvenanceOptions => ({
  trustedRoot: f.trustedRoot,
  identity: { issuer: ISSUER, repository: REPO, ref: 'refs/tags/v*', subjectAlternativeName: WORKFLOW, ...identity } as VerifyProvenanceOptions['identity'],
  predicateType: PREDICATE_TYPE,
  ...o,
});

describe('ref patterns', () => {
  it('a RegExp must match the whole ref (/v1/ does not accept refs/heads/v1-evil)', () => {
    expect(refPattern(/v1/).test('refs/heads/v1-evil')).toBe(false);
    expect(refPattern(/v1/).test('v1')).toBe(true);
    expect(refPattern(/refs\/tags\/v1\..*/).test('refs/tags/v1.4.2')).toBe(true);
    expect(refPattern(/refs\/tags\/v1|main/).test('refs/heads/main')).toBe(false); // alternation is grouped before anchoring
    expect(refPattern(/refs\/tags\/v1|main/).test('main')).toBe(true);
  });

  it('a RegExp with the g or y flag does not carry lastIndex between checks', () => {
    const re = refPattern(/refs\/tags\/v.*/g);
    expect(re.test('refs/tags/v1')).toBe(true);
    expect(re.test('refs/tags/v1')).toBe(true);
  });

  it('end to end: an unanchored RegExp ref no longer accepts a longer ref', () => {
    const evil = makeFixture({ ref: 'refs/heads/v1-evil', san: `https://github.com/${REPO}/.github/workflows/build.yml@refs/heads/v1-evil` });
    const e = expectCode(() => verifyProvenance(evil.bundle, opts({ ref: /v1/, subjectAlternativeName: /.*/ }, {}, evil)), 'ProvenanceIdentity');
    expect(e.evidence?.field).toBe('ref');
  });

  it('* in a string pattern matches ref characters only: no control characters, spaces or git-forbidden ones', () => {
    const p = refPattern('refs/tags/v*');
    expect(p.test('refs/tags/v1.2.3-rc.1_x+y')).toBe(true);
    for (const bad of ['refs/tags/v1\n', 'refs/tags/v1\u0000', 'refs/tags/v1\u001b[31m', 'refs/tags/v1 x', 'refs/tags/v1\u007f', 'refs/tags/v1~1', 'refs/tags/v1^', 'refs/tags/v1:x', 'refs/tags/v1?', 'refs/tags/v1\\x', 'refs/tags/v1[', 'refs/tags/v\u0131']) {
      expect(p.test(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('end to end: a ref with a control character is refused by a * pattern', () => {
    const f = makeFixture({ ref: 'refs/tags/v1.4.2\u001b[2K' });
    expect(expectCode(() => verifyProvenance(f.bundle, opts({ subjectAlternativeName: /.*/ }, {}, f)), 'ProvenanceIdentity').evidence?.field).toBe('ref');
  });
});

describe('the workflow (SAN) must be pinned, or its relaxation named', () => {
  it('no subjectAlternativeName and no allowAnyWorkflow is InvalidArgument', () => {
    const { subjectAlternativeName: _s, ...noSan } = opts({}).identity;
    expectCode(() => verifyProvenance(fx.bundle, { ...opts({}), identity: noSan }), 'InvalidArgument');
  });

  it('allowAnyWorkflow: true is the named relaxation', () => {
    const { subjectAlternativeName: _s, ...noSan } = opts({}).identity;
    const other = makeFixture({ san: `https://github.com/${REPO}/.github/workflows/anyone-can-edit.yml@refs/tags/v1.4.2` });
    expect(verifyProvenance(other.bundle, { ...opts({}, {}, other), identity: { ...noSan, allowAnyWorkflow: true } }).measurement).toBe(other.measurement);
  });

  it('another workflow of the same repository is refused when the SAN is pinned', () => {
    const other = makeFixture({ san: `https://github.com/${REPO}/.github/workflows/anyone-can-edit.yml@refs/tags/v1.4.2` });
    expect(expectCode(() => verifyProvenance(other.bundle, opts({}, {}, other)), 'ProvenanceIdentity').evidence?.field).toBe('subjectAlternativeName');
  });

  it('a SAN RegExp must match the whole SAN', () => {
    expect(sanPattern(/build\.yml/).test(WORKFLOW)).toBe(false);
    const other = makeFixture({ san: `https://evil.example/github.com/${REPO}/.github/workflows/build.yml@refs/tags/v1.4.2` });
    const pinned = /github\.com\/example-org\/enclave-image\/\.github\/workflows\/build\.yml@refs\/tags\/v.*/;
    expect(expectCode(() => verifyProvenance(other.bundle, opts({ subjectAlternativeName: pinned }, {}, other)), 'ProvenanceIdentity').evidence?.field).toBe('subjectAlternativeName');
    expect(verifyProvenance(fx.bundle, opts({ subjectAlternativeName: /https:\/\/github\.com\/example-org\/enclave-image\/\.github\/workflows\/build\.yml@refs\/tags\/v.*/ })).measurement).toBe(fx.measurement);
  });

  it('allowAnyWorkflow must be a boolean', () => {
    expectCode(() => verifyProvenance(fx.bundle, opts({ allowAnyWorkflow: 'yes' as never })), 'InvalidArgument');
  });
});

describe('in-toto subject check', () => {
  const sha = 'ef'.repeat(32);
  const statement = (subject: unknown) => ({ _type: 'https://in-toto.io/Statement/v1', subject, predicateType: PREDICATE_TYPE, predicate: { snp_measurement: 'ab'.repeat(48) } });
  const f = makeFixture({ statement: statement([{ name: 'enclave.img', digest: { sha256: sha } }]) });

  it('option subject: accepted when a subject has this digest (and name, if given)', () => {
    expect(verifyProvenance(f.bundle, opts({}, { subject: { digest: { sha256: sha } } }, f)).measurement).toBe(f.measurement);
    expect(verifyProvenance(f.bundle, opts({}, { subject: { name: 'enclave.img', digest: { sha256: sha.toUpperCase() } } }, f)).measurement).toBe(f.measurement);
  });

  it('refused (ProvenanceSubject) for another digest or another name', () => {
    expect(expectCode(() => verifyProvenance(f.bundle, opts({}, { subject: { digest: { sha256: '00'.repeat(32) } } }, f)), 'ProvenanceSubject').evidence?.field).toBe('subject');
    expectCode(() => verifyProvenance(f.bundle, opts({}, { subject: { name: 'other.img', digest: { sha256: sha } } }, f)), 'ProvenanceSubject');
    expectCode(() => verifyProvenance(f.bundle, opts({}, { subject: { digest: { sha512: sha } } }, f)), 'ProvenanceSubject');
  });

  it('assertProvenanceSubject works on a verified result too; an empty digest set is InvalidArgument', () => {
    const v = verifyProvenance(f.bundle, opts({}, {}, f));
    expect(() => assertProvenanceSubject(v, { digest: { sha256: sha } })).not.toThrow();
    expectCode(() => assertProvenanceSubject(v, { digest: { sha256: 'aa' } }), 'ProvenanceSubject');
    expectCode(() => assertProvenanceSubject(v, { digest: {} }), 'InvalidArgument');
    expectCode(() => assertProvenanceSubject(v, { digest: { sha256: 'not hex' } }), 'InvalidArgument');
  });
});
