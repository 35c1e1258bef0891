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
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { defaultCryptoBackend } from '../crypto/default.js';
import { PolicyError, VerifyError } from '../errors.js';
import { bytesEqual, toHex } from '../lib/bytes.js';
import type { RaTlsVerifier, VerificationResult } from '../verifier/types.js';
import type { DstackAppClaims } from './app-claims.js';
import { checkKeyBinding, DEFAULT_BINDING_MODE, dstackBindingPreimage, type BindingMode } from './binding.js';
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
}

export interface ServerCertificateVerification {
  /** The certificate and the attestation it carried. `appId` / `usage` there are unauthenticated. */
  readonly certificate: RaTlsCertificate;
  /** The verifier's result for the quote. */
  readonly result: VerificationResult;
  /** Runtime-event claims (app-id, compose-hash, ...), present when RTMR3 replayed. */
  readonly claims: DstackAppClaims | undefined;
  /** Per-RTMR replay outcome. */
  readonly eventLog: EventLogCheck;
  readonly bindingMode: BindingMode;
}

export async function verifyServerCertificate(
  cert: Uint8Array | string,
  options: ServerCertificateOptions,
): Promise<ServerCertificateVerification> {
  requireOptionsObject(options, 'verifyServerCertificate');
  requireVerifier(options.verifier);
  validateServerCertificateOptions(options as unknown as Record<string, unknown>, 'verifyServerCertificate');
  const crypto = options.crypto ?? defaultCryptoBackend();
  const bindingMode = options.bindingMode ?? DEFAULT_BINDING_MODE;

  const certificate = extractRaTlsAttestation(cert);
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
  return { certificate, result: attested.result, claims: attested.claims, eventLog: attested.eventLog, bindingMode };
}
