/**
 * verifyProvenance: a Sigstore bundle (v0.1-v0.3, JSON) holding a DSSE
 * envelope over an in-toto statement, signed keylessly (Fulcio certificate),
 * logged in Rekor → the verified statement, the signer identity and the
 * measurement the predicate carries. Offline: the trust root is an input
 * (trusted-root.ts); the time of each check is the log's integratedTime (or
 * a TSA timestamp), never a clock.
 *
 * Steps (first failure wins):
 *   1. parse the bundle (@sigstore/bundle bundleFromJSON: media type,
 *      required fields, inclusion proof + checkpoint from v0.2); it must hold
 *      a DSSE envelope and a Fulcio certificate (no public-key bundles)
 *                                                          ProvenanceParse
 *   2. @sigstore/verify Verifier: timestamps (Rekor SET / TSA), the Fulcio
 *      chain to a trusted CA valid at those times, SCTs from trusted CT logs
 *      (ctlogThreshold), each tlog entry (SET signature, inclusion proof
 *      against a checkpoint signed by a trusted log key, entry body = this
 *      envelope's signature and payload hash; tlogThreshold), and the DSSE
 *      signature by the certificate key over PAE(payloadType, payload)
 *                                                          ProvenanceSignature
 *   3. the signer identity (fulcio.ts): OIDC issuer, source repository, ref
 *      pattern, optional SAN / workflow pattern            ProvenanceIdentity
 *   4. the in-toto statement (statement.ts), its predicateType and the
 *      measurement at `measurementPath`                   ProvenanceParse
 *
 * Then `assertProvenanceMeasurement` accepts a measurement only when it
 * equals the predicate's (PolicyError / PolicyProvenance otherwise).
 */
import type { Bundle } from '@sigstore/bundle';
import type { Signer } from '@sigstore/verify';
import { sha256 } from '@noble/hashes/sha2.js';
import { PolicyError } from '../errors.js';
import { loadOptional } from '../lib/optional-dependency.js';
import { provenanceFail } from './fail.js';
import { fulcioIdentity, type FulcioIdentity } from './fulcio.js';
import { measurementAt, parseInTotoStatement, type InTotoStatement } from './statement.js';
import { loadTrustMaterial } from './trusted-root.js';
import { SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT } from './public-good-root.js';

// @sigstore/* are optional peer dependencies: a coded DependencyMissing error names the missing one.
const { bundleFromJSON } = await loadOptional('@sigstore/bundle', 'tee-attest/provenance', () => import('@sigstore/bundle'));
const { Verifier, toSignedEntity } = await loadOptional('@sigstore/verify', 'tee-attest/provenance', () => import('@sigstore/verify'));

export const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

export interface ProvenanceIdentityPolicy {
  /** OIDC issuer, exact (GitHub Actions: https://token.actions.githubusercontent.com). */
  readonly issuer: string;
  /** Source repository "owner/name" (compared case-insensitively, as GitHub names are). */
  readonly repository: string;
  /**
   * Accepted git refs (Source Repository Ref). A string pattern is literal
   * except `*`, which matches a run of ref characters within one path segment
   * (printable ASCII other than / ~ ^ : ? * [ \ and space, git-check-ref-format)
   * e.g. "refs/tags/v*". A RegExp must match the WHOLE ref (it is anchored as
   * ^(?:source)$; g/y flags are dropped). Required: accepting any ref (any
   * branch anyone can push) must be explicit (/.*\/).
   */
  readonly ref: RegExp | string;
  /**
   * The certificate SAN (the workflow identity, e.g.
   * https://github.com/OWNER/REPO/.github/workflows/build.yml@refs/tags/v1):
   * an exact string or a RegExp that must match the whole SAN. Required unless
   * `allowAnyWorkflow` is true: without it any workflow file of the repository
   * (one a contributor can add on any accepted ref) could sign.
   */
  readonly subjectAlternativeName?: RegExp | string;
  /** Relaxation: accept any workflow of the repository (no SAN pin). Default false. */
  readonly allowAnyWorkflow?: boolean;
}

/** An in-toto subject the statement must list: `digest` (algorithm → hex, at least one, all must match) and optionally the exact `name`. */
export interface ProvenanceSubjectPolicy {
  readonly name?: string;
  readonly digest: Readonly<Record<string, string>>;
}

export interface VerifyProvenanceOptions {
  /** The Sigstore TrustedRoot JSON (text or object). Default: the bundled public-good root (public-good-root.ts). */
  readonly trustedRoot?: unknown;
  readonly identity: ProvenanceIdentityPolicy;
  /** The in-toto predicateType to accept, exact. */
  readonly predicateType: string;
  /** Dot-separated path of the measurement in the predicate. Default "snp_measurement". */
  readonly measurementPath?: string;
  /** Minimum verified Rekor entries. Default 1. */
  readonly tlogThreshold?: number;
  /** Minimum verified SCTs in the Fulcio certificate. Default 1; 0 is a relaxation (private deployments without CT). */
  readonly ctlogThreshold?: number;
  /** Minimum verified timestamps (Rekor SETs, TSA). Default 1. */
  readonly timestampThreshold?: number;
  /** Optional: the statement must list this subject (e.g. the image file's sha256). Not checked when absent. */
  readonly subject?: ProvenanceSubjectPolicy;
}

export interface VerifiedProvenance {
  readonly statement: InTotoStatement;
  readonly predicateType: string;
  /** Lower-case hex, from the predicate. */
  readonly measurement: string;
  readonly identity: FulcioIdentity;
  /** The Rekor entries that were verified. */
  readonly tlogEntries: readonly { readonly logIndex: string; readonly logId: string; readonly integratedTime: number; readonly kind: string }[];
  /** The earliest integratedTime (unix seconds). */
  readonly signedAt: number;
  /** SHA-256 of the DSSE payload (the statement), lower-case hex: what Rekor indexes a dsse entry by. */
  readonly payloadSha256: string;
}

function identityFail(message: string, field: string, expected: string, found: string | undefined): never {
  provenanceFail('ProvenanceIdentity', message, { check: `provenance.identity.${field}`, field, expected, found: found ?? 'absent' });
}

/** A character git allows in a ref component (git-check-ref-format: no control characters, space, DEL, ~ ^ : ? * [ \\ or /), ASCII only. */
const REF_CHAR = "[!-)+-.0-9;->@-Z\\]_-z{|}]"; // 0x21-0x7e minus * / : ? [ \\ ^ ~

/** A RegExp that must match the whole input: ^(?:source)$, without the stateful g / y flags. */
function anchored(re: RegExp): RegExp {
  return new RegExp(`^(?:${re.source})$`, re.flags.replace(/[gy]/g, ''));
}

/** "refs/tags/v*" → /^refs\/tags\/v(?:ref char)*$/; a RegExp → anchored to the whole ref. */
export function refPattern(p: RegExp | string): RegExp {
  if (p instanceof RegExp) return anchored(p);
  const escaped = p.replace(/[.+?^${}()|[\]\\/*]/g, (c) => (c === '*' ? `${REF_CHAR}*` : `\\${c}`));
  return new RegExp(`^${escaped}$`);
}

/** The SAN matcher: an exact string, or a RegExp anchored to the whole SAN. */
export function sanPattern(p: RegExp | string): RegExp {
  if (p instanceof RegExp) return anchored(p);
  return new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
}

function threshold(v: number | undefined, name: string, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min) provenanceFail('InvalidArgument', `${name} must be an integer >= ${min}`, { check: `options.${name}`, found: String(v) });
  return v;
}

function parseBundle(input: unknown): Bundle {
  let obj = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    if (text.length > MAX_BUNDLE_BYTES) provenanceFail('ProvenanceParse', `bundle larger than ${MAX_BUNDLE_BYTES} bytes`, { check: 'provenance.bundle', field: 'bundle' });
    try {
      obj = JSON.parse(text);
    } catch (e) {
      provenanceFail('ProvenanceParse', `bundle is not JSON: ${(e as Error).message}`, { check: 'provenance.bundle', field: 'bundle' });
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) provenanceFail('ProvenanceParse', 'bundle must be a JSON object', { check: 'provenance.bundle', field: 'bundle' });
  try {
    return bundleFromJSON(obj);
  } catch (e) {
    const fields = (e as { fields?: unknown }).fields;
    return provenanceFail('ProvenanceParse', `bundle is malformed: ${(e as Error).message}`, {
      check: 'provenance.bundle',
      field: 'bundle',
      ...(Array.isArray(fields) ? { found: fields.join(', ').slice(0, 200) } : {}),
    }, e);
  }
}

/** Verifies a Sigstore provenance bundle and returns the measurement its predicate vouches for. */
export function verifyProvenance(bundleInput: unknown, options: VerifyProvenanceOptions): VerifiedProvenance {
  if (options === null || typeof options !== 'object' || options.identity === undefined || typeof options.predicateType !== 'string') {
    provenanceFail('InvalidArgument', 'verifyProvenance needs { identity, predicateType }', { check: 'options' });
  }
  const id = options.identity;
  if (typeof id.issuer !== 'string' || typeof id.repository !== 'string' || (typeof id.ref !== 'string' && !(id.ref instanceof RegExp))) {
    provenanceFail('InvalidArgument', 'identity needs issuer, repository and ref', { check: 'options.identity' });
  }
  if (id.allowAnyWorkflow !== undefined && typeof id.allowAnyWorkflow !== 'boolean') {
    provenanceFail('InvalidArgument', 'identity.allowAnyWorkflow must be a boolean', { check: 'options.identity.allowAnyWorkflow' });
  }
  if (id.subjectAlternativeName === undefined && id.allowAnyWorkflow !== true) {
    provenanceFail('InvalidArgument', 'identity needs subjectAlternativeName (the signing workflow), or allowAnyWorkflow: true to accept any workflow of the repository', {
      check: 'options.identity.subjectAlternativeName',
    });
  }
  if (id.subjectAlternativeName !== undefined && typeof id.subjectAlternativeName !== 'string' && !(id.subjectAlternativeName instanceof RegExp)) {
    provenanceFail('InvalidArgument', 'identity.subjectAlternativeName must be a string or a RegExp', { check: 'options.identity.subjectAlternativeName' });
  }
  const subjectPolicy = options.subject === undefined ? undefined : checkSubjectPolicy(options.subject);

  // 1. Bundle.
  const bundle = parseBundle(bundleInput);
  if (bundle.content.$case !== 'dsseEnvelope') {
    provenanceFail('ProvenanceParse', 'bundle does not hold a DSSE envelope', { check: 'provenance.bundle.content', field: 'content', expected: 'dsseEnvelope', found: bundle.content.$case });
  }
  const vm = bundle.verificationMaterial.content.$case;
  if (vm !== 'certificate' && vm !== 'x509CertificateChain') {
    provenanceFail('ProvenanceParse', 'bundle is not signed with a Fulcio certificate', { check: 'provenance.bundle.verificationMaterial', field: 'verificationMaterial', expected: 'certificate', found: vm });
  }
  const trust = loadTrustMaterial(options.trustedRoot ?? SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT);

  // 2. Sigstore verification.
  const thresholds = {
    tlogThreshold: threshold(options.tlogThreshold, 'tlogThreshold', 1, 1),
    ctlogThreshold: threshold(options.ctlogThreshold, 'ctlogThreshold', 1, 0),
    timestampThreshold: threshold(options.timestampThreshold, 'timestampThreshold', 1, 1),
  };
  let signer: Signer;
  try {
    signer = new Verifier(trust, thresholds).verify(toSignedEntity(bundle));
  } catch (e) {
    const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'ERROR';
    const cause = (e as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? ` (${cause.message})` : '';
    return provenanceFail('ProvenanceSignature', `Sigstore verification failed: ${(e as Error).message}${detail}`, {
      check: `provenance.sigstore.${code.toLowerCase()}`,
      field: 'bundle',
      found: code,
    }, e);
  }

  // 3. Identity.
  const exts = new Map<string, Uint8Array>();
  for (const o of signer.identity?.oids ?? []) {
    if (o.oid !== undefined) exts.set(o.oid.id.join('.'), new Uint8Array(o.value));
  }
  const identity = fulcioIdentity(exts, signer.identity?.subjectAlternativeName);
  if (identity.issuer !== id.issuer) identityFail('the certificate was issued for another OIDC issuer', 'issuer', id.issuer, identity.issuer);
  if (identity.repository === undefined || identity.repository.toLowerCase() !== id.repository.toLowerCase()) {
    identityFail('the provenance was built from another repository', 'repository', id.repository, identity.repository);
  }
  const ref = refPattern(id.ref);
  if (identity.ref === undefined || !ref.test(identity.ref)) identityFail('the provenance was built from a ref the policy does not accept', 'ref', String(ref), identity.ref);
  if (id.subjectAlternativeName !== undefined) {
    const san = identity.subjectAlternativeName;
    const pattern = sanPattern(id.subjectAlternativeName);
    if (san === undefined || !pattern.test(san)) identityFail('the certificate SAN (workflow) is not the expected one', 'subjectAlternativeName', String(pattern), san);
  }

  // 4. Statement and measurement.
  const env = bundle.content.dsseEnvelope;
  const statement = parseInTotoStatement(env.payloadType, new Uint8Array(env.payload));
  if (statement.predicateType !== options.predicateType) {
    provenanceFail('ProvenanceParse', 'the statement has another predicateType', {
      check: 'provenance.statement.predicateType',
      field: 'predicateType',
      expected: options.predicateType,
      found: statement.predicateType,
    });
  }
  const measurement = measurementAt(statement, options.measurementPath ?? 'snp_measurement');
  if (subjectPolicy !== undefined) subjectMatch(statement, subjectPolicy);
  const tlogEntries = bundle.verificationMaterial.tlogEntries.map((t) => ({
    logIndex: t.logIndex,
    logId: t.logId === undefined ? '' : Buffer.from(t.logId.keyId).toString('hex'),
    integratedTime: Number(t.integratedTime),
    kind: t.kindVersion === undefined ? '' : `${t.kindVersion.kind}/${t.kindVersion.version}`,
  }));
  return {
    statement,
    predicateType: statement.predicateType,
    measurement,
    identity,
    tlogEntries,
    signedAt: Math.min(...tlogEntries.map((t) => t.integratedTime)),
    payloadSha256: Buffer.from(sha256(new Uint8Array(env.payload))).toString('hex'),
  };
}

function checkSubjectPolicy(p: unknown): ProvenanceSubjectPolicy {
  const bad = (m: string): never => provenanceFail('InvalidArgument', m, { check: 'options.subject' });
  if (p === null || typeof p !== 'object') bad('subject must be { name?, digest }');
  const { name, digest } = p as { name?: unknown; digest?: unknown };
  if (name !== undefined && typeof name !== 'string') bad('subject.name must be a string');
  if (digest === null || typeof digest !== 'object' || Array.isArray(digest)) bad('subject.digest must be an object');
  const entries = Object.entries(digest as Record<string, unknown>);
  if (entries.length === 0) bad('subject.digest needs at least one algorithm');
  const out: Record<string, string> = {};
  for (const [alg, v] of entries) {
    if (typeof v !== 'string' || v.length === 0 || v.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(v)) bad(`subject.digest.${alg} must be hex`);
    out[alg] = (v as string).toLowerCase();
  }
  return name === undefined ? { digest: out } : { name: name as string, digest: out };
}

/** in-toto: the statement vouches for its subjects; accept only if one of them has every expected digest (and the name, if given). */
function subjectMatch(statement: InTotoStatement, p: ProvenanceSubjectPolicy): void {
  const hit = statement.subject.some((s) => (p.name === undefined || s.name === p.name) && Object.entries(p.digest).every(([alg, v]) => s.digest[alg] === v));
  if (!hit) {
    const expected = `${p.name ?? '*'} ${Object.entries(p.digest).map(([a, v]) => `${a}:${v}`).join(',')}`;
    const found = statement.subject.slice(0, 4).map((s) => `${s.name} ${Object.entries(s.digest).map(([a, v]) => `${a}:${v}`).join(',')}`).join('; ');
    provenanceFail('ProvenanceSubject', 'the statement does not list the expected subject', { check: 'provenance.statement.subject', field: 'subject', expected, found: found.slice(0, 400) });
  }
}

/** Accepts a verified provenance only if its statement lists `subject` (ProvenanceSubject otherwise). */
export function assertProvenanceSubject(provenance: VerifiedProvenance, subject: ProvenanceSubjectPolicy): void {
  subjectMatch(provenance.statement, checkSubjectPolicy(subject));
}

function hexOf(m: string | Uint8Array): string {
  return typeof m === 'string' ? m.toLowerCase().replace(/^0x/, '') : Buffer.from(m).toString('hex');
}

/** Accepts `measurement` only when it equals the verified predicate's; otherwise PolicyError (PolicyProvenance). */
export function assertProvenanceMeasurement(measurement: string | Uint8Array, provenance: VerifiedProvenance): void {
  const found = hexOf(measurement);
  if (found !== provenance.measurement) {
    throw new PolicyError([
      {
        code: 'PolicyProvenance',
        message: 'the measurement is not the one the verified provenance vouches for',
        evidence: { check: 'policy.provenance.measurement', field: 'measurement', expected: provenance.measurement, found },
      },
    ]);
  }
}

/** verifyProvenance, then assertProvenanceMeasurement: the measurement of e.g. a VerifiedSnpReport is accepted only if the bundle vouches for it. */
export function verifyMeasurementProvenance(measurement: string | Uint8Array, bundle: unknown, options: VerifyProvenanceOptions): VerifiedProvenance {
  const p = verifyProvenance(bundle, options);
  assertProvenanceMeasurement(measurement, p);
  return p;
}
