/**
 * Cross-layer round trips: what the factory's DER / PEM writers produce
 * (random certificates, CRLs, SGX extensions, PEM layouts) the parsers read
 * back field for field.
 */
import { describe, it } from 'vitest';
import { propCertificateRoundTrip, propCrlRoundTrip, propPemRoundTrip, propSgxExtensionRoundTrip } from './properties.js';

describe('writer ↔ parser round trips', () => {
  it('certificates: random names, serials, validity (UTCTime and GeneralizedTime), extensions', () => propCertificateRoundTrip(150));
  it('CRLs: random entries, reasons and windows, from DER, hex and PEM', () => propCrlRoundTrip(150));
  it('SGX PCK extensions: random fields', () => propSgxExtensionRoundTrip(300));
  it('PEM: line widths, CRLF, NUL padding, other labels, percent-encoding', () => propPemRoundTrip(300));
});
