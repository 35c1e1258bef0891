/**
 * The signer identity in a Fulcio certificate (Fulcio "Certificate
 * Extensions" document, docs/oid-info.md in sigstore/fulcio). Version 2
 * extensions (…57264.1.8 and up) hold a DER UTF8String; the deprecated
 * version 1 ones (…57264.1.1 to 1.6) hold the raw string.
 *
 *   1.3.6.1.4.1.57264.1.1   Issuer (v1)                       1.3.6.1.4.1.57264.1.8   Issuer (v2)
 *   1.3.6.1.4.1.57264.1.5   GitHub Workflow Repository (v1)   1.3.6.1.4.1.57264.1.12  Source Repository URI
 *   1.3.6.1.4.1.57264.1.6   GitHub Workflow Ref (v1)          1.3.6.1.4.1.57264.1.14  Source Repository Ref
 *   1.3.6.1.4.1.57264.1.3   GitHub Workflow SHA (v1)          1.3.6.1.4.1.57264.1.13  Source Repository Digest
 *                                                             1.3.6.1.4.1.57264.1.9   Build Signer URI
 *                                                             1.3.6.1.4.1.57264.1.11  Runner Environment
 *
 * The certificate's SubjectAlternativeName (URI) is the workflow identity,
 * e.g. https://github.com/OWNER/REPO/.github/workflows/build.yml@refs/tags/v1.
 */

export const FULCIO_OID = {
  issuerV1: '1.3.6.1.4.1.57264.1.1',
  workflowShaV1: '1.3.6.1.4.1.57264.1.3',
  workflowRepositoryV1: '1.3.6.1.4.1.57264.1.5',
  workflowRefV1: '1.3.6.1.4.1.57264.1.6',
  issuer: '1.3.6.1.4.1.57264.1.8',
  buildSignerUri: '1.3.6.1.4.1.57264.1.9',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
} as const;

/** What the verified Fulcio certificate says about its holder. */
export interface FulcioIdentity {
  readonly issuer?: string;
  readonly subjectAlternativeName?: string;
  /** "owner/name" (from the Source Repository URI, or the v1 Workflow Repository). */
  readonly repository?: string;
  readonly repositoryUri?: string;
  /** "refs/tags/v1.2.3", "refs/heads/main" (Source Repository Ref, or the v1 Workflow Ref). */
  readonly ref?: string;
  readonly sourceDigest?: string;
  readonly buildSignerUri?: string;
  readonly runnerEnvironment?: string;
}

/** An extension value as text: a DER UTF8String / IA5String (v2) or raw bytes (v1). Undefined if not text. */
export function extensionText(value: Uint8Array, v2: boolean): string | undefined {
  let bytes = value;
  if (v2) {
    // UTF8String (0x0C) or IA5String (0x16), short or one-/two-octet long-form length.
    const tag = value[0];
    if (tag !== 0x0c && tag !== 0x16) return undefined;
    let len = value[1] ?? 0;
    let hdr = 2;
    if (len === 0x81) {
      len = value[2] ?? 0;
      hdr = 3;
    } else if (len === 0x82) {
      len = ((value[2] ?? 0) << 8) | (value[3] ?? 0);
      hdr = 4;
    } else if (len > 0x7f) return undefined;
    if (hdr + len !== value.length) return undefined;
    bytes = value.subarray(hdr);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const GITHUB = /^https:\/\/github\.com\/([^/]+\/[^/]+)$/;

/** Builds the identity from the certificate's extensions (dotted OID → extnValue contents) and SAN. */
export function fulcioIdentity(extensions: ReadonlyMap<string, Uint8Array>, subjectAlternativeName: string | undefined): FulcioIdentity {
  const v2 = (oid: string): string | undefined => {
    const v = extensions.get(oid);
    return v === undefined ? undefined : extensionText(v, true);
  };
  const v1 = (oid: string): string | undefined => {
    const v = extensions.get(oid);
    return v === undefined ? undefined : extensionText(v, false);
  };
  const repositoryUri = v2(FULCIO_OID.sourceRepositoryUri);
  const fromUri = repositoryUri === undefined ? undefined : GITHUB.exec(repositoryUri)?.[1];
  const repository = fromUri ?? v1(FULCIO_OID.workflowRepositoryV1);
  const issuer = v2(FULCIO_OID.issuer) ?? v1(FULCIO_OID.issuerV1);
  const ref = v2(FULCIO_OID.sourceRepositoryRef) ?? v1(FULCIO_OID.workflowRefV1);
  const sourceDigest = v2(FULCIO_OID.sourceRepositoryDigest) ?? v1(FULCIO_OID.workflowShaV1);
  const buildSignerUri = v2(FULCIO_OID.buildSignerUri);
  const runnerEnvironment = v2(FULCIO_OID.runnerEnvironment);
  return {
    issuer,
    subjectAlternativeName,
    repository,
    repositoryUri,
    ref,
    sourceDigest,
    buildSignerUri,
    runnerEnvironment,
  };
}
