/**
 * The transparency check: does a verified measurement belong to a signed build?
 *
 *   offline  verifyMeasurementProvenance: the Sigstore bundle verifies (Fulcio
 *            identity, SET, the bundle's own inclusion proof and checkpoint)
 *            and its in-toto predicate carries exactly this measurement
 *   online   (when `online` is given) findRekorEntry: the log itself, asked
 *            through the injected fetch, serves an entry recording this
 *            statement's SHA-256, with a valid SET, an inclusion proof and a
 *            checkpoint signed by the log key of the trusted root
 *
 * The measurement must come from a verified report (SnpVerifier,
 * verifySnpAttestation, a TDX verifier): this module only links it to a build.
 */
import { findRekorEntry, type RekorCheckOptions, type VerifiedRekorEntry } from './rekor.js';
import { verifyMeasurementProvenance, type VerifiedProvenance, type VerifyProvenanceOptions } from './verify.js';

export interface MeasurementTransparencyOptions extends VerifyProvenanceOptions {
  /** Also confirm the entry online in Rekor. Its trustedRoot defaults to this call's. */
  readonly online?: RekorCheckOptions;
}

export interface MeasurementTransparency {
  readonly provenance: VerifiedProvenance;
  /** Present when `online` was given. */
  readonly rekor?: VerifiedRekorEntry;
}

export async function verifyMeasurementTransparency(measurement: string | Uint8Array, bundle: unknown, options: MeasurementTransparencyOptions): Promise<MeasurementTransparency> {
  const provenance = verifyMeasurementProvenance(measurement, bundle, options);
  if (options.online === undefined) return { provenance };
  const online: RekorCheckOptions = options.online.trustedRoot === undefined && options.trustedRoot !== undefined ? { ...options.online, trustedRoot: options.trustedRoot } : options.online;
  const rekor = await findRekorEntry(provenance.payloadSha256, online);
  return { provenance, rekor };
}
