/**
 * One error base class for the whole library. Every failure carries a stable
 * string `code` (tests and callers branch on it, never on the message), the
 * stage it came from (`kind`) and, where there is one, the evidence: which
 * check failed, on which field, what was expected and what was found.
 */

/** Stage of the pipeline an error comes from. */
export type ErrorKind = 'parse' | 'verify' | 'policy' | 'usage';

/** Stable error codes. Adding a code is fine; renaming one is a breaking change. */
export const ErrorCodes = {
  // --- parse: malformed or unsupported input -------------------------------
  /** Quote bytes are malformed: bad length, bad enum, trailing bytes, ... */
  QuoteParse: 'parse',
  /** Quote is well-formed but of a version / TEE / key type we do not verify. */
  QuoteUnsupported: 'parse',
  /** DER structure is malformed (bad tag, length, non-minimal encoding, ...). */
  DerParse: 'parse',
  /** PEM text is malformed. */
  PemParse: 'parse',
  /** X.509 certificate structure is malformed or uses an unsupported algorithm. */
  CertificateParse: 'parse',
  /** Intel SGX PCK certificate extension (1.2.840.113741.1.13.1) is malformed or missing. */
  SgxExtensionParse: 'parse',
  /** CRL structure is malformed. */
  CrlParse: 'parse',
  /** Collateral (TCB Info, QE Identity, bundle JSON) is malformed. */
  CollateralParse: 'parse',
  /** A required piece of collateral is absent. */
  CollateralMissing: 'parse',
  /** Certificate carries no RA-TLS attestation extension (OID 1.3.6.1.4.1.62397.1.8, nor .1.1). */
  RaTlsMissing: 'parse',
  /** An RA-TLS extension is malformed: OCTET STRING wrapper, SCALE V0 or msgpack V1 attestation. */
  RaTlsParse: 'parse',
  /** RA-TLS attestation is well-formed but of a platform / wire format we do not verify (GCP TDX, Nitro, SEV-SNP, ...). */
  RaTlsUnsupported: 'parse',
  /** A TDX event log (SCALE entries or dstack JSON) is malformed. */
  EventLogParse: 'parse',
  /** A sidecar `/attestation` JSON report is malformed. */
  AttestationReportParse: 'parse',
  /** A JWT (Intel Trust Authority token) or a JWKS document is malformed. */
  TokenParse: 'parse',

  // --- verify: authenticity and TCB evaluation -----------------------------
  /** A certificate chain does not build or a certificate signature is invalid. */
  PckChain: 'verify',
  /** A chain does not end in the pinned root key. */
  UntrustedRoot: 'verify',
  /** A certificate is expired or not yet valid at the verification time. */
  CertificateExpired: 'verify',
  /** A certificate misses a required property (CA flag, key usage, issuer name). */
  CertificateInvalid: 'verify',
  /** A CRL signature is invalid or it is not issued by the expected CA. */
  CrlSignature: 'verify',
  /** A CRL is outside its thisUpdate..nextUpdate window. */
  CrlExpired: 'verify',
  /** A certificate in a chain is listed in a CRL. */
  CrlRevoked: 'verify',
  /** TCB Info signature or its signing chain is invalid. */
  TcbInfoSignature: 'verify',
  /** QE Identity signature or its signing chain is invalid. */
  QeIdentitySignature: 'verify',
  /** TCB Info / QE Identity is outside issueDate..nextUpdate. */
  CollateralExpired: 'verify',
  /** Collateral does not fit the quote (TEE type, id, version). */
  CollateralMismatch: 'verify',
  /** Collateral could not be fetched: network error, HTTP status, timeout, oversized body, refused redirect. */
  CollateralFetch: 'verify',
  /** FMSPC in the PCK certificate differs from the TCB Info. */
  FmspcMismatch: 'verify',
  /** PCE-ID in the PCK certificate differs from the TCB Info. */
  PceIdMismatch: 'verify',
  /** QE report signature by the PCK key is invalid. */
  QeReportSignature: 'verify',
  /** QE report data does not bind the attestation key and QE auth data. */
  QeReportBinding: 'verify',
  /** Quote signature by the attestation key is invalid. */
  QuoteSignature: 'verify',
  /** QE report does not match QE Identity (MRSIGNER, ISVPRODID, MISCSELECT, ATTRIBUTES). */
  QeIdentityMismatch: 'verify',
  /** No TCB level of the TCB Info matches the platform. */
  TcbNotSupported: 'verify',
  /** TDX module identity is missing or does not match MRSIGNERSEAM / SEAMATTRIBUTES. */
  TdxModuleMismatch: 'verify',
  /** The quote's REPORTDATA does not bind the certificate's public key under the chosen binding mode. */
  RaTlsBinding: 'verify',
  /** An attestation's own fields disagree with its quote (e.g. declared report_data differs from the quote's REPORTDATA). */
  RaTlsInconsistent: 'verify',
  /** Replaying the event log does not give the quote's RTMR, or an event's digest does not match its content. */
  EventLogReplay: 'verify',
  /** A remote verifier or injected provider (Intel Trust Authority, JWKS, collateral provider) failed or answered badly. */
  VerifierUnavailable: 'verify',
  /** JWT signature invalid, key unknown, or algorithm refused (alg=none, unknown algorithms). */
  TokenSignature: 'verify',
  /** JWT outside its validity window (exp / nbf / iat) at the verification time. */
  TokenExpired: 'verify',
  /** JWT claims unacceptable: wrong issuer, missing or malformed claims, or claims about another quote. */
  TokenClaims: 'verify',
  /** A sidecar report's REPORTDATA is not SHA-256(wal_lsn ‖ controldata_hash ‖ timestamp) ‖ 32 zero bytes. */
  AttestationReportBinding: 'verify',

  // --- policy: verified, but not acceptable --------------------------------
  PolicyDebug: 'policy',
  PolicyTcbStatus: 'policy',
  PolicyAdvisory: 'policy',
  PolicyMeasurement: 'policy',
  PolicyAttributes: 'policy',
  PolicyViolation: 'policy',
  /** The verifier did not authenticate the quote with Intel's root (simulator / NoopVerifier result). */
  PolicySimulator: 'policy',
  /** A report is older than the allowed maximum age, or dated in the future. */
  PolicyFreshness: 'policy',

  // --- usage: the caller's mistake ------------------------------------------
  InvalidArgument: 'usage',

  // --- AMD SEV-SNP (src/snp/) ------------------------------------------------
  /** SEV-SNP attestation report malformed: not 1184 bytes, non-zero reserved field, guest policy bit 17 clear or reserved bits set, reserved SIGNING_KEY, signature padding not zero. */
  SnpReportParse: 'parse',
  /** SEV-SNP report well-formed but not verifiable here: version other than 2, 3, 5; signature algorithm other than ECDSA P-384 with SHA-384; unknown product (CPUID / VCEK product name). */
  SnpReportUnsupported: 'parse',
  /** AMD VCEK / VLEK certificate extension (1.3.6.1.4.1.3704.1.*) missing or malformed (product name, SPLs, hwID, CSP id). */
  SnpExtensionParse: 'parse',
  /** The certificate table after an extended SEV-SNP report (GUID, offset, length entries; GHCB spec "SNP Extended Guest Request") is malformed. */
  SnpCertTableParse: 'parse',
  /** The report signature by the VCEK / VLEK (ECDSA P-384, SHA-384, over bytes 0x000-0x29F) does not verify. */
  SnpReportSignature: 'verify',
  /** ARK → ASK / ASVK → VCEK / VLEK chain does not build, a certificate signature (RSASSA-PSS-SHA384) does not verify, or a certificate has the wrong role. */
  SnpCertChain: 'verify',
  /** REPORTED_TCB differs from the SPLs in the VCEK / VLEK extensions (bl, tee, snp, ucode, and fmc on Turin). */
  SnpTcbMismatch: 'verify',
  /** CHIP_ID differs from the VCEK hwID extension (1.3.6.1.4.1.3704.1.4), or is masked when a VCEK signed. */
  SnpChipIdMismatch: 'verify',
  /** The product (Milan, Genoa, Turin) of the report CPUID, the VCEK / VLEK, the ASK / ASVK and the ARK disagree. */
  SnpProductMismatch: 'verify',
  /** The report's SIGNING_KEY (VCEK, VLEK, none) does not match the endorsement certificate supplied. */
  SnpSigningKeyMismatch: 'verify',
  /** SEV-SNP TCB (reported, committed, current, launch), firmware version or guest-policy ABI below the policy's minimum. */
  PolicyTcbVersion: 'policy',

  // --- Measurement provenance (src/provenance/) -------------------------------
  /** Sigstore bundle, trusted root or in-toto statement is malformed or of an unsupported kind. */
  ProvenanceParse: 'parse',
  /** Sigstore verification failed: DSSE signature, Fulcio chain, SCT, Rekor SET, inclusion proof or checkpoint. */
  ProvenanceSignature: 'verify',
  /** The Fulcio signing identity (OIDC issuer, source repository, ref, workflow) is not the expected one. */
  ProvenanceIdentity: 'verify',
  /** The measurement differs from the one in the verified provenance predicate. */
  PolicyProvenance: 'policy',

  // --- Postgres over RA-TLS (src/postgres/, src/simulator/) ------------------
  /** A Postgres DSN for the RA-TLS connector is malformed: not a postgres:// / postgresql:// URL, no host, a unix-socket host, a bad port. Raised before any I/O. */
  DsnInvalid: 'usage',
  /** DSN credentials break the sidecar rules: the user must be teesql_read or teesql_readwrite, the password the 32-byte cluster secret as 64 lowercase hex characters. Raised before any I/O. */
  DsnCredentials: 'usage',
  /** No dstack guest agent: DSTACK_SIMULATOR_ENDPOINT is unset and none of /var/run/dstack.sock, /run/dstack.sock, /var/run/dstack/dstack.sock, /run/dstack/dstack.sock exists (mutual RA-TLS needs an attested client certificate). */
  MissingDstackSocket: 'usage',
  /** The dstack guest agent (or simulator) failed: connection error, timeout, HTTP error status, or a malformed GetTlsKey / GetQuote / Info response. */
  DstackAgent: 'verify',
  /** Connecting to an RA-TLS peer failed before its certificate could be verified: TCP error, TLS handshake failure or alert, handshake timeout, connection closed. */
  RaTlsConnect: 'verify',
  /** The TLS peer presented no certificate where RA-TLS requires one (the server's; the client's at a mutual RA-TLS sidecar). */
  RaTlsNoPeerCertificate: 'verify',

  // --- provenance patterns (src/provenance/, issue 19 §4) ---------------------
  /** The verified in-toto statement does not list the subject (name, digests) the caller expects. */
  ProvenanceSubject: 'verify',
  // --- Online transparency check against Rekor (src/provenance/rekor.ts) ---------
  /** Rekor could not be used: network error, HTTP error status, redirect, timeout, or an answer larger than the bound. */
  RekorUnavailable: 'verify',
  /** A Rekor answer is malformed: not JSON, wrong shape, bad UUID, base64 or hex, an oversized list, a malformed checkpoint. */
  RekorParse: 'parse',
  /** Rekor holds no entry for the digest. */
  RekorNotFound: 'verify',
  /** The entry Rekor returned is not the one asked for: its body records another digest, or its UUID is not the hash of its body. */
  RekorEntryMismatch: 'verify',
  /** The signed entry timestamp does not verify under a trusted log key valid at integratedTime, or the log is not in the trusted root. */
  RekorSignedEntryTimestamp: 'verify',
  /** The inclusion proof does not lead to the root hash, or is missing (allowMissingInclusionProof relaxes the latter). */
  RekorInclusionProof: 'verify',
  /** The checkpoint is not signed by the log's key, names another log, or states another tree size or root hash than the proof. */
  RekorCheckpoint: 'verify',

  // noise
  // --- Attested Noise channel (src/noise/) ---------------------------------------
  /** A Noise handshake message or attested payload is malformed: too short or too long, an unknown payload version or TEE kind, trailing bytes, a low-order X25519 key, application data where none is allowed. */
  NoiseParse: 'parse',
  /** A Noise message did not authenticate (ChaCha20-Poly1305 tag): a modified, replayed or misdirected message, or the wrong static key. */
  NoiseDecrypt: 'verify',
  /** The attestation evidence is not bound to this handshake: REPORT_DATA differs from SHA-512(label ‖ role ‖ static key ‖ handshake hash) (docs/noise.md). */
  NoiseBinding: 'verify',
  /** The attestation evidence is missing, of another TEE than the appraisal expects, or the verifier failed without a coded error. */
  NoiseEvidence: 'verify',
  /** The Noise channel was used out of order: a message before the handshake completed, after an abort, a second concurrent write, or an exhausted nonce. */
  NoiseState: 'usage',
  /** The message transport under the Noise channel failed or closed during the handshake. */
  NoiseTransport: 'verify',

  // --- RA-TLS trust rules (src/ra-tls/, src/postgres/, issue 11) ----------------
  /** The event log breaks the boot-claim rules: a runtime event outside imr 3, an imr-3 entry that is not a runtime event (its digest cannot be recomputed), `system-ready` missing or repeated, or a claim (app-id, compose-hash, instance-id, os-image-hash, key-provider) twice before `system-ready`. */
  EventLogStructure: 'verify',
  /** Intel Trust Authority did not match every policy id that was sent (policy_ids_matched / policy_ids_unmatched). */
  TokenPolicyUnmatched: 'verify',
  /** The server renegotiated TLS (or otherwise presented a new certificate) after the RA-TLS verification: the connection is closed, no byte more is sent. */
  RaTlsRenegotiation: 'verify',
  // --- Packaging: optional peer dependencies (src/util/optional-dependency.ts) --
  /** A Node-only entry needs an optional peer dependency that is not installed (`pg` for tee-attest/postgres, `@sigstore/*` for tee-attest/provenance, `undici` for the Node HTTP client); the message names the package to install. */
  DependencyMissing: 'usage',
  // --- Verifier pool (src/pool/) ------------------------------------------------
  /** The verifier pool's bounded queue is full: wait for `pool.ready()` (backpressure) and submit again. */
  PoolQueueFull: 'usage',
  /** The verifier pool was closed: no new verification is accepted. */
  PoolClosed: 'usage',

  // --- TeeSQL client contract (src/ratls/sidecar-report*.ts, src/postgres/verify-server.ts, issue 13) ---
  /** A sidecar `/attestation` report contradicts its own quote: a `tcb_info` register differs from the quote body, or `app_id` / `compose_hash` / `instance_id` differ from the claims replayed into RTMR3. */
  AttestationReportInconsistent: 'verify',
  /** The sidecar `/attestation` report could not be fetched: network error, timeout, HTTP status other than 200, redirect, or a body over the size limit. */
  AttestationReportFetch: 'verify',
  /** The server presented a certificate whose SHA-256 differs from the one pinned by the caller (`expectedCertificateSha256`, e.g. from a `verifyServer` probe). */
  RaTlsCertificateMismatch: 'verify',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ErrorCodes;

/** The codes of one kind: `CodeOfKind<'parse'>` is every parse code. */
export type CodeOfKind<K extends ErrorKind> = { [C in ErrorCode]: (typeof ErrorCodes)[C] extends K ? C : never }[ErrorCode];
export type ParseCode = CodeOfKind<'parse'>;
export type VerifyCode = CodeOfKind<'verify'>;
export type PolicyCode = CodeOfKind<'policy'>;
export type UsageCode = CodeOfKind<'usage'>;

/**
 * Evidence attached to every error: the check that failed and, where there is
 * one, the field, what was expected and what was found. Values are rendered as
 * strings (hex for bytes). Always present on an AttestationError (`check`
 * names the check, at least the area, e.g. `options.clock`).
 */
export interface Evidence {
  /** The check that failed, e.g. `quote.header.version`, `pck.chain.signature`. */
  readonly check: string;
  /** The field examined, if any (e.g. `MRSIGNER`, `fmspc`, `certs[1]`). */
  readonly field?: string;
  readonly expected?: string;
  readonly found?: string;
  /** Byte offset into the input for parse errors. */
  readonly offset?: number;
}

/**
 * The base of every error. Not constructed directly: the class follows from
 * the code's kind (`attestationError(code, ...)` picks it; `ParseError`,
 * `VerifyError`, `PolicyError`, `UsageError` accept only codes of their kind).
 */
export abstract class AttestationError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly evidence: Evidence;

  protected constructor(code: ErrorCode, message: string, evidence: Evidence | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AttestationError';
    this.code = code;
    this.kind = ErrorCodes[code];
    this.evidence = evidence ?? { check: code };
  }

  toJSON(): { code: ErrorCode; kind: ErrorKind; message: string; evidence: Evidence } {
    return { code: this.code, kind: this.kind, message: this.message, evidence: this.evidence };
  }
}

/** Raised by parsers (quote, DER, PEM, X.509, CRL, collateral JSON): kind `parse`. */
export class ParseError extends AttestationError {
  declare readonly code: ParseCode;
  constructor(code: ParseCode, message: string, evidence?: Evidence, options?: { cause?: unknown }) {
    super(code, message, evidence, options);
    this.name = 'ParseError';
  }
}

/** Raised by authenticity checks, TCB evaluation and I/O toward a verifier or peer: kind `verify`. */
export class VerifyError extends AttestationError {
  declare readonly code: VerifyCode;
  constructor(code: VerifyCode, message: string, evidence?: Evidence, options?: { cause?: unknown }) {
    super(code, message, evidence, options);
    this.name = 'VerifyError';
  }
}

/** Raised when the caller's arguments or options are wrong: kind `usage`. */
export class UsageError extends AttestationError {
  declare readonly code: UsageCode;
  constructor(code: UsageCode, message: string, evidence?: Evidence, options?: { cause?: unknown }) {
    super(code, message, evidence, options);
    this.name = 'UsageError';
  }
}

/** One violated policy rule. */
export interface Violation {
  readonly code: PolicyCode;
  readonly message: string;
  readonly evidence: Evidence;
}

/** Raised when verified claims do not satisfy the caller's policy: kind `policy`. */
export class PolicyError extends AttestationError {
  declare readonly code: PolicyCode;
  /** Every violated rule (the first one is also in `code` / `evidence`). */
  readonly violations: readonly Violation[];

  constructor(violations: readonly Violation[], options?: { cause?: unknown }) {
    const first: Violation = violations[0] ?? { code: 'PolicyViolation', message: 'policy violated', evidence: { check: 'PolicyViolation' } };
    const msg =
      violations.length > 1 ? `${first.message} (and ${violations.length - 1} more violation(s))` : first.message;
    super(first.code, msg, first.evidence, options);
    this.name = 'PolicyError';
    this.violations = violations;
  }
}

/** The error class of each kind. */
export type ErrorOfCode<C extends ErrorCode> = C extends ParseCode
  ? ParseError
  : C extends VerifyCode
    ? VerifyError
    : C extends PolicyCode
      ? PolicyError
      : UsageError;

/**
 * The one constructor: an error of the class of the code's kind (ParseError,
 * VerifyError, PolicyError or UsageError), so class and code never disagree.
 */
export function attestationError<C extends ErrorCode>(code: C, message: string, evidence?: Evidence, options?: { cause?: unknown }): ErrorOfCode<C> {
  const c: ErrorCode = code;
  switch (ErrorCodes[c]) {
    case 'parse':
      return new ParseError(c as ParseCode, message, evidence, options) as ErrorOfCode<C>;
    case 'verify':
      return new VerifyError(c as VerifyCode, message, evidence, options) as ErrorOfCode<C>;
    case 'policy':
      return new PolicyError([{ code: c as PolicyCode, message, evidence: evidence ?? { check: c } }], options) as ErrorOfCode<C>;
    case 'usage':
      return new UsageError(c as UsageCode, message, evidence, options) as ErrorOfCode<C>;
  }
}

/** Throw `attestationError(code, message, evidence)`, with `cause` when given. */
export function fail(code: ErrorCode, message: string, evidence: Evidence, cause?: unknown): never {
  throw attestationError(code, message, evidence, cause === undefined ? undefined : { cause });
}

export function isAttestationError(e: unknown): e is AttestationError {
  return e instanceof AttestationError;
}
