/**
 * tee-attest provenance (Node only: @sigstore/verify uses node:crypto): verify
 * that a TEE measurement comes from a known build, through a Sigstore bundle
 * (DSSE in-toto statement signed keylessly by a Fulcio certificate, logged in
 * Rekor), offline against a bundled trust root. Never imported by the core
 * entry. See docs/provenance.md.
 */
export {
  verifyProvenance,
  assertProvenanceMeasurement,
  verifyMeasurementProvenance,
  refPattern,
  sanPattern,
  assertProvenanceSubject,
  type ProvenanceSubjectPolicy,
  GITHUB_ACTIONS_ISSUER,
  MAX_BUNDLE_BYTES,
  type ProvenanceIdentityPolicy,
  type VerifyProvenanceOptions,
  type VerifiedProvenance,
} from './verify.js';
export { loadTrustMaterial, MAX_TRUSTED_ROOT_BYTES } from './trusted-root.js';
export { FULCIO_OID, fulcioIdentity, extensionText, type FulcioIdentity } from './fulcio.js';
export {
  parseInTotoStatement,
  measurementAt,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPES,
  MAX_STATEMENT_BYTES,
  type InTotoStatement,
  type InTotoSubject,
} from './statement.js';
export { SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT } from './public-good-root.js';
export { findRekorEntry, type RekorCheckOptions, type RekorFetch, type VerifiedRekorEntry } from './rekor.js';
export { verifyMeasurementTransparency, type MeasurementTransparencyOptions, type MeasurementTransparency } from './transparency.js';
export { parseCheckpoint, MAX_CHECKPOINT_BYTES, type Checkpoint } from './checkpoint.js';
export { merkleLeafHash, merkleNodeHash, rootFromInclusionProof } from './merkle.js';
