/** Object identifiers used by the X.509 layer (dotted form). */
export const OID = {
  /** RFC 5758 §3.2 */
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  /** RFC 5480 §2.1.1 */
  idEcPublicKey: '1.2.840.10045.2.1',
  /** RFC 5480 §2.1.1.1 (secp256r1 / prime256v1) */
  prime256v1: '1.2.840.10045.3.1.7',

  // RFC 5280 §4.2.1 certificate extensions
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  cRLDistributionPoints: '2.5.29.31',
  authorityKeyIdentifier: '2.5.29.35',

  // RFC 5280 §5.2 CRL extensions and §5.3 CRL entry extensions
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',

  /** Intel SGX PCK certificate extension. */
  sgxExtension: '1.2.840.113741.1.13.1',
} as const;

/** Short names for Name attribute types (RFC 4514 §3 plus a few common ones). */
export const NAME_ATTRIBUTES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/**
 * Algorithms accepted only by the explicit any-algorithm parsers
 * (`parseCertificateAnyAlg`, `parseCrlAnyAlg`), for AMD SEV-SNP. The DCAP
 * parsers never accept these.
 */
export const OID_ANY_ALG = {
  /** RFC 5758 §3.2 */
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  /** RFC 5480 §2.1.1.1 (secp384r1) */
  secp384r1: '1.3.132.0.34',
  /** RFC 8017 Appendix C / RFC 3279 §2.3.1 */
  rsaEncryption: '1.2.840.113549.1.1.1',
  /** RFC 4055 §3.1 / RFC 8017 Appendix C */
  rsassaPss: '1.2.840.113549.1.1.10',
  /** RFC 4055 §2.2 / RFC 8017 Appendix B.2.1 */
  mgf1: '1.2.840.113549.1.1.8',
  /** RFC 4055 §2.1 / RFC 5754 §2 */
  sha384: '2.16.840.1.101.3.4.2.2',
} as const;
