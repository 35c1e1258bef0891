/**
 * verifyServerCertificate: the one call an RA-TLS client makes on the
 * server's certificate (after the TLS handshake proved the server holds the
 * certificate's private key).
 *
 *   1. extract the dstack attestation (OID .1.8, else .1.1 + .1.2);
 *   2. the attestation's declared report_data must be the quote's REPORTDATA;
 *   3. REPORTDATA must bind the certificate's SubjectPublicKeyInfo (bindingMode,
 *      default dstack's SHA-512("ratls-cert:" ‖ SPKI));
 *   4. event log replayed against the quote's RTMRs (RTMR3 always when runtime
 *      events are carried; RTMR0-2 when the log is a full boot log);
 *   5. the injected verifier authenticates the quote (DCAP, ITA, cached, ...);
 *   6. policy (debug, simulator, TCB status, pinned measurements and app
 *      claims): every violation reported together in one PolicyError.
 *
 * Steps 1-5 throw the first failure (ParseError / VerifyError with a stable
 * code); step 6 throws PolicyError with all violations.
 *
 * allowSimulator (sqlx-ra-tls `allow_simulator` semantics, src/connector.rs
 * `verify_server`: a server certificate without the RA-TLS extension is
 * accepted, with a warning, when allow_simulator is set): a certificate that
 * carries no quote at all (a local dev sidecar) is accepted only when
 * `allowSimulator: true` AND no measurement or app pin is set (a pin cannot
 * be checked without a quote: each set pin is a PolicyMeasurement violation,
 * fail closed). Such a verification is `quote: 'absent'`, `unverified: true`,
 * its `result` is empty (verifier 'none', authenticated false, tcbStatus
 * 'Unverified', every measurement ''), there are no claims, and `warn` is
 * called on every acceptance. Unlike sqlx-ra-tls, pins are never skipped.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { defaultCryptoBackend } from '../crypto/default.js';
import { isAttestationError, PolicyError, VerifyError, attestationError } from '../errors.js';
import { bytesEqual, toHex } from '../lib/bytes.js';
import { toUnixSeconds } from '../lib/time.js';
import type { RaTlsVerifier, VerificationResult } from '../verifier/types.js';
import type { DstackAppClaims } from './app-claims.js';
import { checkKeyBinding, DEFAULT_BINDING_MODE, dstackBindingPreimage, type BindingMode } from './binding.js';
import { parseCertificateFields, type CertificateFields } from './certificate-fields.js';
import { extractRaTlsAttestation, type RaTlsCertificate } from './extract.js';
import { requireOptionsObject, validateServerCertificateOptions } from './option-checks.js';
import { ratlsPolicyViolations, type RaTlsPolicyOptions } from './ratls-policy.js';
import type { EventLogCheck } from './rtmr-replay.js';
import { requireVerifier, verifyAttestedQuote } from './verify-attested-quote.js';

export interface ServerCertificateOptions extends RaTlsPolicyOptions {
  /** Decides whether the quote is genuine. Required. */
  readonly verifier: RaTlsVerifier;
  /** Verification time, passed to the verifier (which may use its own injected clock instead). */
  readonly at?: number | string | Date;
  /** How REPORTDATA binds the key. Default 'dstack-sha512'. 'none' is INSECURE. */
  readonly bindingMode?: BindingMode;
  /**
   * Send the binding preimage ("ratls-cert:" ‖ SPKI) to the verifier as
   * runtimeData (Intel Trust Authority then checks REPORTDATA = SHA-512 of it
   * too). Only with bindingMode 'dstack-sha512'. Default false.
   */
  readonly sendBindingAsRuntimeData?: boolean;
  /** Hashes for binding and replay. Default: the library's default backend. */
  readonly crypto?: CryptoBackend;
  /**
   * Where the allowSimulator warning goes, on EVERY accepted verification
   * whose claims are unverified (a quote-less certificate, or a quote nobody
   * authenticated). Default console.warn.
   */
  readonly warn?: (message: string) => void;
  // --- BEGIN certificate fingerprint pin (issue 13 §4, verify before connect) ---
  /**
   * SHA-256 of the certificate DER (64 hex) the server must present, e.g. the
   * `certificateSha256` of a `verifyServer` probe: closes the gap between a
   * probe and a later connection (TOCTOU). Another certificate is refused
   * with RaTlsCertificateMismatch before its quote is examined. The full
   * verification still runs.
   */
  readonly expectedCertificateSha256?: string;
  // --- END certificate fingerprint pin ---
}

/** A certificate accepted under allowSimulator although it carries no RA-TLS attestation. */
export interface QuotelessCertificate {
  readonly certificate: CertificateFields;
  readonly source: 'none';
  readonly attestation?: undefined;
  readonly appId?: undefined;
  readonly usage?: undefined;
}

/**
 * How far a verification's claims are proven:
 *   'authenticated'    the verifier authenticated the quote (DCAP, ITA, ...);
 *   'unauthenticated'  allowSimulator accepted a quote nobody authenticated (NoopVerifier);
 *   'absent'           allowSimulator accepted a certificate with no quote at all.
 */
export type QuoteStatus = 'authenticated' | 'unauthenticated' | 'absent';

export interface ServerCertificateVerification {
  /** The certificate and the attestation it carried (none: `source: 'none'`, allowSimulator). `appId` / `usage` there are unauthenticated. */
  readonly certificate: RaTlsCertificate | QuotelessCertificate;
  /** The verifier's result for the quote (for a quote-less certificate: empty, see verify-server-certificate.ts). */
  readonly result: VerificationResult;
  /** See QuoteStatus. */
  readonly quote: QuoteStatus;
  /** True unless `quote` is 'authenticated': nothing in `result` / `claims` is proven (development only). */
  readonly unverified: boolean;
  /** Runtime-event claims (app-id, compose-hash, ...), present when RTMR3 replayed. */
  readonly claims: DstackAppClaims | undefined;
  /** Per-RTMR replay outcome. */
  readonly eventLog: EventLogCheck;
  readonly bindingMode: BindingMode;
}

// --- BEGIN certificate fingerprint pin (issue 13 §4) ---
/** InvalidArgument for a malformed pin; RaTlsCertificateMismatch unless SHA-256(der) is the pinned value. */
function checkExpectedCertificate(der: Uint8Array, expected: unknown, crypto: CryptoBackend): void {
  if (expected === undefined) return;
  const pin = typeof expected === 'string' ? expected.trim().toLowerCase().replace(/^0x/, '').replace(/:/g, '') : '';
  if (!/^[0-9a-f]{64}$/.test(pin)) {
    throw attestationError('InvalidArgument', 'verifyServerCertificate: expectedCertificateSha256 must be 64 hex characters (SHA-256 of the certificate DER)', {
      check: 'options.expectedCertificateSha256',
      field: 'expectedCertificateSha256',
    });
  }
  const found = toHex(crypto.sha256(der));
  if (found !== pin) {
    throw new VerifyError('RaTlsCertificateMismatch', 'the server presented another certificate than the pinned one (expectedCertificateSha256)', {
      check: 'ratls.certificateSha256',
      field: 'certificateSha256',
      expected: pin,
      found,
    });
  }
}
// --- END certificate fingerprint pin ---

export async function verifyServerCertificate(
  cert: Uint8Array | string,
  options: ServerCertificateOptions,
): Promise<ServerCertificateVerification> {
  requireOptionsObject(options, 'verifyServerCertificate');
  requireVerifier(options.verifier);
  validateServerCertificateOptions(options as unknown as Record<string, unknown>, 'verifyServerCertificate');
  const crypto = options.crypto ?? defaultCryptoBackend();
  const bindingMode = options.bindingMode ?? DEFAULT_BINDING_MODE;

  let certificate: RaTlsCertificate;
  try {
    certificate = extractRaTlsAttestation(cert);
  } catch (e) {
    if (options.allowSimulator === true && isAttestationError(e) && e.code === 'RaTlsMissing') {
      // --- certificate fingerprint pin (issue 13 §4): a quote-less certificate is pinned too ---
      checkExpectedCertificate(parseCertificateFields(cert).der, options.expectedCertificateSha256, crypto);
      return acceptQuoteless(cert, options, bindingMode);
    }
    throw e;
  }
  // --- BEGIN certificate fingerprint pin (issue 13 §4) ---
  checkExpectedCertificate(certificate.certificate.der, options.expectedCertificateSha256, crypto);
  // --- END certificate fingerprint pin ---
  const att = certificate.attestation;
  const key = certificate.certificate;

  const attested = await verifyAttestedQuote({
    quote: att.quote,
    eventLog: att.eventLog,
    runtimeEvents: att.runtimeEvents,
    runtimeEventsSource: att.runtimeEventsSource,
    checkBinding: (reportData) => {
      if (att.reportData !== undefined && !bytesEqual(att.reportData, reportData)) {
        throw new VerifyError('RaTlsInconsistent', 'attestation report_data differs from the quote REPORTDATA', {
          check: 'ratls.reportData',
          field: 'report_data',
          expected: toHex(reportData),
          found: toHex(att.reportData),
        });
      }
      checkKeyBinding(reportData, key, bindingMode, crypto);
    },
    verifier: options.verifier,
    at: options.at,
    ...(options.sendBindingAsRuntimeData === true && bindingMode === 'dstack-sha512'
      ? { runtimeData: dstackBindingPreimage(key.spki) }
      : {}),
    crypto,
  });

  const violations = ratlsPolicyViolations(attested.result, attested.claims, options);
  if (violations.length > 0) throw new PolicyError(violations);
  const authenticated = attested.result.authenticated;
  if (!authenticated) {
    warnOf(options)(
      `tee-attest: allowSimulator: accepted a server certificate whose TDX quote nobody authenticated (verifier ${attested.result.verifier}); ` +
        'its claims are UNVERIFIED. Development only.',
    );
  }
  return {
    certificate,
    result: attested.result,
    quote: authenticated ? 'authenticated' : 'unauthenticated',
    unverified: !authenticated,
    claims: attested.claims,
    eventLog: attested.eventLog,
    bindingMode,
  };
}

const warnOf = (options: ServerCertificateOptions): ((message: string) => void) =>
  options.warn ??
  ((message: string): void => {
    console.warn(message);
  });

/** The pins a quote-less certificate can never satisfy (measurements and app claims). */
export function measurementPinsSet(options: RaTlsPolicyOptions): string[] {
  const set: string[] = [];
  if (options.allowedMrtds !== undefined) set.push('mrtd');
  for (const i of [0, 1, 2, 3] as const) if (options.allowedRtmrs?.[i] !== undefined) set.push(`rtmr${i}`);
  if (options.allowedComposeHashes !== undefined) set.push('composeHash');
  if (options.allowedAppIds !== undefined) set.push('appId');
  if (options.allowedOsImageHashes !== undefined) set.push('osImageHash');
  return set;
}

const UNAVAILABLE: EventLogCheck = { rtmr: ['unavailable', 'unavailable', 'unavailable', 'unavailable'] };

/**
 * allowSimulator and a certificate without any RA-TLS extension: refused when
 * any measurement / app pin is set (PolicyMeasurement per pin), else accepted
 * as unverified, with a warning.
 */
function acceptQuoteless(cert: Uint8Array | string, options: ServerCertificateOptions, bindingMode: BindingMode): ServerCertificateVerification {
  const fields = parseCertificateFields(cert);
  const pins = measurementPinsSet(options);
  if (pins.length > 0) {
    throw new PolicyError(
      pins.map((field) => ({
        code: 'PolicyMeasurement' as const,
        message: `${field} is pinned but the server certificate carries no TDX quote (allowSimulator accepts a quote-less certificate only when nothing is pinned)`,
        evidence: { check: `policy.${field}`, field, expected: 'a quote measuring the pinned value', found: 'no quote (allowSimulator)' },
      })),
    );
  }
  warnOf(options)(
    'tee-attest: allowSimulator: accepted a server certificate that carries NO TDX quote (a local dev sidecar); ' +
      'nothing about the server is verified. Development only.',
  );
  const result: VerificationResult = {
    verifier: 'none',
    authenticated: false,
    teeType: 'TDX',
    mrtd: '',
    rtmr0: '',
    rtmr1: '',
    rtmr2: '',
    rtmr3: '',
    reportData: '',
    mrConfigId: '',
    mrOwner: '',
    mrOwnerConfig: '',
    mrSeam: '',
    tdAttributes: '',
    xfam: '',
    tcbStatus: 'Unverified',
    advisoryIds: [],
    isDebug: false,
    septVeDisable: false,
    verifiedAt: options.at === undefined ? 0 : toUnixSeconds(options.at),
  };
  return {
    certificate: { certificate: fields, source: 'none' },
    result,
    quote: 'absent',
    unverified: true,
    claims: undefined,
    eventLog: UNAVAILABLE,
    bindingMode,
  };
}
