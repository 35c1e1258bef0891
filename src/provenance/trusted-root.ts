/**
 * The Sigstore trust root, given by the caller as a TrustedRoot JSON document
 * (sigstore protobuf-specs `dev.sigstore.trustroot.v1.TrustedRoot`, media type
 * application/vnd.dev.sigstore.trustedroot+json;version=0.1 or
 * application/vnd.dev.sigstore.trustedroot.v0.2+json): the Fulcio CA
 * chains, the Rekor log keys, the CT log keys and the timestamp authorities,
 * each with its validity window. The default is the public-good root this
 * library ships (public-good-root.ts); a caller may pass its own (a fresh
 * `trusted_root.json` from sigstore/root-signing's TUF repository, or a
 * private deployment's). Nothing is fetched.
 */
import type { TrustedRoot as TrustedRootMessage } from '@sigstore/protobuf-specs';
import type { TrustMaterial } from '@sigstore/verify';
import { loadOptional } from '../lib/optional-dependency.js';
import { provenanceFail } from './fail.js';

// @sigstore/* are optional peer dependencies: a coded DependencyMissing error names the missing one.
const { TrustedRoot } = await loadOptional('@sigstore/protobuf-specs', 'tee-attest/provenance', () => import('@sigstore/protobuf-specs'));
const { toTrustMaterial } = await loadOptional('@sigstore/verify', 'tee-attest/provenance', () => import('@sigstore/verify'));

export const MAX_TRUSTED_ROOT_BYTES = 1024 * 1024;
const MEDIA_TYPES = [/^application\/vnd\.dev\.sigstore\.trustedroot\+json;version=0\.\d+$/, /^application\/vnd\.dev\.sigstore\.trustedroot\.v0\.\d+\+json$/];

function rootFail(message: string, field: string, cause?: unknown): never {
  provenanceFail('ProvenanceParse', message, { check: 'provenance.trustedRoot', field }, cause);
}

/** Parses a TrustedRoot (JSON text or the parsed object) into @sigstore/verify trust material. */
export function loadTrustMaterial(trustedRoot: unknown): TrustMaterial {
  let obj = trustedRoot;
  if (typeof trustedRoot === 'string') {
    if (trustedRoot.length > MAX_TRUSTED_ROOT_BYTES) rootFail(`trusted root larger than ${MAX_TRUSTED_ROOT_BYTES} bytes`, 'trustedRoot');
    try {
      obj = JSON.parse(trustedRoot);
    } catch (e) {
      rootFail(`trusted root is not JSON: ${(e as Error).message}`, 'trustedRoot');
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) rootFail('trusted root must be a JSON object', 'trustedRoot');
  const mediaType = (obj as { mediaType?: unknown }).mediaType;
  if (typeof mediaType !== 'string' || !MEDIA_TYPES.some((re) => re.test(mediaType))) {
    rootFail('trusted root has an unknown mediaType', 'mediaType');
  }
  let root: TrustedRootMessage;
  try {
    root = TrustedRoot.fromJSON(obj);
  } catch (e) {
    return rootFail('trusted root is malformed', 'trustedRoot', e);
  }
  if (root.certificateAuthorities.length === 0) rootFail('trusted root has no certificate authority', 'certificateAuthorities');
  if (root.tlogs.length === 0) rootFail('trusted root has no transparency log', 'tlogs');
  try {
    return toTrustMaterial(root);
  } catch (e) {
    return rootFail(`trusted root holds an unusable key or certificate: ${(e as Error).message}`, 'trustedRoot', e);
  }
}
