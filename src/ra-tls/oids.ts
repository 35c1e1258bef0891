/**
 * dstack RA-TLS certificate extensions (dstack `ra-tls/src/oids.rs`), under
 * Phala Network's private enterprise number 62397. Each extension's extnValue
 * holds one more DER OCTET STRING wrapping the payload (dstack
 * `CertExt::get_extension_bytes`: `yasna::parse_der(.., read_bytes)`).
 */
export const RATLS_OID = {
  /** Raw TDX quote (dstack <= 0.5 "legacy" certificates). */
  tdxQuote: '1.3.6.1.4.1.62397.1.1',
  /** JSON event log (`serde_json` of `Vec<TdxEvent>`), paired with `tdxQuote`. */
  eventLog: '1.3.6.1.4.1.62397.1.2',
  /** App id bytes (informational; not bound by the quote). */
  appId: '1.3.6.1.4.1.62397.1.3',
  /** Special certificate usage, UTF-8 text such as `app:custom` or `kms:rpc` (not bound by the quote). */
  certUsage: '1.3.6.1.4.1.62397.1.4',
  /** `VersionedAttestation` (SCALE V0 or msgpack V1). */
  attestation: '1.3.6.1.4.1.62397.1.8',
} as const;
